"""One CRS however spelt: files and ``crs`` arguments that differ only in spelling are copied onto one grid, not warped.

rasterio's ``==`` tells OGC:CRS84 from EPSG:4326 (GDAL reads both as longitude, latitude and warps
between them as a no-op), ``+proj=longlat +datum=WGS84`` from EPSG:4326, and a compound CRS from
its horizontal part; datasets compared CRSs with it, so such files were warped onto a grid of
their own CRS, and such a ``crs`` gave a pixel size of 0.010000000000000052 for 0.01.
"""

from __future__ import annotations

import collections.abc
import html
import typing
from pathlib import Path
from typing import Any

import numpy as np
import pyproj
import pytest
import rasterio
import rasterio.crs
import shapely
import torch

import geotorch.core.crs
import geotorch.core.mosaic
from geotorch.core import RasterDataset, VectorDataset
from tests.core.rasters import grid, vrt, write_raster, write_vector

#: Spellings of longitude and latitude on WGS 84 other than EPSG:4326: GeoJSON's default, PROJ's, ArcGIS's .prj.
LONLAT_SPELLINGS = {
    "OGC:CRS84": pyproj.CRS("OGC:CRS84").to_wkt(),
    "proj4": "+proj=longlat +datum=WGS84 +no_defs",
    "esri": 'GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],'
    'PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]',
}


@pytest.fixture
def warps(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files each read warps (rather than copies), in order."""
    warped: list[str] = []
    warp = geotorch.core.mosaic.warp_onto_grid

    def counted(source: Any, *args: Any, **kwargs: Any) -> Any:
        warped.append(source.name)
        return warp(source, *args, **kwargs)

    monkeypatch.setattr(geotorch.core.mosaic, "warp_onto_grid", counted)
    return warped


def _tiles(folder: Path, crs: str, left: float, top: float, res: float) -> list[Path]:
    """Two 10 x 10 float32 GeoTIFFs side by side in ``crs``, of pixels 1..100 and 201..300."""
    return [
        write_raster(folder / f"tile{number}.tif", np.arange(100, dtype=np.float32).reshape(1, 10, 10) + offset, crs,
                     grid(left + number * 10 * res, top, res))
        for number, offset in ((0, 1), (1, 201))
    ]


def _read(paths: list[Path]) -> np.ndarray:
    """The files' pixels side by side, as rasterio reads them."""
    arrays = []
    for path in paths:
        with rasterio.open(path) as source:
            arrays.append(source.read())
    return np.concatenate(arrays, axis=2)


@pytest.mark.parametrize("spelling", LONLAT_SPELLINGS, ids=str)
def test_a_file_in_another_spelling_of_lonlat_mosaics_without_a_warp(
    tmp_path: Path, warps: list[str], spelling: str
) -> None:
    tiles = _tiles(tmp_path / "tiles", "EPSG:4326", 10.0, 50.0, 0.01)
    # A VRT keeps the CRS as written (a GeoTIFF's keys would make it EPSG:4326): as a GeoJSON- or ArcGIS-made file.
    spelt = vrt(tmp_path / "east.vrt", [(str(tiles[1]), "Float32", None)], 10, 10,
                html.escape(LONLAT_SPELLINGS[spelling]), (10.1, 0.01, 0.0, 50.0, 0.0, -0.01))
    dataset = RasterDataset([tiles[0], spelt])
    assert dataset.res == (0.01, 0.01)
    image = dataset[dataset.bounds]["image"].numpy()
    np.testing.assert_array_equal(image, _read(tiles))
    assert warps == []


@pytest.mark.parametrize("spelling", LONLAT_SPELLINGS, ids=str)
def test_crs_spelling_lonlat_otherwise_reads_epsg_4326_files_without_a_warp(
    tmp_path: Path, warps: list[str], spelling: str
) -> None:
    tiles = _tiles(tmp_path, "EPSG:4326", 10.0, 50.0, 0.01)
    dataset = RasterDataset(tmp_path, crs=LONLAT_SPELLINGS[spelling])
    assert dataset.res == (0.01, 0.01)  # was 0.010000000000000052, GDAL's suggestion for a warp
    np.testing.assert_array_equal(dataset[dataset.bounds]["image"].numpy(), _read(tiles))
    assert warps == []


def test_a_view_in_another_spelling_keeps_the_pixel_size_and_copies(tmp_path: Path, warps: list[str]) -> None:
    tiles = _tiles(tmp_path, "EPSG:4326", 10.0, 50.0, 0.01)
    view = RasterDataset(tmp_path).to("OGC:CRS84")
    assert view.res == (0.01, 0.01)
    np.testing.assert_array_equal(view[view.bounds]["image"].numpy(), _read(tiles))
    assert warps == []


def test_datasets_in_two_spellings_intersect_without_a_warp(tmp_path: Path, warps: list[str]) -> None:
    tiles = _tiles(tmp_path / "a", "EPSG:4326", 10.0, 50.0, 0.01)
    _tiles(tmp_path / "b", "EPSG:4326", 10.0, 50.0, 0.01)
    both = RasterDataset(tmp_path / "a", crs="OGC:CRS84") & RasterDataset(tmp_path / "b")
    image = both[both.bounds]["image"].numpy()
    np.testing.assert_array_equal(image, np.concatenate([_read(tiles)] * 2))
    assert warps == []


def test_a_compound_crs_file_is_read_on_its_horizontal_crs(tmp_path: Path, warps: list[str]) -> None:
    # A DEM tagged with its heights' CRS (UTM 33N + EGM96 height), beside a file of UTM 33N alone.
    west = write_raster(tmp_path / "west.tif", np.arange(100, dtype=np.float32).reshape(1, 10, 10) + 1,
                        "EPSG:32633+5773", grid(500000.0, 5500000.0, 10.0))
    east = write_raster(tmp_path / "east.tif", np.arange(100, dtype=np.float32).reshape(1, 10, 10) + 201,
                        "EPSG:32633", grid(500100.0, 5500000.0, 10.0))
    for paths in ([west, east], [east, west]):
        dataset = RasterDataset(paths)
        assert dataset.crs.to_epsg() == 32633  # the compound CRS was the dataset's when its file came first
        sample = dataset[dataset.bounds]
        assert sample["crs"].to_epsg() == 32633
        np.testing.assert_array_equal(sample["image"].numpy(), _read([west, east]))
    assert RasterDataset(west, crs="EPSG:32633+5773").crs.to_epsg() == 32633
    assert warps == []


@pytest.mark.parametrize("driver", ["GPKG", "GeoJSON"])
def test_a_compound_crs_vector_file_is_read_on_its_horizontal_crs(tmp_path: Path, driver: str) -> None:
    path = write_vector(tmp_path / f"field.{driver.lower()}", [shapely.box(500_000, 5_000_000, 500_100, 5_000_100)],
                        "EPSG:32633+5773", driver=driver)
    dataset = VectorDataset(path, res=10.0)
    assert dataset.crs.to_epsg() == 32633  # was the compound CRS, where a raster's dataset had its horizontal part
    assert int(dataset[dataset.bounds]["mask"].sum()) == 100


def test_a_3d_crs_is_taken_on_its_horizontal_part(tmp_path: Path, warps: list[str]) -> None:
    tiles = _tiles(tmp_path, "EPSG:4326", 10.0, 50.0, 0.01)
    dataset = RasterDataset(tmp_path, crs="EPSG:4979")  # WGS 84 with ellipsoidal heights
    assert dataset.crs.to_epsg() == 4326 and dataset.res == (0.01, 0.01)
    np.testing.assert_array_equal(dataset[dataset.bounds]["image"].numpy(), _read(tiles))
    assert warps == []


@pytest.mark.parametrize("crs", ["EPSG:4978", "+proj=geocent +datum=WGS84", "EPSG:5773"])
def test_a_crs_of_no_places_on_the_surface_is_refused(tmp_path: Path, crs: str) -> None:
    # Geocentric x, y, z or heights alone: 4326 tiles read in EPSG:4978 gave an image of 0s, in EPSG:5773 one of
    # 20 x 10 pixels for 10 x 20, without an error.
    _tiles(tmp_path, "EPSG:4326", 10.0, 50.0, 0.01)
    refused = r"crs=.* is a (Geocentric|Vertical) CRS \(.*\), not one of places on the Earth's surface"
    with pytest.raises(ValueError, match=rf"^RasterDataset: {refused}"):
        RasterDataset(tmp_path, crs=crs)
    with pytest.raises(ValueError, match=rf"^RasterDataset: {refused}"):
        RasterDataset(tmp_path).to(crs)
    rmnp = write_vector(tmp_path / "square.geojson", [shapely.box(10.0, 49.9, 10.1, 50.0)], "EPSG:4326")
    with pytest.raises(ValueError, match=rf"^VectorDataset: {refused}"):
        VectorDataset(rmnp, crs=crs)


@pytest.mark.parametrize(
    ("spelt", "crs", "left", "res"),
    [
        ("+proj=utm +zone=33 +ellps=WGS84 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs", "EPSG:32633", 500_000.0, 10.0),
        ("+proj=longlat +ellps=WGS84 +towgs84=0,0,0 +no_defs", "EPSG:4326", 10.0, 0.01),
    ],
)
def test_a_file_whose_datum_is_wgs_84_by_a_null_shift_mosaics_without_a_warp(
    tmp_path: Path, warps: list[str], spelt: str, crs: str, left: float, res: float
) -> None:
    # A GeoTIFF written from a PROJ string with a null +towgs84 holds a user-defined datum ("Unknown based on
    # WGS 84 ellipsoid using towgs84=0,0,0,0,0,0,0"), which PROJ tells from WGS 84 by name: it was warped.
    west = write_raster(tmp_path / "west.tif", np.arange(100, dtype=np.float32).reshape(1, 10, 10) + 1, crs,
                        grid(left, 5_500_000.0 if res == 10.0 else 50.0, res))
    east = write_raster(tmp_path / "east.tif", np.arange(100, dtype=np.float32).reshape(1, 10, 10) + 201, spelt,
                        grid(left + 10 * res, 5_500_000.0 if res == 10.0 else 50.0, res))
    dataset = RasterDataset([west, east])
    assert dataset.res == (res, res)
    np.testing.assert_array_equal(dataset[dataset.bounds]["image"].numpy(), _read([west, east]))
    assert warps == []
    # A non-null shift (ED50's) is a datum of its own, still warped.
    other = write_raster(tmp_path / "ed50" / "east.tif", np.ones((1, 10, 10), dtype=np.float32),
                         "+proj=utm +zone=33 +ellps=intl +towgs84=-87,-98,-121 +units=m +no_defs",
                         grid(500_100.0, 5_500_000.0, 10.0))
    if res == 10.0:
        both = RasterDataset([west, other])
        both[both.bounds]
        assert str(west) in warps


@pytest.mark.parametrize("function", [RasterDataset.__init__, VectorDataset.__init__])
def test_crs_annotations_name_every_form_the_argument_takes(function: Any) -> None:
    # TorchGeo's own annotation is a pyproj CRS: code passing one (or a PROJJSON dict) failed a type check.
    accepted = typing.get_args(typing.get_type_hints(function)["crs"])
    assert {pyproj.CRS, rasterio.crs.CRS, str, int} <= set(accepted)
    assert any(typing.get_origin(kind) is collections.abc.Mapping for kind in accepted)


@pytest.mark.real_data
def test_a_real_file_on_a_datum_no_authority_names_is_read_in_its_epsg_equal_without_a_warp(
    real_data: Path, warps: list[str]
) -> None:
    # IGNF:ETRS89LAEA, its datum "Unknown_based_on_GRS80_ellipsoid": PROJ tells it from EPSG:3035 (ETRS89) by
    # name, though no point moves between them; read with crs='EPSG:3035' it was warped, res 500.00000000000006.
    path = real_data / "float_raster_with_nodata.tif"
    dataset = RasterDataset(path, crs="EPSG:3035")
    assert dataset.res == (500.0, 500.0)
    with rasterio.open(path) as source:
        np.testing.assert_array_equal(dataset[dataset.bounds]["image"].numpy(), source.read())
    assert warps == []


@pytest.mark.parametrize(
    ("spelt", "asked"),
    [
        # GOES-West's view read in GOES-East's: (0, 0) degrees, where the datum check probed, is off GOES-West's disc.
        ("+proj=geos +h=35786023 +lon_0=-137 +sweep=x +ellps=GRS80 +units=m", "+proj=geos +h=35786023 +lon_0=-75"
         " +sweep=x +ellps=GRS80 +units=m"),
        ("+proj=ortho +lat_0=60 +lon_0=100 +ellps=GRS80 +units=m",
         "+proj=ortho +lat_0=60 +lon_0=101 +ellps=GRS80 +units=m"),
    ],
    ids=["geostationary", "orthographic"],
)
def test_views_of_other_centres_on_a_datum_no_authority_names_are_warped(
    tmp_path: Path, warps: list[str], spelt: str, asked: str
) -> None:
    # Both views were taken as one CRS (points that neither could hold compared equal as infinities), so the file
    # was copied with its own coordinates as if taken from the other centre: tens of degrees off, silently.
    path = write_raster(tmp_path / "view.tif", np.arange(100, dtype=np.float32).reshape(1, 10, 10) + 1, spelt,
                        grid(0.0, 1_000_000.0, 2_000.0))
    dataset = RasterDataset(path, crs=asked)
    assert dataset.bounds[0] != 0.0
    dataset[dataset.bounds]
    assert warps == [str(path)]
    # The same view in another spelling of its datum is still read without a warp.
    same = RasterDataset(path, crs=spelt.replace("+ellps=GRS80", "+a=6378137 +rf=298.257222101 +towgs84=0,0,0"))
    assert same.res == (2_000.0, 2_000.0)
    same[same.bounds]
    assert warps == [str(path)]


def test_reads_compare_the_crs_objects_they_compared_before_without_parsing_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each read compares every file's CRS with the dataset's; by value, hashing each (its WKT) cost 2 x 10 us a
    # file a sample, about a fifth of a 64 px read of an image and its labels.
    dataset = RasterDataset(_tiles(tmp_path, "EPSG:32633", 500_000.0, 5_500_000.0, 10.0))
    first = dataset[dataset.bounds]["image"]
    compared: list[tuple[object, object]] = []
    by_value = geotorch.core.crs._same_meaning

    def counted(one: Any, other: Any) -> bool:
        compared.append((one, other))
        return by_value(one, other)

    monkeypatch.setattr(geotorch.core.crs, "_same_meaning", counted)
    assert torch.equal(dataset[dataset.bounds]["image"], first)
    assert compared == []
    # Other objects of the same CRS are still compared, by value.
    assert geotorch.core.crs.same_crs(rasterio.crs.CRS.from_epsg(32633), rasterio.crs.CRS.from_epsg(32633))
    assert len(compared) == 1
