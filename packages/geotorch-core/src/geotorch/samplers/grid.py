"""The windows of a grid pass, laid out lazily: starts per axis and kept column ranges per row, never one per window.

Memory grows with the number of areas and (with roi polygons) of rows, not of
windows, so a pass over a continent at a small stride costs no more to lay out
than one over a field.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import rtree.index
import shapely

from geotorch.core.bbox import LATTICE_TOLERANCE, BoundingBox
from geotorch.samplers.areas import Area, Region
from geotorch.samplers.constants import MAX_WINDOWS

#: Most rows of windows cut by roi polygons in one pass: each row is one polygon intersection
#: and keeps its own column ranges, so time and memory grow with the rows.
MAX_POLYGON_ROWS = 2**22

#: Rows of windows intersected with the roi polygons in one vectorized call.
ROWS_PER_CALL = 4096

#: Index ranges ``(start, stop)``, sorted and disjoint.
Ranges = tuple[tuple[int, int], ...]

#: ``(left, top, right, bottom)``: pixels from a lattice origin (rows counted downwards).
Span = tuple[int, int, int, int]

#: Kept windows of a block: ``(first row, stop row, column index ranges kept in those rows)``.
Segment = tuple[int, int, Ranges]


@dataclass(frozen=True, slots=True)
class Axis:
    """Window starts along one axis, in whole pixels from a lattice origin.

    The starts are ``first + k * step`` for ``k < count - 1``, then ``last``,
    strictly increasing.
    """

    first: int
    step: int
    count: int
    last: int

    @classmethod
    def tile(
        cls, start: int, stop: int, size: int, stride: int, limits: tuple[int, int], touched: tuple[int, int]
    ) -> Axis:
        """The starts over pixels ``[start, stop)`` (the edge policy of GridGeoSampler).

        Windows start every ``stride`` from ``start``; the last one is moved
        back to end at ``stop``. Pixels shorter than ``size`` get one window at
        ``start`` or, when ``touched`` (the pixels the roi shares some length with,
        ``[start, stop)`` and the ones its edges cut) fits in a window, at ``touched[0]``,
        so the window holds every pixel of a field smaller than it; the window is
        moved back to end at ``limits[1]`` when it would pass it and ``limits``
        (pixels ``[low, high)``) is at least ``size`` long.
        """
        if stop - start <= size:
            position = touched[0] if touched[1] - touched[0] <= size else start
            if limits[1] - limits[0] >= size:
                position = min(position, limits[1] - size)
            return cls(position, stride, 1, position)
        steps = -(-(stop - start - size) // stride)
        return cls(start, stride, steps + 1, stop - size)

    def __getitem__(self, index: int) -> int:
        """The ``index``-th start."""
        return self.last if index == self.count - 1 else self.first + index * self.step

    def index(self, position: int) -> int | None:
        """Which start ``position`` is, or None if it is none of them."""
        if position == self.last:
            return self.count - 1
        steps, remainder = divmod(position - self.first, self.step)
        return steps if remainder == 0 and 0 <= steps < self.count - 1 else None

    def shared(self, other: Axis) -> list[tuple[int, int]]:
        """Index ranges of the starts that ``other`` (with the same step) has too."""
        ranges = []
        shift, remainder = divmod(self.first - other.first, self.step)
        if remainder == 0:
            # Start k here is start k + shift there, for the starts before each axis's last.
            low, high = max(0, -shift), min(self.count - 1, other.count - 1 - shift)
            if low < high:
                ranges.append((low, high))
        at_other_last = self.index(other.last)
        if at_other_last is not None and at_other_last < self.count - 1:
            ranges.append((at_other_last, at_other_last + 1))
        if other.index(self.last) is not None:
            ranges.append((self.count - 1, self.count))
        return merged(ranges)


def merged(ranges: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """``ranges`` sorted, with overlapping and adjacent ones joined."""
    joined: list[tuple[int, int]] = []
    for start, stop in sorted(ranges):
        if joined and start <= joined[-1][1]:
            joined[-1] = (joined[-1][0], max(joined[-1][1], stop))
        else:
            joined.append((start, stop))
    return joined


def without(ranges: Ranges, removed: Sequence[tuple[int, int]]) -> Ranges:
    """``ranges`` less the indices in ``removed`` (both sorted and disjoint)."""
    kept = []
    for start, stop in ranges:
        for cut_start, cut_stop in removed:
            if cut_stop <= start or cut_start >= stop:
                continue
            if cut_start > start:
                kept.append((start, cut_start))
            start = max(start, cut_stop)
        if start < stop:
            kept.append((start, stop))
    return tuple(kept)


@dataclass(frozen=True, slots=True)
class Block:
    """The windows over one area: ``rows`` x ``columns`` starts on a lattice, of which ``segments`` are kept.

    Attributes:
        origin: ``(x, y)`` of the lattice's pixel edge 0 in both axes (a top-left corner).
        rows: window tops, in pixels down from ``origin``.
        columns: window lefts, in pixels right of ``origin``.
        times: ``(mint, maxt)`` of every window.
        segments: the kept windows, top row first.
    """

    origin: tuple[float, float]
    rows: Axis
    columns: Axis
    times: tuple[float, float]
    segments: tuple[Segment, ...]

    def __len__(self) -> int:
        """Kept windows."""
        return sum((stop - start) * sum(end - begin for begin, end in ranges) for start, stop, ranges in self.segments)


class WindowGrid:
    """Every window of one grid pass, in order: area by area, top row first, left to right.

    Each area is tiled on its entry's pixel lattice (see :meth:`Axis.tile`).
    A window identical to one of an earlier area (an entry on the same
    lattice, with the same time span) is left out, so each is yielded once;
    with roi polygons, only the windows sharing some area with them are kept.

    Attributes:
        size: ``(height, width)`` of a window in pixels.
        res: pixel size ``(x, y)``.
        blocks: the windows of each area.
    """

    def __init__(
        self,
        areas: Sequence[Area],
        limits: BoundingBox,
        region: Region,
        size: tuple[int, int],
        stride: tuple[int, int],
        res: tuple[float, float],
        describe: str,
    ) -> None:
        """Lay out the windows over ``areas``.

        Args:
            areas: the areas to tile, in the order of the pass.
            limits: where a window of an area smaller than it may be moved back to (the roi within the data).
            region: the roi; with polygons, windows outside them are left out.
            size: ``(height, width)`` of a window in pixels.
            stride: ``(y, x)`` step between windows in pixels.
            res: pixel size ``(x, y)``.
            describe: the sampler and its size and stride arguments, to start error messages.

        Raises:
            ValueError: if the areas would get more than :data:`MAX_WINDOWS`
                windows, or (with polygons) more than :data:`MAX_POLYGON_ROWS`
                rows of them, or an area lies more pixels from another than a
                float can count.
        """
        self.size = size
        self.res = res
        self.describe = describe
        self._lattices: dict[tuple[int, int], tuple[float, float]] = {}
        laid = [self._lay(area, limits, stride) for area in areas]
        total = sum(rows.count * columns.count for _, rows, columns, _ in laid)
        if total > MAX_WINDOWS:
            raise ValueError(
                f"{describe} would lay {total:,} windows over {len(laid)} areas: more than {MAX_WINDOWS:,} "
                f"(2**40), too many for any pass to finish; use a larger stride or size, or a smaller roi"
            )
        if region.polygon is not None:
            rows_cut = sum(rows.count for _, rows, _, _ in laid)
            if rows_cut > MAX_POLYGON_ROWS:
                raise ValueError(
                    f"{describe} would lay {rows_cut:,} rows of windows to cut with the roi polygons: more than "
                    f"{MAX_POLYGON_ROWS:,} (2**22); use a larger stride or size, or a smaller roi"
                )
        earlier: dict[tuple[tuple[float, float], tuple[float, float]], _Earlier] = {}
        self.blocks: list[Block] = []
        for origin, rows, columns, times in laid:
            if region.polygon is None:
                segments: tuple[Segment, ...] = ((0, rows.count, ((0, columns.count),)),)
            else:
                segments = self._polygon_segments(region, origin, rows, columns)
            same = earlier.setdefault((origin, times), _Earlier())
            span = (columns.first, rows.first, columns.last + size[1], rows.last + size[0])
            block = Block(origin, rows, columns, times, _excluding(segments, rows, columns, same.overlapping(span)))
            same.add(block, span)
            self.blocks.append(block)
        self.length = sum(len(block) for block in self.blocks)

    def _lay(
        self, area: Area, limits: BoundingBox, stride: tuple[int, int]
    ) -> tuple[tuple[float, float], Axis, Axis, tuple[float, float]]:
        """The lattice origin, row and column starts and time span of the windows over ``area``."""
        origin = self._lattice(area.origin)
        res_x, res_y = self.res
        height, width = self.size
        bounds = area.bounds
        left, right = _pixels(bounds.minx - origin[0], res_x, round), _pixels(bounds.maxx - origin[0], res_x, round)
        top, bottom = _pixels(origin[1] - bounds.maxy, res_y, round), _pixels(origin[1] - bounds.miny, res_y, round)
        limit_columns = (
            _pixels(limits.minx - origin[0], res_x, math.floor),
            _pixels(limits.maxx - origin[0], res_x, math.ceil),
        )
        limit_rows = (
            _pixels(origin[1] - limits.maxy, res_y, math.floor),
            _pixels(origin[1] - limits.miny, res_y, math.ceil),
        )
        touched = area.touched or bounds
        touched_columns = (
            _pixels(touched.minx - origin[0], res_x, round),
            _pixels(touched.maxx - origin[0], res_x, round),
        )
        touched_rows = (
            _pixels(origin[1] - touched.maxy, res_y, round),
            _pixels(origin[1] - touched.miny, res_y, round),
        )
        rows = Axis.tile(top, bottom, height, stride[0], limit_rows, touched_rows)
        columns = Axis.tile(left, right, width, stride[1], limit_columns, touched_columns)
        return origin, rows, columns, (bounds.mint, bounds.maxt)

    def _lattice(self, corner: tuple[float, float]) -> tuple[float, float]:
        """The origin of the lattice ``corner`` (an entry's top-left) lies on: the first such corner seen.

        Lattices are told apart by the fractional pixel offset of their corner
        from the first corner, to a millionth of a pixel.
        """
        first = self._lattices.setdefault((0, 0), corner)
        steps = round(1 / LATTICE_TOLERANCE)
        fractions = []
        for offset, res in ((corner[0] - first[0], self.res[0]), (first[1] - corner[1], self.res[1])):
            pixels = offset / res
            if not math.isfinite(pixels):
                raise ValueError(
                    f"{self.describe}: {corner} lies more pixels of res {self.res} from {first} than a float can count"
                )
            fractions.append(round((pixels - math.floor(pixels)) * steps) % steps)
        return self._lattices.setdefault((fractions[0], fractions[1]), corner)

    def _polygon_segments(
        self, region: Region, origin: tuple[float, float], rows: Axis, columns: Axis
    ) -> tuple[Segment, ...]:
        """The windows of ``rows`` x ``columns`` sharing some area with the roi polygons, row by row.

        A window shares area with the polygons when its open x-interval meets
        the x-extent of a polygon part of its row's strip: the lefts and rights
        of the windows grow along a row, so the kept ones are index ranges.
        """
        res_x, res_y = self.res
        height, width = self.size
        left_edge, top_edge = origin

        def left(column: int) -> float:
            return left_edge + columns[column] * res_x

        def right(column: int) -> float:
            return left_edge + (columns[column] + width) * res_x

        everywhere = range(columns.count)
        segments: list[Segment] = []
        for start in range(0, rows.count, ROWS_PER_CALL):
            numbers = range(start, min(start + ROWS_PER_CALL, rows.count))
            tops = np.array([top_edge - rows[row] * res_y for row in numbers])
            bottoms = np.array([top_edge - (rows[row] + height) * res_y for row in numbers])
            strips = shapely.box(left(0), bottoms, right(columns.count - 1), tops)
            parts, owners = shapely.get_parts(shapely.intersection(region.polygon, strips), return_index=True)
            areal = shapely.area(parts) > 0
            kept: dict[int, list[tuple[int, int]]] = {}
            for row, (low, _, high, _) in zip(
                owners[areal].tolist(), shapely.bounds(parts[areal]).tolist(), strict=True
            ):
                first = bisect.bisect_right(everywhere, low, key=right)
                end = bisect.bisect_left(everywhere, high, key=left)
                if first < end:
                    kept.setdefault(start + row, []).append((first, end))
            segments += [(row, row + 1, tuple(merged(ranges))) for row, ranges in sorted(kept.items())]
        return _joined(segments)

    def __len__(self) -> int:
        """Windows in the pass."""
        return self.length

    def windows(self, start: int = 0, step: int = 1) -> Iterator[BoundingBox]:
        """Windows ``start``, ``start + step``, ... of the pass (one rank's share)."""
        res_x, res_y = self.res
        height, width = self.size
        number = 0
        for block in self.blocks:
            (left_edge, top_edge), (mint, maxt) = block.origin, block.times
            for first_row, stop_row, ranges in block.segments:
                for row in range(first_row, stop_row):
                    top = block.rows[row]
                    maxy, miny = top_edge - top * res_y, top_edge - (top + height) * res_y
                    for begin, end in ranges:
                        for column in range(begin + (start - number) % step, end, step):
                            left = block.columns[column]
                            yield BoundingBox(
                                left_edge + left * res_x, left_edge + (left + width) * res_x, miny, maxy, mint, maxt
                            )
                        number += end - begin


class _Earlier:
    """The blocks laid so far on one lattice with one time span, found by the pixels their windows cover."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.spans: list[Span] = []
        # Built at the second block: most time spans (one per scene of a time series) hold one block.
        self.index: rtree.index.Index | None = None

    def overlapping(self, span: Span) -> list[Block]:
        """The blocks whose windows cover some pixel of ``span``, and maybe a few that only touch it."""
        if self.index is None:
            return list(self.blocks)
        return [self.blocks[number] for number in self.index.intersection(span)]

    def add(self, block: Block, span: Span) -> None:
        """Remember ``block``, whose windows cover ``span``."""
        self.blocks.append(block)
        self.spans.append(span)
        if self.index is None and len(self.blocks) == 2:
            self.index = rtree.index.Index()
            self.index.insert(0, self.spans[0])
        if self.index is not None:
            self.index.insert(len(self.blocks) - 1, span)


def _pixels(length: float, res: float, rounding: Callable[[float], int]) -> int:
    """``length / res`` pixels, rounded (``round``, ``math.ceil``, ``math.floor``) to the lattice.

    Within :data:`LATTICE_TOLERANCE` of a whole number it is that number,
    whatever the rounding.

    Raises:
        ValueError: if the count is beyond what a float can hold.
    """
    pixels = length / res
    if not math.isfinite(pixels):
        raise ValueError(f"{length:g} is more pixels of {res:g} than a float can count; use a coarser res")
    nearest = round(pixels)
    if abs(pixels - nearest) < LATTICE_TOLERANCE:
        return nearest
    return rounding(pixels)


def _excluding(segments: tuple[Segment, ...], rows: Axis, columns: Axis, repeats: list[Block]) -> tuple[Segment, ...]:
    """``segments`` less the windows that ``repeats`` (earlier blocks on the same lattice and times) lay too."""
    shared = [(rows.shared(block.rows), columns.shared(block.columns)) for block in repeats]
    shared = [(row_ranges, column_ranges) for row_ranges, column_ranges in shared if row_ranges and column_ranges]
    if not shared:
        return segments
    cuts = sorted({edge for row_ranges, _ in shared for start, stop in row_ranges for edge in (start, stop)})
    pieces: list[Segment] = []
    for first, stop, ranges in segments:
        edges = [first] + [edge for edge in cuts if first < edge < stop] + [stop]
        for low, high in itertools.pairwise(edges):
            removed = merged(
                [
                    column_range
                    for row_ranges, column_ranges in shared
                    if any(start <= low and high <= end for start, end in row_ranges)
                    for column_range in column_ranges
                ]
            )
            kept = without(ranges, removed)
            if kept:
                pieces.append((low, high, kept))
    return _joined(pieces)


def _joined(segments: Sequence[Segment]) -> tuple[Segment, ...]:
    """``segments`` with neighbouring rows that keep the same columns made one."""
    joined: list[Segment] = []
    for first, stop, ranges in segments:
        if joined and joined[-1][1] == first and joined[-1][2] == ranges:
            joined[-1] = (joined[-1][0], stop, ranges)
        else:
            joined.append((first, stop, ranges))
    return tuple(joined)
