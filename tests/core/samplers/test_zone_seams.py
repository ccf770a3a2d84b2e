"""Time steps at UTM zone seams: a tile read in the next zone is a tilted square, not the box around it."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pytest
import torch
from pyproj import Transformer

from geotorch.core import BoundingBox, RasterDataset
from geotorch.samplers import GridGeoSampler, SequentialTimedeltaSampler, SequentialTimestampSampler
from tests.core.rasters import grid, write_raster

if TYPE_CHECKING:
    from pathlib import Path


class Tiles(RasterDataset):
    """Sentinel-2-like tiles dated by their names."""

    filename_glob = "tile_*.tif"
    filename_regex = r"tile_(?P<zone>\d{2})_(?P<date>\d{8})"
    date_format = "%Y%m%d"


def seam_tiles(folder: Path) -> Path:
    """A 100 km tile of zone 32 ending at 11.9 E and one of zone 33 starting there, a day apart (nodata 0)."""
    values = np.full((100, 100), 7, dtype="uint16")
    for zone, date, shift in ((32, "20200601", -100_000.0), (33, "20200602", 0.0)):
        x, y = Transformer.from_crs("EPSG:4326", f"EPSG:326{zone}", always_xy=True).transform(11.9, 46.0)
        transform = grid(x + shift, y + 50_000.0, 1000.0)
        write_raster(folder / f"tile_{zone}_{date}.tif", values, f"EPSG:326{zone}", transform, nodata=0)
    return folder


def steps_of_fill(dataset: Tiles, queries: list[BoundingBox]) -> int:
    """How many time steps of the queries' samples hold no pixel of data."""
    return sum(int((step == 0).all()) for query in queries for step in dataset[query]["image"])


@pytest.mark.parametrize(
    "temporal",
    [lambda ds: SequentialTimestampSampler(ds), lambda ds: SequentialTimedeltaSampler(ds, delta=pd.Timedelta(days=1))],
    ids=["timestamps", "timedelta"],
)
def test_a_tile_of_the_next_zone_gives_no_time_step_where_it_has_no_pixel(tmp_path: Path, temporal: object) -> None:
    # The zone 33 tile, read in zone 32, is indexed at the box around its tilted square: windows in the box's
    # corners west of the seam got a step of its date, all fill (4 of 112 before).
    dataset = Tiles(seam_tiles(tmp_path), crs="EPSG:32632", res=1000.0, time_series=True)
    queries = list(GridGeoSampler(dataset, 16) @ temporal(dataset))  # type: ignore[operator]
    assert steps_of_fill(dataset, queries) == 0
    # Every window still gets each date that has data there.
    windows = list(GridGeoSampler(dataset, 16))
    expected = sum(int((step != 0).any()) for window in dict.fromkeys(
        BoundingBox(w.minx, w.maxx, w.miny, w.maxy, dataset.bounds.mint, dataset.bounds.maxt) for w in windows
    ) for step in dataset[window]["image"])
    assert len(queries) == expected


def test_a_window_west_of_the_seam_reads_no_step_of_the_next_zone(tmp_path: Path) -> None:
    dataset = Tiles(seam_tiles(tmp_path), crs="EPSG:32632", res=1000.0, time_series=True)
    # West of the seam near the tiles' southern edge: inside the box around the zone 33 tile, whose western
    # edge runs from 3.8 km west of the seam's top to 3.75 km east of its foot in zone 32, outside the tile.
    x, y = Transformer.from_crs("EPSG:4326", "EPSG:32632", always_xy=True).transform(11.9, 46.0)
    window = BoundingBox(x - 3_000, x, y - 49_000, y - 40_000, dataset.bounds.mint, dataset.bounds.maxt)
    sample = dataset[window]
    assert sample["image"].shape[0] == 1
    assert torch.equal(sample["time"], torch.tensor([pd.Timestamp("2020-06-01", tz="UTC").timestamp()],
                                                    dtype=torch.float64))


def test_a_spatial_sampler_over_the_seam_series_reads_every_chip(tmp_path: Path) -> None:
    # A plain grid dates each chip as its index entry: chips in the corners of the zone 33 tile's box, outside
    # the tile, have its date alone. They read one step of fill, as every read of a file's box did before
    # 64a8995 (which made them an IndexError, no file overlapping them: 345 of the 5416 chips of 2 km).
    dataset = Tiles(seam_tiles(tmp_path), crs="EPSG:32632", res=1000.0, time_series=True)
    x, _ = Transformer.from_crs("EPSG:4326", "EPSG:32632", always_xy=True).transform(11.9, 46.0)
    seam = BoundingBox(x - 4_000, x + 4_000, dataset.bounds.miny, dataset.bounds.maxy)
    chips = list(GridGeoSampler(dataset, 2, roi=seam))
    shapes = {tuple(dataset[chip]["image"].shape) for chip in chips}
    assert shapes == {(1, 1, 2, 2)}
