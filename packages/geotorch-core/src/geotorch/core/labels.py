"""Exact integer class ids from the label values of vector features."""

from __future__ import annotations

import math
import re
from decimal import Decimal
from typing import Any

import numpy as np

from geotorch.core.errors import LabelValueError

_INT64 = np.iinfo(np.int64)
#: Below this magnitude every integer has its own float64.
_EXACT_IN_FLOAT64 = 2.0**53
#: Integer text: an optional sign and ASCII digits (no ``_`` separators, no other scripts' digits).
_DECIMAL_INTEGER = re.compile(r"[+-]?[0-9]+")


def class_ids(values: Any) -> np.ndarray:
    """The label values as int64 class ids, each exactly the value given.

    Integers, booleans, floats with no fractional part below 2**53 (2**24 for
    float32; from there on a float stands for several integers), such as
    ``3301010100.0``, decimals with no fractional part (a database's
    ``NUMERIC(10, 0)``, as GeoParquet's decimal columns give them) and decimal
    integer text (``"3301010100"``) are accepted; nothing is rounded, clipped or wrapped.

    Args:
        values: one label value per feature (any 1-D array-like).

    Returns:
        int64 array ``(N,)``.

    Raises:
        LabelValueError: for the first value that is missing (None, NaN), not
            an integer (``2.5``, ``"forest"``, ``"1_000"``), a float from 2**53 on
            (it may have been rounded), or outside int64's range, naming its
            position and value.
    """
    array = np.asarray(values)
    if array.dtype.kind in "biu" and (array.dtype.kind != "u" or array.size == 0 or array.max() <= _INT64.max):
        return array.astype(np.int64)
    # Floats hold every integer below 2**(mantissa bits + 1): 2**53 for float64, 2**24 for float32.
    exact = 2.0 ** (np.finfo(array.dtype).nmant + 1) if array.dtype.kind == "f" else _EXACT_IN_FLOAT64
    return np.array([_class_id(position, value, exact) for position, value in enumerate(array.tolist())],
                    dtype=np.int64)


def _class_id(position: int, value: object, exact: float) -> int:
    """One value as a Python int that int64 holds, or a LabelValueError saying why not."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        raise LabelValueError(position, value, "is missing; every feature needs a class id")
    if isinstance(value, bool | int):
        number = int(value)
    elif isinstance(value, float):
        if not value.is_integer():
            raise LabelValueError(position, value, "is not an integer class id")
        if abs(value) >= exact:
            # From there on a float stands for several integers: the file's value is not known.
            bits = int(math.log2(exact))
            raise LabelValueError(position, value, f"is a float of magnitude 2**{bits} or more, so it may have "
                                  "been rounded; store class ids in an integer field")
        number = int(value)
    elif isinstance(value, Decimal):
        if not value.is_finite() or value != value.to_integral_value():
            raise LabelValueError(position, value, "is not an integer class id")
        number = int(value)
    elif isinstance(value, str | bytes):
        text = (value.decode(errors="replace") if isinstance(value, bytes) else value).strip()
        if not _DECIMAL_INTEGER.fullmatch(text):
            raise LabelValueError(position, value, "is not an integer class id (decimal digits 0-9)")
        number = int(text)
    else:
        raise LabelValueError(position, value, f"has type {type(value).__name__}, not an integer class id")
    if not _INT64.min <= number <= _INT64.max:
        raise LabelValueError(position, value, "is outside int64's range, so it cannot be held exactly")
    return number
