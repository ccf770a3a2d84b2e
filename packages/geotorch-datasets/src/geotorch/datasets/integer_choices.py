"""Checks of a product's arguments that pick whole numbers from a list it publishes (class values, years)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from numbers import Integral
from typing import Any


def integer_choices(values: Any, argument: str, owner: str) -> tuple[int, ...]:
    """The whole numbers of ``values`` (an argument such as ``classes`` or ``years``), in the order given.

    Args:
        values: the argument as passed: a list (any iterable) of whole numbers (Python's or numpy's).
        argument: the argument's name, used in messages.
        owner: the product's class name, used in messages.

    Returns:
        The values as Python ints.

    Raises:
        TypeError: if ``values`` is a single value or a string rather than a list, or holds something that is
            not a whole number (a float such as ``11.0``, a string such as ``'11'``, a bool).
        ValueError: if ``values`` names a value twice (its labels or steps would be ambiguous).
    """
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        raise TypeError(
            f"{owner}: {argument} must be a list of whole numbers, got {type(values).__name__} ({values!r}); "
            f"for one value pass [{values!r}]"
        )
    chosen = list(values)
    wrong = [value for value in chosen if isinstance(value, bool) or not isinstance(value, Integral)]
    if wrong:
        raise TypeError(
            f"{owner}: {argument} must hold whole numbers, got {type(wrong[0]).__name__} ({wrong[0]!r}) "
            f"in {argument}={chosen!r}"
        )
    integers = [int(value) for value in chosen]
    twice = [value for value, count in Counter(integers).items() if count > 1]
    if twice:
        raise ValueError(f"{owner}: {argument}={integers} names {twice} more than once; name each value once")
    return tuple(integers)
