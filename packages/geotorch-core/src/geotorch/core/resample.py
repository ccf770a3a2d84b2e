"""GDAL's bilinear warp kernel, evaluated at known source positions."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from geotorch.core.nodata import equal_to

#: Added to a position before flooring it to the source pixel under it, as GDAL's warp kernel does.
_EDGE_NUDGE = 1e-10
#: Target pixels resampled in one run: each step's arrays stay below the 128 KiB above which malloc maps fresh pages.
_CHUNK = 8192


def valid_source(pixels: np.ndarray, missing: float | None, hidden: np.ndarray | None) -> np.ndarray | None:
    """Boolean ``(rows, cols)``: the source pixels GDAL's warp takes data from; None when all.

    A pixel is missing where every band holds ``missing`` (GDAL's warp unifies the bands' nodata:
    a band alone at nodata beside others with data is a value) or where ``hidden`` is True.
    """
    valid = None if missing is None else np.asarray(~equal_to(pixels, missing).all(axis=0))
    if hidden is not None:
        valid = np.asarray(~hidden if valid is None else valid & ~hidden)
    return valid


def warp_bilinear(
    pixels: np.ndarray,
    valid: np.ndarray | None,
    cols: np.ndarray,
    rows: np.ndarray,
    dtype: np.dtype[np.generic],
    fill: float,
    avoid_fill: bool,
) -> tuple[np.ndarray, np.ndarray]:
    """Resample ``pixels`` bilinearly at the source positions ``cols``, ``rows`` as GDAL's warp kernel does.

    A target pixel receives data where the source pixel under its position is valid (GDAL's rule:
    the kernel's other pixels do not decide it). Its value weighs the four pixels around the
    position (pixel centres at half-integers), leaving out those outside the window or invalid
    and dividing by the weight of those kept, in float64: GDAL's 4-pixel kernel, which it uses
    at kernel scales of 0.95 and more. Integer results are rounded half up and clamped to the type.

    Args:
        pixels: ``(bands, rows, cols)`` source window.
        valid: boolean ``(rows, cols)`` of its pixels holding data (:func:`valid_source`); None when all do.
        cols: float64 ``(height, width)``: each target pixel centre's column in the window
            (pixel ``c`` covers ``[c, c + 1)``); NaN where it has no place.
        rows: its row, alike.
        dtype: the result's type.
        fill: the value of target pixels without data.
        avoid_fill: move an integer result equal to ``fill`` one off it, as GDAL does with a destination
            nodata (down by one, the type's lowest value up); GDAL leaves floats equal to it.

    Returns:
        ``(bands, height, width)`` pixels of ``dtype``, and the boolean ``(height, width)`` mask of target
        pixels that received data.
    """
    bands, height, width = pixels.shape
    flat_cols, flat_rows = np.ascontiguousarray(cols).ravel(), np.ascontiguousarray(rows).ravel()
    flat_valid = None if valid is None else valid.ravel()
    size = flat_cols.size
    chunks = [
        _Chunk.of(flat_cols[start : start + _CHUNK], flat_rows[start : start + _CHUNK], start, flat_valid, height,
                  width)
        for start in range(0, size, _CHUNK)
    ]
    out = np.full((bands, size), fill, dtype=dtype)
    received = np.zeros(size, dtype=bool)
    for chunk in chunks:
        received[chunk.where] = True
    source = pixels.reshape(bands, -1)
    # One float64 plane for every band: fresh memory is faulted in once, not once a band.
    plane = np.empty(source.shape[1])
    for band in range(bands):
        np.copyto(plane, source[band])
        row = out[band]
        for chunk in chunks:
            values = _in_type(chunk.values(plane), pixels.dtype, np.dtype(dtype))
            if avoid_fill:
                _step_off(values, fill)
            row[chunk.where] = values
    return out.reshape(bands, *cols.shape), received.reshape(cols.shape)


class _Chunk(NamedTuple):
    """The target pixels of one run of positions that receive data, and the pixels each weighs.

    Runs are short (:data:`_CHUNK`) so that the arrays of each step stay small: arrays of a whole
    grid would be fresh memory, faulted in page by page, at every step.

    Attributes:
        where: the received pixels' flat indices in the target grid (a slice where all of the run's are).
        corner: flat window index of the pixel left of and above each position interpolated (those whose
            four pixels all have data: every received one, or those ``full`` marks).
        fx: each such position's distance right of its upper-left pixel's centre, in pixels.
        fy: alike, below it.
        width: the window's width.
        weights: None where all four pixels around every position have data, else ``(4, m)`` weights of
            the four around each of the ``m`` other positions, those without data at 0, summing to one.
        full: None where ``weights`` is, else boolean ``(n,)``: the received pixels interpolated (True) and
            weighed (False), in order.
        corners: None where ``weights`` is, else ``(4, m)`` flat window indices of the upper-left,
            upper-right, lower-left and lower-right pixels of the weighed positions (0 where left out).
    """

    where: np.ndarray | slice
    corner: np.ndarray
    fx: np.ndarray
    fy: np.ndarray
    width: int
    weights: np.ndarray | None = None
    full: np.ndarray | None = None
    corners: np.ndarray | None = None

    @classmethod
    def of(
        cls, cols: np.ndarray, rows: np.ndarray, start: int, valid: np.ndarray | None, height: int, width: int
    ) -> _Chunk:
        """The chunk of positions ``cols``, ``rows`` (window pixels), the first at flat index ``start``."""
        under_col, under_row = np.floor(cols + _EDGE_NUDGE), np.floor(rows + _EDGE_NUDGE)
        # NaN positions compare False: no data.
        inside = (cols >= 0) & (rows >= 0) & (under_col < width) & (under_row < height)
        where = np.flatnonzero(inside)
        if valid is not None:
            where = where[valid[under_row[where].astype(np.intp) * width + under_col[where].astype(np.intp)]]
        # Every pixel of the run received: a slice writes them faster than their indices.
        run = slice(start, start + len(cols)) if len(where) == len(cols) else where + start
        x, y = cols[where] - 0.5, rows[where] - 0.5
        left, top = np.floor(x), np.floor(y)
        fx, fy = x - left, y - top
        left_col, top_row = left.astype(np.intp), top.astype(np.intp)
        corner = top_row * width + left_col
        # The pixel under the position is inside the window: a neighbour is out past one edge only.
        kept = np.stack([
            (left_col >= 0) & (top_row >= 0),
            (left_col + 1 < width) & (top_row >= 0),
            (left_col >= 0) & (top_row + 1 < height),
            (left_col + 1 < width) & (top_row + 1 < height),
        ])
        offsets = np.array([0, 1, width, width + 1])[:, None]
        if valid is not None:
            kept &= valid[np.where(kept, corner + offsets, 0)]
        full = np.asarray(kept.all(axis=0))
        if full.all():
            return cls(run, corner, fx, fy, width)
        # Only the positions with a pixel left out are weighed: the others are interpolated as in a run
        # without any, so a pixel's value depends on its own four pixels, not on which run (query) holds it.
        part = ~full
        kept, part_x, part_y = kept[:, part], fx[part], fy[part]
        # GDAL's dfRatioX, dfRatioY are the left column's and the upper row's weights.
        ratio_x, ratio_y = 1.0 - part_x, 1.0 - part_y
        weights = np.where(kept, [ratio_x * ratio_y, part_x * ratio_y, ratio_x * part_y, part_x * part_y], 0.0)
        weights /= weights.sum(axis=0)
        corners = np.where(kept, corner[part] + offsets, 0)
        return cls(run, corner[full], fx[full], fy[full], width, weights, full, corners)

    def values(self, plane: np.ndarray) -> np.ndarray:
        """Float64: the received pixels' values from one band's ``plane`` (the float64 window, flat)."""
        if self.weights is None or self.full is None or self.corners is None:
            return self._interpolated(plane)
        weighed = plane.take(self.corners)
        weighed *= self.weights
        # The pixels left out point at the window's first pixel, weighed 0: NaN or infinite there would give NaN.
        weighed[self.weights == 0.0] = 0.0
        values = np.empty(len(self.full))
        values[self.full] = self._interpolated(plane)
        values[~self.full] = weighed.sum(axis=0)
        return values

    def _interpolated(self, plane: np.ndarray) -> np.ndarray:
        """Float64: the values at the positions whose four pixels all have data, interpolated bilinearly."""
        corner, fx, fy = self.corner, self.fx, self.fy
        upper_left = plane.take(corner)
        upper = plane.take(corner + 1)
        upper -= upper_left
        upper *= fx
        upper += upper_left
        lower_left = plane.take(corner + self.width)
        lower = plane.take(corner + (self.width + 1))
        lower -= lower_left
        lower *= fx
        lower += lower_left
        lower -= upper
        lower *= fy
        lower += upper
        return lower


def _in_type(values: np.ndarray, source: np.dtype[np.generic], dtype: np.dtype[np.generic]) -> np.ndarray:
    """``values`` (of pixels of type ``source``) in ``dtype``: integers rounded half up and clamped, as GDAL does."""
    if dtype.kind in "iu" and values.dtype.kind == "f":
        values += 0.5
        np.floor(values, out=values)
        # Weighted means of pixels of ``dtype`` stay within its range: clamping is needed only for other types.
        if source != dtype:
            limits = np.iinfo(dtype.str)
            np.clip(values, limits.min, limits.max, out=values)
    return values.astype(dtype, copy=False)


def _step_off(values: np.ndarray, fill: float) -> None:
    """Move the integer ``values`` equal to ``fill`` one step off it, in place (see :func:`warp_bilinear`)."""
    if values.dtype.kind not in "iu":
        return
    equal = values == fill
    if equal.any():
        lowest = np.iinfo(values.dtype).min
        values[equal] = lowest + 1 if fill == lowest else fill - 1
