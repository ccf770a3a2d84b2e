"""Which pixels are missing: nodata values compared the way NaN and each pixel type need."""

from __future__ import annotations

import math
import warnings
from numbers import Integral

import numpy as np

from geotorch.core.reals import as_real
from geotorch.core.url_secrets import redacted


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


def dataset_nodata(owner: str, value: object, sample_dtype: np.dtype[np.generic], class_ids: bool) -> float:
    """A dataset's ``nodata`` (argument or class attribute) as a Python number, checked against its samples' type.

    Args:
        owner: the dataset class's name, for errors.
        value: the ``nodata`` given.
        sample_dtype: the type of the samples' ``image`` or ``mask``.
        class_ids: whether samples hold a ``mask`` of class ids (else an ``image``, or a mask of a float
            ``dtype`` holding values as read).

    Returns:
        The value as an ``int`` when it is an integer of any kind (ids beyond 2**53 stay exact), else a ``float``.

    Raises:
        TypeError: if ``value`` is not one real number (a string, a bool, a sequence).
        ValueError: if the samples' type cannot hold it: a class-id mask's nodata is not an integer id,
            or another's is beyond its float type's range (1e40 would become infinity in float32).
    """
    if getattr(value, "ndim", None) == 0 and callable(getattr(value, "item", None)):
        value = value.item()  # type: ignore[attr-defined]  # a 0-d tensor or array
    number = as_real(value)
    if number is None:
        raise TypeError(f"{owner}: nodata must be one real number, got {value!r} ({type(value).__name__})")
    exact = int(value) if isinstance(value, Integral) and math.isfinite(number) else number
    if class_ids and not holds(np.dtype(np.int64), exact):
        raise ValueError(f"{owner}: nodata={value!r} is no class id a mask holds (an integer within int64)")
    if not class_ids and not holds(sample_dtype, number):
        raise ValueError(
            f"{owner}: nodata={value!r} is beyond the range of the samples' {sample_dtype} (it would become "
            f"infinity); give a value {sample_dtype} holds, or a float64 dtype"
        )
    return exact


def warn_of_unheld_fill(owner: str, path: str, fill: float, sample_dtype: np.dtype[np.generic]) -> None:
    """Warn when a file's nodata, the fill of a dataset without ``nodata``, is beyond its samples' float range.

    A float64 file of nodata -1.7976931348623157e308 (ArcGIS's) read into float32 images fills pixels
    without data with -inf, which no comparison with the file's nodata finds.

    Args:
        owner: the dataset class's name, for the message.
        path: the file whose nodata is the fill.
        fill: its nodata.
        sample_dtype: the type of the samples' ``image`` or ``mask`` (a float type: class ids are checked at read).
    """
    if sample_dtype.kind != "f" or holds(sample_dtype, fill):
        return
    sign = "-" if fill < 0 else ""
    warnings.warn(
        f"{owner}: the nodata {fill!r} of {redacted(path)}, the fill of pixels without data, is beyond the range of "
        f"the samples' {sample_dtype}: they would hold {sign}inf; pass nodata= a value {sample_dtype} holds (e.g. "
        f"nodata=float('nan')) to fill them with it, or override the dtype property (torch.float64)",
        UserWarning,
        stacklevel=3,
    )
