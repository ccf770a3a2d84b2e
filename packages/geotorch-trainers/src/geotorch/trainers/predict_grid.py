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


def owned_span(starts: Sequence[int], start: int, limits: tuple[int, int]) -> tuple[int, int]:
    """The pixels ``[first, stop)`` of ``limits`` that the window at ``start`` owns along an axis.

    A pixel is owned by the last window starting at or before it, so each pixel of ``limits``
    has exactly one owner among ``starts`` (see :func:`window_starts`), however much the windows
    overlap: counted in their owned spans only, the pixels of overlapping windows are counted once.

    Args:
        starts: the axis's window starts, strictly increasing.
        start: one of them.
        limits: the pixels ``[low, high)`` of interest (a chunk's rows or columns).

    Returns:
        The span, empty (``first >= stop``) where the window owns none of ``limits``.
    """
    following = bisect.bisect_right(starts, start)
    stop = starts[following] if following < len(starts) else limits[1]
    return max(start, limits[0]), min(stop, limits[1])


def pixels_covering(extent: float, pixel: float) -> int:
    """Pixels of size ``pixel`` from one edge of ``extent`` whose centres lie inside it: ``extent / pixel`` rounded.

    GDAL's rule for a warp's grid (``gdalwarp``, with or without ``-tr``): a last pixel more than
    half inside the extent is kept, as a nearest-neighbour warp finds data at its centre; one
    less than half inside is left out, as that warp finds none there.
    """
    return math.floor(extent / pixel + 0.5)


#: Columns of an output that one chunk writes at most: wider outputs are cut into column tiles,
#: each blended alone (with the windows that reach into it from either side), so that the rows
#: held in memory do not grow with the output's width either.
COLUMN_TILE = 8192


@dataclass(frozen=True)
class Chunk:
    """A block of one output's pixels, written by one process, and the windows it runs to write them.

    Attributes:
        output: the output's position in the list of outputs.
        rows: output rows ``[start, stop)`` this chunk writes.
        window_rows: positions ``[start, stop)`` in the output's window tops that this chunk runs,
            the halo above ``rows`` included.
        part: this chunk's position among its output's chunks.
        columns: output columns ``[start, stop)`` this chunk writes.
        window_columns: positions ``[start, stop)`` in the output's window lefts whose windows
            reach into ``columns``.
    """

    output: int
    rows: tuple[int, int]
    window_rows: tuple[int, int]
    part: int
    columns: tuple[int, int]
    window_columns: tuple[int, int]


def chunks_of(
    output: int,
    tops: Sequence[int],
    lefts: Sequence[int],
    size: tuple[int, int],
    shape: tuple[int, int],
    parts: int,
    tile: int | None = None,
) -> list[Chunk]:
    """Cut an output into chunks: at most ``parts`` bands of about as many window rows, each cut into column tiles.

    A band owns the rows from its first window row's top to the next band's (its first from
    row 0, its last to the output's height): rows above a window row's top receive nothing from
    that row or any below, so they are final once the rows above are run. It also runs the
    window rows above it whose windows reach into its rows. Column tiles are :data:`COLUMN_TILE`
    columns wide (the last one narrower) and run every window reaching into them.

    Args:
        output: the output's position (kept in each chunk).
        tops: the output's window tops (see :func:`window_starts`).
        lefts: the output's window lefts.
        size: window ``(height, width)`` in pixels.
        shape: the output's ``(height, width)`` in pixels.
        parts: how many bands of rows at most (the number of processes).
        tile: column tile width (default :data:`COLUMN_TILE`).

    Returns:
        The chunks, top band first, left tile first, owning every pixel once.
    """
    tile = tile or COLUMN_TILE
    per_part = math.ceil(len(tops) / max(1, min(parts, len(tops))))
    firsts = list(range(0, len(tops), per_part))
    columns = [(start, min(start + tile, shape[1])) for start in range(0, shape[1], tile)]
    chunks: list[Chunk] = []
    for band, first in enumerate(firsts):
        stop = firsts[band + 1] if band + 1 < len(firsts) else len(tops)
        row_start = 0 if band == 0 else tops[first]
        row_stop = shape[0] if stop == len(tops) else tops[stop]
        # The first window row whose windows reach below row_start.
        halo = bisect.bisect_right([top + size[0] for top in tops], row_start)
        for column_start, column_stop in columns:
            reach = (
                bisect.bisect_right([left + size[1] for left in lefts], column_start),
                bisect.bisect_left(lefts, column_stop),
            )
            chunks.append(
                Chunk(
                    output,
                    (row_start, row_stop),
                    (min(halo, first), stop),
                    len(chunks),
                    (column_start, column_stop),
                    reach,
                )
            )
    return chunks


def assign(chunks: Sequence[Chunk], rank: int, world_size: int) -> list[Chunk]:
    """The chunks of ``rank``: every ``world_size``-th one, from the ``rank``-th, in order."""
    return list(chunks[rank::world_size])
