"""BoundingBox algebra and the slice queries of GeoDatasets."""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
import torch

from geotorch.core import BoundingBox, RasterDataset
from geotorch.core.bbox import FIELDS, MAX_TIME, MIN_TIME
from tests.core.rasters import grid, random_bands, write_raster


def test_bounding_box_is_the_six_tuple_the_index_uses() -> None:
    box = BoundingBox(0, 10, 20, 30, 1, 2)
    assert tuple(box) == (0, 10, 20, 30, 1, 2)
    assert len(box) == 6
    assert box[1] == 10
    assert box[2:4] == (20, 30)


def test_bounding_box_without_time_spans_all_time() -> None:
    box = BoundingBox(0, 1, 0, 1)
    assert (box.mint, box.maxt) == (MIN_TIME, MAX_TIME)


@pytest.mark.parametrize("limits", [(1, 0, 0, 1), (0, 1, 1, 0), (0, 1, 0, 1, 2, 1)])
def test_bounding_box_rejects_reversed_limits(limits: tuple[float, ...]) -> None:
    with pytest.raises(ValueError, match="must be <="):
        BoundingBox(*limits)


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, np.float32("nan"), np.inf])
@pytest.mark.parametrize("field", range(6))
def test_bounding_box_refuses_nan_and_infinity_naming_the_field(field: int, value: float) -> None:
    limits = [0.0, 1.0, 0.0, 1.0, 0.0, 1.0]
    limits[field] = value
    names = ("minx", "maxx", "miny", "maxy", "mint", "maxt")
    with pytest.raises(ValueError, match=rf"BoundingBox: {names[field]}=-?(nan|inf) must be finite"):
        BoundingBox(*limits)


@pytest.mark.parametrize("value", ["0", None, [0.0], 1j])
def test_bounding_box_refuses_values_that_are_not_numbers(value: object) -> None:
    with pytest.raises(TypeError, match=r"BoundingBox: miny=.* must be a number"):
        BoundingBox(0, 1, value, 1)  # type: ignore[arg-type]


def test_bounding_box_accepts_numpy_numbers() -> None:
    box = BoundingBox(np.float32(0), np.int64(2), np.float64(1), 3)  # type: ignore[arg-type]
    assert box.area == 4


@pytest.mark.parametrize("value", [True, False, np.bool_(True), torch.tensor(True), np.array(False)], ids=repr)
@pytest.mark.parametrize("field", range(6))
def test_bounding_box_refuses_bools_naming_the_field(field: int, value: object) -> None:
    limits: list[object] = [0.0, 1.0, 0.0, 1.0, 0.0, 1.0]
    limits[field] = value
    with pytest.raises(TypeError, match=rf"BoundingBox: {FIELDS[field]}=.* must be a number"):
        BoundingBox(*limits)  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [b"0", Decimal(0), np.array([0.0]), torch.tensor([0.0]), np.array("0")], ids=repr)
def test_bounding_box_refuses_other_things_that_are_not_real_numbers(value: object) -> None:
    with pytest.raises(TypeError, match=r"BoundingBox: minx=.* must be a number"):
        BoundingBox(value, 1, 0, 1)  # type: ignore[arg-type]


def test_bounding_box_stores_floats_of_numpy_numbers_tensors_and_arrays() -> None:
    box = BoundingBox(torch.tensor(0), np.array(2.0), np.float32(1), torch.tensor(3.0), Fraction(1, 2), 10**3)  # type: ignore[arg-type]
    assert tuple(box) == (0.0, 2.0, 1.0, 3.0, 0.5, 1000.0)
    assert all(type(value) is float for value in box)


def test_bounding_box_refuses_an_int_beyond_the_float_range_as_infinite() -> None:
    with pytest.raises(ValueError, match="maxx=inf must be finite"):
        BoundingBox(0, 10**400, 0, 1)


def test_degenerate_box_is_allowed_and_has_no_area() -> None:
    assert BoundingBox(1, 1, 0, 5).area == 0


def test_intersection_is_the_shared_box() -> None:
    a = BoundingBox(0, 10, 0, 10, 0, 10)
    b = BoundingBox(5, 15, -5, 5, 5, 20)
    assert a & b == BoundingBox(5, 10, 0, 5, 5, 10)
    assert b & a == a & b


def test_intersection_of_disjoint_boxes_raises() -> None:
    with pytest.raises(ValueError, match="do not intersect"):
        BoundingBox(0, 1, 0, 1) & BoundingBox(2, 3, 0, 1)
    with pytest.raises(ValueError, match="do not intersect"):
        BoundingBox(0, 1, 0, 1, 0, 1) & BoundingBox(0, 1, 0, 1, 2, 3)


def test_boxes_that_share_an_edge_intersect_in_a_line() -> None:
    a, b = BoundingBox(0, 1, 0, 1), BoundingBox(1, 2, 0, 1)
    assert a.intersects(b)
    assert (a & b).area == 0


def test_union_is_the_smallest_box_containing_both() -> None:
    a = BoundingBox(0, 1, 0, 1, 5, 6)
    b = BoundingBox(3, 4, -2, 0.5, 1, 2)
    assert a | b == BoundingBox(0, 4, -2, 1, 1, 6)
    assert a in a | b
    assert b in a | b


def test_area_and_volume() -> None:
    box = BoundingBox(0, 4, 0, 3, 10, 12)
    assert box.area == 12
    assert box.volume == 24


def test_containment_needs_every_axis_inside() -> None:
    outer = BoundingBox(0, 10, 0, 10, 0, 10)
    assert BoundingBox(1, 9, 1, 9, 1, 9) in outer
    assert outer in outer
    assert BoundingBox(1, 11, 1, 9, 1, 9) not in outer
    assert BoundingBox(1, 9, 1, 9, 1, 11) not in outer
    assert (1, 9, 1, 9, 1, 9) not in outer


def test_split_horizontal_cuts_x_at_the_proportion() -> None:
    left, right = BoundingBox(0, 10, 0, 4, 1, 2).split(0.25)
    assert left == BoundingBox(0, 2.5, 0, 4, 1, 2)
    assert right == BoundingBox(2.5, 10, 0, 4, 1, 2)
    assert left.area + right.area == 40


def test_split_vertical_cuts_y() -> None:
    bottom, top = BoundingBox(0, 10, 0, 4).split(0.5, horizontal=False)
    assert bottom == BoundingBox(0, 10, 0, 2)
    assert top == BoundingBox(0, 10, 2, 4)


@pytest.mark.parametrize("proportion", [0, 1, -0.5, 1.5])
def test_split_rejects_proportions_outside_zero_one(proportion: float) -> None:
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        BoundingBox(0, 1, 0, 1).split(proportion)


class DatedScenes(RasterDataset):
    filename_glob = "scene_*.tif"
    filename_regex = r"scene_(?P<date>\d{8})\.tif"
    date_format = "%Y%m%d"


@pytest.fixture
def dated(tmp_path: Path) -> DatedScenes:
    """Two 10 x 10 scenes at 30 m: 1 June 2020 and 1 June 2021, side by side."""
    write_raster(tmp_path / "scene_20200601.tif", random_bands((1, 10, 10)), "EPSG:32616", grid(600000, 4000300))
    write_raster(tmp_path / "scene_20210601.tif", random_bands((1, 10, 10)), "EPSG:32616", grid(600300, 4000300))
    return DatedScenes(tmp_path)


def test_slice_query_with_every_limit(dated: DatedScenes) -> None:
    sample = dated[600030:600150, 4000060:4000270]
    assert sample["bounds"] == BoundingBox(600030, 600150, 4000060, 4000270, dated.bounds.mint, dated.bounds.maxt)
    assert sample["image"].shape == (1, 7, 4)


def test_slice_limits_left_out_default_to_the_bounds(dated: DatedScenes) -> None:
    bounds = dated.bounds
    assert dated[:, :]["bounds"] == bounds
    assert dated[600030:, :4000100]["bounds"] == BoundingBox(
        600030, bounds.maxx, bounds.miny, 4000100, bounds.mint, bounds.maxt
    )
    assert dated[:, :, :]["bounds"] == bounds


def test_slice_query_with_a_time_range_reads_only_that_time(dated: DatedScenes) -> None:
    june_2020 = datetime(2020, 6, 1, tzinfo=UTC).timestamp()
    sample = dated[:, :, june_2020 : june_2020 + 3600]
    assert sample["bounds"].mint == june_2020
    assert np.count_nonzero(sample["image"][:, :, 10:].numpy()) == 0
    assert np.count_nonzero(sample["image"][:, :, :10].numpy()) == 100


@pytest.fixture
def new_york_time(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Run the test with the process's local time zone 4 or 5 hours behind UTC."""
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.usefixtures("new_york_time")
def test_naive_datetime_limits_are_utc_like_file_dates(dated: DatedScenes) -> None:
    sample = dated[:, :, datetime(2021, 6, 1) : datetime(2021, 6, 1, 12)]
    assert sample["bounds"].mint == datetime(2021, 6, 1, tzinfo=UTC).timestamp()
    assert np.count_nonzero(sample["image"][:, :, :10].numpy()) == 0
    assert np.count_nonzero(sample["image"][:, :, 10:].numpy()) == 100


def test_aware_datetime_limits_are_accepted(dated: DatedScenes) -> None:
    start = datetime(2020, 1, 1, tzinfo=UTC)
    stop = datetime(2020, 12, 31, tzinfo=UTC)
    assert dated[:, :, start:stop]["bounds"][4:] == (start.timestamp(), stop.timestamp())


def test_slice_query_errors(dated: DatedScenes) -> None:
    with pytest.raises(ValueError, match="steps are not supported"):
        dated[600000:600300:30, :]
    with pytest.raises(ValueError, match="x and y slices"):
        dated[:, :, :, :]
    with pytest.raises(TypeError, match="BoundingBox or slices"):
        dated[600000:600300]  # type: ignore[index]
    with pytest.raises(TypeError, match="BoundingBox or slices"):
        dated[3]  # type: ignore[index]
    with pytest.raises(ValueError, match="must be <="):
        dated[600300:600000, :]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ((slice("600030", 600150), slice(None)), "minx"),
        ((slice(600030, b"600150"), slice(None)), "maxx"),
        ((slice(None), slice(True, 4000270)), "miny"),
        ((slice(None), slice(None), slice(0, np.bool_(True))), "maxt"),
        ((slice(np.array([600030.0, 1.0]), 600150), slice(None)), "minx"),
    ],
)
def test_slice_query_with_a_string_bool_or_array_limit_names_it(
    dated: DatedScenes, query: tuple[slice, ...], field: str
) -> None:
    with pytest.raises(TypeError, match=rf"BoundingBox: {field}=.* must be a number"):
        dated[query]


def test_slice_query_takes_0_d_tensors_as_numbers(dated: DatedScenes) -> None:
    assert dated[torch.tensor(600030) : np.array(600150.0), :]["bounds"][:2] == (600030.0, 600150.0)


def test_slice_query_outside_the_data_raises_index_error(dated: DatedScenes) -> None:
    with pytest.raises(IndexError, match="outside the data"):
        dated[0:300, 0:300]
    with pytest.raises(IndexError, match="outside the data"):
        dated[:, :, datetime(2019, 1, 1, tzinfo=UTC) : datetime(2019, 2, 1, tzinfo=UTC)]


def test_slice_query_with_a_nan_or_infinite_limit_names_it(dated: DatedScenes) -> None:
    with pytest.raises(ValueError, match="maxx=nan must be finite"):
        dated[600000 : math.nan, :]
    with pytest.raises(ValueError, match="miny=-inf must be finite"):
        dated[:, -math.inf : 4000300]
    with pytest.raises(ValueError, match="maxt=inf must be finite"):
        dated[:, :, 0 : math.inf]
