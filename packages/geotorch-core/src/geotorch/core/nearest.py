"""GDAL's nearest-neighbour warp kernel, evaluated at known source positions."""

from __future__ import annotations

import numpy as np

#: Added to a position before flooring it to the source pixel under it, as GDAL's warp kernel does.
_EDGE_NUDGE = 1e-10
#: Target pixels taken in one run: each step's arrays stay below the 128 KiB above which malloc maps fresh pages.
_CHUNK = 8192


def warp_nearest(
    pixels: np.ndarray,
    valid: np.ndarray | None,
    cols: np.ndarray,
    rows: np.ndarray,
    dtype: np.dtype[np.generic],
    fill: float,
    fill_marks: bool,
) -> tuple[np.ndarray, np.ndarray]:
    """Take the source pixel under each of the positions ``cols``, ``rows``, as GDAL's nearest warp kernel does.

    The pixel under a position is ``floor(position + 1e-10)``, at any kernel scale (GDAL's nearest
    ignores it); a target pixel receives data where that pixel is inside the window and valid.
    Values of another type than ``dtype`` are converted as GDAL converts them (through float64,
    integers rounded half up and clamped); of the same type they are copied (64-bit integers too).
    GDAL's nearest moves no value off the fill (its bilinear does).

    Args: as :func:`geotorch.core.resample.warp_bilinear`'s, but
        fill_marks: ``fill`` alone tells pixels without data (no alpha band): a pixel converted to ``fill``
            in every band reads as not received, as GDAL's warp reports it.

    Returns:
        ``(bands, height, width)`` pixels of ``dtype``, and the boolean ``(height, width)`` mask of target
        pixels that received data.
    """
    bands = len(pixels)
    flat_cols, flat_rows = np.ascontiguousarray(cols).ravel(), np.ascontiguousarray(rows).ravel()
    flat_valid = None if valid is None else valid.ravel()
    source = pixels.reshape(bands, -1)
    out = np.empty((bands, flat_cols.size), dtype=dtype)
    received = np.empty(flat_cols.size, dtype=bool)
    converted = pixels.dtype != dtype
    for start in range(0, flat_cols.size, _CHUNK):
        run = slice(start, start + _CHUNK)
        taken, where = _taken(flat_cols[run], flat_rows[run], flat_valid, pixels.shape[1:])
        values = source.take(taken, axis=1)
        if converted:
            values = _converted(values, np.dtype(dtype))
        chunk = out[:, run]
        if where is None:
            chunk[...] = values
            received[run] = True
        else:
            chunk.fill(fill)
            chunk[:, where] = values
            received[run] = where
        if converted and fill_marks:
            # A source value equal to the fill is missing (not taken); a value converted to it reads as missing.
            received[run] &= ~(np.isnan(chunk) if np.isnan(fill) else chunk == fill).all(axis=0)
    return out.reshape(bands, *cols.shape), received.reshape(cols.shape)


def _taken(
    cols: np.ndarray, rows: np.ndarray, valid: np.ndarray | None, shape: tuple[int, ...]
) -> tuple[np.ndarray, np.ndarray | None]:
    """Flat window indices of the valid pixels under the positions ``cols``, ``rows``, and which positions have one.

    Returns:
        The indices, and the boolean mask of the positions taken (None when all are).
    """
    height, width = shape
    nudged_cols, nudged_rows = cols + _EDGE_NUDGE, rows + _EDGE_NUDGE
    # All positions >= 0 (NaN fails every comparison): truncation floors them, and none is out left or above.
    if cols.min() >= 0 and rows.min() >= 0 and nudged_cols.max() < width and nudged_rows.max() < height:
        where = None
    else:
        # As GDAL: a position left of or above the window is out, whatever the nudge.
        where = (cols >= 0) & (rows >= 0) & (nudged_cols < width) & (nudged_rows < height)
        nudged_cols, nudged_rows = nudged_cols[where], nudged_rows[where]
    taken = nudged_rows.astype(np.intp)
    taken *= width
    taken += nudged_cols.astype(np.intp)
    if valid is not None:
        kept = valid.take(taken)
        if not kept.all():
            if where is None:
                where = kept
            else:
                where[where] = kept
            taken = taken[kept]
    return taken, where


def _converted(values: np.ndarray, dtype: np.dtype[np.generic]) -> np.ndarray:
    """``values`` in another type ``dtype``, through float64: integers rounded half up and clamped, as GDAL does."""
    values = values.astype(np.float64)
    if dtype.kind in "iu":
        values += 0.5
        np.floor(values, out=values)
        limits = np.iinfo(dtype.str)
        np.clip(values, limits.min, limits.max, out=values)
    return values.astype(dtype)
