"""VectorDataset: shapefiles, GeoJSON and GeoPackages rasterized onto the query's grid."""

from __future__ import annotations

import json
import pickle
import re
import shutil
import sqlite3
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pyogrio.raw
import pytest
import shapely
import torch
from matplotlib.figure import Figure
from pyproj import Transformer
from rasterio.crs import CRS
from rasterio.features import rasterize

from geotorch.core import BoundingBox, DatasetNotFoundError, VectorDataset
from geotorch.core.errors import LabelValueError
from geotorch.core.grid import Grid
from tests.core.rasters import write_vector

LEFT, BOTTOM = 600000.0, 4000000.0
RES = 10.0

#: A query of 20 x 20 pixels of 10 m in EPSG:32616.
QUERY = BoundingBox(LEFT, LEFT + 200, BOTTOM, BOTTOM + 200)


def pixels(col0: int, col1: int, row0: int, row1: int) -> shapely.Polygon:
    """The polygon covering columns ``col0:col1`` and rows ``row0:row1`` (from the top) of QUERY's grid."""
    return shapely.box(LEFT + col0 * RES, BOTTOM + 200 - row1 * RES, LEFT + col1 * RES, BOTTOM + 200 - row0 * RES)


def expected_mask(*blocks: tuple[int, int, int, int, int]) -> np.ndarray:
    """A 20 x 20 mask with ``value`` in each ``(col0, col1, row0, row1, value)`` block."""
    mask = np.zeros((20, 20), dtype=np.int64)
    for col0, col1, row0, row1, value in blocks:
        mask[row0:row1, col0:col1] = value
    return mask


def centres_inside(geometries: list[shapely.Geometry], grid: Grid, to_geometry_crs: Transformer | None) -> np.ndarray:
    """Which pixel centres of ``grid`` lie inside any of ``geometries``, tested by shapely alone."""
    cols, rows = np.meshgrid(np.arange(grid.width) + 0.5, np.arange(grid.height) + 0.5)
    x, y = grid.transform @ (cols, rows)
    if to_geometry_crs is not None:
        x, y = to_geometry_crs.transform(x, y)
    union = shapely.union_all(geometries)
    return np.asarray(shapely.contains_xy(union, x, y))


@pytest.mark.parametrize(
    ("driver", "name"), [("GeoJSON", "f.geojson"), ("ESRI Shapefile", "f.shp"), ("GPKG", "f.gpkg")]
)
def test_polygon_burns_exactly_the_pixels_whose_centre_it_covers(tmp_path: Path, driver: str, name: str) -> None:
    # Edges 3 m inside or outside pixel edges: only the centres decide.
    polygon = shapely.box(LEFT + 27, BOTTOM + 200 - 63, LEFT + 93, BOTTOM + 200 - 17)
    write_vector(tmp_path / name, [polygon], "EPSG:32616", driver=driver)
    dataset = VectorDataset(tmp_path, res=RES)
    assert len(dataset) == 1  # a shapefile's .shx, .dbf and .prj are not indexed on their own
    mask = dataset[QUERY]["mask"]
    assert mask.dtype == torch.int64
    assert mask.shape == (20, 20)
    np.testing.assert_array_equal(mask.numpy(), expected_mask((3, 9, 2, 6, 1)))


def test_all_touched_burns_every_pixel_a_feature_touches(tmp_path: Path) -> None:
    polygon = shapely.box(LEFT + 27, BOTTOM + 200 - 63, LEFT + 93, BOTTOM + 200 - 17)
    write_vector(tmp_path / "f.geojson", [polygon], "EPSG:32616")
    mask = VectorDataset(tmp_path, res=RES, all_touched=True)[QUERY]["mask"]
    np.testing.assert_array_equal(mask.numpy(), expected_mask((2, 10, 1, 7, 1)))


def test_label_name_gives_each_feature_its_class(tmp_path: Path) -> None:
    write_vector(tmp_path / "f.gpkg", [pixels(0, 5, 0, 5), pixels(10, 20, 10, 12)], "EPSG:32616", [3, 7], "GPKG")
    dataset = VectorDataset(tmp_path, res=RES, label_name="label")
    assert dataset.channels == {"mask": 1}
    np.testing.assert_array_equal(dataset[QUERY]["mask"].numpy(), expected_mask((0, 5, 0, 5, 3), (10, 20, 10, 12, 7)))


def test_unknown_label_name_is_refused_naming_the_file(tmp_path: Path) -> None:
    write_vector(tmp_path / "f.geojson", [pixels(0, 5, 0, 5)], "EPSG:32616", [3])
    with pytest.raises(ValueError, match=r"label_name='class'.*f\.geojson.*\['label'\]"):
        VectorDataset(tmp_path, label_name="class")


def test_features_in_another_crs_are_reprojected(tmp_path: Path) -> None:
    to_degrees = Transformer.from_crs(32616, 4326, always_xy=True)
    corners = [
        (LEFT + 40, BOTTOM + 60),
        (LEFT + 120, BOTTOM + 60),
        (LEFT + 120, BOTTOM + 150),
        (LEFT + 40, BOTTOM + 150),
    ]
    polygon = shapely.Polygon([to_degrees.transform(x, y) for x, y in corners])
    write_vector(tmp_path / "f.geojson", [polygon], "EPSG:4326", [2])
    dataset = VectorDataset(tmp_path, crs="EPSG:32616", res=RES, label_name="label")
    assert dataset.crs == CRS.from_epsg(32616)
    # The index holds the file's bounding box in degrees, reprojected: a little larger than the polygon.
    assert BoundingBox(LEFT + 40, LEFT + 120, BOTTOM + 60, BOTTOM + 150) in dataset.bounds
    assert tuple(dataset.bounds)[:4] == pytest.approx((LEFT + 40, LEFT + 120, BOTTOM + 60, BOTTOM + 150), abs=2)
    np.testing.assert_array_equal(dataset[QUERY]["mask"].numpy(), expected_mask((4, 12, 5, 14, 2)))


def test_files_in_several_crs_are_mosaicked_on_the_dataset_grid(tmp_path: Path) -> None:
    to_utm17 = Transformer.from_crs(32616, 32617, always_xy=True)
    east = pixels(10, 20, 0, 20)
    write_vector(tmp_path / "a.geojson", [pixels(0, 10, 0, 20)], "EPSG:32616", [1])
    write_vector(
        tmp_path / "b.geojson",
        [shapely.transform(east, lambda xy: np.column_stack(to_utm17.transform(*xy.T)))],
        "EPSG:32617",
        [2],
    )
    dataset = VectorDataset(tmp_path, res=RES, label_name="label")
    assert dataset.crs == CRS.from_epsg(32616)
    mask = dataset[QUERY]["mask"].numpy()
    np.testing.assert_array_equal(mask, expected_mask((0, 10, 0, 20, 1), (10, 20, 0, 20, 2)))


def test_query_outside_the_features_raises_index_error(tmp_path: Path) -> None:
    write_vector(tmp_path / "f.geojson", [pixels(0, 5, 0, 5)], "EPSG:32616")
    with pytest.raises(IndexError, match="outside the data"):
        VectorDataset(tmp_path, res=RES)[0:100, 0:100]


def test_query_inside_the_bounds_but_between_features_is_empty(tmp_path: Path) -> None:
    write_vector(tmp_path / "f.geojson", [pixels(0, 2, 0, 2), pixels(18, 20, 18, 20)], "EPSG:32616")
    mask = VectorDataset(tmp_path, res=RES)[LEFT + 50 : LEFT + 150, BOTTOM + 50 : BOTTOM + 150]["mask"]
    assert mask.shape == (10, 10)
    assert not mask.any()


def test_missing_or_empty_folder_raises_dataset_not_found(tmp_path: Path) -> None:
    with pytest.raises(DatasetNotFoundError, match="nowhere"):
        VectorDataset(tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(DatasetNotFoundError, match="empty"):
        VectorDataset(tmp_path / "empty")


def test_files_without_features_or_unreadable_are_skipped(tmp_path: Path) -> None:
    write_vector(tmp_path / "none.geojson", [], "EPSG:32616")
    (tmp_path / "broken.geojson").write_text("{ not json")
    write_vector(tmp_path / "f.geojson", [pixels(0, 5, 0, 5)], "EPSG:32616")
    with pytest.warns(UserWarning, match=r"broken\.geojson"):
        dataset = VectorDataset(tmp_path, res=RES)
    assert len(dataset) == 1


def test_formats_that_report_bounds_only_when_asked_are_indexed(tmp_path: Path) -> None:
    write_vector(tmp_path / "f.geojsons", [pixels(0, 5, 0, 5)], "EPSG:32616", driver="GeoJSONSeq")
    dataset = VectorDataset(tmp_path, crs="EPSG:32616", res=RES)  # GeoJSONSeq is stored in WGS 84
    assert tuple(dataset.bounds)[:4] == pytest.approx((LEFT, LEFT + 50, BOTTOM + 150, BOTTOM + 200), abs=1)
    np.testing.assert_array_equal(dataset[QUERY]["mask"].numpy(), expected_mask((0, 5, 0, 5, 1)))


def test_file_dates_filter_features_in_time(tmp_path: Path) -> None:
    class Yearly(VectorDataset):
        filename_glob = "labels_*.geojson"
        filename_regex = r"labels_(?P<date>\d{4})\.geojson"
        date_format = "%Y"

    write_vector(tmp_path / "labels_2020.geojson", [pixels(0, 10, 0, 20)], "EPSG:32616", [1])
    write_vector(tmp_path / "labels_2021.geojson", [pixels(10, 20, 0, 20)], "EPSG:32616", [2])
    dataset = Yearly(tmp_path, res=RES, label_name="label")
    mid_2021 = datetime(2021, 7, 1, tzinfo=UTC).timestamp()
    mask = dataset[BoundingBox(QUERY.minx, QUERY.maxx, QUERY.miny, QUERY.maxy, mid_2021, mid_2021)]["mask"].numpy()
    np.testing.assert_array_equal(mask, expected_mask((10, 20, 0, 20, 2)))


def test_to_another_crs_leaves_the_dataset_unchanged(tmp_path: Path) -> None:
    write_vector(tmp_path / "f.geojson", [pixels(0, 5, 0, 5)], "EPSG:32616")
    dataset = VectorDataset(tmp_path, res=RES)
    dataset[QUERY]  # fills the feature cache in EPSG:32616
    before = (dataset.crs, dataset.res, dataset.bounds, len(dataset))
    view = dataset.to("EPSG:32617", 10)
    assert view[view.bounds]["mask"].sum() == 25
    assert (dataset.crs, dataset.res, dataset.bounds, len(dataset)) == before
    np.testing.assert_array_equal(dataset[QUERY]["mask"].numpy(), expected_mask((0, 5, 0, 5, 1)))


def test_dataset_survives_pickling(tmp_path: Path) -> None:
    write_vector(tmp_path / "f.geojson", [pixels(0, 5, 0, 5)], "EPSG:32616", [4])
    dataset = VectorDataset(tmp_path, res=RES, label_name="label")
    dataset[QUERY]
    copy = pickle.loads(pickle.dumps(dataset))
    assert copy.bounds == dataset.bounds
    np.testing.assert_array_equal(copy[QUERY]["mask"].numpy(), dataset[QUERY]["mask"].numpy())


def test_plot_returns_a_figure(tmp_path: Path) -> None:
    write_vector(tmp_path / "f.geojson", [pixels(0, 5, 0, 5)], "EPSG:32616")
    dataset = VectorDataset(tmp_path, res=RES)
    assert isinstance(dataset.plot(dataset[QUERY]), Figure)


# Real files (../shared/data/real)


@pytest.mark.real_data
def test_real_shapefile_burns_the_pixels_inside_the_wilderness_areas(real_data: Path) -> None:
    dataset = VectorDataset(real_data / "coutwildrnp.shp", res=0.01)
    assert len(dataset) == 1
    assert dataset.crs == CRS.from_epsg(4326)
    info = pyogrio.read_info(real_data / "coutwildrnp.shp")
    minx, miny, maxx, maxy = info["total_bounds"]
    assert tuple(dataset.bounds)[:4] == pytest.approx((minx, maxx, miny, maxy))
    mask = dataset[dataset.bounds]["mask"].numpy()
    _, _, wkb, _ = pyogrio.raw.read(real_data / "coutwildrnp.shp")
    inside = centres_inside(list(shapely.from_wkb(wkb)), Grid.from_bbox(dataset.bounds, dataset.crs, dataset.res), None)
    assert inside.sum() > 1000
    np.testing.assert_array_equal(mask, inside.astype(np.int64))


@pytest.mark.real_data
def test_real_geojson_reprojected_to_utm_burns_the_park(real_data: Path) -> None:
    path = real_data / "rmnp.geojson"
    dataset = VectorDataset(path, crs="EPSG:32613", res=100)
    mask = dataset[dataset.bounds]["mask"].numpy()
    _, _, wkb, _ = pyogrio.raw.read(path)
    grid = Grid.from_bbox(dataset.bounds, dataset.crs, dataset.res)
    inside = centres_inside(list(shapely.from_wkb(wkb)), grid, Transformer.from_crs(32613, 4326, always_xy=True))
    # Reprojection moves the vertices; the edges between them stay straight in UTM rather than in degrees.
    # Between the park's closely spaced vertices that bends an edge by millimetres, so a pixel centre can only
    # change side if it lies that close to the boundary.
    assert 100_000 < inside.sum() < 120_000  # the park covers about 1,075 km2: 107,500 pixels of 1 ha
    assert (mask != inside).sum() <= 2


# Label values are burnt exactly


def write_labelled(path: Path, values: np.ndarray, driver: str) -> Path:
    """Two side-by-side polygons whose ``code`` attribute holds ``values`` (of any field type)."""
    pyogrio.raw.write(
        path,
        geometry=shapely.to_wkb(np.asarray([pixels(0, 10, 0, 20), pixels(10, 20, 0, 20)], dtype=object)),
        field_data=[values],
        fields=["code"],
        crs="EPSG:32616",
        geometry_type="Polygon",
        driver=driver,
    )
    return path


@pytest.mark.parametrize(
    ("driver", "name"), [("GPKG", "f.gpkg"), ("ESRI Shapefile", "f.shp"), ("GeoJSON", "f.geojson")]
)
@pytest.mark.parametrize(
    "values",
    [
        np.array([3301010100, 3302000000], dtype=np.int64),  # EuroCrops HCAT codes: beyond int32
        np.array([3301010100.0, 3302000000.0]),  # the same codes in a Real field
        np.array(["3301010100", "3302000000"], dtype=object),  # ... and as text
    ],
    ids=["int64", "real", "text"],
)
def test_ten_digit_label_values_stay_themselves(tmp_path: Path, driver: str, name: str, values: np.ndarray) -> None:
    write_labelled(tmp_path / name, values, driver)
    mask = VectorDataset(tmp_path, res=RES, label_name="code")[QUERY]["mask"].numpy()
    np.testing.assert_array_equal(mask, expected_mask((0, 10, 0, 20, 3301010100), (10, 20, 0, 20, 3302000000)))


def test_int64_labels_beyond_float_precision_are_burnt_exactly(tmp_path: Path) -> None:
    # 2**62 + 1 and 2**62 + 3 are the same double: GDAL alone would burn both as 2**62.
    write_labelled(tmp_path / "f.gpkg", np.array([2**62 + 1, 2**62 + 3], dtype=np.int64), "GPKG")
    mask = VectorDataset(tmp_path, res=RES, label_name="code")[QUERY]["mask"].numpy()
    np.testing.assert_array_equal(mask, expected_mask((0, 10, 0, 20, 2**62 + 1), (10, 20, 0, 20, 2**62 + 3)))


@pytest.mark.parametrize(
    ("values", "shown"),
    [
        (np.array([3, 2.5]), "2.5"),
        (np.array([3, 1e20]), "1e+20"),
        (np.array([3.0, np.nan]), "nan"),
        (np.array(["3", "forest"], dtype=object), "'forest'"),
        (np.array(["3", "99999999999999999999"], dtype=object), "'99999999999999999999'"),
    ],
)
def test_a_label_value_that_cannot_be_held_is_refused_naming_file_feature_and_value(
    tmp_path: Path, values: np.ndarray, shown: str
) -> None:
    path = write_labelled(tmp_path / "f.gpkg", values, "GPKG")
    dataset = VectorDataset(tmp_path, res=RES, label_name="code")
    with pytest.raises(LabelValueError, match=rf"feature 2: label value {re.escape(shown)} .*'code' of ") as raised:
        dataset[QUERY]
    assert str(path) in str(raised.value)


def test_labels_of_must_give_one_label_per_feature(tmp_path: Path) -> None:
    class Dropping(VectorDataset):
        def labels_of(self, values: np.ndarray) -> np.ndarray:
            return np.array([1], dtype=np.int64)

    write_labelled(tmp_path / "f.gpkg", np.array([1, 2]), "GPKG")
    with pytest.raises(ValueError, match=r"returned 1 labels for the 2 features of .*f\.gpkg"):
        Dropping(tmp_path, res=RES, label_name="code")[QUERY]


def test_float_labels_that_may_have_been_rounded_are_refused(tmp_path: Path) -> None:
    # GeoJSON types a field holding 9007199254740993 and 1.0 as Real: the code arrives as 2**53, maybe rounded.
    (tmp_path / "f.geojson").write_text(
        '{"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "EPSG:32616"}}, "features": ['
        + ",".join(
            f'{{"type": "Feature", "properties": {{"code": {code}}}, "geometry": {shapely.to_geojson(shape)}}}'
            for code, shape in (("1.0", pixels(0, 10, 0, 20)), ("9007199254740993", pixels(10, 20, 0, 20)))
        )
        + "]}"
    )
    dataset = VectorDataset(tmp_path, res=RES, label_name="code")
    with pytest.raises(LabelValueError, match=r"label value 9007199254740992\.0 is a float of magnitude 2\*\*53"):
        dataset[QUERY]


@pytest.mark.parametrize("text", ["1_000", "\u0661\u0662", "0x10", "1e3", "", " "])
def test_label_text_other_than_decimal_digits_is_refused(tmp_path: Path, text: str) -> None:
    write_labelled(tmp_path / "f.gpkg", np.array(["3", text], dtype=object), "GPKG")
    with pytest.raises(LabelValueError, match=r"is not an integer class id"):
        VectorDataset(tmp_path, res=RES, label_name="code")[QUERY]


def _inside(polygon: shapely.Geometry, crs: str, grid: Grid) -> np.ndarray:
    """Which pixel centres of ``grid`` lie in ``polygon`` (in ``crs``): the burn, up to edges' curvature."""
    columns, rows = np.meshgrid(np.arange(grid.width) + 0.5, np.arange(grid.height) + 0.5)
    x, y = grid.transform * (columns.ravel(), rows.ravel())
    px, py = Transformer.from_crs(grid.crs, crs, always_xy=True).transform(x, y)
    # Longitudes past 180 in the file: a place lies in the polygon at its longitude or a turn away.
    turns = (-360.0, 0.0, 360.0) if CRS.from_user_input(crs).is_geographic else (0.0,)
    inside = np.logical_or.reduce([shapely.contains_xy(polygon, px + turn, py) for turn in turns])
    return inside.reshape(grid.height, grid.width)


@pytest.mark.parametrize(("source", "polygon"), [
    ("EPSG:32601", shapely.box(300000, 6650000, 360000, 6700000)),  # a field across 180 E in UTM zone 1N
    ("EPSG:4326", shapely.box(179.5, 60.0, 180.5, 60.4)),  # longitudes written past 180
])
@pytest.mark.parametrize(("crs", "res"), [("EPSG:4326", 0.005), ("EPSG:3857", 500.0), ("EPSG:3832", 500.0)])
def test_a_feature_across_the_antimeridian_is_burnt_where_it_lies_on_both_sides(
    tmp_path: Path, source: str, polygon: shapely.Geometry, crs: str, res: float
) -> None:
    # Reprojected naively, its vertices jump a turn at the seam: it spanned the globe, burning the wrong side.
    path = write_vector(tmp_path / "field.geojson", [polygon], source, labels=[3])
    dataset = VectorDataset(path, crs=crs, res=res, label_name="label")
    entries = [hit.bounds for hit in dataset.index.intersection(dataset.index.bounds, objects=True)]
    assert len(entries) == (1 if crs == "EPSG:3832" else 2)
    for minx, maxx, miny, maxy, mint, maxt in entries:
        query = BoundingBox(minx, maxx, miny, maxy, mint, maxt)
        mask = dataset[query]["mask"].numpy()
        expected = _inside(polygon, source, Grid.from_bbox(query, dataset.crs, dataset.res))
        assert expected.sum() >= 20
        assert ((mask == 3) != expected).mean() < 0.05, "only pixels along the curved edges may differ"
        assert set(np.unique(mask)) <= {0, 3}


@pytest.mark.real_data
def test_a_shapefile_without_its_prj_is_skipped_with_a_warning_naming_it(real_data: Path, tmp_path: Path) -> None:
    # The wilderness areas' shapefile copied without coutwildrnp.prj, beside the park's GeoJSON: it was
    # dropped unseen, its areas read as empty (0) as if no feature lay there.
    for suffix in (".shp", ".shx", ".dbf"):
        shutil.copy(real_data / f"coutwildrnp{suffix}", tmp_path / f"coutwildrnp{suffix}")
    shutil.copy(real_data / "rmnp.geojson", tmp_path / "rmnp.geojson")
    with pytest.warns(UserWarning, match=r"skipping .*coutwildrnp\.shp: it has no CRS \(a shapefile without its \.prj"):
        dataset = VectorDataset(tmp_path, res=0.01)
    assert len(dataset) == 1
    assert dataset.crs == CRS.from_epsg(4326)


def write_layers(path: Path, sources: dict[str, Path]) -> Path:
    """A GeoPackage holding each of ``sources``' features as the layer of its name, in order."""
    for layer, source in sources.items():
        meta, _, wkb, _ = pyogrio.raw.read(source)
        pyogrio.raw.write(
            path,
            geometry=wkb,
            field_data=[],
            fields=[],
            layer=layer,
            crs=meta["crs"],
            geometry_type=meta["geometry_type"],
            driver="GPKG",
            append=path.exists(),
        )
    return path


@pytest.mark.real_data
@pytest.mark.parametrize("layer", ["park", 1])
def test_layer_reads_the_named_layer_of_a_geopackage(real_data: Path, tmp_path: Path, layer: str | int) -> None:
    # The wilderness areas and the park as two layers of one GeoPackage: the park could not be read
    # (TorchGeo's layer= was refused: "unexpected keyword argument 'layer'").
    path = write_layers(
        tmp_path / "colorado.gpkg", {"wilderness": real_data / "coutwildrnp.shp", "park": real_data / "rmnp.geojson"}
    )
    park = VectorDataset(real_data / "rmnp.geojson", res=0.001)
    dataset = VectorDataset(path, res=0.001, layer=layer)
    assert tuple(dataset.bounds) == pytest.approx(tuple(park.bounds))
    mask = dataset[park.bounds]["mask"]
    assert mask.sum() > 1000
    assert torch.equal(mask, park[park.bounds]["mask"])


@pytest.mark.real_data
def test_a_geopackage_of_several_layers_read_without_layer_warns_naming_them(real_data: Path, tmp_path: Path) -> None:
    path = write_layers(
        tmp_path / "colorado.gpkg", {"wilderness": real_data / "coutwildrnp.shp", "park": real_data / "rmnp.geojson"}
    )
    first = r"has 2 layers of features \['wilderness', 'park'\]; reading its first, 'wilderness'"
    with pytest.warns(UserWarning, match=first):
        dataset = VectorDataset(path, res=0.01)
    wilderness = VectorDataset(real_data / "coutwildrnp.shp", res=0.01)
    assert torch.equal(dataset[wilderness.bounds]["mask"], wilderness[wilderness.bounds]["mask"])
    no_layer = r"skipping .*colorado\.gpkg: it has no layer 'roads' \(its layers: "
    with pytest.warns(UserWarning, match=no_layer), pytest.raises(DatasetNotFoundError):
        VectorDataset(path, layer="roads")
    with pytest.raises(TypeError, match=r"layer=1\.0 must be a layer's name or its position"):
        VectorDataset(path, layer=1.0)  # type: ignore[arg-type]


def write_geoparquet(path: Path, source: Path, labels: np.ndarray | None = None, **column: object) -> Path:
    """``source``'s features as GeoParquet written by pyarrow (WKB), with a ``class`` column when ``labels`` given.

    ``column`` is the geometry column's metadata (``crs`` as PROJJSON, ``bbox``...); its encoding is WKB.
    """
    pa = pytest.importorskip("pyarrow")
    parquet = pytest.importorskip("pyarrow.parquet")
    _, _, wkb, _ = pyogrio.raw.read(source)
    data = {"geometry": pa.array(list(wkb), pa.binary())}
    if labels is not None:
        data["class"] = pa.array(labels.tolist(), pa.int64())
    geo = {"version": "1.1.0", "primary_column": "geometry", "columns": {"geometry": {"encoding": "WKB", **column}}}
    table = pa.table(data).replace_schema_metadata({b"geo": json.dumps(geo).encode()})
    parquet.write_table(table, path)
    return path


@pytest.mark.real_data
def test_a_geoparquet_file_burns_as_its_geojson_does(real_data: Path, tmp_path: Path) -> None:
    # The park as GeoParquet (as geopandas and GeoTorch's own `geotorch predict --vectorize` write it) was
    # skipped: "not a readable vector file (libduckdb.so: cannot open shared object file ...)", pyogrio's
    # GDAL having no Parquet driver, then DatasetNotFoundError.
    crs = CRS.from_epsg(4326).to_dict(projjson=True)
    path = write_geoparquet(tmp_path / "rmnp.parquet", real_data / "rmnp.geojson", crs=crs)
    park = VectorDataset(real_data / "rmnp.geojson", crs="EPSG:32613", res=100)
    dataset = VectorDataset(path, crs="EPSG:32613", res=100)
    assert tuple(dataset.bounds) == pytest.approx(tuple(park.bounds))
    mask = dataset[park.bounds]["mask"]
    assert mask.sum() > 1000
    assert torch.equal(mask, park[park.bounds]["mask"])


@pytest.mark.real_data
def test_a_geoparquet_label_column_and_its_default_crs_are_read(real_data: Path, tmp_path: Path) -> None:
    # No crs in the metadata means OGC:CRS84 (longitude, latitude); no bbox, so the bounds are the features'.
    labels = np.arange(67) % 3 + 1
    path = write_geoparquet(tmp_path / "wilderness.parquet", real_data / "coutwildrnp.shp", labels)
    meta, _, wkb, _ = pyogrio.raw.read(real_data / "coutwildrnp.shp")
    pyogrio.raw.write(
        tmp_path / "wilderness.gpkg",
        geometry=wkb,
        field_data=[labels],
        fields=["class"],
        crs=meta["crs"],
        geometry_type=meta["geometry_type"],
        driver="GPKG",
    )
    expected = VectorDataset(tmp_path / "wilderness.gpkg", res=0.01, label_name="class")
    dataset = VectorDataset(path, res=0.01, label_name="class")
    assert tuple(dataset.bounds) == pytest.approx(tuple(expected.bounds))
    mask = dataset[expected.bounds]["mask"]
    assert mask.unique().tolist() == [0, 1, 2, 3]
    assert torch.equal(mask, expected[expected.bounds]["mask"])


def test_a_geoparquet_file_of_another_geometry_encoding_is_skipped_saying_so(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    parquet = pytest.importorskip("pyarrow.parquet")
    geo = {"version": "1.1.0", "primary_column": "geometry", "columns": {"geometry": {"encoding": "point"}}}
    table = pa.table({"geometry": pa.array([{"x": 1.0, "y": 2.0}])}).replace_schema_metadata(
        {b"geo": json.dumps(geo).encode()}
    )
    parquet.write_table(table, tmp_path / "points.parquet")
    write_vector(tmp_path / "f.geojson", [pixels(0, 5, 0, 5)], "EPSG:32616")
    with pytest.warns(UserWarning, match=r"points\.parquet: .*encoded as 'point'; only WKB is read"):
        dataset = VectorDataset(tmp_path, res=RES)
    assert len(dataset) == 1


# Overlapping features: the later feature of a file wins, as rasterio burns them in order (TorchGeo's rule)


@pytest.mark.parametrize(
    ("driver", "name"), [("GPKG", "f.gpkg"), ("ESRI Shapefile", "f.shp"), ("GeoJSON", "f.geojson")]
)
def test_overlapping_features_burn_in_file_order_the_last_one_winning(tmp_path: Path, driver: str, name: str) -> None:
    # 40 strips shifted by a pixel each, every one labelled by its position: each pixel shows the last strip over it.
    # The spatial index gave them in its own order, so a pixel showed whichever strip that order put last.
    # (Not FlatGeobuf: GDAL writes its features in the order of their spatial index.)
    strips = [pixels(number % 5, number % 5 + 10, 0, 20) for number in range(40)]
    write_vector(tmp_path / name, strips, "EPSG:32616", list(range(1, 41)), driver)
    mask = VectorDataset(tmp_path, res=RES, label_name="label")[QUERY]["mask"].numpy()
    grid = Grid.from_bbox(QUERY, CRS.from_epsg(32616), (RES, RES))
    expected = rasterize(zip(strips, range(1, 41), strict=True), out_shape=(20, 20), transform=grid.transform)
    np.testing.assert_array_equal(mask, expected)
    np.testing.assert_array_equal(mask[0, :15], [36, 37, 38, 39, *[40] * 10, 0])


@pytest.mark.parametrize(
    "polygon",
    [
        shapely.box(-180.0, 50.0, -170.0, 60.0),
        shapely.box(-180.0, -20.0, -175.0, -15.0),
        shapely.box(170.0, 50.0, 180.0, 60.0),
    ],
    ids=["west-edge-north", "west-edge-south", "east-edge"],
)
@pytest.mark.parametrize(("crs", "res"), [("EPSG:3857", 5000.0), ("EPSG:3832", 5000.0), ("EPSG:4269", 0.05)])
def test_a_feature_edged_on_the_antimeridian_is_burnt_on_its_own_side(
    tmp_path: Path, polygon: shapely.Geometry, crs: str, res: float
) -> None:
    # A polygon ending on 180 W in degrees (as Natural Earth's Chukotka, Fiji or global grid tiles do) read in Web
    # Mercator: PROJ put its -180 vertices on the seam's east side, so it spanned the globe the other way and every
    # pixel of the query was wrong (87193 of 87193), burnt where the polygon is not.
    path = write_vector(tmp_path / "tile.gpkg", [polygon], "EPSG:4326", labels=[3], driver="GPKG")
    dataset = VectorDataset(path, crs=crs, res=res, label_name="label")
    mask = dataset[dataset.bounds]["mask"].numpy()
    expected = _inside(polygon, "EPSG:4326", Grid.from_bbox(dataset.bounds, dataset.crs, dataset.res))
    assert expected.sum() >= 10000
    np.testing.assert_array_equal(mask == 3, expected)


@pytest.mark.parametrize(
    "declared",
    [(0.0, 0.0, 0.0, 0.0), (LEFT, BOTTOM + 150, LEFT + 50, BOTTOM + 200)],
    ids=["all-zero (GeoTools' writer)", "stale (features added later)"],
)
def test_a_geopackage_is_indexed_at_its_features_not_the_extent_it_declares(
    tmp_path: Path, declared: tuple[float, float, float, float]
) -> None:
    # gpkg_contents' extent is informative only (GeoPackage spec); GDAL reports it as the layer's. The features
    # outside it were never indexed: a query over them was 'outside the data', a sampler never drew them.
    # An empty polygon (its envelope reads as 0, 0, 0, 0) has no place to be indexed at.
    features = [pixels(0, 5, 0, 5), shapely.Polygon(), pixels(15, 20, 15, 20)]
    path = write_vector(tmp_path / "f.gpkg", features, "EPSG:32616", [1, 3, 2], "GPKG")
    with closing(sqlite3.connect(path)) as database, database:
        database.execute("UPDATE gpkg_contents SET min_x = ?, min_y = ?, max_x = ?, max_y = ?", declared)
    assert pyogrio.read_info(path, force_total_bounds=True)["total_bounds"] == pytest.approx(declared)
    dataset = VectorDataset(path, res=RES, label_name="label")
    assert tuple(dataset.bounds)[:4] == (QUERY.minx, QUERY.maxx, QUERY.miny, QUERY.maxy)
    np.testing.assert_array_equal(dataset[QUERY]["mask"].numpy(), expected_mask((0, 5, 0, 5, 1), (15, 20, 15, 20, 2)))


@pytest.mark.parametrize(("driver", "name"), [("GPKG", "f.gpkg"), ("GeoJSON", "f.geojson")])
def test_a_feature_without_a_shape_needs_no_label(tmp_path: Path, driver: str, name: str) -> None:
    # A row of no geometry (null, or empty) and no class (a deleted parcel, an OSM relation that failed to
    # build) burns nothing, yet its missing label failed every sample of the file.
    shapes = [None, shapely.to_wkb(pixels(0, 5, 0, 5)), shapely.to_wkb(shapely.Polygon())]
    pyogrio.raw.write(
        tmp_path / name,
        geometry=np.array(shapes, dtype=object),
        field_data=[np.array([np.nan, 4.0, np.nan])],
        fields=["code"],
        crs="EPSG:32616",
        geometry_type="Polygon",
        driver=driver,
    )
    mask = VectorDataset(tmp_path, res=RES, label_name="code")[QUERY]["mask"].numpy()
    np.testing.assert_array_equal(mask, expected_mask((0, 5, 0, 5, 4)))


def test_files_that_hold_no_feature_are_named_as_such(tmp_path: Path) -> None:
    # An export of no features (or of null shapes only) was reported as 'no readable vector file matches
    # filename_glob='*'; pass paths=...', as if the folder held no vector file at all.
    write_vector(tmp_path / "empty.gpkg", [], "EPSG:32616", driver="GPKG")
    write_vector(tmp_path / "empty.geojson", [], "EPSG:32616")
    pyogrio.raw.write(
        tmp_path / "null.gpkg",
        geometry=np.array([None], dtype=object),
        field_data=[],
        fields=[],
        crs="EPSG:32616",
        geometry_type="Polygon",
        driver="GPKG",
    )
    with pytest.raises(DatasetNotFoundError, match=r"3 vector files match but hold no feature with a shape: .*empty"):
        VectorDataset(tmp_path, res=RES)
    one = r"the vector file matches but holds no feature with a shape: .*null\.gpkg"
    with pytest.raises(DatasetNotFoundError, match=one):
        VectorDataset(tmp_path / "null.gpkg", res=RES)


def write_geodatabase(path: Path) -> Path:
    """An Esri File Geodatabase of two layers: ``parcels`` (a 5 x 5 px square of class 3), ``roads`` (class 7)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    for layer, shape, label in (("parcels", pixels(0, 5, 0, 5), 3), ("roads", pixels(0, 10, 0, 10), 7)):
        pyogrio.raw.write(
            path,
            geometry=shapely.to_wkb(np.array([shape], dtype=object)),
            field_data=[np.array([label], dtype=np.int32)],
            fields=["cls"],
            layer=layer,
            crs="EPSG:32616",
            geometry_type="Polygon",
            driver="OpenFileGDB",
            append=path.exists(),
        )
    return path


@pytest.mark.parametrize("named", ["folder", "geodatabase"])
def test_a_file_geodatabase_is_read_as_one_file_of_layers(tmp_path: Path, named: str) -> None:
    # Its folder was searched as any other: each table file read as a file of its own, so both layers were burnt
    # together (roads over parcels) with no word of layers, and its 13 other files were 'skipped: not a readable
    # vector file', each with a warning.
    database = write_geodatabase(tmp_path / "labels.gdb")
    paths = tmp_path if named == "folder" else database
    first = r"labels\.gdb has 2 layers of features \['parcels', 'roads'\]; reading its first"
    with pytest.warns(UserWarning, match=first) as seen:
        dataset = VectorDataset(paths, res=RES, label_name="cls")
    assert not [warning for warning in seen if "skipping" in str(warning.message)]
    assert len(dataset) == 1
    np.testing.assert_array_equal(dataset[QUERY]["mask"].numpy(), expected_mask((0, 5, 0, 5, 3)))
    roads = VectorDataset(paths, res=RES, label_name="cls", layer="roads")
    np.testing.assert_array_equal(roads[QUERY]["mask"].numpy(), expected_mask((0, 10, 0, 10, 7)))


def test_a_file_geodatabase_is_found_by_a_glob_of_its_name(tmp_path: Path) -> None:
    class Labels(VectorDataset):
        filename_glob = "labels_*.gdb"
        filename_regex = r"labels_(?P<date>\d{4})\.gdb"
        date_format = "%Y"

    write_geodatabase(tmp_path / "2021" / "labels_2021.gdb")
    write_vector(tmp_path / "aoi.geojson", [pixels(0, 20, 0, 20)], "EPSG:32616")
    # Not found before: the search listed files only, and the folder's own files are not named labels_*.gdb.
    dataset = Labels(tmp_path, res=RES, label_name="cls", layer=0)
    assert len(dataset) == 1
    assert datetime.fromtimestamp(dataset.bounds.mint, UTC).year == 2021
    np.testing.assert_array_equal(dataset[QUERY]["mask"].numpy(), expected_mask((0, 5, 0, 5, 3)))


def test_the_first_layer_read_by_default_is_the_first_with_shapes(tmp_path: Path) -> None:
    # A File Geodatabase lists an attribute table (no geometry) before the parcels: read by default, the
    # database was taken to hold no feature, and the warning offered the table as a layer to read.
    path = tmp_path / "labels.gdb"
    pyogrio.raw.write(
        path,
        geometry=None,
        field_data=[np.array([3], dtype=np.int32), np.array(["wheat"], dtype=object)],
        fields=["cls", "name"],
        layer="aclasses",
        driver="OpenFileGDB",
        geometry_type=None,
    )
    write_geodatabase(path)
    assert [name for name, _ in pyogrio.list_layers(path)] == ["aclasses", "parcels", "roads"]
    first = r"has 2 layers of features \['parcels', 'roads'\]; reading its first, 'parcels'"
    with pytest.warns(UserWarning, match=first):
        dataset = VectorDataset(path, res=RES, label_name="cls")
    np.testing.assert_array_equal(dataset[QUERY]["mask"].numpy(), expected_mask((0, 5, 0, 5, 3)))


def test_a_geoparquet_bbox_across_the_antimeridian_is_read_from_its_features(tmp_path: Path) -> None:
    # GeoParquet's bbox follows RFC 7946, whose west edge is east of its east edge across the antimeridian
    # ([170, 0, -170, 10]): the dataset failed to build ('cannot index ...: its box ... is not a box').
    source = write_vector(tmp_path / "islands.geojson", [shapely.box(170, 0, 180, 10)], "EPSG:4326")
    pyogrio.raw.write(
        source,
        geometry=shapely.to_wkb(np.array([shapely.box(-180, 0, -170, 10)], dtype=object)),
        field_data=[],
        fields=[],
        crs="EPSG:4326",
        geometry_type="Polygon",
        append=True,
    )
    path = write_geoparquet(tmp_path / "islands.parquet", source, bbox=[170.0, 0.0, -170.0, 10.0])
    dataset = VectorDataset(path, res=1.0)
    assert tuple(dataset.bounds)[:4] == (-180.0, 180.0, 0.0, 10.0)
    assert dataset[170:180, 0:10]["mask"].all() and dataset[-180:-170, 0:10]["mask"].all()
    assert not dataset[-170:170, 0:10]["mask"].any()


@pytest.mark.parametrize(
    ("source", "polygon", "crs", "res"),
    [
        ("EPSG:4326", shapely.box(13.0, 48.0, 17.0, 50.0), "EPSG:32633", 200.0),  # an AOI box in degrees, read in UTM
        ("EPSG:32633", shapely.box(300000, 5300000, 700000, 5500000), "EPSG:4326", 0.002),  # a UTM box, in degrees
    ],
    ids=["degrees-to-utm", "utm-to-degrees"],
)
def test_long_edges_follow_their_path_in_the_dataset_crs(
    tmp_path: Path, source: str, polygon: shapely.Geometry, crs: str, res: float
) -> None:
    # Only the vertices were reprojected, so an edge 4 degrees along the 50th parallel was burnt as a straight
    # line in UTM, up to 1.9 km (10 pixels) inside the parallel it follows: 18283 pixels wrong.
    path = write_vector(tmp_path / "aoi.geojson", [polygon], source)
    dataset = VectorDataset(path, crs=crs, res=res)
    mask = dataset[dataset.bounds]["mask"].numpy().astype(bool)
    inside = _inside(polygon, source, Grid.from_bbox(dataset.bounds, dataset.crs, dataset.res))
    assert inside.sum() > 1_000_000
    assert (mask != inside).sum() <= 50, "only pixel centres within metres of an edge may differ"
