"""Time intervals parsed from file names."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from geotorch.core.bbox import MAX_TIME, MIN_TIME

#: The directives of each resolution, finest first: a format resolves the period of its finest directive.
#: A weekday (%a, %A, %w, %u) with a week number (%U, %W, %V) or a date names a day; %c and %X hold seconds.
_FINEST_UNIT = (
    (("%f",), timedelta(microseconds=1)),
    (("%S", "%s", "%c", "%X"), timedelta(seconds=1)),
    (("%M",), timedelta(minutes=1)),
    (("%H", "%I"), timedelta(hours=1)),
    (("%d", "%j", "%x", "%a", "%A", "%w", "%u"), timedelta(days=1)),
)


def _end_of_period(start: datetime, date_format: str) -> datetime:
    """The last instant of the period ``date_format`` resolves (a day for %d, a month for %m, ...)."""
    for directives, span in _FINEST_UNIT:
        if any(directive in date_format for directive in directives):
            return start + span - timedelta(microseconds=1)
    if "%m" in date_format or "%b" in date_format or "%B" in date_format:
        next_month = start.replace(year=start.year + start.month // 12, month=start.month % 12 + 1, day=1)
        return next_month - timedelta(microseconds=1)
    return start.replace(year=start.year + 1, month=1, day=1) - timedelta(microseconds=1)


def parse_time(text: str, date_format: str, source: str) -> datetime:
    """Parse ``text`` with ``date_format`` as a UTC time.

    Raises:
        ValueError: naming ``source`` (the file) if ``text`` does not fit the format.
    """
    try:
        parsed = datetime.strptime(text, date_format)
    except ValueError as error:
        # strptime's reason tells a format that does not fit ("does not match format") from a date that does not
        # exist ("day is out of range for month").
        raise ValueError(f"{source}: date {text!r} does not match date_format {date_format!r} ({error})") from error
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def interval_from_match(match: re.Match[str], date_format: str, source: str) -> tuple[float, float]:
    """Time interval ``(mint, maxt)`` in POSIX seconds from a filename regex match.

    A ``date`` group covers the whole period its format resolves (``%Y`` a
    year, ``%Y%m%d`` a day); ``start`` and ``stop`` groups give the interval's
    ends. Without any of them the interval is unbounded.

    Raises:
        ValueError: naming ``source`` (the file) if a date does not fit ``date_format``, or
            ``stop`` is before ``start``.
    """
    groups = match.groupdict()
    if groups.get("start") and groups.get("stop"):
        start = parse_time(groups["start"], date_format, source)
        stop = parse_time(groups["stop"], date_format, source)
        if stop < start:
            raise ValueError(
                f"{source}: stop {groups['stop']!r} is before start {groups['start']!r} (date_format "
                f"{date_format!r}); check the order of filename_regex's (?P<start>...) and (?P<stop>...) groups"
            )
        return start.timestamp(), _end_of_period(stop, date_format).timestamp()
    if groups.get("date"):
        start = parse_time(groups["date"], date_format, source)
        return start.timestamp(), _end_of_period(start, date_format).timestamp()
    return MIN_TIME, MAX_TIME
