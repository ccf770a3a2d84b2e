"""Splitting a GeoDataset along time: each index entry goes to one interval of time."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from itertools import pairwise
from numbers import Real
from typing import Any, TypeVar

import numpy as np

from geotorch.core.bbox import MAX_TIME, MIN_TIME, BoundingBox, format_time
from geotorch.core.geo import GeoDataset
from geotorch.core.reals import as_real
from geotorch.samplers.areas import as_interval, index_entries
from geotorch.samplers.durations import duration_seconds, duration_text, is_duration
from geotorch.samplers.splits import Entry, as_shares, split_view

Dataset = TypeVar("Dataset", bound=GeoDataset)


TimeSplit = float | timedelta | np.timedelta64 | tuple[float | datetime, float | datetime]


def time_series_split(dataset: Dataset, lengths: Sequence[TimeSplit]) -> list[Dataset]:
    """Split along time, by fractions of the dataset's time span, by durations or by explicit intervals.

    Every index entry goes to one interval only, with its time clipped to it: the
    interval it overlaps longest (the earliest of equal ones); an entry of a single
    instant goes to the interval ``[start, end)`` holding it (the last interval of a
    split by fractions or durations includes its end). A sample reads a file's pixels whatever the
    time queried within the file's interval, so a file given to two splits would
    put the same pixels in both: a day's scene at a cut falling on that day (TorchGeo
    0.10.1 gives an entry to every interval it overlaps).

    Args:
        dataset: the dataset to split; it is not modified.
        lengths: positive fractions summing to 1, cutting ``[mint, maxt]`` of
            the dataset's bounds in order; or positive durations (``datetime.timedelta``,
            ``pd.Timedelta``, ``np.timedelta64``, as TorchGeo 0.10.1) of consecutive intervals from
            ``mint``, reaching ``maxt`` at least; or ``(start, end)`` intervals in
            POSIX seconds or datetimes (naive ones are UTC) that do not overlap.

    Returns:
        One view of ``dataset`` per fraction or interval.

    Raises:
        TypeError: if ``lengths`` mixes fractions, durations and intervals, or holds
            something that is neither a number nor a datetime.
        ValueError: if an index entry has no date (an unbounded time, as files whose
            names hold none), a fraction or a time is NaN or infinite, the fractions
            are not positive or do not sum to 1, a duration is not positive or they
            sum to less than the time span, an interval is empty or overlaps
            another, or an interval holds no data.
    """
    intervals = _time_intervals(dataset, lengths)
    entries = index_entries(dataset)
    for box, item in entries:
        if box.mint <= MIN_TIME or box.maxt >= MAX_TIME:
            raise ValueError(
                f"time_series_split: {item} of {type(dataset).__name__} has no date (its time runs from "
                f"{format_time(box.mint)} to {format_time(box.maxt)}), so it would fall in every split; give the "
                f"files dates (a date group in filename_regex), or split in space (random_bbox_assignment, roi_split)"
            )
    closed_end = all(is_duration(length) or _is_number(length) for length in lengths)
    parts: list[list[Entry]] = [[] for _ in intervals]
    for box, item in entries:
        number = _interval_of(box, intervals, closed_end)
        if number is not None:
            start, end = intervals[number]
            parts[number].append((replace(box, mint=max(box.mint, start), maxt=min(box.maxt, end)), item))
    for number, ((start, end), chosen) in enumerate(zip(intervals, parts, strict=True)):
        if not chosen:
            raise ValueError(
                f"time_series_split: interval {number} ({format_time(start)}, {format_time(end)}) holds no data of "
                f"{type(dataset).__name__} (time bounds {format_time(dataset.bounds.mint)}, "
                f"{format_time(dataset.bounds.maxt)}): each index entry goes to the one interval it overlaps "
                f"longest, and none overlaps this one longest; widen it, or cut between the entries' times"
            )
    return [split_view(dataset, chosen) for chosen in parts]


def _time_intervals(dataset: GeoDataset, lengths: Sequence[TimeSplit]) -> list[tuple[float, float]]:
    """``(start, end)`` POSIX seconds of each split of :func:`time_series_split`."""
    if lengths and all(is_duration(length) for length in lengths):
        return _duration_intervals(dataset, lengths)
    numbers = [length for length in lengths if _is_number(length)]
    if len(numbers) == len(lengths):
        shares = as_shares(numbers, "time_series_split", "lengths")
        mint, maxt = dataset.bounds.mint, dataset.bounds.maxt
        cuts = [mint + (maxt - mint) * sum(shares[:number]) for number in range(len(shares))] + [maxt]
        return list(pairwise(cuts))
    intervals = []
    for number, length in enumerate(lengths):
        if is_duration(length) or _is_number(length):
            raise TypeError(
                f"time_series_split: give all fractions, all durations or all (start, end) pairs, got {length!r}"
            )
        start, end = as_interval(length, f"lengths[{number}]", "time_series_split")
        if not start < end:
            raise ValueError(f"time_series_split: interval {length!r} must have start < end")
        intervals.append((start, end))
    ordered = sorted(intervals)
    for (_, end), (start, _) in pairwise(ordered):
        if start < end:
            raise ValueError(f"time_series_split: intervals {ordered} overlap; make them disjoint")
    return intervals


def _duration_intervals(dataset: GeoDataset, durations: Sequence[Any]) -> list[tuple[float, float]]:
    """Consecutive ``(start, end)`` POSIX seconds of ``durations`` from the dataset's first time.

    Raises:
        ValueError: if a duration is not positive, or they sum to less than the data's time span (the entries
            after their end would fall in no split).
    """
    seconds = [duration_seconds(duration, f"lengths[{number}]", "time_series_split")
               for number, duration in enumerate(durations)]
    mint, maxt = dataset.bounds.mint, dataset.bounds.maxt
    cuts = [mint + math.fsum(seconds[:number]) for number in range(len(seconds) + 1)]
    if cuts[-1] < maxt:
        raise ValueError(
            f"time_series_split: the durations [{', '.join(duration_text(length) for length in seconds)}] sum to "
            f"{duration_text(cuts[-1] - mint)}, short of the {duration_text(maxt - mint)} the data of "
            f"{type(dataset).__name__} span ({format_time(mint)} to {format_time(maxt)}): the entries after "
            f"{format_time(cuts[-1])} would fall in no split; lengthen the last"
        )
    return list(pairwise(cuts))


def _is_number(value: object) -> bool:
    """Whether ``value`` is a fraction rather than an interval: 0-d tensors and arrays are (bools are refused later)."""
    return isinstance(value, Real) or as_real(value) is not None


def _interval_of(box: BoundingBox, intervals: Sequence[tuple[float, float]], closed_end: bool) -> int | None:
    """The one interval of :func:`time_series_split` that ``box`` goes to, or None if it falls outside them all."""
    if box.mint == box.maxt:
        last = len(intervals) - 1
        return next((number for number, (start, end) in enumerate(intervals)
                     if start <= box.mint < end or (closed_end and number == last and box.mint == end)), None)
    overlaps = [min(box.maxt, end) - max(box.mint, start) for start, end in intervals]
    longest = max(range(len(overlaps)), key=lambda number: overlaps[number])
    return longest if overlaps[longest] > 0 else None
