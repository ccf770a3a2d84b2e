"""Time intervals parsed from file names."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from geotorch.core.bbox import MAX_TIME, MIN_TIME
from geotorch.core.url_secrets import redacted

#: The directives of each resolution, finest first: a format resolves the period of its finest directive.
#: A weekday (%a, %A, %w, %u) with a week number (%U, %W, %V) or a date names a day; %c and %X hold seconds.
_FINEST_UNIT = (
    (("%f",), timedelta(microseconds=1)),
    (("%S", "%s", "%c", "%X"), timedelta(seconds=1)),
    (("%M",), timedelta(minutes=1)),
    (("%H", "%I"), timedelta(hours=1)),
    (("%d", "%j", "%x", "%a", "%A", "%w", "%u"), timedelta(days=1)),
)

#: Week numbers, which strptime ignores unless a weekday is given, and the weekday (Monday 0) each week starts on:
#: Monday for %W and ISO's %V, Sunday for %U.
_WEEK_STARTS = {"%V": 0, "%W": 0, "%U": 6}


def _end_of_period(start: datetime, date_format: str) -> datetime:
    """The last instant of the period ``date_format`` resolves (a day for %d, a month for %m, ...).

    The periods of 9999, the last year a datetime holds, end at its last microsecond (``99991231``,
    a stop date that stands for "no end", is a whole day).
    """
    for directives, span in _FINEST_UNIT:
        if any(directive in date_format for directive in directives):
            return start + (span - timedelta(microseconds=1))
    last = datetime.max.replace(tzinfo=start.tzinfo)
    if "%m" in date_format or "%b" in date_format or "%B" in date_format:
        if (start.year, start.month) == (last.year, last.month):
            return last
        next_month = start.replace(year=start.year + start.month // 12, month=start.month % 12 + 1, day=1)
        return next_month - timedelta(microseconds=1)
    if start.year == last.year:
        return last
    return start.replace(year=start.year + 1, month=1, day=1) - timedelta(microseconds=1)


def parse_time(text: str, date_format: str, source: str) -> datetime:
    """Parse ``text`` with ``date_format`` as a UTC time.

    Raises:
        ValueError: naming ``source`` (the file) if ``text`` does not fit the format or names a day that does
            not exist (see :func:`_check_calendar`).
    """
    try:
        parsed = datetime.strptime(text, date_format)
    except ValueError as error:
        # strptime's reason tells a format that does not fit ("does not match format") from a date that does not
        # exist ("day is out of range for month").
        raise ValueError(
            f"{redacted(source)}: date {text!r} does not match date_format {date_format!r} ({error})"
        ) from error
    _check_calendar(text, date_format, parsed, source)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _check_calendar(text: str, date_format: str, parsed: datetime, source: str) -> None:
    """Refuse a day strptime moved into another year rather than refusing it.

    strptime refuses 30 February, but reckons a day of the year or a weekday of a week from 1 January
    and lets it run over: day 366 of 2021 gives 1 January 2022, Saturday of week 53 of 2020 (``%U``)
    9 January 2021, Monday of ISO week 53 of 2021 3 January 2022. The year (ISO year and week) as
    written is read with the day or week directive replaced by one that takes its digits as they stand.

    Raises:
        ValueError: naming ``source``, the text and the day strptime made of it.
    """
    if "%G" in date_format and "%V" in date_format:
        written = _as_written(text, date_format, {"%G": "%Y", "%V": "%M"})
        if written is None or tuple(parsed.isocalendar())[:2] == (written.year, written.minute):
            return
    else:
        stand_ins = {"%j": "%f", "%U": "%M", "%W": "%M"}
        written = next(
            (
                found
                for directive, stand_in in stand_ins.items()
                if directive in date_format
                and (found := _as_written(text, date_format, {directive: stand_in})) is not None
            ),
            None,
        )
        if written is None or written.year == parsed.year:
            return
    raise ValueError(
        f"{redacted(source)}: date {text!r} names a day that {written.year} does not have (date_format "
        f"{date_format!r}; strptime ran it over into {parsed.date()})"
    )


def _as_written(text: str, date_format: str, stand_ins: dict[str, str]) -> datetime | None:
    """``text`` parsed with each directive of ``stand_ins`` replaced by its stand-in; None if that cannot be."""
    if any(stand_in in date_format for stand_in in stand_ins.values()):
        return None
    for directive, stand_in in stand_ins.items():
        date_format = date_format.replace(directive, stand_in)
    try:
        return datetime.strptime(text, date_format)
    except ValueError:
        return None


def _week_number(date_format: str) -> str | None:
    """The week-number directive of ``date_format`` when the format names no day in the week, else None."""
    if any(directive in date_format for directives, _ in _FINEST_UNIT for directive in directives):
        return None
    return next((directive for directive in _WEEK_STARTS if directive in date_format), None)


def _week(text: str, date_format: str, week: str, source: str) -> tuple[datetime, datetime]:
    """The first and last instants of the week ``text`` names with ``week`` (see :func:`parse_period`)."""
    # strptime reads the number as a day of the year in its place; it refuses only 0 (week 0 of %U and %W).
    try:
        dated = datetime.strptime(text, date_format.replace(week, "%j").replace("%G", "%Y"))
    except ValueError:
        number, dated = 0, parse_time(text, date_format, source)
    else:
        number = dated.timetuple().tm_yday
    new_year = datetime(dated.year, 1, 1, tzinfo=dated.tzinfo or UTC)
    if week == "%V":
        try:
            monday = datetime.fromisocalendar(dated.year, number, 1)
        except ValueError as error:
            raise ValueError(
                f"{redacted(source)}: date {text!r} names no ISO week (date_format {date_format!r}: {error})"
            ) from error
        start = monday.replace(tzinfo=new_year.tzinfo)
        return start, start + timedelta(weeks=1, microseconds=-1)
    # Week 0 of %U and %W holds the days of the year before its first Sunday (Monday); it may hold none.
    first_week = (_WEEK_STARTS[week] - new_year.weekday()) % 7
    start = new_year + timedelta(days=0 if number == 0 else first_week + 7 * (number - 1))
    following = new_year + timedelta(days=first_week if number == 0 else first_week + 7 * number)
    end = min(following, new_year.replace(year=dated.year + 1)) - timedelta(microseconds=1)
    if start > end:
        raise ValueError(
            f"{redacted(source)}: date {text!r} names week {number} of {dated.year}, which that year does not have "
            f"(date_format {date_format!r})"
        )
    return start, end


def parse_period(text: str, date_format: str, source: str) -> tuple[datetime, datetime]:
    """The first and last instants (UTC unless the format has an offset) of the period ``text`` names.

    The period is that of the format's finest directive: a day for ``%Y%m%d``, a month for ``%Y%m``,
    a year for ``%Y``. A week number without a weekday (``%Y-W%W``, ``%Y%U``, ``%G-W%V``: weekly
    composites) names its week: Monday to Sunday (Sunday to Saturday for ``%U``), cut to its year for
    ``%U`` and ``%W``, whose week 0 holds the days of the year before its first Monday (Sunday).
    ``strptime`` itself ignores such a week number and gives 1 January for every week.

    Raises:
        ValueError: naming ``source`` (the file) if ``text`` does not fit the format, the date does not
            exist, or a week number is not a week of its year.
    """
    week = _week_number(date_format)
    if week is not None:
        try:
            # With a weekday strptime checks the whole text (an ISO week needs one to parse at all).
            datetime.strptime(f"{text} 1", f"{date_format} %u")
        except ValueError as error:
            raise ValueError(
                f"{redacted(source)}: date {text!r} does not match date_format {date_format!r} ({error})"
            ) from error
        return _week(text, date_format, week, source)
    start = parse_time(text, date_format, source)
    return start, _end_of_period(start, date_format)


def interval_from_match(match: re.Match[str], date_format: str, source: str) -> tuple[float, float]:
    """Time interval ``(mint, maxt)`` in POSIX seconds from a filename regex match.

    A ``date`` group covers the whole period its format resolves (``%Y`` a
    year, ``%Y%m%d`` a day, ``%Y-W%W`` a week: see :func:`parse_period`);
    ``start`` and ``stop`` groups give the interval's ends. Without any of them the interval is unbounded.

    Raises:
        ValueError: naming ``source`` (the file) if a date does not fit ``date_format`` or does not
            exist, or ``stop`` is before ``start``.
    """
    groups = match.groupdict()
    if groups.get("start") and groups.get("stop"):
        start, _ = parse_period(groups["start"], date_format, source)
        stop, end = parse_period(groups["stop"], date_format, source)
        if stop < start:
            raise ValueError(
                f"{redacted(source)}: stop {groups['stop']!r} is before start {groups['start']!r} (date_format "
                f"{date_format!r}); check the order of filename_regex's (?P<start>...) and (?P<stop>...) groups"
            )
        return start.timestamp(), end.timestamp()
    if groups.get("date"):
        start, end = parse_period(groups["date"], date_format, source)
        return start.timestamp(), end.timestamp()
    return MIN_TIME, MAX_TIME
