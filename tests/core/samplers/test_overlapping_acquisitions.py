"""Timestamp samplers over acquisitions whose time intervals overlap: each query reads one acquisition."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from geotorch.core import RasterDataset
from geotorch.samplers import (
    GridGeoSampler,
    RandomTimestampSampler,
    SequentialTimedeltaSampler,
    SequentialTimestampSampler,
)
from tests.core.rasters import grid, write_raster


class Composites(RasterDataset):
    """Composites named by their first and last dates, as 16-day composites are."""

    filename_glob = "c_*.tif"
    filename_regex = r"^c_(?P<start>\d{8})_(?P<stop>\d{8})\.tif$"


def write_composites(folder: Path, spans: list[tuple[str, str]]) -> Composites:
    """One 8 x 8 px GeoTIFF per ``(start, stop)``, every pixel holding its position + 1; the series."""
    for number, (start, stop) in enumerate(spans):
        values = np.full((8, 8), number + 1, "uint16")
        write_raster(folder / f"c_{start}_{stop}.tif", values, 32631, grid(500000.0, 4000000.0, 10.0))
    return Composites(folder, time_series=True)


def utc(*parts: int) -> float:
    return datetime(*parts, tzinfo=UTC).timestamp()


def test_each_query_of_a_timestamp_sampler_reads_one_composite(tmp_path: Path) -> None:
    # Composites of 1-16 and 9-24 January overlap by 8 days: the query of the first covered 1-16 January
    # and read both (steps [1, 2]), that of the second read both again; 1-16 February stood alone.
    series = write_composites(tmp_path, [("20200101", "20200116"), ("20200109", "20200124"), ("20200201", "20200216")])
    for sampler in (SequentialTimestampSampler(series), RandomTimestampSampler(series, generator=0)):
        samples = [series[query] for query in sampler]
        steps = sorted((sample["time"].tolist(), sample["image"].unique().tolist()) for sample in samples)
        assert steps == [([utc(2020, 1, 1)], [1.0]), ([utc(2020, 1, 9)], [2.0]), ([utc(2020, 2, 1)], [3.0])]
    queries = list(SequentialTimestampSampler(series))
    # The first stretch each holds alone: 1-8 January, 17-24 January, the whole of 1-16 February.
    assert [(query.mint, query.maxt) for query in queries] == [
        (utc(2020, 1, 1), utc(2020, 1, 9) - 1e-6),
        (utc(2020, 1, 17), utc(2020, 1, 25) - 1e-6),
        (utc(2020, 2, 1), utc(2020, 2, 17) - 1e-6),
    ]


def test_a_grid_over_timestamps_reads_one_composite_per_query(tmp_path: Path) -> None:
    series = write_composites(tmp_path, [("20200101", "20200116"), ("20200109", "20200124")])
    sampler = GridGeoSampler(series, size=4, stride=4) @ SequentialTimestampSampler(series)
    samples = [series[query] for query in sampler]
    assert len(samples) == 8
    assert sorted(sample["image"].unique().tolist() for sample in samples) == [[1.0]] * 4 + [[2.0]] * 4


def test_a_composite_inside_others_is_read_whole_with_a_warning_naming_it(tmp_path: Path) -> None:
    # 9-24 January lies within 1-16 and 17 January-1 February (16-day composites every 8 days): no query reads
    # it alone, so its query is its whole interval (3 steps), as before, with a warning naming it.
    series = write_composites(tmp_path, [("20200101", "20200116"), ("20200109", "20200124"), ("20200117", "20200201")])
    for make in (SequentialTimestampSampler, RandomTimestampSampler):
        inside = r"acquisitions of 2020-01-09T00:00:00Z to 2020-01-24T23:59:59.999999Z lie"
        with pytest.warns(UserWarning, match=inside):
            sampler = make(series)
        steps = sorted(series[query]["image"][:, 0, 0, 0].tolist() for query in sampler)
        assert steps == [[1.0], [1.0, 2.0, 3.0], [3.0]]
    # Windows of several acquisitions sample the series too.
    assert len(SequentialTimedeltaSampler(series, delta=np.timedelta64(31, "D"))) == 2
