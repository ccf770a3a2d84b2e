"""Files indexed in a CRS whose area of use they exceed: the index holds every place they have pixels."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pyproj
import pytest
import rasterio
import shapely
from affine import Affine
from pyproj import Transformer
from rasterio.crs import CRS
from rasterio.enums import Resampling
from rasterio.warp import reproject

from geotorch.core import BoundingBox, RasterDataset, VectorDataset
from geotorch.core.grid import Grid
from geotorch.samplers import GridGeoSampler, RandomGeoSampler
from tests.core.rasters import write_raster, write_vector

#: Meteosat's full disk seen from 0 degrees: the corners of its square lie off the Earth.
GEOSTATIONARY = "+proj=geos +lon_0=0 +h=35785831 +x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs +sweep=y"


class Classes(RasterDataset):
    """A dataset of integer classes, read nearest so that they compare exactly with GDAL's warp."""

    is_image = False


def index_boxes(dataset: RasterDataset | VectorDataset) -> list[tuple[float, ...]]:
    return [tuple(hit.bounds) for hit in dataset.index.intersection(dataset.index.bounds, objects=True)]


def places_in(path: Path, crs: str) -> tuple[np.ndarray, np.ndarray]:
    """x and y in ``crs`` of the corners of every valid pixel of ``path``: the places it has pixels."""
    with rasterio.open(path) as source:
        valid = source.read_masks(1) > 0
        rows, cols = np.nonzero(valid)
        corners = [(rows + dr, cols + dc) for dr in (0, 1) for dc in (0, 1)]
        xs, ys = source.transform * (np.concatenate([c for _, c in corners]), np.concatenate([r for r, _ in corners]))
        move = Transformer.from_crs(source.crs, CRS.from_user_input(crs), always_xy=True)
    x, y = move.transform(xs, ys, errcheck=False)
    back_x, back_y = move.transform(x, y, direction="INVERSE", errcheck=False)
    # Places the CRS expresses: finite, on the Earth, and the same place when brought back.
    kept = np.isfinite(x) & np.isfinite(y) & (np.abs(x) < 1e12) & (np.abs(y) < 1e12)
    kept &= np.isclose(back_x, xs, atol=1e-6 * np.ptp(xs)) & np.isclose(back_y, ys, atol=1e-6 * np.ptp(ys))
    kept &= drawn_tolerably(crs, x, y)
    return x[kept], y[kept]


def drawn_tolerably(crs: str, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Where a projected ``crs`` draws ``x``, ``y`` at most 100 times its largest areal scale over its area of use.

    Beyond, it runs to infinity (a polar stereographic CRS's opposite pole, drawn 1.1e12 m away), and the index
    leaves such places out. Every place of a geographic CRS or of one without an area of use counts.
    """
    parsed = pyproj.CRS.from_user_input(crs)
    if not parsed.is_projected or parsed.area_of_use is None:
        return np.ones(x.shape, bool)
    projection = pyproj.Proj(parsed)
    west, south, east, north = parsed.area_of_use.bounds
    lons, lats = np.meshgrid(np.linspace(west, east if east >= west else east + 360, 61), np.linspace(south, north, 31))
    lons = np.where(lons > 180, lons - 360, lons)
    largest = np.nanmax(np.asarray(projection.get_factors(lons.ravel(), lats.ravel(), errcheck=False).areal_scale))
    with np.errstate(invalid="ignore"):
        lon, lat = projection(x, y, inverse=True, errcheck=False)
        areal = np.asarray(projection.get_factors(lon, lat, errcheck=False).areal_scale)
        return np.asarray(areal <= 100 * largest)


def unheld(boxes: list[tuple[float, ...]], xs: np.ndarray, ys: np.ndarray) -> int:
    held = np.zeros(xs.shape, bool)
    for minx, maxx, miny, maxy, *_ in boxes:
        held |= (xs >= minx) & (xs <= maxx) & (ys >= miny) & (ys <= maxy)
    return int((~held).sum())


def gdal_warp(path: Path, query: BoundingBox, crs: CRS, res: float) -> np.ndarray:
    target = Grid.from_bbox(query, crs, (res, res))
    out = np.zeros((target.height, target.width), dtype="uint16")
    with rasterio.open(path) as source:
        reproject(rasterio.band(source, 1), out, dst_transform=target.transform, dst_crs=target.crs,
                  dst_nodata=0, resampling=Resampling.nearest)
    return out


def global_raster(tmp_path: Path, res: float = 1.0, south: float = -90.0) -> Path:
    """Every longitude from ``south`` to the north pole in ``res``-degree pixels of classes 1 to 3."""
    width, height = round(360 / res), round((90 - south) / res)
    classes = (np.arange(width * height, dtype="uint16").reshape(height, width) % 3 + 1)
    return write_raster(tmp_path / "world.tif", classes, "EPSG:4326", Affine(res, 0, -180, 0, -res, 90), nodata=0)


def read_at(dataset: RasterDataset | VectorDataset, lon: float, lat: float, half: float) -> BoundingBox:
    x, y = Transformer.from_crs("EPSG:4326", dataset.crs, always_xy=True).transform(lon, lat)
    return BoundingBox(x - half, x + half, y - half, y + half, dataset.bounds.mint, dataset.bounds.maxt)


@pytest.mark.parametrize(
    ("crs", "lon", "lat"),
    [("EPSG:32633", -30.0, 10.0), ("EPSG:32633", 120.0, -40.0), ("EPSG:3035", -60.0, 40.0),
     ("EPSG:3035", 150.0, -20.0)],
    ids=["utm33-west", "utm33-far-east", "laea-west", "laea-far-east"],
)
def test_a_global_raster_in_a_crs_of_a_smaller_area_is_indexed_and_read_everywhere(
    tmp_path: Path, crs: str, lon: float, lat: float
) -> None:
    # The whole globe's edges (the poles, the antimeridian) all lie on one line of a UTM zone: a box of
    # the edges alone held nothing west of the zone's 500,000 m central meridian.
    path = global_raster(tmp_path)
    dataset = Classes(path, crs=crs, res=20000.0)
    assert unheld(index_boxes(dataset), *places_in(path, crs)) == 0
    query = read_at(dataset, lon, lat, 200000.0)
    mask = dataset[query]["mask"].numpy()
    np.testing.assert_array_equal(mask, gdal_warp(path, query, dataset.crs, 20000.0))
    assert mask.all()


def test_a_global_layer_is_indexed_and_read_west_of_a_utm_zones_central_meridian(tmp_path: Path) -> None:
    # Two polygons at opposite corners of the world make the layer's extent the whole globe.
    cells = [shapely.box(-180, -90, -170, -80), shapely.box(170, 80, 180, 90), shapely.box(-31, 9, -29, 11)]
    path = write_vector(tmp_path / "world.geojson", cells, "EPSG:4326", labels=[1, 2, 3])
    dataset = VectorDataset(path, crs="EPSG:32633", res=10000.0, label_name="label")
    x, y = Transformer.from_crs("EPSG:4326", "EPSG:32633", always_xy=True).transform(-30.0, 10.0)
    query = BoundingBox(x - 50000, x + 50000, y - 50000, y + 50000, dataset.bounds.mint, dataset.bounds.maxt)
    mask = dataset[query]["mask"].numpy()
    assert (mask == 3).sum() >= 50


def test_a_hemisphere_in_a_polar_crs_is_indexed_to_its_equator(tmp_path: Path) -> None:
    # The equator is a circle in EPSG:3413: 23 points along it (pyproj's default densifying) cut its
    # corners by 31 km, pixels of the file at the equator outside every index box.
    path = global_raster(tmp_path, res=0.25, south=0.0)
    dataset = Classes(path, crs="EPSG:3413", res=20000.0)
    assert unheld(index_boxes(dataset), *places_in(path, "EPSG:3413")) == 0


@pytest.mark.parametrize(
    ("crs", "res", "lon", "lat", "half"),
    [("EPSG:4326", 0.25, 70.0, 5.0, 2.0), ("EPSG:4326", 0.25, -20.0, -60.0, 2.0),
     ("EPSG:32633", 20000.0, 15.0, 70.0, 200000.0)],
    ids=["4326-east-limb", "4326-south-west", "utm33-north"],
)
def test_a_geostationary_full_disk_is_indexed_and_read_to_the_earths_limb(
    tmp_path: Path, crs: str, res: float, lon: float, lat: float, half: float
) -> None:
    # Its corners (and most of its edges) lie off the Earth: their transform is infinite, and the file was
    # refused as no box. 30 km pixels; pixels off the Earth are nodata, as geostationary products give them.
    size, extent = 371, 5565000.0
    pixel = 2 * extent / size
    transform = Affine(pixel, 0, -extent, 0, -pixel, extent)
    cols, rows = np.meshgrid(np.arange(size) + 0.5, np.arange(size) + 0.5)
    xs, ys = transform * (cols, rows)
    lon_lat = Transformer.from_crs(GEOSTATIONARY, "EPSG:4326", always_xy=True)
    lons, _ = lon_lat.transform(xs, ys, errcheck=False)
    classes = np.where(np.isfinite(lons), (rows.astype("int64") % 3 + 1), 0).astype("uint16")
    path = write_raster(tmp_path / "disk.tif", classes, GEOSTATIONARY, transform, nodata=0)
    dataset = Classes(path, crs=crs, res=res)
    assert unheld(index_boxes(dataset), *places_in(path, crs)) == 0
    x, y = Transformer.from_crs("EPSG:4326", crs, always_xy=True).transform(lon, lat)
    query = BoundingBox(x - half, x + half, y - half, y + half, dataset.bounds.mint, dataset.bounds.maxt)
    mask = dataset[query]["mask"].numpy()
    np.testing.assert_array_equal(mask, gdal_warp(path, query, dataset.crs, res))
    assert mask.all()


def test_europe_in_laea_is_indexed_in_epsg_4326_to_its_northern_edge(tmp_path: Path) -> None:
    # The northern edge of a 6000 x 5000 km box of EPSG:3035 bows north between the 23 points pyproj follows:
    # 700 m of its pixels at 77 N lay north of the index box.
    classes = np.ones((50, 60), dtype="uint16")
    transform = Affine(100000, 0, 1e6, 0, -100000, 6e6)
    path = write_raster(tmp_path / "europe.tif", classes, "EPSG:3035", transform, nodata=0)
    dataset = Classes(path, crs="EPSG:4326", res=0.5)
    assert unheld(index_boxes(dataset), *places_in(path, "EPSG:4326")) == 0


#: An ocean as Natural Earth's ocean layer draws it: every longitude and latitude, land (a box over Europe) a hole.
OCEAN = shapely.Polygon([(-180, -90), (180, -90), (180, 90), (-180, 90)], [[(-10, 35), (40, 35), (40, 70), (-10, 70)]])


@pytest.mark.parametrize("crs", ["EPSG:32633", "EPSG:3035", "EPSG:3413", "EPSG:3031", "ESRI:54009"])
@pytest.mark.parametrize("island_last", [True, False], ids=["island-last", "island-first"])
def test_a_layer_circling_the_globe_is_burnt_where_it_lies(tmp_path: Path, crs: str, island_last: bool) -> None:
    # Its two antimeridian edges (-180 and 180 degrees) lie on one line of these CRSs, run through both ways:
    # the polygon had no inside, and the ocean burnt nothing (0 everywhere), silently.
    island = shapely.box(-32, 38, -28, 42)
    features, labels = ([OCEAN, island], [1, 2]) if island_last else ([island, OCEAN], [2, 1])
    path = write_vector(tmp_path / "ocean.geojson", features, "EPSG:4326", labels=labels)
    dataset = VectorDataset(path, crs=crs, res=10000.0, label_name="label")
    to_crs = Transformer.from_crs("EPSG:4326", dataset.crs, always_xy=True)
    from_crs = Transformer.from_crs(dataset.crs, "EPSG:4326", always_xy=True)
    seen: set[int] = set()
    for lon, lat in [(-30.0, 40.0), (15.0, 52.0), (-150.0, -30.0), (100.0, -10.0)]:
        x, y = to_crs.transform(lon, lat)
        query = BoundingBox(x - 400000, x + 400000, y - 400000, y + 400000, dataset.bounds.mint, dataset.bounds.maxt)
        mask = dataset[query]["mask"].numpy()
        grid = Grid.from_bbox(query, dataset.crs, dataset.res)
        cols, rows = np.meshgrid(np.arange(grid.width) + 0.5, np.arange(grid.height) + 0.5)
        lons, lats = from_crs.transform(*(grid.transform * (cols, rows)))
        on_island = shapely.contains_xy(island, lons, lats)
        at_sea = shapely.contains_xy(OCEAN, lons, lats)
        # The later feature in the file wins where both lie, as GDAL burns them in file order.
        expected = np.where(on_island & (island_last | ~at_sea), 2, np.where(at_sea, 1, 0))
        # Pixels whose centre lies within a kilometre of an edge may go either way.
        with np.errstate(invalid="ignore"):  # centres off the Earth (a polar CRS's corners) are NaN
            edges = shapely.union(OCEAN.boundary, island.boundary)
            near_edge = shapely.distance(shapely.points(lons, lats), edges) < 0.01
        np.testing.assert_array_equal(mask[~near_edge], expected[~near_edge])
        seen.update(np.unique(mask).tolist())
    # The island lies at sea: listed before the ocean, the ocean burns over it.
    assert seen == ({0, 1, 2} if island_last else {0, 1})


def test_a_global_raster_in_a_polar_crs_gets_the_pixel_size_of_its_pixels(tmp_path: Path) -> None:
    # GDAL's suggestion divides the footprint's extent by its pixels, and the whole globe reaches the south
    # pole, at infinity in EPSG:3413: the default res was 9.9e20 m (one pixel a sample), and a res of 20 km
    # was warned of as given in the wrong unit.
    path = global_raster(tmp_path)
    dataset = Classes(path, crs="EPSG:3413")
    # One degree is 111 km; EPSG:3413 draws the pixels between 0.5 (north pole) and 2 times as large south to
    # the equator, and larger beyond.
    assert 50000 < dataset.res[0] == dataset.res[1] < 500000
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        Classes(path, crs="EPSG:3413", res=20000.0)


def test_antarctica_in_web_mercator_is_indexed_and_read_south_of_85_degrees(tmp_path: Path) -> None:
    # The footprint holds the south pole: its cap was clipped to Web Mercator's area of use (85.06 S), and a
    # chip at 87 S, where the file has pixels and GDAL warps them, found nothing (IndexError).
    classes = (np.arange(40 * 40, dtype="uint16").reshape(40, 40) % 3 + 1)
    path = write_raster(tmp_path / "south.tif", classes, "EPSG:3031", Affine(1e5, 0, -2e6, 0, -1e5, 2e6), nodata=0)
    dataset = Classes(path, crs="EPSG:3857", res=20000.0)
    assert unheld(index_boxes(dataset), *places_in(path, "EPSG:3857")) == 0
    query = read_at(dataset, 60.0, -87.0, 200000.0)
    mask = dataset[query]["mask"].numpy()
    np.testing.assert_array_equal(mask, gdal_warp(path, query, dataset.crs, 20000.0))
    assert mask.all()


@pytest.mark.parametrize("crs", ["EPSG:32633", "EPSG:3035"])
def test_a_web_mercator_layer_circling_the_globe_is_burnt_where_it_lies(tmp_path: Path, crs: str) -> None:
    # An ocean in EPSG:3857, from x -20037508 m to 20037508 m, land (a box over Europe) a hole: its two edges
    # on the antimeridian lie on one line of UTM or LAEA, and it burnt nothing.
    world = 20037508.342789244
    land = [(-1.1e6, 4.2e6), (4.4e6, 4.2e6), (4.4e6, 1.1e7), (-1.1e6, 1.1e7)]
    ocean = shapely.Polygon([(-world, -world), (world, -world), (world, world), (-world, world)], [land])
    path = write_vector(tmp_path / "ocean.geojson", [ocean], "EPSG:3857", labels=[1])
    dataset = VectorDataset(path, crs=crs, res=10000.0, label_name="label")
    to_mercator = Transformer.from_crs(dataset.crs, "EPSG:3857", always_xy=True)
    for lon, lat, expected in [(-30.0, 40.0, 1), (15.0, 52.0, 0), (-150.0, -30.0, 1), (100.0, -10.0, 1)]:
        query = read_at(dataset, lon, lat, 100000.0)
        mask = dataset[query]["mask"].numpy()
        grid = Grid.from_bbox(query, dataset.crs, dataset.res)
        cols, rows = np.meshgrid(np.arange(grid.width) + 0.5, np.arange(grid.height) + 0.5)
        xs, ys = to_mercator.transform(*(grid.transform * (cols, rows)))
        np.testing.assert_array_equal(mask, shapely.contains_xy(ocean, xs, ys).astype(mask.dtype))
        assert (mask == expected).all()


@pytest.mark.parametrize(
    ("crs", "bounds", "places"),
    [("EPSG:32633", (-100, -20, 170, 20), [(-90.0, 10.0), (120.0, 10.0), (15.0, 0.0), (160.0, 15.0)]),
     ("EPSG:3035", (-170, -60, 170, 60), [(-160.0, -40.0), (150.0, 50.0), (0.0, 0.0), (-100.0, 55.0)])],
    ids=["utm33-through-its-poles-of-the-equator", "laea-through-its-antipode"],
)
def test_a_feature_wider_than_a_quarter_turn_is_burnt_where_it_lies(
    tmp_path: Path, crs: str, bounds: tuple[float, float, float, float], places: list[tuple[float, float]]
) -> None:
    # The box holds points these CRSs cannot draw (the transverse Mercator's on the equator 90 degrees from 15 E,
    # LAEA's antipode of 10 E 52 N): its edges, drawn through them, bound no polygon of its places, and it
    # burnt where it does not lie and not where it does.
    feature = shapely.box(*bounds)
    path = write_vector(tmp_path / "wide.geojson", [feature], "EPSG:4326", labels=[1])
    dataset = VectorDataset(path, crs=crs, res=10000.0, label_name="label")
    from_crs = Transformer.from_crs(dataset.crs, "EPSG:4326", always_xy=True)
    for lon, lat in places:
        query = read_at(dataset, lon, lat, 300000.0)
        mask = dataset[query]["mask"].numpy()
        grid = Grid.from_bbox(query, dataset.crs, dataset.res)
        cols, rows = np.meshgrid(np.arange(grid.width) + 0.5, np.arange(grid.height) + 0.5)
        lons, lats = from_crs.transform(*(grid.transform * (cols, rows)))
        np.testing.assert_array_equal(mask, shapely.contains_xy(feature, lons, lats).astype(mask.dtype))


@pytest.mark.parametrize(
    ("source", "transform", "shape", "crs"),
    [("EPSG:32633", Affine(300000, 0, -1.5e7, 0, -300000, 1.9e7), (126, 103), "EPSG:4326"),
     ("EPSG:3857", Affine(200000, 0, -20037508.34, 0, -200000, 19929239.11), (99, 200), "EPSG:3413")],
    ids=["utm33-past-its-opposite-side-in-4326", "northern-web-mercator-in-3413"],
)
def test_a_projected_raster_of_a_hemisphere_or_more_is_indexed_wherever_its_pixels_lie(
    tmp_path: Path, source: str, transform: Affine, shape: tuple[int, int], crs: str
) -> None:
    # A UTM grid reaching past its zone's opposite side holds the far south inside, not on its edges (pyproj's
    # bounds stopped at 9.5 S); Web Mercator's northern half (0-85 N) has the equator as an edge, a circle in
    # EPSG:3413, whose corners 23 points cut by 31 km.
    classes = np.ones(shape, dtype="uint16")
    path = write_raster(tmp_path / "wide.tif", classes, source, transform, nodata=0)
    dataset = Classes(path, crs=crs, res=0.5 if crs == "EPSG:4326" else 50000.0)
    assert unheld(index_boxes(dataset), *places_in(path, crs)) == 0


@pytest.mark.parametrize("crs", ["EPSG:3413", "EPSG:3031"])
def test_a_global_raster_in_a_polar_crs_is_indexed_where_the_crs_draws_it_tolerably(tmp_path: Path, crs: str) -> None:
    # PROJ draws the opposite pole 1.1e12 m away: the index reached there, RandomGeoSampler drew windows of a few
    # metres of ground, and a GridGeoSampler counted 3e12 windows a side. Now the box ends where the CRS draws
    # areas 100 times as large as over its polar cap (54 degrees past the equator), and holds that cap.
    path = global_raster(tmp_path)
    dataset = Classes(path, crs=crs, res=20000.0)
    bounds = dataset.bounds
    assert max(abs(bounds.minx), abs(bounds.maxx), abs(bounds.miny), abs(bounds.maxy)) < 4e7
    cap_x, cap_y = Transformer.from_crs("EPSG:4326", crs, always_xy=True).transform(
        np.arange(-180.0, 181.0), np.full(361, 60.0 if crs == "EPSG:3413" else -60.0))
    assert unheld(index_boxes(dataset), np.asarray(cap_x), np.asarray(cap_y)) == 0
    assert unheld(index_boxes(dataset), *places_in(path, crs)) == 0
    assert len(GridGeoSampler(dataset, 64)) < 5000
    for query in RandomGeoSampler(dataset, 64, length=8, generator=0):
        mask = dataset[query]["mask"].numpy()
        assert mask.shape == (64, 64) and mask.all()
