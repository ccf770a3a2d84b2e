"""Sentinel-2: L1C and L2A SAFE layouts with JP2 bands at 10/20/60 m, and GeoTIFF exports."""

from __future__ import annotations

import warnings
from datetime import UTC, datetime
from pathlib import Path

import pytest
import torch

from geotorch.core import DatasetNotFoundError
from geotorch.datasets import Sentinel2
from tests.datasets.fakes.geo import reflectance, write_raster, write_sentinel2_safe


def test_l2a_bands_at_every_resolution_come_onto_one_10m_grid(tmp_path: Path) -> None:
    write_sentinel2_safe(tmp_path, "L2A")
    dataset = Sentinel2(root=tmp_path)
    assert len(dataset) == 1, "a scene repeated at 10, 20 and 60 m is indexed once"
    assert dataset.crs.to_epsg() == 32632 and dataset.res == (10.0, 10.0)
    sample = dataset[dataset.bounds]
    assert sample["image"].shape == (12, 24, 24) and sample["image"].dtype == torch.float32
    assert (sample["image"] > 0).all()
    assert datetime.fromtimestamp(dataset.bounds.mint, UTC) == datetime(2021, 1, 1, 10, 33, 31, tzinfo=UTC)


def test_l2a_reads_each_band_from_its_finest_folder(tmp_path: Path) -> None:
    safe = write_sentinel2_safe(tmp_path, "L2A")
    dataset = Sentinel2(root=tmp_path, bands=["B02", "B05", "B09"])
    anchor = next(iter(dataset.index.intersection(tuple(dataset.bounds), objects=True))).object
    folders = [Path(path).parent.name for path in dataset.band_files(anchor)]
    assert folders == ["R10m", "R20m", "R60m"]
    assert all(Path(path).is_relative_to(safe) for path in dataset.band_files(anchor))


def test_l1c_reads_all_thirteen_bands(tmp_path: Path) -> None:
    write_sentinel2_safe(tmp_path, "L1C")
    dataset = Sentinel2(root=tmp_path, bands=Sentinel2.all_bands)
    sample = dataset[dataset.bounds]
    assert sample["image"].shape == (13, 24, 24)
    dataset.plot(sample)


def test_geotiff_exports_with_the_same_names_are_read(tmp_path: Path) -> None:
    for number, band in enumerate(("B02", "B03", "B04")):
        write_raster(tmp_path / f"T32UPU_20210101T103331_{band}_10m.tif", reflectance((16, 16), number), 32632,
                     600000.0, 5300040.0, 10.0)
    dataset = Sentinel2(root=tmp_path, bands=["B04", "B03", "B02"])
    assert dataset[dataset.bounds]["image"].shape == (3, 16, 16)


def test_a_band_the_scene_lacks_is_named(tmp_path: Path) -> None:
    write_sentinel2_safe(tmp_path, "L2A")
    with pytest.warns(UserWarning, match="has no band B10"), \
            pytest.raises(DatasetNotFoundError, match=r"\d+ scene\(s\) lack a selected band, e\.g\. .*has no band B10"):
        Sentinel2(root=tmp_path, bands=["B02", "B10"])


def test_unknown_band_is_a_value_error(tmp_path: Path) -> None:
    write_sentinel2_safe(tmp_path, "L1C")
    with pytest.raises(ValueError, match="B13"):
        Sentinel2(root=tmp_path, bands=["B13"])


def test_missing_scenes_say_where_to_get_them(tmp_path: Path) -> None:
    with pytest.raises(DatasetNotFoundError, match=rf"{tmp_path}.*Copernicus Data Space"):
        Sentinel2(root=tmp_path, download=True)


@pytest.mark.parametrize("second", ["L2A", "L1C"])
def test_a_scene_in_two_products_is_refused_naming_both(tmp_path: Path, second: str) -> None:
    write_sentinel2_safe(tmp_path / "a", "L1C")
    write_sentinel2_safe(tmp_path / "b", second)
    with pytest.raises(ValueError, match="two products") as error:
        Sentinel2(root=tmp_path)
    assert str(tmp_path / "a") in str(error.value) and str(tmp_path / "b") in str(error.value)


def test_l1c_and_l2a_exports_of_one_scene_in_one_folder_are_refused(tmp_path: Path) -> None:
    for suffix in ("", "_10m"):
        for band in ("B02", "B03"):
            write_raster(tmp_path / f"T32UPU_20210101T103331_{band}{suffix}.tif", reflectance((24, 24), 1),
                         32632, 600000.0, 5300040.0, 10.0)
    with pytest.raises(ValueError, match="two products"):
        Sentinel2(root=tmp_path, bands=["B02", "B03"])


def test_early_l2a_products_with_l2a_prefixed_band_names_are_read(tmp_path: Path) -> None:
    early = write_sentinel2_safe(tmp_path / "2017", "L2A", sensed="20170712T103021")
    for band_file in early.rglob("T32UPU_*.jp2"):
        band_file.rename(band_file.with_name(f"L2A_{band_file.name}"))
    write_sentinel2_safe(tmp_path / "2021", "L2A")
    dataset = Sentinel2(root=tmp_path, bands=["B02", "B05", "B09"], time_series=True)
    assert len(dataset) == 2
    sample = dataset[dataset.bounds]
    assert sample["image"].shape == (2, 3, 24, 24) and (sample["image"] > 0).all()
    assert datetime.fromtimestamp(float(sample["time"][0]), UTC) == datetime(2017, 7, 12, 10, 30, 21, tzinfo=UTC)


def test_products_before_and_from_baseline_0400_are_warned_of(tmp_path: Path) -> None:
    old = write_sentinel2_safe(tmp_path, "L2A", sensed="20210105T103331")
    old.rename(old.with_name(old.name.replace("_N0500_", "_N0300_")))
    write_sentinel2_safe(tmp_path, "L2A", sensed="20230105T103331")
    with pytest.warns(UserWarning, match=r"before 04\.00 .*N0300.* from 04\.00 .*N0500.*offset of 1000"):
        Sentinel2(root=tmp_path, bands=["B02"])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        Sentinel2(root=tmp_path / old.name.replace("_N0500_", "_N0300_"), bands=["B02"])
    assert not [warning for warning in caught if "04.00" in str(warning.message)], "one baseline alone"


def test_the_default_res_is_10_metres_in_a_crs_of_degrees(tmp_path: Path) -> None:
    write_sentinel2_safe(tmp_path, "L2A")
    dataset = Sentinel2(root=tmp_path, crs="EPSG:4326", bands=["B02"])
    assert dataset.res[1] == pytest.approx(10 / 111_200, rel=0.01), "10 m of latitude, not 10 degrees"
    assert dataset[dataset.bounds]["image"].shape[1:] == pytest.approx((24, 24), abs=2)
    assert Sentinel2(root=tmp_path, crs="EPSG:3035", bands=["B02"]).res == (10.0, 10.0)
