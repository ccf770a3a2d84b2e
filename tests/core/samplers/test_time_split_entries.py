"""time_series_split and roi_split give no file to two splits by time alone: it would be the same pixels in both."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest

from geotorch.core import BoundingBox, GeoDataset, RasterDataset
from geotorch.samplers import roi_split, time_series_split
from tests.core.rasters import grid, write_raster

DAYS = ["20200101", "20200102", "20200103", "20200104", "20200105"]


class DailyScenes(RasterDataset):
    filename_glob = "scene_*.tif"
    filename_regex = r"scene_(?P<date>\d{8})\.tif"


def daily_scenes(folder: Path) -> DailyScenes:
    """Five daily 10 x 10 px scenes of one place (uint8, UTM 33N); the scene of day ``k`` holds ``k`` everywhere."""
    for number, day in enumerate(DAYS, start=1):
        write_raster(folder / f"scene_{day}.tif", np.full((1, 10, 10), number, dtype=np.uint8), "EPSG:32633",
                     grid(500000.0, 5000000.0, 30.0))
    return DailyScenes(folder)


def days_of(view: GeoDataset) -> list[str]:
    """The days of the scenes a split's view reads, in order."""
    hits = view.index.intersection(view.index.bounds, objects=True)
    return sorted(Path(hit.object).stem.removeprefix("scene_") for hit in hits)


@pytest.mark.parametrize(
    ("fractions", "expected"),
    [
        # The cut falls at noon of day 3 (was: day 3 in both splits).
        ([0.5, 0.5], [DAYS[:3], DAYS[3:]]),
        # Cuts at noon of day 3 and at the end of day 4 (was: day 3 in the first two splits).
        ([0.5, 0.3, 0.2], [DAYS[:3], DAYS[3:4], DAYS[4:]]),
    ],
)
def test_a_scene_at_a_fraction_cut_goes_to_one_split(
    tmp_path: Path, fractions: list[float], expected: list[list[str]]
) -> None:
    dataset = daily_scenes(tmp_path)
    views = time_series_split(dataset, fractions)
    assert [days_of(view) for view in views] == expected
    # Each split reads its own scenes' pixels: the first day of each.
    firsts = [view[view.bounds]["image"] for view in views]
    assert [int(image[0, 0, 0]) for image in firsts] == [DAYS.index(days[0]) + 1 for days in expected]
    # No time is shared: each view's span ends before the next begins.
    for earlier, later in pairwise(views):
        assert earlier.bounds.maxt <= later.bounds.mint


def test_a_scene_spanning_two_intervals_goes_to_the_one_it_overlaps_longest(tmp_path: Path) -> None:
    dataset = daily_scenes(tmp_path)
    # Day 3 lies 18 hours in the first interval, 6 in the second (was: in both).
    cut = datetime(2020, 1, 3, 18, tzinfo=UTC)
    first, second = time_series_split(
        dataset, [(datetime(2020, 1, 1, tzinfo=UTC), cut), (cut, datetime(2020, 1, 6, tzinfo=UTC))]
    )
    assert days_of(first) == DAYS[:3]
    assert days_of(second) == DAYS[3:]
    assert first.bounds.maxt == cut.timestamp()


def test_a_split_left_without_a_scene_of_its_own_is_refused(tmp_path: Path) -> None:
    dataset = daily_scenes(tmp_path)
    # Day 5 overlaps both of the last intervals by half a day: before, both held it, the same pixels.
    with pytest.raises(ValueError, match=r"interval \d .* holds no data .* none overlaps this one longest"):
        time_series_split(dataset, [0.8, 0.1, 0.1])


def test_files_without_dates_are_refused_as_they_would_fall_in_every_split(tmp_path: Path) -> None:
    for number in range(4):
        write_raster(tmp_path / f"tile{number}.tif", np.full((1, 10, 10), number, dtype=np.uint8), "EPSG:32633",
                     grid(500000.0 + 300.0 * number, 5000000.0, 30.0))
    dataset = RasterDataset(tmp_path)
    # Before, both splits held all 4 tiles.
    with pytest.raises(ValueError, match=r"tile0\.tif of RasterDataset has no date .*random_bbox_assignment"):
        time_series_split(dataset, [0.5, 0.5])
    with pytest.raises(ValueError, match="has no date"):
        time_series_split(dataset, [(0.0, 1e9), (1e9, 2e9)])


def test_roi_split_refuses_a_file_in_two_rois_apart_in_time_only(tmp_path: Path) -> None:
    class Yearly(RasterDataset):
        filename_glob = "year_*.tif"
        filename_regex = r"year_(?P<start>\d{8})_(?P<stop>\d{8})\.tif"

    write_raster(tmp_path / "year_20200101_20201231.tif", np.ones((1, 10, 10), dtype=np.uint8), "EPSG:32633",
                 grid(500000.0, 5000000.0, 30.0))
    dataset = Yearly(tmp_path)
    july = datetime(2020, 7, 1, tzinfo=UTC).timestamp()
    area = (500000.0, 500300.0, 4999700.0, 5000000.0)
    halves = [BoundingBox(*area, dataset.bounds.mint, july), BoundingBox(*area, july, dataset.bounds.maxt)]
    # Before, both views held the year's file: the same pixels in both splits.
    with pytest.raises(ValueError, match=r"year_20200101_20201231\.tif lies in rois 0 .* and 1 .* differ in time only"):
        roi_split(dataset, halves)
    # Rois apart in space keep the file in both, each its own pixels.
    west, east = roi_split(dataset, [BoundingBox(500000.0, 500150.0, 4999700.0, 5000000.0),
                                     BoundingBox(500150.0, 500300.0, 4999700.0, 5000000.0)])
    assert west.files == east.files
