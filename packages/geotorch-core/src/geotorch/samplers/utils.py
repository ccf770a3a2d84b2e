"""Patch geometry shared by the samplers: sizes, chip counts and random boxes."""

from __future__ import annotations

import math
from collections.abc import Sequence
from numbers import Real
from typing import TypeAlias

import torch

from geotorch.core.bbox import BoundingBox
from geotorch.samplers.constants import Units

#: Share of a pixel (or of a stride) under which two lengths count as equal,
#: so that floating-point noise never adds or drops a patch position.
TOLERANCE = 1e-6

#: A patch size or stride: one number for a square, else ``(height, width)``.
Size: TypeAlias = float | Sequence[float]


def as_patch_size(value: Size, units: Units, res: tuple[float, float], name: str = "size") -> tuple[float, float]:
    """``(height, width)`` of a patch size or stride, in CRS units.

    Args:
        value: one positive number, or ``(height, width)``.
        units: whether ``value`` counts pixels or CRS units.
        res: the dataset's pixel size ``(x, y)``.
        name: the argument's name, for error messages.

    Returns:
        ``(height, width)`` in CRS units.

    Raises:
        ValueError: if ``value`` is not one or two positive finite numbers.
    """
    pair = tuple(value) if isinstance(value, Sequence) else (value, value)
    if len(pair) != 2 or not all(_is_positive(part) for part in pair):
        raise ValueError(f"{name}={value!r} must be a positive number or a (height, width) pair of positive numbers")
    height, width = float(pair[0]), float(pair[1])
    if units is Units.PIXELS:
        return height * res[1], width * res[0]
    return height, width


def _is_positive(part: object) -> bool:
    """Whether ``part`` is a finite number above 0 (not a bool)."""
    return isinstance(part, Real) and not isinstance(part, bool) and math.isfinite(part) and float(part) > 0


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


def tile_to_chips(
    bounds: BoundingBox, size: tuple[float, float], stride: tuple[float, float] | None = None
) -> tuple[int, int]:
    """How many rows and columns of chips a grid lays over ``bounds``.

    Args:
        bounds: the box to tile.
        size: ``(height, width)`` of a chip in CRS units.
        stride: ``(y, x)`` step between chips in CRS units (default: ``size``).

    Returns:
        ``(rows, columns)``; at least one of each, with the edge policy of
        :func:`chip_offsets`.
    """
    step = size if stride is None else stride
    rows = chip_offsets(bounds.maxy - bounds.miny, size[0], step[0])
    columns = chip_offsets(bounds.maxx - bounds.minx, size[1], step[1])
    return len(rows), len(columns)


def get_random_bounding_box(
    bounds: BoundingBox,
    size: tuple[float, float],
    res: tuple[float, float],
    generator: torch.Generator | None = None,
) -> BoundingBox:
    """A box of ``size`` at a random whole-pixel offset from the top-left corner of ``bounds``.

    Every such offset that keeps the box inside ``bounds`` is equally likely.

    Args:
        bounds: where the box must lie; its time interval is the box's.
        size: ``(height, width)`` in CRS units.
        res: pixel size ``(x, y)``: the step between possible positions.
        generator: source of randomness (torch's default generator when None).

    Returns:
        The box, inside ``bounds``.

    Raises:
        ValueError: if ``size`` does not fit in ``bounds``.
    """
    height, width = size
    free_columns = (bounds.maxx - bounds.minx - width) / res[0]
    free_rows = (bounds.maxy - bounds.miny - height) / res[1]
    if free_columns < -TOLERANCE or free_rows < -TOLERANCE:
        raise ValueError(f"get_random_bounding_box: size={size} (height, width) does not fit in {bounds}")
    column = int(torch.randint(math.floor(free_columns + TOLERANCE) + 1, (1,), generator=generator))
    row = int(torch.randint(math.floor(free_rows + TOLERANCE) + 1, (1,), generator=generator))
    minx = bounds.minx + column * res[0]
    maxy = bounds.maxy - row * res[1]
    return BoundingBox(minx, minx + width, maxy - height, maxy, bounds.mint, bounds.maxt)
