"""Real numbers passed as arguments: Python and numpy numbers and 0-d tensors or arrays, never bools or strings."""

from __future__ import annotations

import math
from numbers import Real


def as_real(value: object) -> float | None:
    """``value`` as a float when it is one real number, else None.

    Accepted: ``int``, ``float``, ``fractions.Fraction``, numpy integer and
    floating scalars, and 0-d torch tensors or numpy arrays holding one of
    those (as TorchGeo users pass a resolution or size computed with torch).
    Refused (None): bools (``True`` is not a coordinate or a size), strings,
    complex numbers, ``Decimal``, None, sequences, arrays of other shapes.

    Args:
        value: the argument as given.

    Returns:
        The number as a float (an int beyond the float range is ``±inf``,
        left for the caller to refuse as not finite), or None.
    """
    if getattr(value, "ndim", None) == 0 and callable(getattr(value, "item", None)):
        # A 0-d tensor or array: its item is a Python number (or bool, or complex) to check like any other.
        value = value.item()  # type: ignore[attr-defined]
    if isinstance(value, bool) or not isinstance(value, Real):
        return None
    try:
        return float(value)
    except OverflowError:
        # Only ints and Fractions get here: both compare with 0.
        return math.inf if value > 0 else -math.inf  # type: ignore[operator]
