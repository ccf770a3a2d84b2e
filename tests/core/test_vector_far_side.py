"""VectorDataset burns features a projection tears apart (across its discontinuities) where they lie."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import shapely
from pyproj import Transformer

from geotorch.core import BoundingBox, VectorDataset
from geotorch.core.grid import Grid
from tests.core.rasters import write_vector

#: A field in Bohemia (label 1) and an atoll-sized box of the Pacific (label 2), later in the file.
BOHEMIA = shapely.box(14.0, 50.0, 14.1, 50.1)
PACIFIC = shapely.box(-170.0, -10.0, -160.0, 0.0)


def centres_inside(polygon: shapely.Polygon, query: BoundingBox, dataset: VectorDataset) -> np.ndarray:
    """Which pixel centres of ``query``'s grid lie inside ``polygon`` (degrees), tested in degrees by shapely."""
    grid = Grid.from_bbox(query, dataset.crs, dataset.res)
    cols, rows = np.meshgrid(np.arange(grid.width) + 0.5, np.arange(grid.height) + 0.5)
    x, y = grid.transform @ (cols, rows)
    lon, lat = Transformer.from_crs(dataset.crs, "EPSG:4326", always_xy=True).transform(x, y)
    return np.asarray(shapely.contains_xy(polygon, lon, lat))


def around(lon: float, lat: float, dataset: VectorDataset, half: float) -> BoundingBox:
    x, y = Transformer.from_crs("EPSG:4326", dataset.crs, always_xy=True).transform(lon, lat)
    return BoundingBox(x - half, x + half, y - half, y + half)


@pytest.mark.parametrize("crs", ["EPSG:32633", "EPSG:3035"])
def test_a_feature_on_the_far_side_of_the_projection_burns_where_it_lies(tmp_path: Path, crs: str) -> None:
    # The Pacific box, 175 degrees from UTM 33N's central meridian, crosses the transverse Mercator's far-side
    # equator, where y jumps from +20,000 to -20,000 km: projected vertex by vertex it became a band across the
    # whole strip, and a window over Bohemia came out all 2, 72,489 of 72,489 pixels (7,950 of them the field's).
    path = write_vector(tmp_path / "world.geojson", [BOHEMIA, PACIFIC], "EPSG:4326", labels=[1, 2])
    dataset = VectorDataset(path, crs=crs, res=100.0, label_name="label")
    query = around(14.05, 50.05, dataset, 15_000.0)
    mask = dataset[query]["mask"].numpy()
    expected = centres_inside(BOHEMIA, query, dataset)
    assert expected.sum() > 5000
    assert set(np.unique(mask)) == {0, 1}
    assert ((mask == 1) != expected).sum() <= 2


def test_the_far_side_feature_burns_on_its_own_place_there(tmp_path: Path) -> None:
    path = write_vector(tmp_path / "world.geojson", [BOHEMIA, PACIFIC], "EPSG:4326", labels=[1, 2])
    dataset = VectorDataset(path, crs="EPSG:32633", res=10_000.0, label_name="label")
    query = around(-165.0, 5.0, dataset, 1_500_000.0)
    mask = dataset[query]["mask"].numpy()
    expected = centres_inside(PACIFIC, query, dataset)
    assert expected.sum() > 100
    assert ((mask == 2) == expected).all()
    assert not (mask == 1).any()


@pytest.mark.parametrize("crs", ["EPSG:4326", "EPSG:3857", "EPSG:32632"])
def test_a_feature_off_the_earth_burns_nothing_and_spares_the_others(tmp_path: Path, crs: str) -> None:
    # A box at 1e30 m in UTM 33N (a 'no coordinate' sentinel of an export) before and after a 1 km field: every
    # sample of the file failed with GEOSException 'Points of LinearRing do not form a closed linestring' (PROJ's
    # inf, unwrapped at the seam into NaN), where the field is burnt and the sentinel nowhere.
    field = shapely.box(500_000.0, 5_500_000.0, 501_000.0, 5_501_000.0)
    sentinel = shapely.box(1e30, 1e30, 1e30 + 1, 1e30 + 1)
    path = write_vector(tmp_path / "fields.geojson", [sentinel, field, sentinel], "EPSG:32633", labels=[2, 1, 3])
    res = 0.00005 if crs == "EPSG:4326" else 10.0
    dataset = VectorDataset(path, crs=crs, res=res, label_name="label")
    to_field = Transformer.from_crs("EPSG:32633", dataset.crs, always_xy=True)
    x, y = to_field.transform([500_000.0, 501_000.0], [5_500_000.0, 5_501_000.0])
    query = BoundingBox(min(x), max(x), min(y), max(y))
    mask = dataset[query]["mask"].numpy()
    grid = Grid.from_bbox(query, dataset.crs, dataset.res)
    cols, rows = np.meshgrid(np.arange(grid.width) + 0.5, np.arange(grid.height) + 0.5)
    px, py = grid.transform @ (cols, rows)
    ux, uy = Transformer.from_crs(dataset.crs, "EPSG:32633", always_xy=True).transform(px, py)
    expected = shapely.contains_xy(field, ux, uy)
    assert expected.sum() > 5000
    assert set(np.unique(mask)) <= {0, 1}
    assert ((mask == 1) != expected).sum() <= 2
