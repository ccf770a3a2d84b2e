"""Patch geometry shared by the samplers: sizes, chip counts and random boxes."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TypeAlias

import torch

from geotorch.core.bbox import BoundingBox
from geotorch.samplers.arguments import as_pair, as_units
from geotorch.samplers.constants import Units

#: Share of a pixel (or of a stride) under which two lengths count as equal,
#: so that floating-point noise never adds or drops a patch position.
TOLERANCE = 1e-6

#: A patch size or stride: one number for a square, else ``(height, width)``.
Size: TypeAlias = float | Sequence[float]


def as_patch_size(
    value: Size, units: Units, res: tuple[float, float], name: str = "size", owner: str = ""
) -> tuple[float, float]:
    """``(height, width)`` of a patch size or stride, in CRS units.

    Args:
        value: one positive number, or ``(height, width)``.
        units: whether ``value`` counts pixels or CRS units.
        res: the dataset's pixel size ``(x, y)``.
        name: the argument's name, for error messages.
        owner: the sampler it was given to, for error messages.

    Returns:
        ``(height, width)`` in CRS units.

    Raises:
        TypeError: if ``value`` is not one or two numbers, or ``units`` is not a :class:`Units` value.
        ValueError: if a number is NaN, infinite, zero or negative.
    """
    height, width = as_pair(value, name, owner)
    if as_units(units, owner) is Units.PIXELS:
        return height * res[1], width * res[0]
    return height, width


def chip_offsets(extent: float, size: float, stride: float) -> list[float]:
    """Offsets of the chips along one axis of length ``extent``, from its start.

    Chips start every ``stride``; the last one is shifted back to end exactly
    at ``extent``, so no chip reaches past it and the whole extent is covered
    when ``stride <= size``. An extent shorter than ``size`` gets one chip at
    offset 0.
    """
    steps = math.ceil((extent - size) / stride - TOLERANCE)
    if steps <= 0:
        return [0.0]
    return [index * stride for index in range(steps)] + [extent - size]


def tile_to_chips(bounds: BoundingBox, size: Size, stride: Size | None = None) -> tuple[int, int]:
    """How many rows and columns of chips a grid lays over ``bounds``.

    Args:
        bounds: the box to tile.
        size: ``(height, width)`` of a chip in CRS units, or one number for both.
        stride: ``(y, x)`` step between chips in CRS units, or one number for
            both (default: ``size``).

    Returns:
        ``(rows, columns)``; at least one of each, with the edge policy of
        :func:`chip_offsets`.

    Raises:
        TypeError: if ``size`` or ``stride`` is not one or two numbers.
        ValueError: if a number is NaN, infinite, zero or negative.
    """
    height, width = as_pair(size, "size", "tile_to_chips")
    step_y, step_x = (height, width) if stride is None else as_pair(stride, "stride", "tile_to_chips")
    rows = chip_offsets(bounds.maxy - bounds.miny, height, step_y)
    columns = chip_offsets(bounds.maxx - bounds.minx, width, step_x)
    return len(rows), len(columns)


def get_random_bounding_box(
    bounds: BoundingBox,
    size: Size,
    res: Size,
    generator: torch.Generator | None = None,
) -> BoundingBox:
    """A box of ``size`` at a random whole-pixel offset from the top-left corner of ``bounds``.

    Every such offset that keeps the box inside ``bounds`` is equally likely.

    Args:
        bounds: where the box must lie; its time interval is the box's.
        size: ``(height, width)`` in CRS units, or one number for both.
        res: pixel size ``(x, y)``, or one number for both: the step between possible positions.
        generator: source of randomness (torch's default generator when None).

    Returns:
        The box, inside ``bounds``.

    Raises:
        TypeError: if ``size`` or ``res`` is not one or two numbers.
        ValueError: if a number is NaN, infinite, zero or negative, or ``size``
            does not fit in ``bounds``.
    """
    height, width = as_pair(size, "size", "get_random_bounding_box")
    res_x, res_y = as_pair(res, "res", "get_random_bounding_box")
    free_columns = (bounds.maxx - bounds.minx - width) / res_x
    free_rows = (bounds.maxy - bounds.miny - height) / res_y
    if free_columns < -TOLERANCE or free_rows < -TOLERANCE:
        raise ValueError(f"get_random_bounding_box: size={size} (height, width) does not fit in {bounds}")
    column = int(torch.randint(math.floor(free_columns + TOLERANCE) + 1, (1,), generator=generator))
    row = int(torch.randint(math.floor(free_rows + TOLERANCE) + 1, (1,), generator=generator))
    minx = bounds.minx + column * res_x
    maxy = bounds.maxy - row * res_y
    return BoundingBox(minx, minx + width, maxy - height, maxy, bounds.mint, bounds.maxt)
