"""Patch geometry shared by the samplers: sizes in whole pixels, chip counts and random boxes."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TypeAlias

import numpy as np
import torch

from geotorch.core.bbox import LATTICE_TOLERANCE, BoundingBox
from geotorch.core.grid import MAX_PIXELS_PER_SIDE
from geotorch.samplers.arguments import as_pair, as_units
from geotorch.samplers.constants import MAX_WINDOWS, Units

#: Share of a pixel (or of a stride) under which two lengths count as equal,
#: so that floating-point noise never adds or drops a patch position.
TOLERANCE = 1e-6

#: A patch size or stride: one number for a square, else ``(height, width)``.
Size: TypeAlias = float | Sequence[float]


def edge_slack(value: float, res: float) -> float:
    """How far an roi edge at ``value`` may lie from a pixel edge of ``res`` and still count as on it.

    A millionth of a pixel, or, while under a quarter of a pixel, the spacing of float32 numbers
    at ``value``: an roi given in float32 (a tensor's, a float32 array's) lies up to that far from
    the float64 coordinates of the files (499990.3 is 499990.3125 in float32, 4122816.7 is
    4122816.75), and cut there it would lose a row or column of pixels.
    """
    spacing = float(np.spacing(np.float32(abs(value))))
    return max(LATTICE_TOLERANCE * res, spacing if spacing < res / 4 else 0.0)


def on_pixel_edges(part: BoundingBox, anchor: BoundingBox, res: tuple[float, float]) -> BoundingBox:
    """``part`` with each edge within :func:`edge_slack` of a pixel edge moved onto it.

    The grid is that of ``res`` pixels from ``anchor``'s top-left corner (an index entry's).
    """
    edges = []
    for value, origin, step in (
        (part.minx, anchor.minx, res[0]), (part.maxx, anchor.minx, res[0]),
        (part.miny, anchor.maxy, res[1]), (part.maxy, anchor.maxy, res[1]),
    ):
        nearest = origin + round((value - origin) / step) * step
        edges.append(nearest if abs(value - nearest) <= edge_slack(value, step) else value)
    minx, maxx, miny, maxy = edges
    return BoundingBox(minx, maxx, miny, maxy, part.mint, part.maxt)


def as_pixels(
    value: Size, units: Units, res: tuple[float, float], name: str = "size", owner: str = ""
) -> tuple[int, int]:
    """``(rows, columns)``: a patch size or stride in whole pixels of the dataset's grid.

    Windows and strides of the samplers are whole pixels, so every window
    lines up with the pixels of the file it is laid on and reads need no
    resampling. A value between whole pixels (``2.5`` pixels, or 25 m at 10 m
    in CRS units) is rounded to the nearest, halves up.

    Args:
        value: one positive number, or ``(height, width)``.
        units: whether ``value`` counts pixels or CRS units.
        res: the dataset's pixel size ``(x, y)``.
        name: the argument's name, for error messages.
        owner: the sampler it was given to, for error messages.

    Returns:
        ``(height, width)`` in pixels, each from 1 to :data:`MAX_PIXELS_PER_SIDE`.

    Raises:
        TypeError: if ``value`` is not one or two numbers, or ``units`` is not a :class:`Units` value.
        ValueError: if a number is NaN, infinite, zero or negative, under half a
            pixel (it would round to no pixel) or over :data:`MAX_PIXELS_PER_SIDE` pixels.
    """
    height, width = as_pair(value, name, owner)
    if as_units(units, owner) is Units.CRS:
        height, width = height / res[1], width / res[0]
    prefix = f"{owner}: " if owner else ""
    counts = []
    for pixels, axis in ((height, "height"), (width, "width")):
        if pixels > MAX_PIXELS_PER_SIDE:
            raise ValueError(
                f"{prefix}{name}={value!r} is {pixels:.4g} pixels in {axis} at res {res}: more than the "
                f"{MAX_PIXELS_PER_SIDE} (2**31 - 1) pixels GDAL reads along a side"
            )
        whole = math.floor(pixels + 0.5)
        if whole < 1:
            raise ValueError(
                f"{prefix}{name}={value!r} is {pixels:.4g} pixels in {axis} at res {res}: windows and strides "
                f"are whole pixels, so it must be at least half a pixel (it is rounded to the nearest pixel)"
            )
        counts.append(whole)
    return counts[0], counts[1]


def as_patch_size(
    value: Size, units: Units, res: tuple[float, float], name: str = "size", owner: str = ""
) -> tuple[float, float]:
    """``(height, width)`` of a patch size or stride in CRS units, a whole number of pixels each.

    Args:
        value: one positive number, or ``(height, width)``.
        units: whether ``value`` counts pixels or CRS units.
        res: the dataset's pixel size ``(x, y)``.
        name: the argument's name, for error messages.
        owner: the sampler it was given to, for error messages.

    Returns:
        ``(height, width)`` in CRS units: :func:`as_pixels` times ``res``.

    Raises:
        TypeError: if ``value`` is not one or two numbers, or ``units`` is not a :class:`Units` value.
        ValueError: as :func:`as_pixels`.
    """
    rows, columns = as_pixels(value, units, res, name, owner)
    return rows * res[1], columns * res[0]


def _chips_along(extent: float, size: float, stride: float) -> float:
    """Chips along one axis of length ``extent`` (see :func:`tile_to_chips`); ``inf`` past any count."""
    steps = (extent - size) / stride - TOLERANCE
    if not steps <= MAX_WINDOWS:
        return math.inf
    return 1.0 if steps <= 0 else math.ceil(steps) + 1.0


def tile_to_chips(bounds: BoundingBox, size: Size, stride: Size | None = None) -> tuple[int, int]:
    """How many rows and columns of chips a grid lays over ``bounds``.

    Chips start every ``stride`` from the top-left corner; the last row and
    column are shifted back to end exactly at the far edges, so no chip
    reaches past them and, with ``stride <= size``, the whole box is covered.
    A box shorter than ``size`` along an axis gets one chip along it.

    Args:
        bounds: the box to tile.
        size: ``(height, width)`` of a chip in CRS units, or one number for both.
        stride: ``(y, x)`` step between chips in CRS units, or one number for
            both (default: ``size``).

    Returns:
        ``(rows, columns)``, at least one of each.

    Raises:
        TypeError: if ``size`` or ``stride`` is not one or two numbers.
        ValueError: if a number is NaN, infinite, zero or negative, or the grid
            would hold more than :data:`MAX_WINDOWS` chips.
    """
    height, width = as_pair(size, "size", "tile_to_chips")
    step_y, step_x = (height, width) if stride is None else as_pair(stride, "stride", "tile_to_chips")
    rows = _chips_along(bounds.maxy - bounds.miny, height, step_y)
    columns = _chips_along(bounds.maxx - bounds.minx, width, step_x)
    if rows * columns > MAX_WINDOWS:
        given = f"size={size!r}" if stride is None else f"size={size!r}, stride={stride!r}"
        raise ValueError(
            f"tile_to_chips: {given} would lay {rows:.4g} x {columns:.4g} chips over {bounds}: more than "
            f"{MAX_WINDOWS} (2**40); use a larger stride"
        )
    return int(rows), int(columns)


def get_random_bounding_box(
    bounds: BoundingBox,
    size: Size,
    res: Size,
    generator: torch.Generator | None = None,
) -> BoundingBox:
    """A box of ``size`` at a random whole-pixel offset from the top-left corner of ``bounds``.

    Every such offset that keeps the box inside ``bounds`` is equally likely.
    The box's top-left corner lies on the ``res`` grid anchored at the top-left
    corner of ``bounds``; its other corners too when ``size`` is a whole
    number of pixels.

    Args:
        bounds: where the box must lie; its time interval is the box's.
        size: ``(height, width)`` in CRS units, or one number for both.
        res: pixel size ``(x, y)``, or one number for both: the step between possible positions.
        generator: source of randomness (torch's default generator when None).

    Returns:
        The box, inside ``bounds``.

    Raises:
        TypeError: if ``size`` or ``res`` is not one or two numbers.
        ValueError: if a number is NaN, infinite, zero or negative, ``size``
            does not fit in ``bounds``, or ``res`` is so small that an axis has
            more than :data:`MAX_WINDOWS` positions.
    """
    height, width = as_pair(size, "size", "get_random_bounding_box")
    res_x, res_y = as_pair(res, "res", "get_random_bounding_box")
    free_columns = (bounds.maxx - bounds.minx - width) / res_x
    free_rows = (bounds.maxy - bounds.miny - height) / res_y
    if free_columns < -TOLERANCE or free_rows < -TOLERANCE:
        raise ValueError(f"get_random_bounding_box: size={size} (height, width) does not fit in {bounds}")
    for free, axis in ((free_columns, "x"), (free_rows, "y")):
        if not free < MAX_WINDOWS:
            raise ValueError(
                f"get_random_bounding_box: res={res!r} gives {free + 1:.4g} positions along {axis} in {bounds}: "
                f"more than {MAX_WINDOWS} (2**40); use a coarser res"
            )
    column = int(torch.randint(math.floor(free_columns + TOLERANCE) + 1, (1,), generator=generator))
    row = int(torch.randint(math.floor(free_rows + TOLERANCE) + 1, (1,), generator=generator))
    minx = bounds.minx + column * res_x
    maxy = bounds.maxy - row * res_y
    return BoundingBox(minx, minx + width, maxy - height, maxy, bounds.mint, bounds.maxt)
