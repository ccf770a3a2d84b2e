"""Durations as time_series_split takes them (TorchGeo 0.10.1's pd.Timedelta lengths): timedeltas as seconds."""

from __future__ import annotations

import math
from datetime import timedelta

import numpy as np

#: Seconds of a day, the unit durations are named in.
DAY = 86400.0


def is_duration(value: object) -> bool:
    """Whether ``value`` is a duration: a :class:`datetime.timedelta` (pandas' Timedelta is one) or numpy's."""
    return isinstance(value, timedelta | np.timedelta64)


def duration_seconds(value: timedelta | np.timedelta64, name: str, owner: str) -> float:
    """``value`` in seconds, checked to be positive and finite.

    Args:
        value: the duration.
        name: the argument it was given as, for messages (``lengths[1]``).
        owner: the function taking it, for messages.

    Returns:
        The duration in seconds, to the microsecond (numpy's finer units are rounded).

    Raises:
        ValueError: if it is not a positive duration (zero, negative, NaT), naming it.
    """
    if isinstance(value, np.timedelta64):
        seconds = float(value / np.timedelta64(1, "us")) / 1e6 if not np.isnat(value) else math.nan
    else:
        seconds = value.total_seconds()
    if not (math.isfinite(seconds) and seconds > 0):
        raise ValueError(f"{owner}: {name}={value!r} must be a positive duration")
    return seconds


def duration_text(seconds: float) -> str:
    """``seconds`` as written in messages: ``"4 days"``, ``"1.5 days"``."""
    days = seconds / DAY
    return f"{days:.6g} day" if days == 1 else f"{days:.6g} days"
