"""Checks of the temporal samplers' arguments: ``toi``, ``delta``/``stride`` and ``freq``, in whole microseconds.

Each check names the argument and the sampler it was given to, so a reversed
interval, a zero duration or an unknown period alias is refused where it is
passed, not deep in a pass.
"""

from __future__ import annotations

import warnings
from datetime import UTC, datetime, timedelta
from typing import Any, TypeAlias

import numpy as np
import pandas as pd

from geotorch.samplers.areas import TimeInterval, as_interval

#: What ``toi=`` takes: a pandas Interval of Timestamps, or a ``(start, end)`` pair of POSIX seconds, datetimes or
#: numpy datetime64.
Toi: TypeAlias = "pd.Interval[Any] | TimeInterval"

#: What ``delta=`` and ``stride=`` take.
Duration: TypeAlias = timedelta | np.timedelta64

#: Microseconds in a second: the temporal samplers count time in whole microseconds, the
#: precision of the datetimes that file dates are parsed into.
MICROSECONDS = 10**6

#: The first and last microseconds a datetime holds (years 1 to 9999), in POSIX microseconds.
FIRST_MICROSECOND = (datetime.min.replace(tzinfo=UTC) - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)
LAST_MICROSECOND = (datetime.max.replace(tzinfo=UTC) - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)

#: The shortest ``delta`` or ``stride``, in microseconds: a millisecond.
MIN_DURATION = 1_000

#: The longest ``delta`` or ``stride``, in microseconds: :attr:`pandas.Timedelta.max` (about 292 years), so that
#: windows reckoned from any date stay far inside int64 microseconds.
MAX_DURATION = pd.Timedelta.max // pd.Timedelta(microseconds=1)


def to_microseconds(seconds: object, *, up: bool) -> np.ndarray:
    """Times in POSIX seconds as whole microseconds.

    Times parsed from file names are whole microseconds, which come back
    exactly. Any other time becomes the first microsecond at or after it
    (``up``) or the last at or before it, so an interval only ever shrinks.
    Times are kept within the years 1 to 9999 a datetime holds: the end of
    9999-12-31 (a stop date meaning "no end") is a float of seconds that
    rounds up to the first instant of year 10000.

    Args:
        seconds: one time or an array of them, in POSIX seconds.
        up: round up (a start) rather than down (an end).

    Returns:
        An int64 array of the same shape.
    """
    values = np.asarray(seconds, dtype=np.float64)
    micro = np.rint(values * MICROSECONDS).astype(np.int64)
    back = micro / MICROSECONDS
    rounded = micro + (back < values) if up else micro - (back > values)
    return np.clip(rounded, FIRST_MICROSECOND, LAST_MICROSECOND)


def to_seconds(micro: int) -> float:
    """Whole microseconds as POSIX seconds, the float closest to them (as a datetime's ``timestamp()`` gives)."""
    return int(micro) / MICROSECONDS


def as_toi(toi: object, owner: str) -> tuple[int, int] | None:
    """``(first, last)`` microsecond of a time of interest, both included; None when not given.

    Args:
        toi: a :class:`pandas.Interval` of Timestamps (or datetimes, or POSIX seconds), whose
            ``closed`` side says which ends belong to it, or a ``(start, end)`` pair of POSIX
            seconds, datetimes or numpy datetime64, both ends included; naive times are UTC.
        owner: the sampler it was given to, for messages.

    Raises:
        TypeError: if ``toi`` is neither.
        ValueError: if an end is NaN, NaT or infinite, or the interval holds no microsecond.
    """
    if toi is None:
        return None
    if isinstance(toi, pd.Interval):
        start, end = as_interval((toi.left, toi.right), "toi", owner)
        shift_start, shift_end = int(not toi.closed_left), int(not toi.closed_right)
    else:
        start, end = as_interval(toi, "toi", owner)
        shift_start = shift_end = 0
    first = int(to_microseconds(start, up=True)) + shift_start
    last = int(to_microseconds(end, up=False)) - shift_end
    if first > last:
        raise ValueError(f"{owner}: toi={toi!r} is empty; pass an interval whose start is before its end")
    return first, last


def as_duration(value: object, name: str, owner: str) -> int:
    """A ``delta`` or ``stride`` in whole microseconds.

    Args:
        value: a :class:`pandas.Timedelta`, :class:`datetime.timedelta` or numpy timedelta64.
        name: the argument's name, for messages.
        owner: the sampler it was given to, for messages.

    Raises:
        TypeError: if ``value`` is none of those (a string, a number of seconds...).
        ValueError: if it is NaT, shorter than a millisecond (zero and negative included), longer than
            :data:`MAX_DURATION`, or of months or years (numpy's ``'M'``/``'Y'`` units), which have no fixed length.
    """
    if isinstance(value, bool) or not isinstance(value, (timedelta, np.timedelta64)):
        raise TypeError(
            f"{owner}: {name}={value!r} must be a pandas.Timedelta or datetime.timedelta, "
            f"such as pandas.Timedelta(days=30)"
        )
    too_long = (
        f"{owner}: {name}={value!r} must be at most pandas.Timedelta.max ({pd.Timedelta.max}), "
        f"which already spans every date a file can hold"
    )
    try:
        duration = pd.Timedelta(value)
        micro = None if pd.isna(duration) else int(duration // pd.Timedelta(microseconds=1))
    except pd.errors.OutOfBoundsTimedelta as error:
        raise ValueError(too_long) from error
    except ValueError as error:  # numpy's months and years, whose length varies, and units below a nanosecond
        raise ValueError(
            f"{owner}: {name}={value!r} is not a fixed duration pandas can hold ({error}); "
            f"give one such as pandas.Timedelta(days=30)"
        ) from error
    if micro is None:
        raise ValueError(f"{owner}: {name}={value!r} is NaT; give a duration")
    if micro < MIN_DURATION:
        raise ValueError(f"{owner}: {name}={value!r} must be at least a millisecond")
    if micro > MAX_DURATION:
        raise ValueError(too_long)
    return micro


def as_freq(freq: object, owner: str) -> str:
    """``freq`` checked to be a pandas period alias (``"M"``, ``"Q"``, ``"Y"``, ``"W"``, ``"2M"``...).

    Raises:
        TypeError: if it is not a string.
        ValueError: if pandas knows no period of that name (``"ME"``, ``"bad"``), its multiple is not positive, or
            its periods leave days out (business days, ``"B"``: pandas puts a weekend date in the next Monday's
            period, which does not hold it).
    """
    if not isinstance(freq, str):
        raise TypeError(f"{owner}: freq={freq!r} must be a pandas period alias such as 'M', 'Q' or 'Y'")
    saturday = pd.Timestamp(2000, 1, 1)
    try:
        with warnings.catch_warnings():
            # Refused below, with the reason that matters here.
            warnings.filterwarnings("ignore", "Period with BDay freq is deprecated", FutureWarning)
            period = pd.Period(saturday, freq=freq)
            holds_saturday = period.start_time <= saturday <= period.end_time
    except (ValueError, TypeError) as error:
        raise ValueError(
            f"{owner}: freq={freq!r} is not a pandas period alias ({error}); use one such as 'D', 'W', 'M', 'Q' or 'Y'"
        ) from error
    if not holds_saturday:
        raise ValueError(
            f"{owner}: freq={freq!r} has periods that leave weekends out (pandas puts Saturday {saturday.date()} in "
            f"the period {period}), so a weekend date's window would not hold it; use 'D' or 'W'"
        )
    return freq
