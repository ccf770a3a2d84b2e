"""Every numeric argument of the samplers and splitters refuses NaN and infinity, naming itself; units are Units."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest
import shapely
import torch

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
    from tests.core.samplers.places import MakeTiles, Place

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
    assert len(RandomGeoSampler(dataset, 4, length=6.0)) == 6  # type: ignore[arg-type]
    assert len(RandomBatchGeoSampler(dataset, 4, batch_size=2.0, length=6)) == 3  # type: ignore[arg-type]


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


#: Sizes and strides that are positive and finite but under half a pixel of the 10 m grid.
TINY = [1e-320, 5e-324, 1e-9, 0.04, 4.9]


@pytest.mark.parametrize("value", TINY, ids=str)
@pytest.mark.parametrize(
    "call",
    [
        lambda dataset, value: GridGeoSampler(dataset, value, units=Units.CRS),
        lambda dataset, value: GridGeoSampler(dataset, (40.0, value), units=Units.CRS),
        lambda dataset, value: GridGeoSampler(dataset, 40.0, stride=value, units=Units.CRS),
        lambda dataset, value: GridGeoSampler(dataset, 4, stride=(2, value / 10 or value)),
        lambda dataset, value: RandomGeoSampler(dataset, value, length=4, units=Units.CRS),
        lambda dataset, value: RandomBatchGeoSampler(dataset, value / 10 or value, 2, length=4),
    ],
    ids=["grid size", "grid size pair", "grid stride", "grid stride pixels", "random size", "batch size pixels"],
)
def test_sizes_and_strides_under_half_a_pixel_are_refused_naming_them(
    make_tiles: MakeTiles, utm: Place, call: Callable[[Any, float], object], value: float
) -> None:
    dataset = make_tiles(utm, TILES)
    with pytest.raises(ValueError, match=r"(size|stride)=.* pixels in (height|width) at res .* at least half a pixel"):
        call(dataset, value)


@pytest.mark.parametrize(
    "call",
    [
        lambda dataset: GridGeoSampler(dataset, 2**31),
        lambda dataset: GridGeoSampler(dataset, (40, 1e300), units=Units.CRS),
        lambda dataset: GridGeoSampler(dataset, 4, stride=1e308),
        lambda dataset: RandomGeoSampler(dataset, 2.2e10, length=2, units=Units.CRS),
    ],
    ids=["grid size", "grid size crs", "grid stride", "random size"],
)
def test_sizes_and_strides_over_what_gdal_reads_along_a_side_are_refused(
    make_tiles: MakeTiles, utm: Place, call: Callable[[Any], object]
) -> None:
    dataset = make_tiles(utm, TILES)
    with pytest.raises(ValueError, match=r"(size|stride)=.* more than the 2147483647 \(2\*\*31 - 1\) pixels"):
        call(dataset)


@pytest.fixture
def fine(make_tiles: MakeTiles, utm: Place) -> Any:
    """The tiles (two 200 x 200 m tiles) read at 1e-6 m: 2e8 pixels a side, so 1-pixel windows are 4e16 and more."""
    with pytest.warns(UserWarning, match="times the files' pixel size"):
        return make_tiles(utm, TILES, res=1e-6)


def test_a_grid_of_more_than_2_40_windows_is_refused_saying_how_many(fine: Any) -> None:
    with pytest.raises(ValueError, match=r"size=1 .*would lay 80,000,000,000,000,000 windows .*more than 1,099,"):
        GridGeoSampler(fine, 1)
    with pytest.raises(ValueError, match=r"stride=\(1, 10\).*would lay 8,000,000,400,000,000 windows"):
        GridGeoSampler(fine, 1, stride=(1, 10))


def test_random_passes_of_more_than_2_40_patches_or_positions_are_refused(make_tiles: MakeTiles, utm: Place) -> None:
    dataset = make_tiles(utm, TILES)
    with pytest.raises(ValueError, match=r"length=1099511627777 patches a pass is more than"):
        RandomGeoSampler(dataset, 4, length=2**40 + 1)
    assert len(RandomGeoSampler(dataset, 4, length=2**40)) == 2**40
    with pytest.raises(ValueError, match=r"length=.* is more than"):
        RandomBatchGeoSampler(dataset, 4, 2, length=10**15)
    with pytest.warns(UserWarning, match="times the files' pixel size"):
        tiny, finer = make_tiles(utm, TILES, res=1e-10), make_tiles(utm, TILES, res=1e-7)
    with pytest.raises(ValueError, match=r"positions for a patch along x at res .*more than 1099511627776"):
        RandomGeoSampler(tiny, 4, length=2)
    with pytest.raises(ValueError, match=r"size=4 would make a default pass of 5e\+17 patches .*pass a length"):
        RandomGeoSampler(finer, 4)


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: tile_to_chips(BOUNDS, 1e-320), "size=1e-320"),
        (lambda: tile_to_chips(BOUNDS, 10.0, 5e-324), "stride=5e-324"),
        (lambda: tile_to_chips(BOUNDS, 1e-9), "size=1e-09"),
        (lambda: tile_to_chips(BOUNDS, (1e-320, 10.0), (10.0, 1e-320)), "stride="),
    ],
)
def test_tile_to_chips_refuses_grids_of_more_than_2_40_chips(call: Callable[[], object], name: str) -> None:
    with pytest.raises(ValueError, match=rf"tile_to_chips: .*{name}.* would lay .* chips .*more than 1099511627776"):
        call()


def test_tile_to_chips_counts_a_fine_grid_without_listing_it() -> None:
    assert tile_to_chips(BOUNDS, 1e-3) == (140_000, 200_000)


@pytest.mark.parametrize("res", [1e-320, 5e-324, (1.0, 1e-12)], ids=str)
def test_get_random_bounding_box_refuses_more_than_2_40_positions_naming_res(res: object) -> None:
    with pytest.raises(ValueError, match=r"get_random_bounding_box: res=.* positions along [xy] .*more than"):
        get_random_bounding_box(BOUNDS, 2.0, res)  # type: ignore[arg-type]


def test_grid_cells_beyond_2_24_are_refused_saying_how_many(make_tiles: MakeTiles, utm: Place) -> None:
    dataset = make_tiles(utm, TILES)
    with pytest.raises(ValueError, match=r"grid_size=1000000 would cut 2 entries into 2,000,000,000,000 cells"):
        random_grid_cell_assignment(dataset, [0.5, 0.5], grid_size=10**6)


@pytest.mark.parametrize(
    "call",
    [
        lambda dataset, value: GridGeoSampler(dataset, value),
        lambda dataset, value: GridGeoSampler(dataset, 4, stride=value),
        lambda dataset, value: RandomGeoSampler(dataset, (4, value), length=2),
        lambda dataset, value: tile_to_chips(BOUNDS, value),
        lambda dataset, value: get_random_bounding_box(BOUNDS, 4.0, value),
    ],
    ids=["grid size", "grid stride", "random size", "tile_to_chips", "get_random_bounding_box res"],
)
@pytest.mark.parametrize("value", [True, np.bool_(True), torch.tensor(True), b"4"], ids=repr)
def test_bools_and_byte_strings_are_not_sizes(
    make_tiles: MakeTiles, utm: Place, call: Callable[[Any, Any], object], value: object
) -> None:
    dataset = make_tiles(utm, TILES)
    with pytest.raises(TypeError, match=r"(size|stride|res)=.* must be a number"):
        call(dataset, value)


def test_0_d_tensors_and_arrays_are_numbers(make_tiles: MakeTiles, utm: Place) -> None:
    dataset = make_tiles(utm, TILES)
    plain = list(GridGeoSampler(dataset, 4, stride=2))
    assert list(GridGeoSampler(dataset, torch.tensor(4), stride=np.array(2))) == plain  # type: ignore[arg-type]
    assert list(GridGeoSampler(dataset, (torch.tensor(4), np.int64(4)), stride=torch.tensor([2, 2]))) == plain  # type: ignore[arg-type]
    assert len(RandomGeoSampler(dataset, torch.tensor(4.0), length=torch.tensor(3))) == 3  # type: ignore[arg-type]
    assert tile_to_chips(BOUNDS, torch.tensor(10.0)) == tile_to_chips(BOUNDS, 10.0)  # type: ignore[arg-type]
    assert len(RandomBatchGeoSampler(dataset, 4, np.array(2), length=4)) == 2  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [torch.tensor(math.nan), np.array(math.inf), torch.tensor([4.0, math.nan])], ids=repr)
def test_non_finite_tensors_are_refused_naming_the_argument(make_tiles: MakeTiles, utm: Place, value: object) -> None:
    dataset = make_tiles(utm, TILES)
    with pytest.raises(ValueError, match=r"size=.* must be finite"):
        GridGeoSampler(dataset, value)  # type: ignore[arg-type]
