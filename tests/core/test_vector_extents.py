"""VectorDataset indexes each file where its features lie, whatever extent the file declares in its header."""

from __future__ import annotations

import json
import shutil
import struct
from pathlib import Path

import numpy as np
import pyogrio
import pyproj
import pytest
import shapely

from geotorch.core import BoundingBox, VectorDataset
from tests.core.rasters import write_vector

#: Where the bounding box lies in a shapefile's .shp and .shx headers: four little-endian doubles.
SHAPEFILE_BBOX = slice(36, 68)


@pytest.mark.real_data
def test_a_shapefile_whose_shx_header_box_is_stale_is_indexed_at_its_features(real_data: Path, tmp_path: Path) -> None:
    # The wilderness areas of Colorado and Utah, their .shx header box left as the eastern areas alone (a tool
    # that rewrote the .shp in place): GDAL reports the header's box as the layer's extent, so the western ones
    # were indexed nowhere, and a query over them was outside the dataset.
    for suffix in (".shp", ".shx", ".dbf", ".prj"):
        shutil.copy(real_data / f"coutwildrnp{suffix}", tmp_path / f"coutwildrnp{suffix}")
    path = tmp_path / "coutwildrnp.shp"
    _, _, wkb, _ = pyogrio.raw.read(path)
    minx, miny, maxx, maxy = shapely.total_bounds(shapely.from_wkb(wkb))
    shx = bytearray((tmp_path / "coutwildrnp.shx").read_bytes())
    shx[SHAPEFILE_BBOX] = struct.pack("<4d", -107.0, miny, maxx, maxy)
    (tmp_path / "coutwildrnp.shx").write_bytes(shx)
    assert pyogrio.read_info(path, force_total_bounds=True)["total_bounds"][0] == -107.0
    dataset = VectorDataset(path, res=0.01)
    assert tuple(dataset.bounds)[:4] == pytest.approx((minx, maxx, miny, maxy))
    west = BoundingBox(minx, -110.0, miny, maxy)
    assert dataset[west]["mask"].sum() > 1000


def test_a_flatgeobuf_whose_header_envelope_is_stale_is_indexed_at_its_features(tmp_path: Path) -> None:
    # Two fields in EPSG:4326, the header's envelope naming the first alone: the second was never indexed.
    fields = [shapely.box(10.0, 50.0, 10.1, 50.1), shapely.box(12.0, 48.0, 12.1, 48.1)]
    path = write_vector(tmp_path / "fields.fgb", fields, "EPSG:4326", labels=[1, 2], driver="FlatGeobuf")
    data = bytearray(path.read_bytes())
    # The header's envelope is the first copy of the features' bounds (the index's root node holds the second).
    start = data.find(struct.pack("<4d", 10.0, 48.0, 12.1, 50.1))
    data[start : start + 32] = struct.pack("<4d", 10.0, 50.0, 10.1, 50.1)
    path.write_bytes(data)
    assert pyogrio.read_info(path, force_total_bounds=True)["total_bounds"] == pytest.approx((10.0, 50.0, 10.1, 50.1))
    dataset = VectorDataset(path, res=0.001, label_name="label")
    assert tuple(dataset.bounds)[:4] == pytest.approx((10.0, 12.1, 48.0, 50.1))
    mask = dataset[BoundingBox(12.0, 12.1, 48.0, 48.1)]["mask"].numpy()
    np.testing.assert_array_equal(mask, np.full((100, 100), 2))


@pytest.mark.real_data
def test_a_geoparquet_whose_bbox_is_stale_is_indexed_at_its_features(real_data: Path, tmp_path: Path) -> None:
    # The wilderness areas of Colorado and Utah as GeoParquet 1.1, the column's bbox and its bbox covering column
    # left as the eastern areas alone (rows appended by a tool that kept the metadata): the western areas were
    # indexed nowhere, and a query over them was outside the dataset.
    pa = pytest.importorskip("pyarrow")
    parquet = pytest.importorskip("pyarrow.parquet")
    meta, _, wkb, _ = pyogrio.raw.read(real_data / "coutwildrnp.shp", columns=[])
    minx, miny, maxx, maxy = shapely.total_bounds(shapely.from_wkb(wkb))
    stale = [-107.0, float(miny), float(maxx), float(maxy)]
    covering = {"bbox": {key: ["bbox", key] for key in ("xmin", "ymin", "xmax", "ymax")}}
    crs = json.loads(pyproj.CRS.from_user_input(meta["crs"]).to_json())
    column = {"encoding": "WKB", "crs": crs, "bbox": stale, "covering": covering}
    geo = {"version": "1.1.0", "primary_column": "geometry", "columns": {"geometry": column}}
    boxes = [dict(zip(("xmin", "ymin", "xmax", "ymax"), stale, strict=True))] * len(wkb)
    table = pa.table({"geometry": pa.array(list(wkb), pa.binary()), "bbox": pa.array(boxes)})
    path = tmp_path / "coutwildrnp.parquet"
    parquet.write_table(table.replace_schema_metadata({b"geo": json.dumps(geo).encode()}), path)
    dataset = VectorDataset(path, res=0.01)
    assert tuple(dataset.bounds)[:4] == pytest.approx((minx, maxx, miny, maxy))
    west = BoundingBox(minx, -110.0, miny, maxy)
    assert dataset[west]["mask"].sum() > 1000
