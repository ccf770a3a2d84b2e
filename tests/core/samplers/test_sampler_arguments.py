"""Every numeric argument of the samplers and splitters refuses NaN and infinity, naming itself; units are Units."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pytest
import shapely

from geotorch.core import BoundingBox
from geotorch.samplers import (
    GridGeoSampler,
    PreChippedGeoSampler,
    RandomBatchGeoSampler,
    RandomGeoSampler,
    Units,
    get_random_bounding_box,
    random_bbox_assignment,
    random_bbox_splitting,
    random_grid_cell_assignment,
    tile_to_chips,
    time_series_split,
)

if TYPE_CHECKING:
    from tests.core.samplers.conftest import MakeTiles, Place

TILES = [("west", 0, 0, 20, 20), ("east", 25, 0, 20, 20)]
NON_FINITE = [math.nan, math.inf, -math.inf]
BOUNDS = BoundingBox(0.0, 200.0, 0.0, 140.0)

#: Argument name -> a call that passes ``value`` as that argument (a dataset of TILES comes first).
CALLS: dict[str, Callable[[Any, Any], object]] = {
    "RandomGeoSampler size": lambda dataset, value: RandomGeoSampler(dataset, value, length=4),
    "RandomGeoSampler size pair": lambda dataset, value: RandomGeoSampler(dataset, (4, value), length=4),
    "RandomGeoSampler length": lambda dataset, value: RandomGeoSampler(dataset, 4, length=value),
    "RandomGeoSampler toi": lambda dataset, value: RandomGeoSampler(dataset, 4, toi=(0, value)),
    "RandomGeoSampler world_size": lambda dataset, value: RandomGeoSampler(dataset, 4, rank=0, world_size=value),
    "RandomGeoSampler rank": lambda dataset, value: RandomGeoSampler(dataset, 4, rank=value, world_size=2),
    "GridGeoSampler size": lambda dataset, value: GridGeoSampler(dataset, value),
    "GridGeoSampler size pair": lambda dataset, value: GridGeoSampler(dataset, (value, 4)),
    "GridGeoSampler stride": lambda dataset, value: GridGeoSampler(dataset, 4, stride=value),
    "GridGeoSampler stride pair": lambda dataset, value: GridGeoSampler(dataset, 4, stride=(2, value)),
    "GridGeoSampler toi": lambda dataset, value: GridGeoSampler(dataset, 4, toi=(value, 0)),
    "RandomBatchGeoSampler size": lambda dataset, value: RandomBatchGeoSampler(dataset, value, 2, length=4),
    "RandomBatchGeoSampler batch_size": lambda dataset, value: RandomBatchGeoSampler(dataset, 4, value, length=4),
    "RandomBatchGeoSampler length": lambda dataset, value: RandomBatchGeoSampler(dataset, 4, 2, length=value),
    "PreChippedGeoSampler world_size": lambda dataset, value: PreChippedGeoSampler(dataset, rank=0, world_size=value),
    "set_epoch epoch": lambda dataset, value: GridGeoSampler(dataset, 4).set_epoch(value),
    "random_bbox_assignment lengths": lambda dataset, value: random_bbox_assignment(dataset, [value, 0.5]),
    "random_bbox_splitting fractions": lambda dataset, value: random_bbox_splitting(dataset, [0.5, value]),
    "random_grid_cell_assignment fractions": lambda dataset, value: random_grid_cell_assignment(dataset, [value, 1]),
    "random_grid_cell_assignment grid_size": lambda dataset, value: random_grid_cell_assignment(
        dataset, [0.5, 0.5], grid_size=value
    ),
    "time_series_split lengths": lambda dataset, value: time_series_split(dataset, [value, 0.5]),
    "time_series_split intervals": lambda dataset, value: time_series_split(dataset, [(0, value)]),
    "tile_to_chips size": lambda dataset, value: tile_to_chips(BOUNDS, (value, 10.0)),
    "tile_to_chips stride": lambda dataset, value: tile_to_chips(BOUNDS, 10.0, value),
    "get_random_bounding_box size": lambda dataset, value: get_random_bounding_box(BOUNDS, (10.0, value), 1.0),
    "get_random_bounding_box res": lambda dataset, value: get_random_bounding_box(BOUNDS, 10.0, (value, 1.0)),
}

#: The name each call's error must carry.
NAMES = {key: key.split()[1] for key in CALLS}
NAMES["time_series_split intervals"] = "lengths"


@pytest.mark.parametrize("value", NON_FINITE, ids=["nan", "inf", "-inf"])
@pytest.mark.parametrize("call", CALLS)
def test_non_finite_numbers_are_refused_naming_the_argument(
    make_tiles: MakeTiles, utm: Place, call: str, value: float
) -> None:
    dataset = make_tiles(utm, TILES)
    with pytest.raises(ValueError, match=rf"{NAMES[call]}\S*=.*(finite|positive|>= )") as raised:
        CALLS[call](dataset, value)
    assert str(value) in str(raised.value)


@pytest.mark.parametrize("call", ["RandomGeoSampler length", "RandomBatchGeoSampler batch_size", "set_epoch epoch"])
@pytest.mark.parametrize("value", [2.5, "4", True, [4]])
def test_counts_must_be_whole_numbers(make_tiles: MakeTiles, utm: Place, call: str, value: object) -> None:
    dataset = make_tiles(utm, TILES)
    with pytest.raises((TypeError, ValueError), match=rf"{NAMES[call]}=") as raised:
        CALLS[call](dataset, value)
    assert isinstance(raised.value, ValueError if value == 2.5 else TypeError)


def test_whole_counts_given_as_floats_are_accepted(make_tiles: MakeTiles, utm: Place) -> None:
    dataset = make_tiles(utm, TILES)
    assert len(RandomGeoSampler(dataset, 4, length=6.0)) == 6
    assert len(RandomBatchGeoSampler(dataset, 4, batch_size=2.0, length=6)) == 3


@pytest.mark.parametrize("units", ["pixels", "PIXELS", "crs", 1, None])
@pytest.mark.parametrize(
    "sampler",
    [
        lambda dataset, units: RandomGeoSampler(dataset, 4, length=2, units=units),
        lambda dataset, units: GridGeoSampler(dataset, 4, units=units),
        lambda dataset, units: RandomBatchGeoSampler(dataset, 4, 2, length=2, units=units),
    ],
    ids=["random", "grid", "batch"],
)
def test_units_must_be_a_units_value(
    make_tiles: MakeTiles, utm: Place, sampler: Callable[[Any, Any], object], units: object
) -> None:
    dataset = make_tiles(utm, TILES)
    with pytest.raises(TypeError, match=r"units=.* must be Units\.PIXELS or Units\.CRS"):
        sampler(dataset, units)


def test_both_units_values_are_accepted(make_tiles: MakeTiles, utm: Place) -> None:
    dataset = make_tiles(utm, TILES)
    in_pixels = list(GridGeoSampler(dataset, 4, units=Units.PIXELS))
    assert list(GridGeoSampler(dataset, 4 * utm.res, units=Units.CRS)) == in_pixels


@pytest.mark.parametrize("size", ["4", None, (4, "4"), (4, None)])
def test_sizes_that_are_not_numbers_are_a_type_error(make_tiles: MakeTiles, utm: Place, size: object) -> None:
    dataset = make_tiles(utm, TILES)
    with pytest.raises(TypeError, match="size="):
        GridGeoSampler(dataset, size)  # type: ignore[arg-type]


def test_roi_polygon_with_infinite_coordinates_is_refused(make_tiles: MakeTiles, utm: Place) -> None:
    dataset = make_tiles(utm, TILES)
    corner = dataset.bounds
    roi = shapely.Polygon([(corner.minx, corner.miny), (math.inf, corner.miny), (corner.minx, corner.maxy)])
    with pytest.raises(ValueError, match="roi polygon coordinates must be finite"):
        GridGeoSampler(dataset, 4, roi=roi)


def test_toi_of_datetimes_is_still_accepted(make_tiles: MakeTiles, utm: Place) -> None:
    dataset = make_tiles(utm, [("scene_20200101", 0, 0, 20, 20)])
    toi = (datetime(2019, 1, 1, tzinfo=UTC), datetime(2021, 1, 1))
    assert len(GridGeoSampler(dataset, 10, toi=toi)) == 4
