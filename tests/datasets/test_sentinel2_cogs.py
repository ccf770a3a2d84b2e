"""Sentinel-2 L2A scenes as Element84's sentinel-cogs holds them on AWS: a folder per scene, a COG per band."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from geotorch.datasets import Sentinel2
from tests.datasets.fakes.geo import reflectance, write_raster, write_sentinel2_safe


def _cog_scene(root: Path, scene: str, seed: int) -> Path:
    """``sentinel-s2-l2a-cogs/32/U/PU/<year>/<month>/<scene>/`` with B02-B04 (10 m), B8A (20 m) and their companions."""
    day = datetime.strptime(scene.split("_")[2], "%Y%m%d")
    folder = root / "sentinel-s2-l2a-cogs" / "32" / "U" / "PU" / str(day.year) / str(day.month) / scene
    for number, band in enumerate(("B02", "B03", "B04", "SCL", "TCI", "AOT")):
        write_raster(folder / f"{band}.tif", reflectance((24, 24), seed + number), 32632, 600000.0, 5300040.0, 10.0,
                     nodata=0)
    write_raster(folder / "B8A.tif", reflectance((12, 12), seed + 9), 32632, 600000.0, 5300040.0, 20.0, nodata=0)
    (folder / f"{scene}.json").write_text('{"type": "Feature"}')
    (folder / "granule_metadata.xml").write_text("<Level-2A_Tile_ID/>")
    return folder


def test_sentinel_cogs_scenes_are_indexed_by_their_folders(tmp_path: Path) -> None:
    first = _cog_scene(tmp_path, "S2B_32UPU_20220315_0_L2A", 1)
    _cog_scene(tmp_path, "S2A_32UPU_20220320_0_L2A", 20)
    dataset = Sentinel2(tmp_path, bands=["B04", "B8A"], time_series=True)
    assert len(dataset) == 2 and dataset.crs.to_epsg() == 32632 and dataset.res == (10.0, 10.0)
    sample = dataset[dataset.bounds]
    assert sample["image"].shape == (2, 2, 24, 24)
    assert np.array_equal(sample["image"][0, 0].numpy(), reflectance((24, 24), 3).astype(np.float32))
    assert [datetime.fromtimestamp(float(time), UTC).date() for time in sample["time"]] == [
        datetime(2022, 3, 15).date(), datetime(2022, 3, 20).date()]
    assert Sentinel2(first / "B04.tif", bands=["B04"]).bounds == Sentinel2(first, bands=["B04"]).bounds


def test_sentinel_cogs_scenes_join_safe_products(tmp_path: Path) -> None:
    _cog_scene(tmp_path / "aws", "S2B_32UPU_20220315_0_L2A", 1)
    write_sentinel2_safe(tmp_path / "esa", "L2A", sensed="20210101T103331")
    assert len(Sentinel2(tmp_path, bands=["B02", "B03", "B04"], time_series=True)) == 2


def test_a_sentinel_cogs_scene_lacking_a_band_is_named(tmp_path: Path) -> None:
    folder = _cog_scene(tmp_path, "S2B_32UPU_20220315_0_L2A", 1)
    with pytest.warns(UserWarning, match=rf"skipping the scene {folder}: it has no B01\.tif"), \
            pytest.raises(FileNotFoundError, match="no data found"):
        Sentinel2(tmp_path)


def test_harmonize_refuses_sentinel_cogs_whose_offset_is_not_told(tmp_path: Path) -> None:
    folder = _cog_scene(tmp_path, "S2B_32UPU_20220315_0_L2A", 1)
    with pytest.raises(ValueError, match=rf"{folder} is a scene of Element84's sentinel-cogs.*harmonize=False"):
        Sentinel2(tmp_path, bands=["B04"], harmonize=True)


def test_the_default_res_of_sentinel_cogs_is_10_metres_in_a_crs_of_degrees(tmp_path: Path) -> None:
    _cog_scene(tmp_path, "S2B_32UPU_20220315_0_L2A", 1)
    dataset = Sentinel2(tmp_path, crs="EPSG:4326", bands=["B04"])
    assert dataset.res[1] == pytest.approx(10 / 111_200, rel=0.01), "10 m of latitude, not 10 degrees"
