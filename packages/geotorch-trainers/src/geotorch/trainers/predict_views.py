"""An input of ``predict_raster`` on its output's grid: the grid found on a CRS, the file read or warped onto it."""

from __future__ import annotations

import math

from affine import Affine
from pyproj import Transformer
from rasterio.crs import CRS
from rasterio.enums import ColorInterp, Resampling
from rasterio.io import DatasetReader
from rasterio.vrt import WarpedVRT
from rasterio.warp import calculate_default_transform, transform_bounds

from geotorch.core import open_raster, same_crs
from geotorch.trainers.predict_cog import Grid


def open_view(
    source: str,
    crs: CRS | None,
    res: float | tuple[float, float] | None,
    grid: Grid,
    nodata: float | None = None,
) -> DatasetReader | WarpedVRT:
    """``source`` opened on the output's grid: the file itself (on its own grid), or a bilinear warp onto ``grid``.

    A file without a nodata value of its own is warped with ``nodata`` (``predict_raster``'s): its
    pixels of that value are left out of the bilinear kernels and the footprint's outside is that
    value. A warp gets an alpha band (after the file's bands) when the file has neither a nodata value
    nor an alpha band and no ``nodata`` is given, so its footprint is known (whatever its number of bands). A file in
    longitude and latitude that reaches past 180° east or west (179° to 181°, a 0° to 360°
    grid) is warped with its longitudes counted around its own middle (see
    :func:`wrapped_crs`), so both sides of the antimeridian are read. A URL or
    virtual path is opened with GDAL's settings for remote reads (:func:`geotorch.core.open_raster`),
    in the calling thread (GDAL's settings are per thread).

    Raises:
        rasterio.errors.RasterioIOError: if a local ``source`` is not a raster GDAL can open.
        geotorch.core.RasterReadError: if a remote one cannot be opened, naming it and GDAL's error.
    """
    reader = open_raster(source)
    if crs is None or _is_own_grid(reader, grid):
        return reader
    has_alpha = any(role.name == "alpha" for role in reader.colorinterp)
    given = {"src_nodata": nodata, "nodata": nodata} if reader.nodata is None and nodata is not None else {}
    return WarpedVRT(
        reader,
        src_crs=wrapped_crs(reader),
        crs=grid.crs,
        transform=grid.transform,
        width=grid.width,
        height=grid.height,
        resampling=Resampling.bilinear,
        add_alpha=reader.nodata is None and not has_alpha and not given,
        **given,
    )


def own_grid(reader: DatasetReader, crs: CRS, res: float | tuple[float, float] | None) -> Grid | None:
    """``reader``'s own grid, on ``crs``, where ``crs`` is the file's CRS however spelt and ``res`` its pixel size.

    Warped onto its own CRS, a file would get GDAL's suggestion for its grid, rounded off
    (0.0010000000000000141 x 0.0010000000000001564 for pixels of 0.001 degrees), through a
    warp that only resamples the file onto itself; on its own grid it is read as it is.

    Returns:
        The grid, or None where the file is to be warped: it lies in another CRS, ``res`` is
        another size, its grid is rotated or south-up, or its longitudes pass ±180°.
    """
    transform = reader.transform
    if reader.crs is None or not same_crs(reader.crs, crs) or wrapped_crs(reader) is not None:
        return None
    if transform.b != 0 or transform.d != 0 or transform.e >= 0:
        return None
    if res is not None:
        x, y = res if isinstance(res, (tuple, list)) else (res, res)
        if (float(x), float(y)) != (transform.a, -transform.e):
            return None
    return Grid(crs, transform, reader.height, reader.width)


def warped_grid(reader: DatasetReader, crs: CRS, target: CRS, res: float | tuple[float, float] | None) -> Grid:
    """``reader``'s grid warped onto ``crs``: GDAL's top-left corner and pixel size (else ``res``), GDAL's pixels.

    The pixels are those of the file's footprint in ``crs`` (its edges densified, as a
    :class:`~geotorch.core.RasterDataset` indexes it) whose centres it holds (see
    :func:`.predict_grid.pixels_covering`), as ``gdalwarp -t_srs`` (and ``-tr``) lays them and
    ``geotorch predict``'s writer does: rasterio rounds them up where ``res`` is given.

    Args:
        reader: the input file.
        crs: the output's CRS.
        target: the CRS to find the grid in (``crs``, with longitudes past 180° where the footprint crosses the
            antimeridian: see :func:`grid_crs`).
        res: the pixel size in ``crs`` units, or None for GDAL's suggestion.

    Returns:
        The grid (in ``crs``); 0 rows or columns where GDAL finds none.
    """
    from geotorch.trainers.predict_grid import pixels_covering

    transform, width, height = calculate_default_transform(
        reader.crs, target, reader.width, reader.height, *reader.bounds
    )
    x, y = (abs(transform.a), abs(transform.e)) if res is None else _res_pair(res)
    west, south, east, north = reader.bounds
    left, bottom, right, top = Transformer.from_crs(reader.crs, target, always_xy=True).transform_bounds(
        west, south, east, north, densify_pts=21
    )
    if math.isfinite(left + bottom + right + top) and left < right and bottom < top and width and height:
        width, height = pixels_covering(right - left, x), pixels_covering(top - bottom, y)
    elif res is not None:
        _, width, height = calculate_default_transform(
            reader.crs, target, reader.width, reader.height, *reader.bounds, resolution=res
        )
    return Grid(crs, Affine(x, 0, transform.c, 0, -y, transform.f), int(height or 0), int(width or 0))


def _res_pair(res: float | tuple[float, float]) -> tuple[float, float]:
    """``res`` as ``(x, y)`` floats."""
    x, y = res if isinstance(res, (tuple, list)) else (res, res)
    return float(x), float(y)


def _is_own_grid(reader: DatasetReader, grid: Grid) -> bool:
    """Whether ``grid`` is ``reader``'s own grid (see :func:`own_grid`): read, not warped, onto it."""
    return (
        reader.crs is not None
        and same_crs(reader.crs, grid.crs)
        and reader.transform == grid.transform
        and (reader.height, reader.width) == (grid.height, grid.width)
    )


def wrapped_crs(reader: DatasetReader) -> CRS | None:
    """The CRS to warp ``reader`` from: its own, but longitudes wrapped around its middle when they pass ±180°.

    GDAL's warper finds the source pixel of each output pixel by projecting the output pixel back
    to longitude and latitude, which come in -180° to 180°: a file whose longitudes run from 179°
    to 181° (or 0° to 360°) is then read only west of 180°, and half the output was nodata. With
    PROJ's ``+lon_wrap`` at the file's middle longitude, the longitudes come back in the file's
    own range.

    Returns:
        A geographic CRS with ``+lon_wrap``, or None (the file's own CRS) when ``reader`` is not in
        longitude and latitude or lies within -180° to 180°.
    """
    crs = reader.crs
    if crs is None or not crs.is_geographic:
        return None
    west, east = sorted((reader.bounds.left, reader.bounds.right))
    if west >= -180 and east <= 180:
        return None
    return CRS.from_proj4(f"{crs.to_proj4()} +lon_wrap={(west + east) / 2}")


def grid_crs(reader: DatasetReader, crs: CRS) -> CRS:
    """The CRS to find ``reader``'s output grid on ``crs`` in: ``crs``, with longitudes past 180° when it must.

    GDAL's grid for a file whose footprint crosses the antimeridian in a geographic ``crs`` (a UTM
    zone 60 scene over 179.7° E to 179.7° W) spans -180° to 180°: one row of pixels half a degree
    high, a silently useless output. Found with PROJ's ``+lon_wrap=180``, the grid runs east of
    180° (179.7° to 180.3°), which a GeoTIFF in ``crs`` holds as it is and GDAL's warp fills.

    Returns:
        ``crs`` with ``+lon_wrap=180`` when it is geographic and the file's footprint crosses the
        antimeridian in it; else ``crs`` itself.
    """
    if not crs.is_geographic or reader.crs is None:
        return crs
    west, _, east, _ = transform_bounds(reader.crs, crs, *reader.bounds)
    if west <= east:
        return crs
    return CRS.from_proj4(f"{crs.to_proj4()} +lon_wrap=180")


def close_view(view: DatasetReader | WarpedVRT) -> None:
    """Close a view from :func:`open_view`, and its file."""
    view.close()
    if isinstance(view, WarpedVRT):
        view.src_dataset.close()


def image_bands(view: DatasetReader | WarpedVRT) -> list[int]:
    """The band numbers (from 1) of ``view``'s image: every band but an alpha band, wherever the alpha band lies.

    A GeoTIFF's alpha band comes after its image bands, but a virtual raster (or its warp) may put it
    anywhere (gray, alpha, near-infrared): the model is given the image bands, not the first bands.
    """
    return [number for number, role in enumerate(view.colorinterp, 1) if role != ColorInterp.alpha]


def alpha_band(view: DatasetReader | WarpedVRT) -> int | None:
    """The number (from 1) of ``view``'s alpha band, or None."""
    return next((number for number, role in enumerate(view.colorinterp, 1) if role == ColorInterp.alpha), None)
