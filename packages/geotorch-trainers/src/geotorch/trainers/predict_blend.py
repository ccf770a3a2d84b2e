"""Blending overlapping window predictions a band of rows at a time, handing on each row once it is final."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import torch
from torch import Tensor

#: Most rows handed on in one :class:`Band` (the float32 temporaries of a band grow with its rows).
PIECE_ROWS = 64


def blend_weights(height: int, width: int) -> Tensor:
    """Weights of a window's pixels when overlapping windows are averaged: 1 at the edges, rising inwards.

    The weight of a pixel is its distance, in pixels, to the nearest edge plus one, so every
    pixel counts, and a window's edge (where its model sees least context) counts least: where
    windows overlap the result moves smoothly from one to the other, without seams.

    Returns:
        ``(height, width)`` float32 weights.
    """
    rows = torch.arange(height, dtype=torch.float32)
    columns = torch.arange(width, dtype=torch.float32)
    to_row_edge = torch.minimum(rows + 1, height - rows)
    to_column_edge = torch.minimum(columns + 1, width - columns)
    return torch.minimum(to_row_edge[:, None], to_column_edge[None, :])


@dataclass
class Band:
    """Final rows of an output: the blended values and which pixels any window reached.

    Attributes:
        top: the first row's number in the output.
        values: ``(channels, rows, width)`` float32 weighted means (0 where no window reached); a
            :class:`BandBlender`'s are overwritten by its next band.
        reached: ``(rows, width)`` booleans.
        labels: ``(rows, width)`` uint8 classes, chosen by a blender of chosen classes (see
            :class:`BandBlender`'s ``chosen``), else None; ``values`` are then empty and ``reached``
            is False where a pixel has no class (a NaN value).
    """

    top: int
    values: Tensor
    reached: Tensor
    labels: np.ndarray | None = None


class BandBlender:
    """The weighted sum of window predictions over the rows of one chunk of an output, held a band at a time.

    Windows must come top row first (a window's top never above the previous one's). The
    blender keeps only the rows the current window row covers: ``channels + 1`` float32 rows
    of ``width``, ``window height`` of them, whatever the output's height. A window whose
    top lies below the held rows makes the rows above it final; they are handed on as
    :class:`Band` s, in order, only those inside ``rows``.

    Args:
        height: the output's height in pixels.
        width: the output's width in pixels.
        channels: values per pixel (the model's output channels).
        rows: the output rows ``[start, stop)`` to hand on.
        band: the most rows a window covers (the window height).
        chosen: windows come with the classes of the pixels they alone cover (see :meth:`add`), and bands are
            handed on as classes (:attr:`Band.labels`, the first channel of the largest blended value elsewhere).
    """

    def __init__(
        self, height: int, width: int, channels: int, rows: tuple[int, int], band: int, *, chosen: bool = False
    ) -> None:
        self.height, self.width, self.rows = height, width, rows
        self.capacity = max(1, min(band, height))
        # Rows of ``total`` below ``depth`` hold garbage, not zeros: a window's first values there are copied in,
        # not added to zeros (which saves clearing the band and reading it again).
        self.total = torch.empty((channels, self.capacity, width), dtype=torch.float32)
        self.weight = torch.zeros((self.capacity, width), dtype=torch.float32)
        #: How many held rows, from the first, hold sums in each column: a window's rows start at the first held
        #: row (or below the last row handed on, where nothing is read), so a column's sums are one run of rows.
        self.depth = np.zeros(width, dtype=np.int64)
        #: The output row that the first held row is.
        self.base = rows[0]
        #: The next row to hand on.
        self.next_row = rows[0]
        self._scratch = torch.empty(0, dtype=torch.float32)
        # The values of the bands handed on, one piece at a time (each band's until the next is asked for).
        self._piece = torch.empty((channels, 0, width), dtype=torch.float32)
        #: With ``chosen``: the classes given for pixels one window alone covers, and which pixels those are.
        self.labels = np.zeros((self.capacity, width), dtype=np.uint8) if chosen else None
        self.chosen = np.zeros((self.capacity, width), dtype=bool) if chosen else None

    @property
    def nbytes(self) -> int:
        """Bytes of the held sums."""
        held = self.total.numel() * self.total.element_size() + self.weight.numel() * self.weight.element_size()
        return held + (
            self.labels.nbytes + self.chosen.nbytes if self.labels is not None and self.chosen is not None else 0
        )

    def add(
        self,
        top: int,
        left: int,
        values: Tensor,
        weights: Tensor,
        *,
        weighted: bool = False,
        interior: tuple[int, int, int, int] | None = None,
        classes: np.ndarray | None = None,
    ) -> Iterator[Band]:
        """Add a window's prediction ``(channels, h, w)`` at ``(top, left)`` with per-pixel ``weights`` ``(h, w)``.

        Its pixels outside the output, or above ``rows``, are left out. With ``weighted``, ``values``
        are the prediction times ``weights`` already (multiplied beforehand, a batch at a time).
        A blender of ``chosen`` classes takes the window's rows ``[r0, r1)`` and columns ``[c0, c1)``
        of ``interior``, which it alone covers, as ``classes`` (``(r1 - r0, c1 - c0)`` uint8, 255: none),
        and the rest of the window (its frame) as ``weighted`` values; ``values`` inside ``interior``
        are not read.

        Yields:
            The bands made final by this window (the rows above its top not yet handed on).

        Raises:
            ValueError: if the window's top is above a row already handed on or its height passes the band.
        """
        yield from self.flush(top)
        if top < self.base and self.base > self.rows[0]:
            raise ValueError(
                f"BandBlender: a window at row {top} came after row {self.base - 1} was final; "
                "windows must come top row first"
            )
        if min(top + values.shape[-2], self.height) - self.base > self.capacity:
            raise ValueError(f"BandBlender: a window of {values.shape[-2]} rows passes the band of {self.capacity}")
        if interior is None or classes is None or self.labels is None or self.chosen is None:
            self._add(top, left, values, weights, (0, values.shape[-2]), (0, values.shape[-1]), weighted)
            return
        from geotorch.trainers.predict_classes import frame_rectangles

        r0, r1, c0, c1 = interior
        # The frame's rectangles, top row first (the sums' depth bookkeeping needs rows in order); those reaching
        # into the interior (widened for the softmax) are cut back to the frame.
        for rows, columns in frame_rectangles(values.shape[-2:], interior):
            if r0 <= rows[0] and rows[1] <= r1 and r0 < r1 and c0 < c1:
                for part in ((columns[0], min(columns[1], c0)), (max(columns[0], c1), columns[1])):
                    if part[0] < part[1]:
                        self._add(top, left, values, weights, rows, part, True)
            else:
                self._add(top, left, values, weights, rows, columns, True)
        first, stop = max(top + r0, self.base), min(top + r1, self.height)
        begin, end = max(left + c0, 0), min(left + c1, self.width)
        if first < stop and begin < end:
            held = slice(first - self.base, stop - self.base)
            given = classes[first - top - r0 : stop - top - r0, begin - left - c0 : end - left - c0]
            self.labels[held, begin:end] = given
            self.chosen[held, begin:end] = True
            depths = self.depth[begin:end]
            # Rows held for these columns (their sums there are garbage, never read).
            np.maximum(depths, stop - self.base, out=depths)

    def _add(
        self,
        top: int,
        left: int,
        values: Tensor,
        weights: Tensor,
        rows: tuple[int, int],
        columns: tuple[int, int],
        weighted: bool,
    ) -> None:
        """Add the window rows ``rows`` and columns ``columns`` of a prediction (see :meth:`add`)."""
        # Rows above the chunk (a halo window's) are another chunk's to write.
        first = max(top + rows[0], self.base)
        stop = min(top + rows[1], self.height)
        begin, end = max(left + columns[0], 0), min(left + columns[1], self.width)
        if first >= stop or begin >= end:
            return
        inside = (slice(first - top, stop - top), slice(begin - left, end - left))
        held = slice(first - self.base, stop - self.base)
        window_weights = weights[inside]
        window_values = values[(slice(None), *inside)]
        if not weighted:
            # The weighted values go to a buffer kept from window to window: a new one each time costs as
            # much again as the multiplication (fresh pages).
            if self._scratch.numel() < window_values.numel():
                self._scratch = torch.empty(window_values.numel(), dtype=torch.float32)
            buffer = self._scratch[: window_values.numel()].view(window_values.shape)
            window_values = torch.mul(window_values, window_weights, out=buffer)
        self._sum(first, stop, begin, end, window_values)
        self.weight[held, begin:end].add_(window_weights)

    def _sum(self, first: int, stop: int, begin: int, end: int, values: Tensor) -> None:
        """Add ``values`` ``(channels, stop - first, end - begin)`` to the held rows and columns they cover.

        Where a column holds no sum yet (at and below its :attr:`depth`) the values are copied in as
        ``values + 0.0``: the sum ``0.0 + values`` that zeroed rows would give, bit for bit (``-0.0``
        included). Columns of one depth are done together (a window meets a few runs of them).
        """
        depths = self.depth[begin:end]
        cuts = [0, *(np.flatnonzero(depths[1:] != depths[:-1]) + 1).tolist(), end - begin]
        for start, finish in pairwise(cuts):
            filled = self.base + int(depths[start])
            columns = slice(begin + start, begin + finish)
            if filled > first:
                rows = slice(first - self.base, min(stop, filled) - self.base)
                self.total[:, rows, columns].add_(values[:, : rows.stop - rows.start, start:finish])
            if stop > filled:
                fresh = max(first, filled)
                torch.add(
                    values[:, fresh - first :, start:finish],
                    0.0,
                    out=self.total[:, fresh - self.base : stop - self.base, columns],
                )
        np.maximum(depths, stop - self.base, out=depths)

    def flush(self, row: int) -> Iterator[Band]:
        """Hand on the rows above ``row`` (as far as ``rows``' end), :data:`PIECE_ROWS` at most at a time.

        A band's ``values`` are good until the next band is asked for (the blender writes each into
        the same memory): use or copy them first.

        The band then starts at ``row``: the rows kept move up, in pieces that do not overlap
        (no copy of the band is made).
        """
        row = min(row, self.rows[1])
        if row <= self.base:
            return
        held_stop = min(row, self.base + self.capacity)
        for top in range(self.next_row, held_stop, PIECE_ROWS):
            stop = min(top + PIECE_ROWS, held_stop)
            if self.labels is not None:
                yield self._classes(top, stop)
                continue
            weight = self.weight[top - self.base : stop - self.base]
            if self._piece.shape[1] < stop - top:
                self._piece = torch.empty((self.total.shape[0], min(PIECE_ROWS, self.capacity), self.width))
            values = self._piece[:, : stop - top]
            torch.div(self.total[:, top - self.base : stop - self.base], weight.clamp_min(1e-12), out=values)
            reached = weight > 0
            # (The least weight says whether any pixel is unreached, much faster than ``reached.all()``.)
            if not bool(weight.amin() > 0):
                # Their sums are garbage (see ``depth``), not zeros.
                values.masked_fill_(~reached, 0.0)
            yield Band(top, values, reached)
        self.next_row = max(self.next_row, held_stop)
        # Rows no window reached, below the band.
        for top in range(self.next_row, row, PIECE_ROWS):
            rows = min(PIECE_ROWS, row - top)
            yield Band(
                top,
                torch.zeros((self.total.shape[0] if self.labels is None else 0, rows, self.width)),
                torch.zeros((rows, self.width), dtype=torch.bool),
                None if self.labels is None else np.zeros((rows, self.width), dtype=np.uint8),
            )
        self.next_row = max(self.next_row, row)
        shift = row - self.base
        # Only rows holding sums move up (the deepest column's).
        kept = max(0, int(self.depth.max(initial=0)) - shift)
        for first in range(0, kept, shift):
            count = min(shift, kept - first)
            self.total[:, first : first + count] = self.total[:, first + shift : first + shift + count]
            self.weight[first : first + count] = self.weight[first + shift : first + shift + count]
        self.weight[kept:] = 0
        if self.labels is not None and self.chosen is not None:
            for first in range(0, kept, shift):
                count = min(shift, kept - first)
                self.labels[first : first + count] = self.labels[first + shift : first + shift + count]
                self.chosen[first : first + count] = self.chosen[first + shift : first + shift + count]
            self.chosen[kept:] = False
        np.maximum(self.depth - shift, 0, out=self.depth)
        self.base = row

    def _classes(self, top: int, stop: int) -> Band:
        """The held rows ``[top, stop)`` as classes, blended only where no window's class was given.

        Given classes where one window alone covers a pixel, else the first channel of the largest
        blended value (as :meth:`OutputSpec.encode` chooses it), computed there alone.
        """
        from geotorch.trainers.predict_cog import CLASS_NODATA

        assert self.labels is not None and self.chosen is not None
        held = slice(top - self.base, stop - self.base)
        chosen = self.chosen[held]
        weight = self.weight[held]
        reached = (weight > 0).numpy()
        if not chosen.any():
            # Rows where windows overlap: every pixel blended.
            labels = self._blended(self.total[:, held], weight)
        else:
            np.logical_or(reached, chosen, out=reached)
            labels = self.labels[held].copy()
            # The runs of columns where windows overlap, gathered: the sums of the others are never read.
            overlap = np.concatenate(([False], ~chosen.all(axis=0), [False]))
            edges = np.flatnonzero(overlap[1:] != overlap[:-1])
            runs = list(zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True))
            if runs:
                found = self._blended(
                    torch.cat([self.total[:, held, begin:end] for begin, end in runs], dim=2),
                    torch.cat([weight[:, begin:end] for begin, end in runs], dim=1),
                )
                offset = 0
                for begin, end in runs:
                    np.copyto(
                        labels[:, begin:end], found[:, offset : offset + end - begin], where=~chosen[:, begin:end]
                    )
                    offset += end - begin
        return Band(top, self.total[:, :0], torch.from_numpy(reached & (labels != CLASS_NODATA)), labels)

    def _blended(self, sums: Tensor, weight: Tensor) -> np.ndarray:
        """``(rows, columns)`` uint8 classes of ``(channels, rows, columns)`` sums over their weights, 255 for NaN."""
        from geotorch.trainers.predict_cog import CLASS_NODATA, first_argmax

        # Into a buffer kept from piece to piece (fresh pages each time cost as much as the division).
        if self._piece.numel() < sums.numel():
            self._piece = torch.empty(sums.numel(), dtype=torch.float32)
        values = torch.div(sums, weight.clamp_min(1e-12), out=self._piece.view(-1)[: sums.numel()].view(sums.shape))
        labels = np.asarray(first_argmax(values).numpy())
        if torch.isnan(values.sum()):
            labels[values.isnan().any(dim=0).numpy()] = CLASS_NODATA
        return labels

    def finish(self) -> Iterator[Band]:
        """Hand on every row of ``rows`` not handed on yet."""
        yield from self.flush(self.rows[1])
