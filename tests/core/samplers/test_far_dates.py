"""Period samplers over dates beyond pandas' nanosecond range (1677-2262): historical maps, open-ended validity."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from geotorch.core import RasterDataset
from geotorch.samplers import RandomPeriodSampler, SequentialPeriodSampler
from tests.core.rasters import grid, write_raster


def write_named(folder: Path, names: list[str]) -> Path:
    """One 8 x 8 px GeoTIFF per name, every pixel holding the name's position + 1."""
    for number, name in enumerate(names):
        write_raster(folder / name, np.full((8, 8), number + 1, "uint8"), 32631, grid(500000.0, 4000000.0, 10.0))
    return folder


def utc(*parts: int) -> float:
    return datetime(*parts, tzinfo=UTC).timestamp()


class Maps(RasterDataset):
    """Historical maps, one a year."""

    filename_glob = "map_*.tif"
    filename_regex = r"^map_(?P<date>\d{4})\.tif$"
    date_format = "%Y"


class Valid(RasterDataset):
    """Rasters valid from a date until further notice (9999-12-31)."""

    filename_glob = "v_*.tif"
    filename_regex = r"^v_(?P<start>\d{8})_(?P<stop>\d{8})\.tif$"


def test_period_samplers_read_maps_of_the_seventeenth_century(tmp_path: Path) -> None:
    # pandas' nanoseconds begin in 1677: both samplers raised OutOfBoundsDatetime when made.
    series = Maps(write_named(tmp_path, ["map_1650.tif", "map_1700.tif", "map_1750.tif"]), time_series=True)
    queries = list(SequentialPeriodSampler(series, freq="50Y"))
    assert [(query.mint, query.maxt) for query in queries] == [
        (utc(1650, 1, 1), utc(1700, 1, 1) - 1e-6),
        (utc(1700, 1, 1), utc(1750, 1, 1) - 1e-6),
        (utc(1750, 1, 1), utc(1800, 1, 1) - 1e-6),
    ]
    assert [series[query]["image"].unique().tolist() for query in queries] == [[1.0], [2.0], [3.0]]
    drawn = [series[query]["time"].tolist() for query in RandomPeriodSampler(series, freq="Y", generator=0)]
    assert len(drawn) == 3
    assert all(time in ([utc(1650, 1, 1)], [utc(1700, 1, 1)], [utc(1750, 1, 1)]) for time in drawn)


def test_period_samplers_reach_an_open_ended_validity(tmp_path: Path) -> None:
    # A file valid until 9999-12-31 made both samplers raise pandas' OverflowError ("Cannot convert Timestamp
    # to nanoseconds without overflow").
    series = Valid(write_named(tmp_path, ["v_20200101_20201231.tif", "v_20210101_99991231.tif"]), time_series=True)
    sampler = SequentialPeriodSampler(series, freq="Y")
    assert len(sampler) == 9999 - 2020 + 1
    queries = list(sampler)
    assert queries[0].mint == utc(2020, 1, 1)
    assert queries[-1].mint == utc(9999, 1, 1)
    assert series[queries[-1]]["image"].unique().tolist() == [2.0]
    assert len(list(RandomPeriodSampler(series, freq="M", length=5, generator=0))) == 5
