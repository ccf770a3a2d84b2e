"""Nearest and bilinear warps GeoTorch computes itself: GDAL's kernels at exact positions, the same for any query."""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from rasterio.enums import Resampling
from rasterio.io import DatasetReader
from rasterio.windows import Window

from geotorch.core.geotransform import footprint
from geotorch.core.grid import Grid
from geotorch.core.nearest import warp_nearest
from geotorch.core.resample import valid_source, warp_bilinear
from geotorch.core.warp_positions import Placement, lattice_step, placement, source_positions

#: The smallest kernel scale at which GDAL's bilinear warp takes the 4 pixels around a position alone.
_FOUR_PIXEL_SCALE = 0.95


class ExactWarp(NamedTuple):
    """What warping a window with exact source positions and GDAL's own kernel takes, beside the pixels.

    Nearest and bilinear warps between projected CRSs are computed so (see :func:`exact_warp`):
    each target pixel's value is then the same whichever query asks for it.

    Attributes:
        placement: the file and the target CRS (see :func:`geotorch.core.warp_positions.placement`).
        step: target pixels between the exact positions interpolated (see
            :func:`geotorch.core.warp_positions.lattice_step`).
        col_off: the window's first column in the file.
        row_off: the window's first row in the file.
        nearest: the kernel is nearest neighbour (else bilinear).
    """

    placement: Placement
    step: int
    col_off: int
    row_off: int
    nearest: bool = False


def exact_warp(
    source: DatasetReader,
    grid: Grid,
    resampling: Resampling,
    operation: str | None,
    window: Window,
    scale: tuple[float, float],
) -> ExactWarp | None:
    """How to warp ``window`` of ``source`` onto ``grid`` without GDAL; None where GDAL must.

    Computed here: nearest at any kernel scale (GDAL's nearest takes the pixel under the position
    whatever the scale) and bilinear at kernel scales of 0.95 and more (GDAL's 4-pixel kernel;
    below, GDAL widens the kernel), between projected CRSs joined by one pipeline (``operation``)
    or equal, where positions interpolated between exact ones every few target pixels stay
    within 0.01 px of exact. Where GDAL's approximate positions (up to 0.125 px off) fall across
    a source pixel's edge from the exact ones, nearest takes another pixel than GDAL's warp (the
    one under the exact centre: the right class).
    """
    nearest = resampling == Resampling.nearest
    if not nearest and (resampling != Resampling.bilinear or min(scale) < _FOUR_PIXEL_SCALE):
        return None
    where = placement(operation, source.crs, source.transform, grid)
    if where is None:
        return None

    def bounds() -> tuple[float, float, float, float]:
        from geotorch.core.crs import transform_bounds

        return transform_bounds(source.crs, grid.crs, *footprint(source.transform, source.width, source.height))

    step = lattice_step(where, grid, bounds)
    if step is None:
        return None
    return ExactWarp(where, step, int(window.col_off), int(window.row_off), nearest)


def computable(exact: ExactWarp, pixels: np.ndarray, missing: float | None, dtype: np.dtype[np.generic]) -> bool:
    """Whether :func:`warp_exactly` warps ``pixels`` into ``dtype`` as GDAL would.

    Bilinear: not 64-bit integers (GDAL's float64 rounds them), nor NaN beside numbers in one pixel.
    Nearest copies values: any integer or float pixels into their own type (GDAL's warp rounds
    64-bit integers, GeoTorch keeps them), or others but 64-bit integers and NaN into integers.
    """
    for kind in (pixels.dtype, dtype):
        if kind.kind not in "iuf" or (kind.kind in "iu" and kind.itemsize == 8 and pixels.dtype != dtype):
            return False
    if exact.nearest:
        return pixels.dtype == dtype or dtype.kind == "f" or pixels.dtype.kind != "f" or not np.isnan(pixels).any()
    if pixels.dtype.kind in "iu" and pixels.dtype.itemsize == 8:
        return False
    if pixels.dtype.kind == "f" and missing is not None and math.isnan(missing):
        nan = np.isnan(pixels)
        return bool((nan.all(axis=0) | ~nan.any(axis=0)).all())
    return pixels.dtype.kind != "f" or not np.isnan(pixels).any()


def warp_exactly(
    exact: ExactWarp,
    pixels: np.ndarray,
    missing: float | None,
    hidden: np.ndarray | None,
    grid: Grid,
    fill: float,
    dtype: np.dtype[np.generic],
    with_alpha: bool,
) -> tuple[np.ndarray, np.ndarray]:
    """Warp the window ``pixels`` onto ``grid`` at exact positions (see :func:`exact_warp`).

    Args: as :class:`geotorch.core.warp.PreparedWarp`'s fields, and the grid, fill and type of
        :func:`geotorch.core.warp.warp_prepared`.

    Returns:
        ``(bands, height, width)`` pixels of ``dtype`` and the boolean mask of target pixels that received data.
    """
    cols, rows = source_positions(exact.placement, grid, exact.step)
    cols -= exact.col_off
    rows -= exact.row_off
    valid = valid_source(pixels, missing, hidden)
    if exact.nearest:
        return warp_nearest(pixels, valid, cols, rows, dtype, fill, fill_marks=not with_alpha)
    return warp_bilinear(pixels, valid, cols, rows, dtype, fill, avoid_fill=not with_alpha)
