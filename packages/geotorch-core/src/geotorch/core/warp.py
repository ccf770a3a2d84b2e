"""Warping one file onto a target grid: read the needed source window once, warp it in memory."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import rasterio
from rasterio.enums import MaskFlags, Resampling
from rasterio.io import DatasetReader
from rasterio.transform import array_bounds
from rasterio.warp import calculate_default_transform, reproject
from rasterio.windows import Window, from_bounds

from geotorch.core.crs import transform_bounds

if TYPE_CHECKING:
    from geotorch.core.mosaic import Grid

#: Source pixels each resampling kernel reaches beyond a target pixel's footprint, at scale 1.
_KERNEL_RADIUS = {Resampling.nearest: 1, Resampling.bilinear: 1, Resampling.cubic: 2, Resampling.cubic_spline: 2,
                  Resampling.lanczos: 3}
_scales: dict[tuple[object, ...], tuple[float, float]] = {}


def kernel_scale(source: DatasetReader, grid: Grid) -> tuple[float, float]:
    """Target pixels per source pixel along x and y, both measured in the grid's CRS.

    GDAL sizes resampling kernels with this ratio. Left to itself it estimates
    the ratio from the source window each request needs, which grows with the
    rotation between CRSs and differs from one query shape to the next, so the
    same target pixel would get different values from different queries.
    The ratio depends only on the file and the target CRS and resolution, so it is computed once.
    """
    key = (source.name, source.crs, source.transform, source.width, source.height, grid.crs,
           grid.transform.a, grid.transform.e)
    scale = _scales.get(key)
    if scale is None:
        if source.crs == grid.crs:
            source_x, source_y = source.res
        else:
            native, _, _ = calculate_default_transform(source.crs, grid.crs, source.width, source.height,
                                                       *source.bounds)
            source_x, source_y = abs(native.a), abs(native.e)
        scale = (source_x / abs(grid.transform.a), source_y / abs(grid.transform.e))
        if len(_scales) > 4096:
            _scales.clear()
        _scales[key] = scale
    return scale


def _source_window(source: DatasetReader, grid: Grid, margin: int) -> Window | None:
    """The window of ``source`` that the target grid needs, widened by ``margin`` pixels and clipped to the file."""
    left, bottom, right, top = array_bounds(grid.height, grid.width, grid.transform)
    if source.crs != grid.crs:
        left, bottom, right, top = transform_bounds(grid.crs, source.crs, left, bottom, right, top)
    window = from_bounds(left, bottom, right, top, transform=source.transform)
    col0 = max(0, math.floor(window.col_off) - margin)
    row0 = max(0, math.floor(window.row_off) - margin)
    col1 = min(source.width, math.ceil(window.col_off + window.width) + margin)
    row1 = min(source.height, math.ceil(window.row_off + window.height) + margin)
    if col1 <= col0 or row1 <= row0:
        return None
    return Window(col0, row0, col1 - col0, row1 - row0)


def _has_mask_band(source: DatasetReader) -> bool:
    """Whether validity comes from a mask or alpha band, which only GDAL's dataset warp honours."""
    flags = source.mask_flag_enums[0]
    return MaskFlags.per_dataset in flags or MaskFlags.alpha in flags


def warp_onto_grid(
    source: DatasetReader, indexes: Sequence[int], grid: Grid, resampling: Resampling, out: np.ndarray, fill: float
) -> None:
    """Warp bands ``indexes`` of ``source`` into ``out`` (already filled with ``fill``) on ``grid``.

    Only the source window the grid needs (plus the kernel's reach) is read,
    through GDAL's block cache, and warped from memory; the result equals
    GDAL's warp of the whole file onto the same grid. Files whose validity
    lives in a mask or alpha band are warped by GDAL from the file itself.
    """
    scale_x, scale_y = kernel_scale(source, grid)
    options = {"XSCALE": scale_x, "YSCALE": scale_y}
    if _has_mask_band(source):
        reproject(source=rasterio.band(source, list(indexes)), destination=out, src_nodata=source.nodata,
                  dst_transform=grid.transform, dst_crs=grid.crs, dst_nodata=fill, resampling=resampling, **options)
        return
    reach = _KERNEL_RADIUS.get(resampling, 1) * math.ceil(max(1.0, 1 / scale_x, 1 / scale_y)) + 2
    window = _source_window(source, grid, reach)
    if window is None:
        return
    pixels = source.read(list(indexes), window=window)
    nodata = source.nodata
    # GDAL's fast nearest and bilinear kernels only run without a validity mask: skip the mask when no
    # source pixel is nodata. (Its fast cubic kernel rounds differently from the general one: not used.)
    exact_without_mask = resampling in (Resampling.nearest, Resampling.bilinear)
    if exact_without_mask and nodata is not None and not np.isnan(nodata) and not (pixels == nodata).any():
        nodata = None
    reproject(pixels, out, src_transform=source.window_transform(window), src_crs=source.crs,
              src_nodata=nodata, dst_transform=grid.transform, dst_crs=grid.crs, dst_nodata=fill,
              resampling=resampling, **options)
