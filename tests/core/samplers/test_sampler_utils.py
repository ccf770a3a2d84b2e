"""Specification of tile_to_chips and get_random_bounding_box."""

from __future__ import annotations

import pytest
import torch

from geotorch.core import BoundingBox
from geotorch.samplers import get_random_bounding_box, tile_to_chips

BOUNDS = BoundingBox(0.0, 200.0, 0.0, 140.0, 5.0, 6.0)


@pytest.mark.parametrize(
    ("size", "stride", "chips"),
    [
        ((80.0, 80.0), None, (2, 3)),
        ((140.0, 200.0), None, (1, 1)),
        ((200.0, 300.0), None, (1, 1)),
        ((40.0, 40.0), (20.0, 40.0), (6, 5)),
        ((70.0, 100.0), (70.0, 100.0), (2, 2)),
    ],
)
def test_tile_to_chips_counts_rows_and_columns_with_the_last_shifted_back(
    size: tuple[float, float], stride: tuple[float, float] | None, chips: tuple[int, int]
) -> None:
    assert tile_to_chips(BOUNDS, size, stride) == chips


def test_random_bounding_box_lies_inside_on_whole_pixels_with_the_bounds_time() -> None:
    generator = torch.Generator().manual_seed(0)
    boxes = [get_random_bounding_box(BOUNDS, (30.0, 50.0), (10.0, 10.0), generator) for _ in range(100)]
    assert all(box in BOUNDS for box in boxes)
    assert all(box.minx % 10 == 0 and box.maxy % 10 == 0 for box in boxes)
    assert {(box.maxx - box.minx, box.maxy - box.miny) for box in boxes} == {(50.0, 30.0)}
    assert {box.minx for box in boxes} == {float(x) for x in range(0, 151, 10)}


def test_random_bounding_box_follows_its_generator() -> None:
    first = get_random_bounding_box(BOUNDS, (30.0, 50.0), (10.0, 10.0), torch.Generator().manual_seed(4))
    second = get_random_bounding_box(BOUNDS, (30.0, 50.0), (10.0, 10.0), torch.Generator().manual_seed(4))
    assert first == second


def test_random_bounding_box_larger_than_the_bounds_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="does not fit"):
        get_random_bounding_box(BOUNDS, (150.0, 50.0), (10.0, 10.0))
