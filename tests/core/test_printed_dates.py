"""Times print as ISO dates in UTC, unbounded ends as ``open``: in boxes, footprints, dataset reprs and errors."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from rasterio.crs import CRS

from geotorch.core import BoundingBox, RasterDataset
from geotorch.core.bbox import MAX_TIME, MIN_TIME, format_time
from geotorch.core.geo import Footprint, build_index
from tests.core.rasters import grid, random_bands, write_raster

JUNE_2020 = datetime(2020, 6, 1, tzinfo=UTC)


class Dated(RasterDataset):
    filename_glob = "scene_*.tif"
    filename_regex = r"scene_(?P<date>\d{8})\.tif"
    date_format = "%Y%m%d"


@pytest.fixture
def dated(tmp_path: Path) -> Dated:
    write_raster(tmp_path / "scene_20200601.tif", random_bands((1, 10, 10)), "EPSG:32633", grid(600000, 4000300))
    return Dated(tmp_path)


@pytest.mark.parametrize(
    ("seconds", "printed"),
    [
        (JUNE_2020.timestamp(), "2020-06-01T00:00:00Z"),
        (datetime(2020, 6, 1, 23, 59, 59, 999999, tzinfo=UTC).timestamp(), "2020-06-01T23:59:59.999999Z"),
        (datetime(1950, 1, 1, tzinfo=UTC).timestamp(), "1950-01-01T00:00:00Z"),
        (MIN_TIME, "open"),
        (MAX_TIME, "open"),
        (1e15, "1e+15 s"),
    ],
)
def test_format_time(seconds: float, printed: str) -> None:
    assert format_time(seconds) == printed


def test_bounding_box_repr_prints_dates_and_open_ends() -> None:
    box = BoundingBox(0, 10, 20, 30, JUNE_2020.timestamp(), MAX_TIME)
    assert repr(box) == "BoundingBox(minx=0.0, maxx=10.0, miny=20.0, maxy=30.0, mint=2020-06-01T00:00:00Z, maxt=open)"
    assert str(BoundingBox(0, 1, 0, 1)).endswith("mint=open, maxt=open)")


def test_bounding_box_takes_datetimes_for_its_times() -> None:
    naive, aware = datetime(2020, 6, 1), JUNE_2020
    assert BoundingBox(0, 1, 0, 1, naive, aware) == BoundingBox(
        0, 1, 0, 1, JUNE_2020.timestamp(), JUNE_2020.timestamp()
    )
    with pytest.raises(TypeError, match=r"minx=.* must be a number"):
        BoundingBox(naive, 1, 0, 1)  # type: ignore[arg-type]


def test_unordered_times_are_named_as_dates() -> None:
    with pytest.raises(ValueError, match=r"mint=2021-01-01T00:00:00Z must be <= maxt=2020-06-01T00:00:00Z"):
        BoundingBox(0, 1, 0, 1, datetime(2021, 1, 1, tzinfo=UTC).timestamp(), JUNE_2020.timestamp())


def test_disjoint_boxes_error_prints_dates() -> None:
    first = BoundingBox(0, 1, 0, 1, JUNE_2020.timestamp(), JUNE_2020.timestamp() + 1)
    with pytest.raises(ValueError, match="mint=2020-06-01T00:00:00Z") as error:
        first & BoundingBox(0, 1, 0, 1, 0, 1)
    assert "1970-01-01T00:00:01Z" in str(error.value)


def test_footprint_repr_prints_dates() -> None:
    footprint = Footprint(CRS.from_epsg(4326), (0, 1, 0, 1), JUNE_2020.timestamp(), MAX_TIME, "a.tif")
    assert "mint=2020-06-01T00:00:00Z, maxt=open" in repr(footprint)


def test_unindexable_box_error_prints_dates() -> None:
    with pytest.raises(ValueError, match=r"\(0, 1, 5, 2, 2020-06-01T00:00:00Z, open\) is not a box"):
        build_index([((0, 1, 5, 2, JUNE_2020.timestamp(), MAX_TIME), "a.tif")])


def test_dataset_str_and_index_error_print_dates(dated: Dated) -> None:
    assert "mint=2020-06-01T00:00:00Z, maxt=2020-06-01T23:59:59.999999Z" in str(dated)
    with pytest.raises(IndexError, match=r"query .*mint=2019-01-01T00:00:00Z.* is outside the data"):
        dated[:, :, datetime(2019, 1, 1) : datetime(2019, 2, 1)]


def test_numpy_datetime64_limits_are_utc(dated: Dated) -> None:
    sample = dated[:, :, np.datetime64("2020-06-01T00:00") : np.datetime64("2020-06-01T12:00")]
    assert sample["bounds"].mint == JUNE_2020.timestamp()
    assert "mint=2020-06-01T00:00:00Z, maxt=2020-06-01T12:00:00Z" in repr(sample["bounds"])


def test_empty_time_split_error_prints_dates(dated: Dated) -> None:
    from geotorch.samplers import time_series_split

    intervals = [
        (datetime(2019, 1, 1, tzinfo=UTC), datetime(2019, 2, 1, tzinfo=UTC)),
        (datetime(2020, 1, 1, tzinfo=UTC), datetime(2021, 1, 1, tzinfo=UTC)),
    ]
    with pytest.raises(
        ValueError, match=r"interval 0 \(2019-01-01T00:00:00Z, 2019-02-01T00:00:00Z\) holds no data"
    ) as error:
        time_series_split(dated, intervals)
    assert "time bounds 2020-06-01T00:00:00Z, 2020-06-01T23:59:59.999999Z" in str(error.value)
