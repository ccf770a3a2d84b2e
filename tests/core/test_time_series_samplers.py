"""What geotorch.samplers give over a RasterDataset(time_series=True): one date per chip, full series with `@`."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from geotorch.core import RasterDataset, Sample
from geotorch.samplers import (
    GridGeoSampler,
    RandomGeoSampler,
    RandomPeriodSampler,
    RandomTimedeltaSampler,
    SequentialPeriodSampler,
    SequentialTimedeltaSampler,
)
from tests.core.rasters import grid, write_raster

DAYS = ("20200301", "20200601", "20200901")
LEFT, TOP = 735360.0, 4987360.0


class Dated(RasterDataset):
    filename_glob = "*.tif"
    filename_regex = r"^(?P<tile>\w+)_(?P<date>\d{8})\.tif$"


@pytest.fixture
def series(tmp_path: Path) -> Dated:
    """Two 640 m tiles side by side in EPSG:32631, each at three dates (six index entries)."""
    for step, day in enumerate(DAYS):
        for tile, left in (("W", LEFT), ("E", LEFT + 640)):
            write_raster(
                tmp_path / f"{tile}_{day}.tif", np.full((64, 64), step + 1, "uint16"), 32631, grid(left, TOP, 10.0)
            )
    return Dated(tmp_path, res=10.0, time_series=True)


def test_a_random_sampler_gives_each_chip_its_entry_date_only(series: Dated) -> None:
    toi = (datetime(2020, 1, 1, tzinfo=UTC), datetime(2021, 1, 1, tzinfo=UTC))
    for sampler in (
        RandomGeoSampler(series, size=32, length=12),
        RandomGeoSampler(series, size=32, length=12, toi=toi),
    ):
        samples = [series[query] for query in sampler]
        assert {tuple(sample["image"].shape) for sample in samples} == {(1, 1, 32, 32)}, "T = 1, toi or not"
        assert all(sample["image"].unique().item() == DAYS.index(_day(sample)) + 1 for sample in samples)


def test_a_grid_sampler_repeats_each_window_once_per_date_with_one_step(series: Dated) -> None:
    queries = list(GridGeoSampler(series, size=32, stride=32))
    windows = Counter((query.minx, query.maxx, query.miny, query.maxy) for query in queries)
    assert len(windows) == 8 and set(windows.values()) == {3}, "8 windows over the two tiles, each at 3 dates"
    assert {tuple(series[query]["image"].shape) for query in queries} == {(1, 1, 32, 32)}


def test_spatial_at_temporal_gives_each_chip_the_full_series(series: Dated) -> None:
    year = timedelta(days=366)
    passes = {
        "grid": GridGeoSampler(series, size=32, stride=32) @ SequentialTimedeltaSampler(series, delta=year),
        "random": RandomGeoSampler(series, size=32, length=5) @ RandomTimedeltaSampler(series, delta=year),
    }
    for name, sampler in passes.items():
        samples = [series[query] for query in sampler]
        assert len(samples) == {"grid": 8, "random": 5}[name], "each window once"
        for sample in samples:
            assert sample["image"].shape == (3, 1, 32, 32)
            assert sample["image"][:, 0, 0, 0].tolist() == [1.0, 2.0, 3.0], "the three dates in time order"


def test_windows_reaching_past_toi_read_no_date_outside_it(series: Dated) -> None:
    # A year, or 366 days, from the March date: the windows reached the September date, outside toi.
    toi = (datetime(2020, 1, 1), datetime(2020, 7, 1))
    year = timedelta(days=366)
    temporal_samplers = [
        SequentialPeriodSampler(series, freq="Y", toi=toi),
        RandomPeriodSampler(series, freq="Y", toi=toi, generator=0),
        SequentialTimedeltaSampler(series, delta=year, toi=toi),
        RandomTimedeltaSampler(series, delta=year, toi=toi, generator=0),
    ]
    for temporal in temporal_samplers:
        samples = [series[query] for query in GridGeoSampler(series, size=32, stride=32) @ temporal]
        assert len(samples) == 8, type(temporal).__name__
        for sample in samples:
            assert sample["image"][:, 0, 0, 0].tolist() == [1.0, 2.0], type(temporal).__name__
        assert all(query.maxt <= datetime(2020, 7, 1, tzinfo=UTC).timestamp() for query in temporal)


def test_a_query_without_times_spans_every_date(series: Dated) -> None:
    sample = series[LEFT + 600 : LEFT + 680, TOP - 80 : TOP]
    assert sample["image"].shape == (3, 1, 8, 8) and sample["time"].shape == (3,)


def _day(sample: Sample) -> str:
    (seconds,) = sample["time"].tolist()
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y%m%d")
