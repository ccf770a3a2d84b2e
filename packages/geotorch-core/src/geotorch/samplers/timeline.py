"""The time windows temporal samplers pick from: acquisitions, sliding windows and calendar periods.

Times are whole microseconds (POSIX), and a window ``(first, last)`` holds
both ends: a window of one day starting at midnight ends a microsecond before
the next midnight, as a file dated that day does, so windows that follow each
other never share an acquisition.
"""

from __future__ import annotations

import abc
from collections.abc import Iterator
from functools import cached_property

import numpy as np
import pandas as pd
import torch

#: A time window ``(first, last)`` in whole microseconds, both included.
Window = tuple[int, int]


class Ranges:
    """Whole numbers in sorted, disjoint ranges ``[low, high]``, counted and indexed without listing them.

    Attributes:
        lows: the first number of each range.
        highs: the last number of each range.
    """

    def __init__(self, lows: np.ndarray, highs: np.ndarray) -> None:
        """Merge ranges that overlap or touch; empty ones (``low > high``) are dropped."""
        lows, highs = np.asarray(lows, dtype=np.int64), np.asarray(highs, dtype=np.int64)
        keep = lows <= highs
        order = np.argsort(lows[keep], kind="stable")
        lows, highs = lows[keep][order], highs[keep][order]
        reach = np.maximum.accumulate(highs) if len(highs) else highs
        starts = np.ones(len(lows), dtype=bool)
        starts[1:] = lows[1:] > reach[:-1] + 1
        ends = np.append(np.flatnonzero(starts)[1:] - 1, len(lows) - 1) if len(lows) else starts.nonzero()[0]
        self.lows = lows[starts]
        self.highs = reach[ends]
        self._after = np.cumsum(self.highs - self.lows + 1)

    def __len__(self) -> int:
        """How many numbers the ranges hold."""
        return int(self._after[-1]) if len(self._after) else 0

    def __getitem__(self, position: int) -> int:
        """The number at ``position`` in increasing order.

        Raises:
            IndexError: if ``position`` is not in ``[0, len(self))``.
        """
        if not 0 <= position < len(self):
            raise IndexError(f"position {position} is outside the {len(self)} numbers of the ranges")
        number = int(np.searchsorted(self._after, position, side="right"))
        before = int(self._after[number - 1]) if number else 0
        return int(self.lows[number]) + position - before

    def every(self, first: int, step: int) -> Iterator[int]:
        """The numbers at positions ``first``, ``first + step``, ... (with ``0 <= first < step``), lazily."""
        before = 0
        for low, high in zip(self.lows.tolist(), self.highs.tolist(), strict=True):
            offset = (first - before) % step
            yield from range(low + offset, high + 1, step)
            before += high - low + 1

    def draw(self, generator: torch.Generator) -> int:
        """One of the numbers, each equally likely.

        Raises:
            IndexError: if the ranges are empty.
        """
        if len(self) == 0:
            raise IndexError("cannot draw from empty ranges")
        return self[int(torch.randint(len(self), (1,), generator=generator))]


class Timeline(abc.ABC):
    """The windows a temporal sampler picks from, over the time intervals of some index entries.

    Attributes:
        intervals: ``(n, 2)`` int64, the entries' unique ``(first, last)`` microseconds, in time order.
    """

    def __init__(self, intervals: np.ndarray) -> None:
        """Remember the intervals the windows must overlap."""
        self.intervals = intervals

    @abc.abstractmethod
    def __len__(self) -> int:
        """How many windows overlap an interval."""

    @abc.abstractmethod
    def __getitem__(self, position: int) -> Window:
        """The window at ``position``, in time order."""

    @abc.abstractmethod
    def draw(self, generator: torch.Generator) -> Window:
        """A random window that overlaps an interval."""


class Acquisitions(Timeline):
    """One window per acquisition: the part of its interval that no other acquisition's holds.

    Acquisitions of equal intervals count once. Where intervals overlap (composites named by start and
    stop dates, overlapping by days) a query over a whole interval would read the others too; the
    window is then the first stretch of the interval that only it holds, which reads it alone.

    Attributes:
        windows: ``(n, 2)`` int64, each interval's window ``(first, last)``: the whole interval where
            other intervals cover all of it (no query reads it alone).
        covered: the positions of those intervals, int64.
    """

    def __init__(self, intervals: np.ndarray) -> None:
        """Find each interval's own stretch."""
        super().__init__(intervals)
        self.windows = own_stretches(intervals)
        self.covered = np.flatnonzero(self.windows[:, 0] > self.windows[:, 1])
        self.windows[self.covered] = intervals[self.covered]

    def __len__(self) -> int:
        """How many distinct intervals there are."""
        return len(self.intervals)

    def __getitem__(self, position: int) -> Window:
        """The window of the interval at ``position``, in time order."""
        first, last = self.windows[position].tolist()
        return first, last

    def draw(self, generator: torch.Generator) -> Window:
        """The window of one of the intervals, each equally likely."""
        return self[int(torch.randint(len(self), (1,), generator=generator))]


def own_stretches(intervals: np.ndarray) -> np.ndarray:
    """Each interval's first stretch that no other interval overlaps.

    Args:
        intervals: ``(n, 2)`` int64 ``(first, last)``, both included, distinct.

    Returns:
        ``(n, 2)`` int64 ``(first, last)``; ``(1, 0)`` (empty) for an interval others cover whole.
    """
    count = len(intervals)
    stretches = np.tile(np.array([1, 0], dtype=np.int64), (count, 1))
    if not count:
        return stretches
    # A sweep over the intervals' ends: between consecutive events, how many intervals hold the time and
    # the sum of their numbers, which is the one interval's number where only one holds it.
    events = np.concatenate([intervals[:, 0], intervals[:, 1] + 1])
    numbers = np.arange(count, dtype=np.int64)
    steps = np.concatenate([np.ones(count, dtype=np.int64), -np.ones(count, dtype=np.int64)])
    order = np.argsort(events, kind="stable")
    positions, starts = np.unique(events[order], return_index=True)
    holding = np.add.reduceat(steps[order], starts).cumsum()
    owners = np.add.reduceat(np.concatenate([numbers, -numbers])[order], starts).cumsum()
    alone = np.flatnonzero(holding[:-1] == 1)
    owner_of = owners[alone]
    # The first stretch of each owner (segments are in time order).
    owner_of, first = np.unique(owner_of, return_index=True)
    segments = alone[first]
    stretches[owner_of, 0] = positions[segments]
    stretches[owner_of, 1] = positions[segments + 1] - 1
    return stretches


class Strides(Timeline):
    """Windows of ``delta`` starting at the span's start and then every ``stride``; draws start anywhere.

    Attributes:
        span: ``(first, last)`` microsecond of all the data; windows start at ``first``.
        delta: length of a window in microseconds.
        stride: step between window starts in microseconds.
        numbers: which windows (``0`` starts at ``span[0]``) overlap an interval.
    """

    def __init__(self, intervals: np.ndarray, span: Window, delta: int, stride: int) -> None:
        """Find the windows that overlap an interval.

        Window ``k`` is ``[first + k * stride, first + k * stride + delta - 1]``.
        """
        super().__init__(intervals)
        self.span, self.delta, self.stride = span, delta, stride
        starts, ends = intervals[:, 0] - span[0], intervals[:, 1] - span[0]
        # Window k overlaps [a, b] when k * stride <= b and k * stride + delta - 1 >= a.
        lows = np.maximum(-((delta - 1 - starts) // stride), 0)
        self.numbers = Ranges(lows, ends // stride)

    def __len__(self) -> int:
        """How many of the windows overlap an interval."""
        return len(self.numbers)

    def __getitem__(self, position: int) -> Window:
        """The ``position``-th window that overlaps an interval."""
        start = self.span[0] + self.numbers[position] * self.stride
        return start, start + self.delta - 1

    @cached_property
    def starts(self) -> Ranges:
        """Where a drawn window may start: in the span (over it when ``delta`` is longer), overlapping an interval."""
        first, last = self.span
        latest = last - self.delta + 1
        low, high = min(first, latest), max(first, latest)
        return Ranges(np.maximum(self.intervals[:, 0] - self.delta + 1, low), np.minimum(self.intervals[:, 1], high))

    def draw(self, generator: torch.Generator) -> Window:
        """A window of ``delta`` whose start, to the microsecond, is uniform over :attr:`starts`."""
        start = self.starts.draw(generator)
        return start, start + self.delta - 1


class Calendar:
    """Periods of a pandas frequency, numbered from the one that holds a given time.

    With a multiple (``"2M"``), periods are counted from that first period:
    ``2M`` from March gives March-April, May-June, ...

    Attributes:
        freq: the pandas period alias.
        base: the ordinal of period 0 (in the alias's unit).
        multiple: the alias's multiple (2 for ``"2M"``).
    """

    def __init__(self, freq: str, first: int) -> None:
        """Start numbering at the period that holds microsecond ``first``."""
        self.freq = freq
        period = pd.Period(pd.Timestamp(first, unit="us"), freq=freq)
        self.base = int(period.ordinal)
        self.multiple = int(period.freq.n)

    def numbers(self, micro: np.ndarray) -> np.ndarray:
        """The number of the period that holds each microsecond."""
        # In microseconds throughout: pandas' nanoseconds end in 2262, and a file may be dated up to 9999.
        moments = pd.DatetimeIndex(np.asarray(micro, dtype=np.int64).astype("datetime64[us]"))
        ordinals = moments.to_period(self.freq).asi8
        return np.asarray((ordinals - self.base) // self.multiple, dtype=np.int64)

    def start(self, number: int) -> int:
        """The first microsecond of period ``number``."""
        period = pd.Period(ordinal=self.base + number * self.multiple, freq=self.freq)
        return int(period.start_time.as_unit("us").asm8.astype(np.int64))

    def window(self, number: int) -> Window:
        """Period ``number`` as ``(first, last)`` microseconds."""
        return self.start(number), self.start(number + 1) - 1


class Periods(Timeline):
    """The calendar periods that overlap an interval; draws weigh each by its length.

    Attributes:
        calendar: how periods are numbered.
        numbers: which periods overlap an interval.
    """

    def __init__(self, intervals: np.ndarray, calendar: Calendar) -> None:
        """Find the periods that overlap an interval: from the one holding its start to the one holding its end."""
        super().__init__(intervals)
        self.calendar = calendar
        self.numbers = Ranges(calendar.numbers(intervals[:, 0]), calendar.numbers(intervals[:, 1]))

    def __len__(self) -> int:
        """How many periods overlap an interval."""
        return len(self.numbers)

    def __getitem__(self, position: int) -> Window:
        """The ``position``-th period that overlaps an interval."""
        return self.calendar.window(self.numbers[position])

    @cached_property
    def moments(self) -> Ranges:
        """Every microsecond of the periods that overlap an interval."""
        starts = [self.calendar.start(number) for number in self.numbers.lows.tolist()]
        ends = [self.calendar.start(number + 1) - 1 for number in self.numbers.highs.tolist()]
        return Ranges(np.array(starts, dtype=np.int64), np.array(ends, dtype=np.int64))

    def draw(self, generator: torch.Generator) -> Window:
        """The period holding a uniform microsecond of :attr:`moments`: longer periods (31-day months) are likelier."""
        number = int(self.calendar.numbers(np.array([self.moments.draw(generator)]))[0])
        return self.calendar.window(number)
