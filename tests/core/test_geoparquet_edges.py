"""GeoParquet's spherical edges: great-circle arcs, burnt and indexed where they run on the globe."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
import shapely
from pyproj import CRS

from geotorch.core import DatasetNotFoundError, VectorDataset
from geotorch.core.grid import Grid

pa = pytest.importorskip("pyarrow")
parquet = pytest.importorskip("pyarrow.parquet")

#: A field of 60 degrees of longitude between the 50th and 60th parallels' vertices, counter-clockwise.
CORNERS = [(-30.0, 50.0), (30.0, 50.0), (30.0, 60.0), (-30.0, 60.0)]


def write_spherical(path: Path, polygon: shapely.Polygon, **column: object) -> Path:
    """``polygon`` as GeoParquet (WKB, OGC:CRS84 by default), its column's metadata ``column`` (``edges``...)."""
    geo = {"version": "1.1.0", "primary_column": "geometry", "columns": {"geometry": {"encoding": "WKB", **column}}}
    table = pa.table({"geometry": pa.array([shapely.to_wkb(polygon)], pa.binary()), "class": pa.array([4])})
    parquet.write_table(table.replace_schema_metadata({b"geo": json.dumps(geo).encode()}), path)
    return path


def inside_arcs(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Which points lie inside the convex spherical polygon of CORNERS: left of each edge's great circle."""

    def unit(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        lon, lat = np.radians(lon), np.radians(lat)
        return np.stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)], axis=-1)

    corners = [unit(np.array(x), np.array(y)) for x, y in CORNERS]
    points = unit(lon, lat)
    inside = np.ones(lon.shape, dtype=bool)
    for start, end in zip(corners, corners[1:] + corners[:1], strict=True):
        inside &= points @ np.cross(start, end) > 0
    return inside


def test_spherical_edges_are_burnt_along_their_great_circles(tmp_path: Path) -> None:
    # The edge from (30 W, 60 N) to (30 E, 60 N) is a great-circle arc reaching 63.43 N on the Greenwich meridian
    # (tan(lat) = tan(60) / cos(30) = 2), the southern one 54.0 N. Read as straight lines in degrees, the field
    # was burnt between 50 and 60 N: 4,956 of 12,960 pixels wrong, and indexed up to 60 N only.
    path = write_spherical(tmp_path / "field.parquet", shapely.Polygon(CORNERS), edges="spherical")
    dataset = VectorDataset(path, res=0.25, label_name="class")
    assert dataset.bounds.maxy == pytest.approx(math.degrees(math.atan(2.0)), abs=1e-6)
    assert (dataset.bounds.minx, dataset.bounds.maxx, dataset.bounds.miny) == pytest.approx((-30.0, 30.0, 50.0))
    grid = Grid.from_bbox(dataset.bounds, dataset.crs, dataset.res)
    cols, rows = np.meshgrid(np.arange(grid.width) + 0.5, np.arange(grid.height) + 0.5)
    lon, lat = grid.transform @ (cols, rows)
    expected = inside_arcs(np.asarray(lon), np.asarray(lat))
    mask = dataset[dataset.bounds]["mask"].numpy()
    assert expected.sum() > 9000
    assert set(np.unique(mask)) == {0, 4}
    # 2 km pieces of arc bow 8 cm off it: only a centre within centimetres of the arc could differ.
    assert ((mask == 4) != expected).sum() <= 2


def test_planar_edges_stay_straight_in_degrees(tmp_path: Path) -> None:
    path = write_spherical(tmp_path / "field.parquet", shapely.Polygon(CORNERS), edges="planar")
    dataset = VectorDataset(path, res=0.25, label_name="class")
    assert tuple(dataset.bounds)[:4] == pytest.approx((-30.0, 30.0, 50.0, 60.0))
    assert (dataset[dataset.bounds]["mask"] == 4).all()


def test_spherical_edges_in_a_projected_crs_are_refused_naming_the_file(tmp_path: Path) -> None:
    utm = CRS.from_epsg(32633).to_json_dict()
    square = shapely.box(500000, 5500000, 510000, 5510000)
    write_spherical(tmp_path / "utm.parquet", square, edges="spherical", crs=utm)
    refused = pytest.warns(UserWarning, match=r"utm\.parquet: .*edges are 'spherical', which needs longitudes")
    with refused, pytest.raises(DatasetNotFoundError, match="no readable vector file"):
        VectorDataset(tmp_path, res=10.0)
