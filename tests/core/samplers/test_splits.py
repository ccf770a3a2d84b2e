"""Specification of the splitters: disjoint views of a GeoDataset that leave it untouched."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from itertools import combinations
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest
import torch

from geotorch.core import BoundingBox, GeoDataset
from geotorch.samplers import (
    RandomGeoSampler,
    random_bbox_assignment,
    random_bbox_splitting,
    random_grid_cell_assignment,
    roi_split,
    time_series_split,
)

if TYPE_CHECKING:
    from tests.core.samplers.places import MakeTiles, Place

TILES = [(f"tile{number}", 25 * (number % 3), 25 * (number // 3), 20, 20) for number in range(6)]
SCENES = [(f"scene_2020{month:02d}01", 0, 0, 20, 20) for month in (1, 4, 7, 10)]


def seeded(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def entries(dataset: GeoDataset) -> list[tuple[BoundingBox, Any]]:
    hits = dataset.index.intersection(dataset.index.bounds, objects=True)
    return sorted(((BoundingBox(*hit.bounds), hit.object) for hit in hits), key=lambda entry: tuple(entry[0]))


def overlap(first: BoundingBox, second: BoundingBox) -> bool:
    """Whether two boxes share a region of positive area and duration."""
    if not first.intersects(second):
        return False
    shared = first & second
    return shared.area > 0 and shared.maxt > shared.mint


def assert_disjoint(views: list[GeoDataset]) -> None:
    for one, other in combinations(views, 2):
        for (box, _), (other_box, _) in ((a, b) for a in entries(one) for b in entries(other)):
            assert not overlap(box, other_box), (box, other_box)


def total_area(dataset: GeoDataset) -> float:
    return sum(box.area for box, _ in entries(dataset))


#: Each splitter with the tiles it splits: side by side in space, or one place over time.
Split = Callable[[GeoDataset], list[GeoDataset]]

SPLITTERS: dict[str, tuple[list[tuple[str, int, int, int, int]], Split]] = {
    "random_bbox_assignment": (TILES, lambda dataset: random_bbox_assignment(dataset, [0.5, 0.5], seeded(0))),
    "random_bbox_splitting": (TILES, lambda dataset: random_bbox_splitting(dataset, [0.6, 0.4], seeded(0))),
    "random_grid_cell_assignment": (
        TILES,
        lambda dataset: random_grid_cell_assignment(dataset, [0.5, 0.5], 3, seeded(0)),
    ),
    "roi_split": (TILES, lambda dataset: roi_split(dataset, list(dataset.bounds.split(0.5)))),
    "time_series_split": (SCENES, lambda dataset: time_series_split(dataset, [0.5, 0.5])),
}


@pytest.mark.parametrize("splitter", SPLITTERS)
def test_splitters_partition_without_overlap_and_do_not_mutate_the_input(
    make_tiles: MakeTiles, utm: Place, splitter: str
) -> None:
    tiles, split = SPLITTERS[splitter]
    dataset = make_tiles(utm, tiles)
    before, bounds = entries(dataset), dataset.bounds
    views = split(dataset)
    assert entries(dataset) == before
    assert dataset.bounds == bounds
    assert all(type(view) is type(dataset) for view in views)
    assert_disjoint(views)
    if tiles is TILES:
        assert sum(total_area(view) for view in views) == pytest.approx(total_area(dataset))


@pytest.mark.parametrize("splitter", SPLITTERS)
def test_views_still_read_their_files(make_tiles: MakeTiles, utm: Place, splitter: str) -> None:
    tiles, split = SPLITTERS[splitter]
    dataset = make_tiles(utm, tiles)
    for view in split(dataset):
        for patch in RandomGeoSampler(view, 2, length=5, generator=seeded(0)):
            assert any(patch in box for box, _ in entries(view))
            assert (view[patch]["image"] > 0).all()


def test_random_bbox_assignment_assigns_whole_files(make_tiles: MakeTiles, utm: Place) -> None:
    dataset = make_tiles(utm, TILES)
    views = random_bbox_assignment(dataset, [0.5, 0.3, 0.2], seeded(0))
    assert [len(view) for view in views] == [3, 2, 1]
    assigned = [item for view in views for _, item in entries(view)]
    assert sorted(assigned) == sorted(item for _, item in entries(dataset))
    assert [len(view) for view in random_bbox_assignment(dataset, [4, 2], seeded(0))] == [4, 2]


def test_random_bbox_assignment_follows_its_generator(make_tiles: MakeTiles, utm: Place) -> None:
    dataset = make_tiles(utm, TILES)
    first = [entries(view) for view in random_bbox_assignment(dataset, [0.5, 0.5], seeded(1))]
    second = [entries(view) for view in random_bbox_assignment(dataset, [0.5, 0.5], seeded(1))]
    assert first == second
    others = [
        [entries(view) for view in random_bbox_assignment(dataset, [0.5, 0.5], seeded(seed))] for seed in range(8)
    ]
    assert any(other != first for other in others)


def test_random_bbox_splitting_gives_every_split_its_fraction_of_every_file(make_tiles: MakeTiles, utm: Place) -> None:
    dataset = make_tiles(utm, TILES)
    views = random_bbox_splitting(dataset, [0.5, 0.3, 0.2], seeded(0))
    for view, fraction in zip(views, [0.5, 0.3, 0.2], strict=True):
        assert len(view) == len(dataset)
        assert sorted(item for _, item in entries(view)) == sorted(item for _, item in entries(dataset))
        assert total_area(view) == pytest.approx(fraction * total_area(dataset))


def test_random_grid_cell_assignment_assigns_cells_by_fraction(make_tiles: MakeTiles, utm: Place) -> None:
    dataset = make_tiles(utm, TILES[:2])
    views = random_grid_cell_assignment(dataset, [0.75, 0.25], grid_size=4, generator=seeded(0))
    assert [len(view) for view in views] == [24, 8]
    cell = (20 * utm.res / 4) ** 2
    assert all(box.area == pytest.approx(cell) for view in views for box, _ in entries(view))


def test_roi_split_clips_entries_to_each_roi(make_tiles: MakeTiles, utm: Place) -> None:
    dataset = make_tiles(utm, TILES)
    rois = [utm.bounds(0, 0, 30, 20), utm.bounds(30, 0, 40, 20)]
    views = roi_split(dataset, rois)
    for view, roi in zip(views, rois, strict=True):
        assert all(box in roi for box, _ in entries(view))
    assert [len(view) for view in views] == [2, 2]


def test_roi_split_refuses_overlapping_rois(make_tiles: MakeTiles, utm: Place) -> None:
    dataset = make_tiles(utm, TILES)
    with pytest.raises(ValueError, match="overlap"):
        roi_split(dataset, [utm.bounds(0, 0, 30, 20), utm.bounds(29, 0, 40, 20)])


def test_roi_split_refuses_an_roi_outside_the_data(make_tiles: MakeTiles, utm: Place) -> None:
    dataset = make_tiles(utm, TILES)
    with pytest.raises(ValueError, match="does not intersect"):
        roi_split(dataset, [utm.bounds(0, 0, 30, 20), utm.bounds(500, 0, 40, 20)])


def test_time_series_split_by_fractions_cuts_the_time_span(make_tiles: MakeTiles, utm: Place) -> None:
    dataset = make_tiles(utm, SCENES)
    early, late = time_series_split(dataset, [0.5, 0.5])
    middle = dataset.bounds.mint + (dataset.bounds.maxt - dataset.bounds.mint) / 2
    assert [len(early), len(late)] == [2, 2]
    assert early.bounds.maxt <= middle <= late.bounds.mint


def test_time_series_split_by_intervals(make_tiles: MakeTiles, utm: Place) -> None:
    dataset = make_tiles(utm, SCENES)
    spring = (datetime(2020, 3, 1, tzinfo=UTC), datetime(2020, 5, 1, tzinfo=UTC))
    autumn = (datetime(2020, 9, 1, tzinfo=UTC).timestamp(), datetime(2021, 1, 1, tzinfo=UTC).timestamp())
    (april,), (october,) = (entries(view) for view in time_series_split(dataset, [spring, autumn]))
    assert april[0].mint == datetime(2020, 4, 1, tzinfo=UTC).timestamp()
    assert october[0].mint == datetime(2020, 10, 1, tzinfo=UTC).timestamp()


def test_time_series_split_refuses_overlapping_intervals(make_tiles: MakeTiles, utm: Place) -> None:
    dataset = make_tiles(utm, SCENES)
    with pytest.raises(ValueError, match="overlap"):
        time_series_split(dataset, [(0.0, 2e9), (1e9, 3e9)])


@pytest.mark.parametrize(
    "split",
    [
        lambda dataset: random_bbox_assignment(dataset, [0.5, 0.4]),
        lambda dataset: random_bbox_splitting(dataset, [0.5, 0.6]),
        lambda dataset: random_grid_cell_assignment(dataset, [0.2, 0.2]),
        lambda dataset: time_series_split(dataset, [0.7, 0.7]),
    ],
)
def test_fractions_must_sum_to_one(make_tiles: MakeTiles, utm: Place, split: Split) -> None:
    dataset = make_tiles(utm, SCENES)
    with pytest.raises(ValueError, match="sum"):
        split(dataset)


def test_random_bbox_assignment_refuses_an_empty_split(make_tiles: MakeTiles, utm: Place) -> None:
    dataset = make_tiles(utm, TILES[:2])
    with pytest.raises(ValueError, match="empty"):
        random_bbox_assignment(dataset, [0.9, 0.05, 0.05], seeded(0))


def test_a_view_refuses_to_reproject_rather_than_undo_its_split(make_tiles: MakeTiles, utm: Place) -> None:
    dataset = make_tiles(utm, TILES)
    view, _ = random_bbox_assignment(dataset, [0.5, 0.5], seeded(0))
    with pytest.raises(NotImplementedError):
        view.to("EPSG:4326")


def test_splitters_take_0_d_tensors_and_arrays_as_numbers(make_tiles: MakeTiles, utm: Place) -> None:
    tiles = make_tiles(utm, TILES)
    counted = random_bbox_assignment(tiles, [torch.tensor(4), np.int64(2)], seeded(0))  # type: ignore[list-item]
    assert [len(view) for view in counted] == [4, 2], "integer tensors are counts"
    shared = random_bbox_assignment(tiles, [torch.tensor(0.5), np.array(0.5)], seeded(0))  # type: ignore[list-item]
    assert [len(view) for view in shared] == [3, 3]
    scenes = make_tiles(utm, SCENES)
    early, late = time_series_split(scenes, [torch.tensor(0.5), np.array(0.5)])  # type: ignore[list-item]
    assert [len(early), len(late)] == [2, 2]
