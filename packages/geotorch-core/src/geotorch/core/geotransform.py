"""What any affine geotransform (north-up, flipped, rotated) covers on the ground, and its pixel size."""

from __future__ import annotations

import math
import warnings

from affine import Affine
from pyproj.exceptions import ProjError
from rasterio._err import CPLE_BaseError  # GDAL's errors: rasterio.errors does not export their base
from rasterio.crs import CRS
from rasterio.warp import calculate_default_transform

from geotorch.core.crs import same_crs, transform_bounds, transform_boxes


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
    """
    if same_crs(source, target):
        return res
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
