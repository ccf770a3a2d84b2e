"""What chooses a STAC GeoParquet table's items besides place: property filters and an inclusive time range."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

#: A property filter: ``(column, op, value)`` as pyarrow's ``filters`` take them.
Filter = tuple[str, str, Any]
#: What ``filters`` accepts: pyarrow-style tuples (ANDed), lists of them (ORed lists), or ``"column op value"`` strings.
Filters = Sequence[Filter] | Sequence[Sequence[Filter]] | Sequence[str] | str

_OPERATORS = ("<=", ">=", "!=", "==", "<", ">", "=")
_FILTER_TEXT = re.compile(r"^\s*(?P<column>\S+)\s*(?P<op><=|>=|!=|==|<|>|=)\s*(?P<value>.+?)\s*$")


def parse_filters(filters: Filters | None) -> list[Filter] | list[list[Filter]] | None:
    """``filters`` as pyarrow's ``filters`` argument takes them.

    Args:
        filters: pyarrow-style ``(column, op, value)`` tuples (ANDed) or lists of them (ORed);
            or strings ``"column op value"`` (ANDed; ``op`` one of ``< <= > >= == != =``; the value
            a number, ``true``/``false``, or text, quoted or not), e.g. ``"eo:cloud_cover < 20"``.

    Raises:
        ValueError: if a string is not ``column op value``, or a tuple not three items, naming it.
    """
    if filters is None:
        return None
    if isinstance(filters, str):
        filters = [filters]
    parsed: list[Any] = []
    for entry in filters:
        if isinstance(entry, str):
            match = _FILTER_TEXT.match(entry)
            if match is None:
                raise ValueError(
                    f"STACDataset: filter {entry!r} is not 'column op value' (op one of {' '.join(_OPERATORS)})"
                )
            op = "==" if match["op"] == "=" else match["op"]
            parsed.append((match["column"], op, _value(match["value"])))
        elif _is_filter(entry) or (isinstance(entry, list) and all(_is_filter(part) for part in entry)):
            parsed.append(entry)
        else:
            raise ValueError(f"STACDataset: filter {entry!r} is not a (column, op, value) tuple nor a list of them")
    return parsed


def _is_filter(entry: object) -> bool:
    """Whether ``entry`` is one pyarrow-style ``(column, op, value)`` tuple."""
    return isinstance(entry, tuple) and len(entry) == 3 and isinstance(entry[0], str)


def _value(text: str) -> Any:
    """A filter string's value: a number, a boolean, or text (quotes removed)."""
    if text[:1] in "'\"" and text[-1:] == text[:1] and len(text) > 1:
        return text[1:-1]
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    try:
        number = float(text)
    except ValueError:
        return text
    return int(number) if number.is_integer() and re.fullmatch(r"[-+]?\d+", text) else number


def parse_time_range(time_range: Any) -> tuple[float, float] | None:
    """An inclusive ``time_range`` as POSIX seconds.

    Args:
        time_range: ``(start, end)``; each an ISO string, a datetime (naive means UTC), a pandas
            Timestamp, or None for an open end; or one string ``"start/end"`` (STAC's form, ``..`` for
            an open end). A string end of date precision spans its whole period (``"2020-06"`` ends on
            June 30th, 23:59:59.999999), as pandas' partial-string slices do.

    Raises:
        ValueError: if it is not two limits, a limit does not parse, or the start is after the end.
    """
    if time_range is None:
        return None
    if isinstance(time_range, str):
        parts = time_range.split("/")
        if len(parts) != 2:
            raise ValueError(f"STACDataset: time_range {time_range!r} is not 'start/end'")
        time_range = tuple(None if part in ("", "..") else part for part in parts)
    if not isinstance(time_range, Sequence) or len(time_range) != 2:
        raise ValueError(f"STACDataset: time_range must be (start, end) or 'start/end', got {time_range!r}")
    start, end = (_limit(limit, at_end) for limit, at_end in zip(time_range, (False, True), strict=True))
    if start > end:
        raise ValueError(f"STACDataset: time_range {time_range!r} starts after it ends")
    return start, end


def _limit(limit: Any, at_end: bool) -> float:
    """One end of a time range in POSIX seconds (open ends infinite)."""
    import pandas as pd

    if limit is None:
        return math.inf if at_end else -math.inf
    try:
        if isinstance(limit, str) and "T" not in limit and ":" not in limit:
            period = pd.Period(limit)
            stamp = period.end_time if at_end else period.start_time
        else:
            stamp = pd.Timestamp(limit)
    except (ValueError, TypeError) as error:
        raise ValueError(f"STACDataset: time_range limit {limit!r} is not a date or time: {error}") from error
    if stamp.tzinfo is None:
        stamp = stamp.tz_localize("UTC")
    return float(stamp.value) / 1e9
