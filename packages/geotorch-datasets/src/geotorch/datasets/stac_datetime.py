"""The ``datetime`` of a STAC item search, checked before any request: RFC 3339 instants and intervals."""

from __future__ import annotations

import calendar
import re
from datetime import UTC, datetime, timedelta

#: A year, month or day (pystac-client widens it to the whole period), or an RFC 3339 date-time.
_INSTANT = re.compile(
    r"(?P<year>\d{4})(-(?P<month>\d{2})(-(?P<day>\d{2})"
    r"(?P<time>[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?(?P<zone>[Zz]|[-+]\d{2}:\d{2})?)?)?)?"
)

#: How the message shows what is accepted.
FORMS = "2020-01-01T00:00:00Z, 2020-01-01/2020-06-30, 2020-02-01/.. (open), or a whole year 2020 or month 2020-01"


def checked_datetime(text: str) -> str:
    """``text`` if it is a STAC API search ``datetime``, else a :class:`ValueError` saying why.

    Accepts an RFC 3339 date-time (no zone means UTC), a year (``2020``), month (``2020-01``) or day
    (``2020-01-01``) standing for the whole period, and intervals ``START/END`` of these whose one end
    may be open (``..`` or empty).

    Args:
        text: the value given as ``--datetime`` (or ``datetime=``).

    Returns:
        ``text`` unchanged.

    Raises:
        ValueError: if a part is no such date or time (``yesterday``, month 13, hour 25), the interval has
            more than two ends or none closed, or its start comes after its end; the message names the value.
    """
    ends = text.split("/")
    if len(ends) > 2:
        raise ValueError(f"{text!r}: an interval has two ends (START/END), not {len(ends)}; give {FORMS}")
    if len(ends) == 2 and all(end in ("", "..") for end in ends):
        raise ValueError(
            f"{text!r}: both ends of the interval are open; close one ({FORMS}), or search without a datetime"
        )
    periods = [_period(end, text) for end in ends if end not in ("", "..") or len(ends) == 1]
    if len(ends) == 2 and all(end not in ("", "..") for end in ends) and periods[0][0] > periods[1][1]:
        start, end = ends
        raise ValueError(f"{text!r}: the interval starts ({start}) after it ends ({end}); swap them")
    return text


def _period(part: str, text: str) -> tuple[datetime, datetime]:
    """The first and last instants (UTC) that ``part`` of the search datetime ``text`` stands for."""
    named = repr(part) if part == text else f"{part!r} (in {text!r})"
    match = _INSTANT.fullmatch(part)
    if match is None:
        raise ValueError(f"{named} is not an RFC 3339 date or date-time; give {FORMS}")
    try:
        if match["time"]:
            instant = datetime.fromisoformat(re.sub("[Zz]$", "+00:00", part.replace("t", "T")))
            instant = instant if instant.tzinfo else instant.replace(tzinfo=UTC)
            return instant, instant
        year, month, day = int(match["year"]), int(match["month"] or 1), int(match["day"] or 1)
        start = datetime(year, month, day, tzinfo=UTC)
    except ValueError as error:
        raise ValueError(f"{named} is no such date or time ({error})") from None
    if match["day"]:
        return start, start + timedelta(days=1) - timedelta(microseconds=1)
    if match["month"]:
        days = calendar.monthrange(year, month)[1]
        return start, start + timedelta(days=days) - timedelta(microseconds=1)
    return start, start.replace(year=year + 1) - timedelta(microseconds=1)
