"""The numeric arguments of the self-supervised tasks, checked when a task is built."""

from __future__ import annotations

import math
import numbers
from typing import TypeGuard


def check_ssl_arguments(
    owner: str,
    *,
    counts: dict[str, object],
    temperature: object = 1.0,
    moco_momentum: object = 0.0,
    memory_bank_size: object = 0,
) -> None:
    """Refuse arguments that would fail at the first batch or train silently wrong.

    A temperature of 0 made every loss NaN and a negative one pushed the two views of an image apart;
    a momentum outside 0 to 1 moved the momentum encoder away from the online one; ``output_dim=0``
    gave projections of nothing and a constant loss.

    Args:
        owner: the task's name, for messages.
        counts: arguments that are whole numbers of at least 1, by name (None values: the task's default).
        temperature: the softmax temperature, above 0.
        moco_momentum: the EMA momentum, from 0 to 1.
        memory_bank_size: the keys MoCo keeps as negatives, a whole number of 0 or more.

    Raises:
        ValueError: naming the argument, its value and what it must be.
    """
    for name, value in counts.items():
        if value is not None and not _whole(value, 1):
            raise ValueError(f"{owner}: {name}={value!r} must be a whole number of at least 1")
    if not _whole(memory_bank_size, 0):
        raise ValueError(f"{owner}: memory_bank_size={memory_bank_size!r} must be a whole number, 0 or more")
    if not _real(temperature) or not float(temperature) > 0:
        raise ValueError(
            f"{owner}: temperature={temperature!r} must be a number above 0 (0 divides by zero, a negative one "
            "pushes the two views of an image apart)"
        )
    if not _real(moco_momentum) or not 0 <= float(moco_momentum) <= 1:
        raise ValueError(
            f"{owner}: moco_momentum={moco_momentum!r} must be from 0 to 1: the share of the momentum encoder "
            "kept at each step"
        )


def _real(value: object) -> TypeGuard[numbers.Real]:
    """Whether ``value`` is a finite real number, not a bool."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)


def _whole(value: object, minimum: int) -> bool:
    """Whether ``value`` is an integer (numpy's included, not a bool) of at least ``minimum``."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool) and int(value) >= minimum
