"""Which pixels are missing: nodata values compared the way NaN and each pixel type need."""

from __future__ import annotations

import math

import numpy as np


def holds(dtype: np.dtype[np.generic], value: float) -> bool:
    """Whether pixels of type ``dtype`` can hold ``value``: exactly in integers, NaN and infinities only in floats.

    Floats hold a finite value within their range, rounded to their precision
    (float32 holds -3.4e38 as -3.3999999521e38, not 1e39, which would become infinity).
    """
    if dtype.kind in "fc":
        return not math.isfinite(value) or abs(value) <= float(np.finfo(dtype.str).max)
    if dtype.kind == "b":
        return value in (0, 1)
    if not math.isfinite(value) or value != round(value):
        return False
    limits = np.iinfo(dtype.str)
    return bool(limits.min <= value <= limits.max)


def same_value(first: float, second: float) -> bool:
    """Whether two nodata values are the same, NaN being the same as NaN."""
    return first == second or (math.isnan(first) and math.isnan(second))


def equal_to(pixels: np.ndarray, value: float) -> np.ndarray:
    """Boolean array: which elements of ``pixels`` are ``value`` (NaN matching NaN)."""
    if math.isnan(value):
        return np.isnan(pixels) if pixels.dtype.kind in "fc" else np.zeros(pixels.shape, dtype=bool)
    return np.asarray(pixels == value)


def missing_pixels(pixels: np.ndarray, values: list[float]) -> np.ndarray | None:
    """Boolean ``(height, width)``: the pixels whose every band of ``pixels`` ``(C, H, W)`` is one of ``values``.

    A band may hold one nodata value and another band another (a file's own and
    the dataset's). None when ``values`` is empty.
    """
    if not values:
        return None
    missing = _one_of(pixels[0], values)
    # Most windows lie inside the data: the first band then settles every pixel, and the others are not compared.
    if missing.any():
        for band in pixels[1:]:
            missing &= _one_of(band, values)
    return missing


def _one_of(band: np.ndarray, values: list[float]) -> np.ndarray:
    """Boolean array: which pixels of ``band`` hold one of ``values``."""
    found = equal_to(band, values[0])
    for value in values[1:]:
        found |= equal_to(band, value)
    return found


def type_holding(dtype: np.dtype[np.generic], value: float) -> np.dtype[np.generic]:
    """``dtype``, or the smallest type holding both its values and ``value`` when it cannot hold ``value``.

    A fill of -1 for uint16 pixels gives int32, a NaN fill for integers float32
    (never float16, which GDAL does not warp into).
    """
    if holds(dtype, value):
        return dtype
    wider = np.result_type(dtype, np.min_scalar_type(value))
    return np.dtype(np.float32) if wider.kind == "f" and wider.itemsize < 4 else wider
