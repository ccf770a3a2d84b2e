"""One chunk of one output as its windows stream in: blended a band at a time, written to its part file."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path, PurePosixPath
from typing import Protocol

import numpy as np
from torch import Tensor

from geotorch.trainers.predict_blend import Band, BandBlender, blend_weights
from geotorch.trainers.predict_cog import Grid, OutputSpec, PartWriter, bounded_cache
from geotorch.trainers.predict_grid import Chunk
from geotorch.trainers.predict_handoff import Handoff


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
        stage: the thread that encodes and writes the bands made final (in order, while the caller blends the
            next windows) and closes the part file, or None for the calling thread. Its items are called.
    """

    def __init__(
        self,
        layout: OutputLayout,
        chunk: Chunk,
        part: Path,
        spec: OutputSpec,
        mask: RowMask | None,
        stage: Handoff[Callable[[], object]] | None = None,
    ) -> None:
        self.layout, self.chunk, self.spec, self.mask, self.stage = layout, chunk, spec, mask, stage
        grid = layout.grid
        # The blender sees the chunk's columns only: its column 0 is the output's chunk.columns[0]. Handed to a
        # stage, a band's values must outlive the stage's bands in flight: one piece buffer more than those.
        #: The blended sums (None once :meth:`finish` has handed on every row).
        self.blender: BandBlender | None = BandBlender(
            grid.height,
            chunk.columns[1] - chunk.columns[0],
            spec.channels,
            chunk.rows,
            layout.size[0],
            pieces=stage.in_flight + 1 if stage is not None else 1,
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

        With ``weighted``, ``values`` are the prediction times :attr:`weights` already.

        Raises:
            ValueError: if the window is not the next one of the chunk, or its values have the wrong shape,
                or the stream was finished.
            BaseException: the error that stopped the :attr:`stage` thread, if any.
        """
        if self.blender is None:
            raise ValueError(f"{self.layout.name}: a window at row {top}, column {left} after the chunk was finished")
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
        for band in self.blender.add(top, left - self.chunk.columns[0], values, self.weights, weighted=weighted):
            self._hand_on(band)

    def finish(self) -> Path:
        """Write the remaining rows and close the part file; rows of windows that never came are nodata.

        With a stage, the rows and the closing are handed to it: the part file is closed once it has run
        them. The blended sums are released either way.

        Returns:
            The part file.

        Raises:
            ValueError: if the stream was finished already, or (without a stage) some rows were not written.
            BaseException: the error that stopped the :attr:`stage` thread, if any.
        """
        if self.blender is None:
            raise ValueError(f"{self.layout.name}: the chunk's stream was finished already")
        blender, self.blender = self.blender, None
        self.complete = next(self.expected, None) is None
        if self.stage is not None:
            for band in blender.finish():
                self._hand_on(band)
            self.stage.put(self._close)
            return self.writer.path
        try:
            for band in blender.finish():
                self._write(band)
        finally:
            self._close()
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

    def _hand_on(self, band: Band) -> None:
        if self.stage is None:
            self._write(band)
        else:
            self.stage.put(partial(self._write, band))

    def _close(self) -> None:
        try:
            self.writer.close()
        finally:
            if self.mask is not None:
                self.mask.close()

    def _write(self, band: Band) -> None:
        rows = band.values.shape[1]
        has_data = self.mask.rows(band.top, band.top + rows, self.chunk.columns) if self.mask is not None else None
        self.writer.write(self.spec.encode(band, has_data), band.top)
