"""Checks of the samplers' and splitters' arguments: finite numbers, whole counts, ``Units`` values.

Each check names the argument (and the sampler or function it was given to),
so a NaN or an infinity is refused where it is passed, not deep in a pass.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable

import numpy as np

from geotorch.core.reals import as_real
from geotorch.samplers.constants import Units


def _prefix(owner: str) -> str:
    return f"{owner}: " if owner else ""


def _checked(value: object, positive: bool, subject: str) -> float:
    """``value`` as a float if it is a finite (and, if asked, positive) number; errors start with ``subject``."""
    number = as_real(value)
    if number is None:
        raise TypeError(f"{subject} must be a number")
    if not math.isfinite(number):
        raise ValueError(f"{subject} must be finite, not NaN or infinite")
    if positive and number <= 0:
        raise ValueError(f"{subject} must be positive")
    return number


def as_scalar(value: object) -> object:
    """A 0-d tensor or array as the Python number it holds (an int stays an int); anything else as given."""
    if getattr(value, "ndim", None) == 0 and callable(getattr(value, "item", None)):
        return value.item()  # type: ignore[attr-defined]
    return value


def as_number(value: object, name: str, owner: str = "") -> float:
    """``value`` as a finite float.

    Args:
        value: the argument as given.
        name: its name, for messages (``"toi[0]"``, ``"lengths[2]"``).
        owner: the class or function it was given to, for messages.

    Returns:
        The number as a float.

    Numpy numbers and 0-d tensors or arrays are numbers too.

    Raises:
        TypeError: if ``value`` is not a real number (a bool, a string, None...).
        ValueError: if it is NaN or infinite.
    """
    return _checked(value, False, f"{_prefix(owner)}{name}={value!r}")


def as_positive(value: object, name: str, owner: str = "") -> float:
    """``value`` as a finite float above 0.

    Raises:
        TypeError: if ``value`` is not a real number.
        ValueError: if it is NaN, infinite, zero or negative.
    """
    return _checked(value, True, f"{_prefix(owner)}{name}={value!r}")


def as_pair(value: object, name: str, owner: str = "") -> tuple[float, float]:
    """One positive finite number (used twice) or a pair of them, as two floats.

    Args:
        value: a number, or a sequence of two numbers (``(height, width)``, ``(x, y)``...); numpy
            numbers and 0-d tensors or arrays are numbers, a tensor or array of two is a pair.
        name: the argument's name, for messages.
        owner: the class or function it was given to, for messages.

    Returns:
        The pair, in the order given.

    Raises:
        TypeError: if ``value`` is neither a number nor a sequence, or holds something other than numbers.
        ValueError: if it holds other than two numbers, or a number is NaN, infinite, zero or negative.
    """
    if as_real(value) is not None:
        number = as_positive(value, name, owner)
        return number, number
    if not isinstance(value, Iterable) or isinstance(value, (str, bytes)) or getattr(value, "ndim", 1) == 0:
        raise TypeError(f"{_prefix(owner)}{name}={value!r} must be a number or a pair of numbers")
    # Three at most: enough to tell a pair from anything longer, without reading a huge iterable.
    parts = tuple(itertools.islice(value, 3))
    if len(parts) != 2:
        raise ValueError(f"{_prefix(owner)}{name}={value!r} must be one number or a pair of numbers")
    first, second = (_checked(part, True, f"{_prefix(owner)}{name}={value!r}: {part!r}") for part in parts)
    return first, second


def as_count_pair(value: object, name: str, owner: str = "") -> tuple[int, int]:
    """One whole number of at least 1 (used twice) or a pair of them, as two ints: a size or stride in pixels.

    Args:
        value: a number or a sequence of two (``(height, width)``); numpy numbers, 0-d tensors or
            arrays and whole floats (``64.0``) count, a tensor or array of two is a pair.
        name: the argument's name, for messages (``"patch_size"``).
        owner: the class or function it was given to, for messages.

    Returns:
        The pair, in the order given.

    Raises:
        TypeError: if ``value`` is neither a number nor a sequence, or holds something other than numbers.
        ValueError: if it holds other than two numbers, or a number is NaN, infinite, not positive or not whole.
    """
    first, second = as_pair(value, name, owner)
    for number in (first, second):
        if not number.is_integer():
            raise ValueError(f"{_prefix(owner)}{name}={value!r} must be whole pixels, not {number:g}")
    return int(first), int(second)


def as_count(value: object, name: str, owner: str = "", minimum: int = 1) -> int:
    """``value`` as a whole number of at least ``minimum`` (``10.0`` is 10; ``10.5`` is refused).

    Args:
        value: the argument as given.
        name: its name, for messages (``"length"``, ``"batch_size"``).
        owner: the class or function it was given to, for messages.
        minimum: the smallest value allowed.

    Returns:
        The count as an int.

    Raises:
        TypeError: if ``value`` is not a real number.
        ValueError: if it is NaN, infinite, not whole or below ``minimum``.
    """
    number = as_number(value, name, owner)
    if not number.is_integer():
        raise ValueError(f"{_prefix(owner)}{name}={value!r} must be a whole number")
    if number < minimum:
        raise ValueError(f"{_prefix(owner)}{name}={value!r} must be >= {minimum}")
    return int(number)


def as_flag(value: object, name: str, owner: str = "") -> bool:
    """``value`` checked to be True or False (a numpy bool too): a string such as ``"no"`` is not read as True.

    Raises:
        TypeError: if it is anything else.
    """
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{_prefix(owner)}{name}={value!r} must be True or False")
    return bool(value)


def as_units(units: object, owner: str = "") -> Units:
    """``units`` checked to be a :class:`Units` value.

    Raises:
        TypeError: if it is anything else, such as the string ``"pixels"``.
    """
    if not isinstance(units, Units):
        raise TypeError(f"{_prefix(owner)}units={units!r} must be Units.PIXELS or Units.CRS (from geotorch.samplers)")
    return units
