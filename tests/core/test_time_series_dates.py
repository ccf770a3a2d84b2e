"""Dates in the file names of a time series, in the formats products use: each file's interval and its steps."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from geotorch.core import BoundingBox, RasterDataset
from tests.core.rasters import grid, write_raster


def write_dated(folder: Path, names: list[str]) -> Path:
    """One 8 x 8 px GeoTIFF per name, every pixel holding the name's position + 1."""
    for number, name in enumerate(names):
        write_raster(folder / name, np.full((8, 8), number + 1, "uint8"), 32631, grid(500000.0, 4000000.0, 10.0))
    return folder


def utc(*parts: int) -> float:
    return datetime(*parts, tzinfo=UTC).timestamp()


@pytest.mark.parametrize(
    ("date_format", "names"),
    [
        # ISO week and weekday (weekly composites): 2020-W05-3 is Wednesday 29 January.
        ("%G-W%V-%u", ["w_2020-W05-3.tif", "w_2020-W06-3.tif", "w_2020-W07-3.tif"]),
        # Week of the year (Sunday first) and weekday number: week 4, day 3 of 2020 is Wednesday 29 January.
        ("%Y-%U-%w", ["w_2020-04-3.tif", "w_2020-05-3.tif", "w_2020-06-3.tif"]),
    ],
)
def test_a_weekday_date_covers_its_day_only(tmp_path: Path, date_format: str, names: list[str]) -> None:
    # These covered the rest of their year: a query of 12 February also met the files of 29 January and 5 February.
    class Weekly(RasterDataset):
        filename_glob = "w_*.tif"
        filename_regex = r"^w_(?P<date>.+)\.tif$"

    Weekly.date_format = date_format
    series = Weekly(write_dated(tmp_path, names), time_series=True)
    assert series.bounds.mint == utc(2020, 1, 29)
    assert series.bounds.maxt == utc(2020, 2, 12) + 86_400 - 1e-6
    box = series.bounds
    sample = series[BoundingBox(box.minx, box.maxx, box.miny, box.maxy, utc(2020, 2, 12, 12), utc(2020, 2, 12, 12))]
    assert sample["time"].tolist() == [utc(2020, 2, 12)]
    assert sample["image"].unique().tolist() == [3.0]


def test_a_date_and_time_of_the_locale_covers_its_second_only(tmp_path: Path) -> None:
    # %c (and %X) name a second; they covered a whole day from it, so the next morning's query met this file.
    class Timed(RasterDataset):
        filename_glob = "t_*.tif"
        filename_regex = r"^t_(?P<date>.+)\.tif$"
        date_format = "%c"

    series = Timed(write_dated(tmp_path, ["t_Wed Jan 29 21:30:00 2020.tif"]), time_series=True)
    assert series.bounds.mint == utc(2020, 1, 29, 21, 30)
    assert series.bounds.maxt - series.bounds.mint < 1.0


def test_a_date_that_does_not_exist_names_the_file_and_the_reason(tmp_path: Path) -> None:
    # The message said only that '20200230' does not match '%Y%m%d', which it does, digit for digit.
    class Daily(RasterDataset):
        filename_glob = "d_*.tif"
        filename_regex = r"^d_(?P<date>\d{8})\.tif$"

    with pytest.raises(ValueError, match=r"d_20200230.tif: date '20200230' .* \(day is out of range for month\)"):
        Daily(write_dated(tmp_path, ["d_20200101.tif", "d_20200230.tif"]), time_series=True)


@pytest.mark.parametrize(
    ("date_format", "names", "starts"),
    [
        # Weekly composites named by week of the year (Monday first): strptime ignores %W without a weekday.
        (
            "%Y-W%W",
            ["w_2020-W10.tif", "w_2020-W11.tif", "w_2020-W12.tif"],
            [(2020, 3, 9), (2020, 3, 16), (2020, 3, 23)],
        ),
        # Sunday first.
        ("%Y-%U", ["w_2020-10.tif", "w_2020-11.tif", "w_2020-12.tif"], [(2020, 3, 8), (2020, 3, 15), (2020, 3, 22)]),
        # ISO weeks, the last of 2020 reaching into 2021 (strptime refused an ISO week without a weekday).
        (
            "%G-W%V",
            ["w_2020-W52.tif", "w_2020-W53.tif", "w_2021-W01.tif"],
            [(2020, 12, 21), (2020, 12, 28), (2021, 1, 4)],
        ),
    ],
)
def test_a_week_number_without_a_weekday_covers_its_week(
    tmp_path: Path, date_format: str, names: list[str], starts: list[tuple[int, int, int]]
) -> None:
    # %Y-W%W and %Y-%U dated every file 1 January and covered the whole year: the three weeks were one
    # acquisition, mosaicked into one step of the first file's pixels (time [2020-01-01], values [1]).
    class Weekly(RasterDataset):
        filename_glob = "w_*.tif"
        filename_regex = r"^w_(?P<date>.+)\.tif$"

    Weekly.date_format = date_format
    series = Weekly(write_dated(tmp_path, names), time_series=True)
    sample = series[series.bounds]
    assert sample["time"].tolist() == [utc(*start) for start in starts]
    assert [step.unique().tolist() for step in sample["image"]] == [[1.0], [2.0], [3.0]]
    assert series.bounds.maxt == utc(*starts[-1]) + 7 * 86_400 - 1e-6
    box = series.bounds
    middle = utc(*starts[1]) + 3 * 86_400
    one_week = series[BoundingBox(box.minx, box.maxx, box.miny, box.maxy, middle, middle)]
    assert one_week["time"].tolist() == [utc(*starts[1])]
    assert one_week["image"].unique().tolist() == [2.0]


def test_week_zero_and_the_last_week_are_cut_to_their_year(tmp_path: Path) -> None:
    # Week 0 of %W holds 1-5 January 2020 (the first Monday is the 6th), week 52 28-31 December.
    class Weekly(RasterDataset):
        filename_glob = "w_*.tif"
        filename_regex = r"^w_(?P<date>.+)\.tif$"
        date_format = "%Y-W%W"

    series = Weekly(write_dated(tmp_path, ["w_2020-W00.tif", "w_2020-W52.tif"]), time_series=True)
    assert series[series.bounds]["time"].tolist() == [utc(2020, 1, 1), utc(2020, 12, 28)]
    assert series.bounds.maxt == utc(2021, 1, 1) - 1e-6


@pytest.mark.parametrize(
    ("date_format", "name", "reason"),
    [
        # 2020 has weeks 0 to 52 of %W; strptime with a weekday rolled week 53 into January 2021.
        ("%Y-W%W", "w_2020-W53.tif", "week 53 of 2020, which that year does not have"),
        # 2024 begins on a Monday: its week 0 holds no day (strptime made it week 1).
        ("%Y-W%W", "w_2024-W00.tif", "week 0 of 2024, which that year does not have"),
        ("%G-W%V", "w_2021-W53.tif", "names no ISO week"),
    ],
)
def test_a_week_its_year_does_not_have_names_the_file(tmp_path: Path, date_format: str, name: str, reason: str) -> None:
    class Weekly(RasterDataset):
        filename_glob = "w_*.tif"
        filename_regex = r"^w_(?P<date>.+)\.tif$"

    Weekly.date_format = date_format
    with pytest.raises(ValueError, match=rf"{name}: date .*{reason}"):
        Weekly(write_dated(tmp_path, [name]), time_series=True)


@pytest.mark.parametrize(
    ("date_format", "names", "moved_to"),
    [
        # Day 366 of 2021 became 1 January 2022, one acquisition with the file of that day.
        ("%Y%j", ["d_2021366.tif", "d_2022001.tif"], "2022-01-01"),
        # Saturday of week 53 of 2020 (Sunday first) became 9 January 2021.
        ("%Y-%U-%w", ["d_2020-53-6.tif", "d_2021-01-6.tif"], "2021-01-09"),
        # Sunday of week 0 of 2020, which begins on a Wednesday, became 29 December 2019.
        ("%Y-%U-%w", ["d_2020-00-0.tif", "d_2019-52-0.tif"], "2019-12-29"),
        # Monday of ISO week 53 of 2021, a year of 52 ISO weeks, became 3 January 2022.
        ("%G-W%V-%u", ["d_2021-W53-1.tif", "d_2022-W01-1.tif"], "2022-01-03"),
    ],
)
def test_a_day_strptime_runs_over_into_another_year_names_the_file(
    tmp_path: Path, date_format: str, names: list[str], moved_to: str
) -> None:
    # Both files were one acquisition of the later day, mosaicked into one step (the first file's pixels).
    class Daily(RasterDataset):
        filename_glob = "d_*.tif"
        filename_regex = r"^d_(?P<date>.+)\.tif$"

    Daily.date_format = date_format
    with pytest.raises(ValueError, match=rf"{names[0]}: date .* names a day that .* ran it over into {moved_to}"):
        Daily(write_dated(tmp_path, names), time_series=True)


def test_the_last_day_of_a_leap_year_is_kept(tmp_path: Path) -> None:
    class Daily(RasterDataset):
        filename_glob = "d_*.tif"
        filename_regex = r"^d_(?P<date>.+)\.tif$"
        date_format = "%Y%j"

    series = Daily(write_dated(tmp_path, ["d_2020366.tif", "d_2021001.tif"]), time_series=True)
    assert series[series.bounds]["time"].tolist() == [utc(2020, 12, 31), utc(2021, 1, 1)]


@pytest.mark.parametrize(
    ("date_format", "stop"), [("%Y%m%d", "99991231"), ("%Y%m", "999912"), ("%Y", "9999"), ("%Y%m%d%H", "9999123123")]
)
def test_a_stop_date_in_the_last_period_a_datetime_holds_is_indexed(
    tmp_path: Path, date_format: str, stop: str
) -> None:
    # Validity periods "until further notice" end on 9999-12-31: the end of that day (month, year) is
    # datetime.max, and reckoning it as the next period's start minus a microsecond raised a bare
    # OverflowError ('date value out of range', or ValueError 'year 10000 is out of range') naming no file.
    class Valid(RasterDataset):
        filename_glob = "v_*.tif"
        filename_regex = r"^v_(?P<start>\d+)_(?P<stop>\d+)\.tif$"

    Valid.date_format = date_format
    start = datetime(2020, 1, 1).strftime(date_format)
    series = Valid(write_dated(tmp_path, [f"v_{start}_{stop}.tif"]), time_series=True)
    assert series.bounds.mint == utc(2020, 1, 1)
    assert series.bounds.maxt == datetime.max.replace(tzinfo=UTC).timestamp()
    # That float rounds up to the first second of year 10000: the bounds printed '2.53402e+11 s' and their
    # slices raised ValueError 'year 10000 is out of range'.
    assert "maxt=9999-12-31T23:59:59.999999Z" in repr(series.bounds)
    assert series.bounds.slices[2].stop == datetime.max.replace(tzinfo=UTC)
    box = series.bounds
    later = utc(2500, 6, 1)
    sample = series[BoundingBox(box.minx, box.maxx, box.miny, box.maxy, later, later)]
    assert sample["time"].tolist() == [utc(2020, 1, 1)]
    assert sample["image"].unique().tolist() == [1.0]
