"""Sentinel-2 and Landsat with ``time_series=True``: one step per date, a date's tiles mosaicked across UTM zones."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import torch

from geotorch.core import BoundingBox, stack_samples
from geotorch.datasets import Landsat8, Sentinel2
from tests.datasets.fakes.geo import write_landsat_scene, write_raster

#: Two datatakes, written in the reverse of their time order.
SENSED = ("20200601T103031", "20200301T103031")
#: Tile 31TGL ends at x = 736000 in EPSG:32631 (about 6 degrees east); tile 32TLR lies east of it in EPSG:32632.
TILES = {"31TGL": (32631, 735360.0, 4987360.0, 64), "32TLR": (32632, 262990.0, 4987390.0, 80)}
#: 100 m on each side of the seam between the tiles, in EPSG:32631.
ACROSS = BoundingBox(735900.0, 736100.0, 4987000.0, 4987200.0)


def value(sensed: str, band: int, tile: str) -> int:
    return (1000 if sensed.startswith("202003") else 2000) + 100 * band + (50 if tile == "32TLR" else 0)


def write_exports(folder: Path) -> None:
    """Sentinel-2 GeoTIFF exports ``T{tile}_{sensed}_{band}_10m.tif`` of bands B02-B04: 2 datatakes x 2 tiles."""
    for sensed in SENSED:
        for tile, (epsg, left, top, size) in TILES.items():
            for band, name in enumerate(("B02", "B03", "B04")):
                data = np.full((size, size), value(sensed, band, tile), "uint16")
                write_raster(folder / f"T{tile}_{sensed}_{name}_10m.tif", data, epsg, left, top, 10.0)


def test_sentinel2_series_mosaics_the_tiles_of_each_datatake_across_utm_zones(tmp_path: Path) -> None:
    write_exports(tmp_path)
    dataset = Sentinel2(tmp_path, crs="EPSG:32631", bands=["B02", "B03", "B04"], time_series=True)
    sample = dataset[ACROSS]
    assert sample["image"].shape == (2, 3, 20, 20), "one step per datatake, not one per tile"
    march, june = (datetime(2020, month, 1, 10, 30, 31, tzinfo=UTC).timestamp() for month in (3, 6))
    assert sample["time"].tolist() == [march, june]
    for step, sensed in enumerate(reversed(SENSED)):
        for band in range(3):
            assert sample["image"][step, band, :, :10].unique().tolist() == [value(sensed, band, "31TGL")]
            assert sample["image"][step, band, :, 12:].unique().tolist() == [value(sensed, band, "32TLR")]
    assert stack_samples([sample, sample])["image"].shape == (2, 2, 3, 20, 20)


def test_landsat_series_stacks_its_scenes_by_acquisition_date(tmp_path: Path) -> None:
    bands = Landsat8.all_bands
    for date in ("20230610", "20230525"):
        write_landsat_scene(tmp_path, f"LC08_L2SP_023032_{date}_20230620_02_T1", bands, 32616, -87.5, 40.0)
    dataset = Landsat8(tmp_path, bands=["SR_B2", "SR_B3"], time_series=True)
    sample = dataset[dataset.bounds]
    assert sample["image"].shape == (2, 2, 24, 24)
    assert sample["time"].tolist() == [
        datetime(2023, 5, 25, tzinfo=UTC).timestamp(),
        datetime(2023, 6, 10, tzinfo=UTC).timestamp(),
    ]
    single = Landsat8(tmp_path / "LC08_L2SP_023032_20230525_20230620_02_T1", bands=["SR_B2", "SR_B3"])
    assert torch.equal(sample["image"][0], single[dataset.bounds]["image"])
