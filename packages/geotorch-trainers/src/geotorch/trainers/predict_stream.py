"""One chunk of one output as its windows stream in: blended a band at a time, written to its part file."""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Protocol

import numpy as np
from torch import Tensor

from geotorch.trainers.predict_blend import Band, BandBlender, blend_weights
from geotorch.trainers.predict_classes import one_window_span, window_classes
from geotorch.trainers.predict_cog import Grid, OutputSpec, PartWriter, bounded_cache
from geotorch.trainers.predict_grid import Chunk


class RowMask(Protocol):
    """Which pixels of an output's rows hold input data."""

    def rows(self, start: int, stop: int, columns: tuple[int, int]) -> np.ndarray:
        """``(stop - start, columns[1] - columns[0])`` booleans."""

    def close(self) -> None:
        """Release the files read."""


@dataclass(frozen=True)
class OutputLayout:
    """One output of a prediction: its name, grid and windows.

    Attributes:
        name: the output's path relative to the output folder.
        grid: its pixel grid.
        tops: window tops, in rows of the grid (see :func:`~geotorch.trainers.predict_grid.window_starts`).
        lefts: window lefts, in columns of the grid.
        size: ``(height, width)`` of a window in pixels.
        source: the input file, or None.
    """

    name: PurePosixPath
    grid: Grid
    tops: tuple[int, ...]
    lefts: tuple[int, ...]
    size: tuple[int, int]
    source: str | None = None

    def interior(self, top: int, left: int) -> tuple[int, int, int, int]:
        """Rows ``[r0, r1)`` and columns ``[c0, c1)`` of the window at ``(top, left)`` that it alone covers.

        In the window's pixels, inside the grid (empty where the window covers no pixel alone).
        """
        rows = one_window_span(self.tops, bisect.bisect_left(self.tops, top), self.size[0], self.grid.height)
        columns = one_window_span(self.lefts, bisect.bisect_left(self.lefts, left), self.size[1], self.grid.width)
        return rows[0] - top, max(rows) - top, columns[0] - left, max(columns) - left

    def windows(self, chunk: Chunk) -> Iterator[tuple[int, int]]:
        """``(top, left)`` of the windows ``chunk`` runs, top row first, left to right."""
        for row in range(*chunk.window_rows):
            for column in range(*chunk.window_columns):
                yield self.tops[row], self.lefts[column]


class ChunkStream:
    """Blends the windows of one chunk and writes its rows, as they become final, to a part file.

    Args:
        layout: the output.
        chunk: the rows to write and the window rows that reach them.
        part: the part file.
        spec: how values become pixels; its ``channels`` must be the predictions'.
        mask: which pixels hold input data (nodata elsewhere), or None.
        chosen: windows come with logits where they alone cover pixels, whose classes are chosen from them (see
            :meth:`add`); for ``classes`` of a softmax.
    """

    def __init__(
        self,
        layout: OutputLayout,
        chunk: Chunk,
        part: Path,
        spec: OutputSpec,
        mask: RowMask | None,
        *,
        chosen: bool = False,
    ) -> None:
        self.layout, self.chunk, self.spec, self.mask = layout, chunk, spec, mask
        grid = layout.grid
        # The blender sees the chunk's columns only: its column 0 is the output's chunk.columns[0].
        self.blender = BandBlender(
            grid.height, chunk.columns[1] - chunk.columns[0], spec.channels, chunk.rows, layout.size[0], chosen=chosen
        )
        #: ``(height, width)`` float32 weights of a window's pixels (see :func:`blend_weights`).
        self.weights = blend_weights(*layout.size)
        self.writer = PartWriter(part, grid, chunk.rows, spec, chunk.columns)
        self.expected = layout.windows(chunk)
        #: Whether every window of the chunk came (known once finished).
        self.complete = False

    @property
    def path(self) -> Path:
        """The part file."""
        return self.writer.path

    def add(self, top: int, left: int, values: Tensor, *, weighted: bool = False) -> None:
        """Add the next window's prediction ``(channels, height, width)`` float32, at ``(top, left)``.

        With ``weighted``, ``values`` are the prediction times :attr:`weights` already. A stream of ``chosen``
        classes takes the window's logits where it alone covers pixels (its :meth:`OutputLayout.interior`), whose
        classes it chooses from them, and its weighted probabilities elsewhere (see
        :func:`~geotorch.trainers.predict_classes.weigh_frames`).

        Raises:
            ValueError: if the window is not the next one of the chunk, or its values have the wrong shape.
        """
        if next(self.expected, None) != (top, left):
            raise ValueError(
                f"{self.layout.name}: the window at row {top}, column {left} is not the next one "
                "of the prediction grid; windows must come in the grid's order"
            )
        if tuple(values.shape) != (self.spec.channels, *self.layout.size):
            raise ValueError(
                f"{self.layout.name}: a prediction of shape {tuple(values.shape)}, expected "
                f"{(self.spec.channels, *self.layout.size)}"
            )
        interior, classes = None, None
        if self.blender.labels is not None:
            interior = self.layout.interior(top, left)
            classes = window_classes(values, interior, self.weights)
        for band in self.blender.add(
            top,
            left - self.chunk.columns[0],
            values,
            self.weights,
            weighted=weighted,
            interior=interior,
            classes=classes,
        ):
            self._write(band)

    def finish(self) -> Path:
        """Write the remaining rows and close the part file; rows of windows that never came are nodata.

        Returns:
            The part file.
        """
        self.complete = next(self.expected, None) is None
        try:
            for band in self.blender.finish():
                self._write(band)
        except BaseException:
            # Closed without the check of the rows written, whose error would hide this one.
            with bounded_cache():
                self.writer.target.close()
            raise
        else:
            self.writer.close()
        finally:
            if self.mask is not None:
                self.mask.close()
        return self.writer.path

    def abort(self) -> None:
        """Close the part file and remove it (after an error: its rows are not all written)."""
        try:
            with bounded_cache():
                self.writer.target.close()
        finally:
            if self.mask is not None:
                self.mask.close()
            self.writer.path.unlink(missing_ok=True)

    def _write(self, band: Band) -> None:
        rows = band.reached.shape[0]
        has_data = self.mask.rows(band.top, band.top + rows, self.chunk.columns) if self.mask is not None else None
        self.writer.write(self.spec.encode(band, has_data), band.top)
