"""Exact integer class ids from the label values of vector features."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from geotorch.core.errors import LabelValueError

_INT64 = np.iinfo(np.int64)


def class_ids(values: Any) -> np.ndarray:
    """The label values as int64 class ids, each exactly the value given.

    Integers, booleans, floats with no fractional part (``3301010100.0``) and
    decimal integer text (``"3301010100"``) are accepted; nothing is rounded,
    clipped or wrapped.

    Args:
        values: one label value per feature (any 1-D array-like).

    Returns:
        int64 array ``(N,)``.

    Raises:
        LabelValueError: for the first value that is missing (None, NaN), not
            an integer (``2.5``, ``"forest"``), or outside int64's range,
            naming its position and value.
    """
    array = np.asarray(values)
    if array.dtype.kind in "biu" and (array.dtype.kind != "u" or array.size == 0 or array.max() <= _INT64.max):
        return array.astype(np.int64)
    return np.array([_class_id(position, value) for position, value in enumerate(array.tolist())], dtype=np.int64)


def _class_id(position: int, value: object) -> int:
    """One value as a Python int that int64 holds, or a LabelValueError saying why not."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        raise LabelValueError(position, value, "is missing; every feature needs a class id")
    if isinstance(value, bool | int):
        number = int(value)
    elif isinstance(value, float):
        if not value.is_integer():
            raise LabelValueError(position, value, "is not an integer class id")
        number = int(value)
    elif isinstance(value, str | bytes):
        text = value.decode() if isinstance(value, bytes) else value
        try:
            number = int(text.strip())
        except ValueError:
            raise LabelValueError(position, value, "is not an integer class id") from None
    else:
        raise LabelValueError(position, value, f"has type {type(value).__name__}, not an integer class id")
    if not _INT64.min <= number <= _INT64.max:
        raise LabelValueError(position, value, "is outside int64's range, so it cannot be held exactly")
    return number
