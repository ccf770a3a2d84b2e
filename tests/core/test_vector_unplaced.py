"""Features at no place on the Earth are left out of a vector file's index bounds, with a warning."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pytest
import shapely
from pyproj import CRS

from geotorch.core import VectorDataset
from geotorch.samplers import RandomGeoSampler
from tests.core.rasters import write_vector

#: A 1 km field and a feature at no place in each CRS: past the north pole, at an export's 1e30 m sentinel,
#: beyond the pole Web Mercator draws at 2.4e8 m; written as GeoJSON and GeoPackage files.
CASES = [
    ("EPSG:4326", shapely.box(10.0, 50.0, 10.014, 50.009), shapely.box(10.0, 95.0, 11.0, 96.0), 0.0001, "GeoJSON"),
    ("EPSG:32633", shapely.box(500_000.0, 5_500_000.0, 501_000.0, 5_501_000.0),
     shapely.box(1e30, 1e30, 1e30 + 1, 1e30 + 1), 10.0, "GeoJSON"),
    ("EPSG:3857", shapely.box(1_113_000.0, 6_446_000.0, 1_114_000.0, 6_447_000.0),
     shapely.box(1e6, 1e9, 2e6, 1.1e9), 10.0, "GPKG"),
]


@pytest.mark.parametrize(("crs", "field", "nowhere", "res", "driver"), CASES,
                         ids=["latitude-past-the-pole", "sentinel-1e30", "beyond-mercators-pole"])
def test_a_feature_at_no_place_is_left_out_of_the_index_bounds(
    tmp_path: Path, crs: str, field: shapely.Geometry, nowhere: shapely.Geometry, res: float, driver: str
) -> None:
    # The layer's extent stretched to the feature: the index reached 96 N, 1e30 m or 1.1e9 m, and every window
    # RandomGeoSampler drew lay where nothing burns.
    suffix = ".gpkg" if driver == "GPKG" else ".geojson"
    path = write_vector(tmp_path / f"fields{suffix}", [nowhere, field], crs, labels=[2, 1], driver=driver)
    with pytest.warns(UserWarning, match=rf"{path.name}: 1 feature\(s\) lie at no place on the Earth in {crs}"):
        dataset = VectorDataset(path, crs=crs, res=res, label_name="label")
    bounds = dataset.bounds
    np.testing.assert_allclose([bounds.minx, bounds.miny, bounds.maxx, bounds.maxy], field.bounds)
    for query in RandomGeoSampler(dataset, 32, length=6, generator=0):
        assert (dataset[query]["mask"].numpy() == 1).all()


def test_a_file_of_features_at_no_place_alone_is_skipped_naming_it(tmp_path: Path) -> None:
    kept = write_vector(tmp_path / "a.geojson", [CASES[1][1]], "EPSG:32633", labels=[1])
    nowhere = write_vector(tmp_path / "b.geojson", [CASES[1][2]], "EPSG:32633", labels=[2])
    with pytest.warns(UserWarning, match=rf"{nowhere.name}: 1 feature\(s\) .* skipping it: no feature is left"):
        dataset = VectorDataset(tmp_path, crs="EPSG:32633", res=10.0, label_name="label")
    assert [hit.object for hit in dataset.index.intersection(dataset.index.bounds, objects=True)] == [str(kept)]


def test_longitudes_past_the_antimeridian_are_places(tmp_path: Path) -> None:
    # Shapes drawn past -180 degrees (Chukotka at -185..-181, as some exports keep them) and on 0..360 grids lie on
    # the Earth: no warning, the index holds them.
    shapes = [shapely.box(-185.0, 65.0, -181.0, 66.0), shapely.box(350.0, 10.0, 355.0, 11.0)]
    path = write_vector(tmp_path / "east.geojson", shapes, "EPSG:4326", labels=[1, 2])
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        dataset = VectorDataset(path, crs="EPSG:4326", res=0.01, label_name="label")
    assert (dataset[175.5:178.5, 65.2:65.8]["mask"].numpy() == 1).all()


def test_a_geoparquet_feature_at_no_place_is_left_out_of_the_index_bounds(tmp_path: Path) -> None:
    # GeoParquet files (read with pyarrow, not GDAL) kept their 'bbox' extent up to the 1e30 m sentinel.
    pa = pytest.importorskip("pyarrow")
    parquet = pytest.importorskip("pyarrow.parquet")
    field, nowhere = CASES[1][1], CASES[1][2]
    geo = {"version": "1.1.0", "primary_column": "geometry",
           "columns": {"geometry": {"encoding": "WKB", "crs": CRS.from_epsg(32633).to_json_dict()}}}
    table = pa.table({"geometry": pa.array(list(shapely.to_wkb(np.array([nowhere, field], dtype=object))),
                                           pa.binary()), "label": pa.array([2, 1], pa.int32())})
    path = tmp_path / "fields.parquet"
    parquet.write_table(table.replace_schema_metadata({b"geo": json.dumps(geo).encode()}), path)
    with pytest.warns(UserWarning, match=r"fields\.parquet: 1 feature\(s\) lie at no place on the Earth in EPSG:32633"):
        dataset = VectorDataset(path, crs="EPSG:32633", res=10.0, label_name="label")
    bounds = dataset.bounds
    np.testing.assert_allclose([bounds.minx, bounds.miny, bounds.maxx, bounds.maxy], field.bounds)
