"""What any affine geotransform (north-up, flipped, rotated) covers on the ground, and its pixel size."""

from __future__ import annotations

import math
import warnings

import numpy as np
from affine import Affine
from pyproj.exceptions import ProjError
from rasterio._err import CPLE_BaseError  # GDAL's errors: rasterio.errors does not export their base
from rasterio.crs import CRS
from rasterio.warp import calculate_default_transform

from geotorch.core.crs import same_crs, transform_bounds, transform_boxes, transformer


def is_north_up(transform: Affine) -> bool:
    """Whether rows run north to south and columns west to east, without rotation or shear."""
    return transform.b == 0 and transform.d == 0 and transform.a > 0 and transform.e < 0


def footprint(transform: Affine, width: int, height: int) -> tuple[float, float, float, float]:
    """Bounds ``(left, bottom, right, top)`` of a ``width`` x ``height`` grid: the box of its four corners.

    Unlike rasterio's ``bounds``, this holds for grids whose rows run south to
    north (positive y pixel size), whose columns run east to west, and for
    rotated or sheared grids: always ``left <= right`` and ``bottom <= top``.
    """
    corners = [transform * corner for corner in ((0, 0), (width, 0), (0, height), (width, height))]
    xs, ys = [x for x, _ in corners], [y for _, y in corners]
    return min(xs), min(ys), max(xs), max(ys)


def ground_res(transform: Affine) -> tuple[float, float]:
    """Ground size ``(x, y)`` of one pixel, in CRS units, as its north-up equivalent has it.

    The lengths of a column step and a row step, the one that runs more along the
    CRS's x axis giving x: a grid turned by 90 degrees whose columns step 30 m north
    and rows 10 m east has 10 m along x and 30 m along y, ``(10.0, 30.0)``. Positive
    whatever the grid's orientation: a south-up grid with ``e = +30`` and a grid
    rotated by any angle with 30 m pixels both give ``(30.0, 30.0)``.
    """
    column_step, row_step = math.hypot(transform.a, transform.d), math.hypot(transform.b, transform.e)
    # |cos| of each step's angle to the x axis, compared without dividing: turned by more than 45 degrees,
    # rows run along x.
    if abs(transform.b) * column_step > abs(transform.a) * row_step:
        return row_step, column_step
    return column_step, row_step


def res_in(
    source: CRS, target: CRS, bounds: tuple[float, float, float, float], res: tuple[float, float]
) -> tuple[float, float]:
    """The pixel size ``(x, y)`` in ``target`` units that GDAL suggests for a grid warped from ``source``.

    Args:
        source: the grid's CRS.
        target: the CRS to express the pixel size in.
        bounds: the grid's footprint ``(left, bottom, right, top)`` in ``source``
            (see :func:`footprint`).
        res: its ground pixel size in ``source`` units (see :func:`ground_res`).

    The grid stands for the north-up grid of the same pixel size covering its
    footprint, so flipped and rotated grids get the pixel size of their
    north-up equivalent. For a footprint crossing the antimeridian of ``target``
    GDAL's suggestion would span the whole world; the pixel size is then GDAL's
    rule (the footprint's diagonal in ``target`` over its diagonal in pixels)
    applied to the two sides laid end to end. The same rule serves where GDAL
    cannot suggest a grid at all (a footprint around the pole that ``target``
    sends to infinity, such as Antarctica in a north polar stereographic CRS:
    GDAL refuses the "too big" grid it computes).

    Where that pixel size is over :data:`RES_RATIO_LIMIT` times the median size of the grid's own
    pixels in ``target`` (see :func:`local_res`), the median is taken instead: both rules divide
    the footprint's extent in ``target`` by its pixels, and a footprint reaching a point that
    ``target`` sends far away (the whole globe in a polar stereographic CRS, whose opposite pole
    lies at infinity) has an extent no pixel of it has: 1e21 m pixels for a 1-degree grid.
    """
    if same_crs(source, target):
        return res
    suggested = _suggested_res(source, target, bounds, res)
    local = local_res(source, target, bounds, res)
    if local is not None and max(suggested) > RES_RATIO_LIMIT * local:
        return local, local
    return suggested


def local_res(
    source: CRS, target: CRS, bounds: tuple[float, float, float, float], res: tuple[float, float]
) -> float | None:
    """The median size in ``target`` units of the grid's pixels at 7 x 7 places over its footprint.

    A pixel's size there is the mean length of its x and y steps taken to ``target``.

    Returns:
        The median, or None where ``target`` expresses none of those pixels.
    """
    left, bottom, right, top = bounds
    # Places a pixel in from the footprint's edges, so that each step stays on the grid.
    grid_x, grid_y = np.meshgrid(np.linspace(left + res[0], right - 2 * res[0], 7),
                                 np.linspace(bottom + res[1], top - 2 * res[1], 7))
    xs, ys = grid_x.ravel(), grid_y.ravel()
    move = transformer(source, target)
    with np.errstate(invalid="ignore"):
        x0, y0 = (np.asarray(value, dtype=np.float64) for value in move.transform(xs, ys, errcheck=False))
        x1, y1 = (np.asarray(value, dtype=np.float64) for value in move.transform(xs + res[0], ys, errcheck=False))
        x2, y2 = (np.asarray(value, dtype=np.float64) for value in move.transform(xs, ys + res[1], errcheck=False))
        sizes = (np.hypot(x1 - x0, y1 - y0) + np.hypot(x2 - x0, y2 - y0)) / 2
    sizes = sizes[np.isfinite(sizes) & (sizes > 0)]
    return float(np.median(sizes)) if sizes.size else None


def _suggested_res(
    source: CRS, target: CRS, bounds: tuple[float, float, float, float], res: tuple[float, float]
) -> tuple[float, float]:
    """:func:`res_in`'s pixel size by GDAL's suggestion, or by its rule where GDAL suggests none."""
    left, bottom, right, top = bounds
    width = max(1, round((right - left) / res[0]))
    height = max(1, round((top - bottom) / res[1]))
    try:
        sides = transform_boxes(source, target, left, bottom, right, top)
    except ProjError:
        # No box holds the footprint (a pole ``target`` sends to infinity): its edges still give a pixel size.
        sides = [transform_bounds(source, target, left, bottom, right, top)]
    if len(sides) == 1:
        try:
            native, _, _ = calculate_default_transform(source, target, width, height, left, bottom, right, top)
            return abs(native.a), abs(native.e)
        except CPLE_BaseError:
            pass
    span_x = sum(side[2] - side[0] for side in sides)
    span_y = max(side[3] for side in sides) - min(side[1] for side in sides)
    size = math.hypot(span_x, span_y) / math.hypot(width, height)
    return size, size


#: How many times finer or coarser than the files' pixels a given ``res`` may be before it is taken for a slip of units.
RES_RATIO_LIMIT = 1000.0


def warn_of_unlikely_res(owner: str, res: tuple[float, float], native: tuple[float, float], crs: CRS) -> None:
    """Warn when ``res`` is over :data:`RES_RATIO_LIMIT` times finer or coarser than the files' pixel size.

    Such a ``res`` is most likely in other units than the CRS's (metres for a geographic CRS, whose
    ``res`` is in degrees, or degrees for a projected one): every sample would then be one pixel, or
    a chip of trillions of pixels that no memory holds.

    Args:
        owner: the dataset class's name, for the message.
        res: the ``res`` given, ``(x, y)`` in ``crs`` units.
        native: the first file's pixel size in ``crs`` units (see :func:`res_in`).
        crs: the dataset's CRS.
    """
    ratios = [given / own for given, own in zip(res, native, strict=True) if own > 0]
    if all(1 / RES_RATIO_LIMIT <= ratio <= RES_RATIO_LIMIT for ratio in ratios):
        return
    from pyproj import CRS as ProjCRS

    unit = ProjCRS.from_wkt(crs.to_wkt()).axis_info[0].unit_name
    farthest = max(ratios, key=lambda ratio: max(ratio, 1 / ratio))
    warnings.warn(
        f"{owner}: res={res} is {farthest:.3g} times the files' pixel size ({native[0]:.6g}, {native[1]:.6g}) "
        f"in {crs.to_string()}; res is in the CRS's units ({unit}): give it in {unit}",
        UserWarning,
        stacklevel=3,
    )
