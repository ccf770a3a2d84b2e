"""The windows of a streaming prediction over one output grid, and how its rows are split into chunks across ranks.

A chunk is a range of output rows that one process writes, with the window rows it
must run to write them: its own, plus the rows of windows above that reach into it
(the halo). Every process adds the windows touching a pixel in the same order, so a
pixel's blended value is the same bit for bit whichever process, and however many,
computed it.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from dataclasses import dataclass


def window_starts(length: int, size: int, stride: int, limits: tuple[int, int] | None = None) -> list[int]:
    """Where windows of ``size`` pixels start along an axis of ``length`` pixels, every ``stride`` pixels.

    The last window is moved back to end at the last pixel, so every pixel is covered and no
    window reaches past the axis. An axis shorter than ``size`` gets one window at 0, moved back
    to end at ``limits[1]`` when it would pass it and ``limits`` (readable pixels ``[low, high)``,
    around the axis) is at least ``size`` long; else it reaches past the axis.

    Args:
        length: pixels along the axis (positive).
        size: window size in pixels (positive).
        stride: step between window starts in pixels (positive).
        limits: readable pixels around the axis (default: the axis itself).

    Returns:
        Strictly increasing starts, in pixels from the axis's first pixel.

    Raises:
        ValueError: if ``length``, ``size`` or ``stride`` is below 1.
    """
    if length < 1 or size < 1 or stride < 1:
        raise ValueError(f"window_starts needs positive length, size and stride, got {length}, {size}, {stride}")
    if length <= size:
        low, high = limits if limits is not None else (0, length)
        return [min(0, high - size) if high - low >= size else 0]
    steps = math.ceil((length - size) / stride)
    return [*range(0, steps * stride, stride), length - size]


@dataclass(frozen=True)
class Chunk:
    """A range of one output's rows, written by one process, and the window rows it runs to write them.

    Attributes:
        output: the output's position in the list of outputs.
        rows: output rows ``[start, stop)`` this chunk writes.
        window_rows: positions ``[start, stop)`` in the output's window tops that this chunk runs,
            the halo above ``rows`` included.
        part: this chunk's position among its output's chunks.
    """

    output: int
    rows: tuple[int, int]
    window_rows: tuple[int, int]
    part: int


def row_chunks(output: int, tops: Sequence[int], size: int, height: int, parts: int) -> list[Chunk]:
    """Split an output's rows into at most ``parts`` chunks of about as many window rows each.

    A chunk owns the rows from its first window row's top to the next chunk's (its first
    from row 0, its last to ``height``): rows above a window row's top receive nothing from
    that row or any below, so they are final once the rows above are run. It also runs the
    window rows above it whose windows reach into its rows.

    Args:
        output: the output's position (kept in each chunk).
        tops: the output's window tops (see :func:`window_starts`).
        size: window height in pixels.
        height: the output's height in pixels.
        parts: how many chunks at most (the number of processes).

    Returns:
        The chunks, top first, owning every row once.
    """
    per_part = math.ceil(len(tops) / max(1, min(parts, len(tops))))
    firsts = list(range(0, len(tops), per_part))
    chunks = []
    for part, first in enumerate(firsts):
        stop = firsts[part + 1] if part + 1 < len(firsts) else len(tops)
        row_start = 0 if part == 0 else tops[first]
        row_stop = height if stop == len(tops) else tops[stop]
        # The first window row whose windows reach below row_start.
        halo = bisect.bisect_right([top + size for top in tops], row_start)
        chunks.append(Chunk(output, (row_start, row_stop), (min(halo, first), stop), part))
    return chunks


def assign(chunks: Sequence[Chunk], rank: int, world_size: int) -> list[Chunk]:
    """The chunks of ``rank``: every ``world_size``-th one, from the ``rank``-th, in order."""
    return list(chunks[rank::world_size])
