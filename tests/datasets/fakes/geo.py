"""Writers of small fake geospatial products (rasters, vectors, archives) for the geospatial dataset tests."""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import rasterio
from affine import Affine
from rasterio.crs import CRS
from rasterio.warp import transform_bounds


def write_raster(
    path: Path,
    data: np.ndarray,
    crs: str | int,
    left: float,
    top: float,
    res: float,
    nodata: float | None = None,
    driver: str = "GTiff",
) -> Path:
    """Write ``data`` (``(H, W)`` or ``(C, H, W)``) as a north-up raster whose top-left corner is ``(left, top)``."""
    bands = data[None] if data.ndim == 2 else data
    path.parent.mkdir(parents=True, exist_ok=True)
    profile: dict[str, Any] = {
        "driver": driver, "count": bands.shape[0], "height": bands.shape[1], "width": bands.shape[2],
        "dtype": bands.dtype, "crs": CRS.from_user_input(crs), "transform": Affine(res, 0.0, left, 0.0, -res, top),
    }
    if nodata is not None:
        profile["nodata"] = nodata
    if driver == "GTiff":
        profile["compress"] = "deflate"
    with rasterio.open(path, "w", **profile) as target:
        target.write(bands)
    return path


def stripes(shape: tuple[int, int], values: Sequence[int], dtype: str = "uint8", width: int = 4) -> np.ndarray:
    """A class raster of vertical stripes cycling through ``values``."""
    columns = (np.arange(shape[1]) // width) % len(values)
    return np.broadcast_to(np.asarray(values, dtype=dtype)[columns], shape).copy()


def reflectance(shape: tuple[int, int], seed: int, dtype: str = "uint16") -> np.ndarray:
    """A smooth positive image band."""
    rng = np.random.default_rng(seed)
    return rng.integers(7000, 20000, size=shape).astype(dtype)


def utm_corner(lon: float, lat: float, epsg: int, res: float = 30.0) -> tuple[float, float]:
    """``(left, top)`` in ``epsg`` of the point ``(lon, lat)``, snapped to ``res``."""
    left, bottom, _, _ = transform_bounds("EPSG:4326", f"EPSG:{epsg}", lon, lat, lon, lat)
    return round(left / res) * res, round(bottom / res) * res


def covering_grid(
    lonlat_bounds: tuple[float, float, float, float], epsg: int, res: float
) -> tuple[float, float, int, int]:
    """``(left, top, height, width)`` of a ``res`` grid in ``epsg`` covering ``(west, south, east, north)``."""
    left, bottom, right, top = transform_bounds("EPSG:4326", f"EPSG:{epsg}", *lonlat_bounds)
    left, top = np.floor(left / res) * res, np.ceil(top / res) * res
    return float(left), float(top), int(np.ceil((top - bottom) / res)), int(np.ceil((right - left) / res))


def write_landsat_scene(
    root: Path, product_id: str, bands: tuple[str, ...], epsg: int, lon: float, lat: float, size: int = 24,
    res: float = 30.0,
) -> Path:
    """Write a Collection 2 scene folder: ``{product_id}/{product_id}_{band}.TIF`` per band, plus its MTL text."""
    folder = root / product_id
    left, top = utm_corner(lon, lat, epsg, res)
    for number, band in enumerate(bands):
        write_raster(folder / f"{product_id}_{band}.TIF", reflectance((size, size), number), epsg, left, top, res,
                     nodata=0)
    (folder / f"{product_id}_MTL.txt").write_text("GROUP = LANDSAT_METADATA_FILE\n")
    return folder


def write_geojson(path: Path, polygons: Iterable[Sequence[tuple[float, float]]], properties: Iterable[dict[str, Any]],
                  epsg: int = 4326) -> Path:
    """Write polygons (rings of ``(x, y)``) with their properties as a GeoJSON FeatureCollection."""
    features = [
        {"type": "Feature", "properties": dict(props), "geometry": {"type": "Polygon", "coordinates": [list(ring)]}}
        for ring, props in zip(polygons, properties, strict=True)
    ]
    collection: dict[str, Any] = {"type": "FeatureCollection", "features": features}
    if epsg != 4326:
        collection["crs"] = {"type": "name", "properties": {"name": f"urn:ogc:def:crs:EPSG::{epsg}"}}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(collection))
    return path


def square(x: float, y: float, size: float) -> list[tuple[float, float]]:
    """A closed square ring with its lower-left corner at ``(x, y)``."""
    return [(x, y), (x + size, y), (x + size, y + size), (x, y + size), (x, y)]


def zip_files(archive: Path, files: Iterable[Path], base: Path) -> Path:
    """Zip ``files`` into ``archive`` under their paths relative to ``base``."""
    archive.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
        for path in files:
            bundle.write(path, path.relative_to(base).as_posix())
    return archive


def md5(path: Path) -> str:
    """The MD5 hex digest of ``path``."""
    return hashlib.md5(path.read_bytes()).hexdigest()


#: Bands of each L2A resolution folder (AOT, SCL, TCI and WVP left out).
S2_L2A_FOLDERS = {
    10: ("B02", "B03", "B04", "B08"),
    20: ("B01", "B02", "B03", "B04", "B05", "B06", "B07", "B8A", "B11", "B12"),
    60: ("B01", "B02", "B03", "B04", "B05", "B06", "B07", "B8A", "B09", "B11", "B12"),
}
S2_L1C_BANDS = ("B01", "B02", "B03", "B04", "B05", "B06", "B07", "B08", "B8A", "B09", "B10", "B11", "B12")


def write_sentinel2_safe(root: Path, level: str, tile: str = "32UPU", sensed: str = "20210101T103331",
                         epsg: int = 32632, extent: int = 240) -> Path:
    """Write a Sentinel-2 SAFE product (``level`` "L1C" or "L2A") with JP2 bands covering ``extent`` metres."""
    safe = root / f"S2A_MSI{level}_{sensed}_N0500_R108_T{tile}_20230101T000000.SAFE"
    img_data = safe / "GRANULE" / f"{level}_T{tile}_A028887_{sensed}" / "IMG_DATA"
    left, top = 600000.0, 5300040.0
    layout = {res: (img_data / f"R{res}m", bands, f"_{res}m") for res, bands in S2_L2A_FOLDERS.items()}
    if level == "L1C":
        layout = {0: (img_data, S2_L1C_BANDS, "")}
    for folder, bands, suffix in layout.values():
        for number, band in enumerate(bands):
            res = 10 if band in ("B02", "B03", "B04", "B08") else 60 if band in ("B01", "B09", "B10") else 20
            res = int(suffix[1:3]) if suffix else res
            data = reflectance((extent // res, extent // res), number + res)
            write_raster(folder / f"T{tile}_{sensed}_{band}{suffix}.jp2", data, epsg, left, top, res,
                         driver="JP2OpenJPEG")
    return safe


def write_shapefile(path: Path, polygons: Sequence[Sequence[tuple[float, float]]], field: str,
                    values: Sequence[str | None], epsg: int = 4326) -> Path:
    """Write polygons with one string attribute ``field`` (None: null) as an ESRI Shapefile and its companions."""
    import pyogrio.raw
    import shapely

    path.parent.mkdir(parents=True, exist_ok=True)
    geometries = np.array([shapely.Polygon(ring) for ring in polygons], dtype=object)
    pyogrio.raw.write(path, geometry=shapely.to_wkb(geometries), field_data=[np.array(values, dtype=object)],
                      fields=[field], geometry_type="Polygon", crs=f"EPSG:{epsg}", driver="ESRI Shapefile")
    return path
