"""Temporal samplers of time windows: a fixed duration laid every stride, or calendar periods.

Windows are in whole microseconds and hold both ends; see :mod:`geotorch.samplers.temporal` for
the queries, ranks, and where they differ from TorchGeo 0.10.1.
"""

from __future__ import annotations

import numpy as np

from geotorch.core.geo import GeoDataset
from geotorch.samplers.distributed import draw_seed
from geotorch.samplers.seeds import Seed
from geotorch.samplers.temporal import TemporalSampler
from geotorch.samplers.temporal_arguments import Duration, Toi, as_duration, as_freq
from geotorch.samplers.timeline import Calendar, Periods, Strides, Timeline


class TimedeltaSampler(TemporalSampler):
    """Base of the samplers whose windows last ``delta``, laid every ``stride`` from the first date.

    Attributes:
        delta: duration of a window, microseconds.
        stride: time between window starts, microseconds (random draws start at any microsecond).
    """

    def __init__(
        self,
        dataset: GeoDataset,
        *,
        delta: Duration,
        stride: Duration | None = None,
        toi: Toi | None = None,
        rank: int | None = None,
        world_size: int | None = None,
        even: bool = True,
    ) -> None:
        """Collect the dates of ``dataset`` inside ``toi`` and check ``delta`` and ``stride`` (default: ``delta``).

        Raises:
            TypeError: if ``delta`` or ``stride`` is not a Timedelta/timedelta, or ``toi`` has the wrong type.
            ValueError: if ``delta`` or ``stride`` is under a millisecond, over pandas.Timedelta.max or of numpy
                months or years (no fixed length), or as :class:`TemporalSampler`.
        """
        super().__init__(dataset, toi=toi, rank=rank, world_size=world_size, even=even)
        owner = type(self).__name__
        self.delta = as_duration(delta, "delta", owner)
        self.stride = self.delta if stride is None else as_duration(stride, "stride", owner)

    def timeline(self, intervals: np.ndarray) -> Timeline:
        """Windows of ``delta`` every ``stride`` over ``intervals``."""
        return Strides(intervals, self.span, self.delta, self.stride)


class RandomTimedeltaSampler(TimedeltaSampler):
    """Windows of a fixed duration at random times: for training on sub-series of a set length.

    A window ``[start, start + delta)`` starts at a uniformly random
    microsecond among those that keep it inside the span of the dates (first
    to last, within ``toi``) and let it overlap at least one acquisition; when
    ``delta`` is longer than that span, among those whose window covers the
    whole span. Each pass draws ``length`` new windows.

    Args:
        dataset: the dataset whose dates are sampled.
        delta: duration of a window, at least a millisecond.
        length: windows per pass over all ranks (default: how many
            :class:`SequentialTimedeltaSampler` windows of ``delta`` with ``stride=delta`` hold an acquisition).
        toi: time of interest (see :class:`TemporalSampler`; default: all dates).
        generator: a seed (an int, or a list of ints), a numpy random source or a torch.Generator
            (default: torch's default generator).
        rank: this process's rank (default: from torch.distributed, else 0).
        world_size: how many ranks share the work (default: from torch.distributed, else 1).

    Raises:
        TypeError: if ``delta`` is not a Timedelta/timedelta, ``length`` not a number,
            or ``toi``/``generator`` has the wrong type.
        ValueError: if ``generator`` is a negative seed, ``delta`` is under a millisecond, over pandas.Timedelta.max or
            of numpy months or years, ``length`` is not a positive whole number or a pass would exceed 2**40 windows,
            or as :class:`TemporalSampler`.
    """

    strategy = "random"

    def __init__(
        self,
        dataset: GeoDataset,
        *,
        delta: Duration,
        length: int | None = None,
        toi: Toi | None = None,
        generator: Seed | None = None,
        rank: int | None = None,
        world_size: int | None = None,
    ) -> None:
        super().__init__(dataset, delta=delta, toi=toi, rank=rank, world_size=world_size)
        self.length = self._length(length, max(1, len(self.timeline(self.intervals))), f"delta={delta!r}")
        self.seed = draw_seed(generator)


class SequentialTimedeltaSampler(TimedeltaSampler):
    """Sliding windows of a fixed duration, in time order: for evaluation on sub-series of a set length.

    Windows ``[start, start + delta)`` start at the first date (within
    ``toi``) and then every ``stride``, the last one starting at or before the
    last date (so it may reach past it); windows that hold no acquisition (a
    gap in the data, or between windows when ``stride > delta``) are skipped.
    A ``delta`` longer than the span of the dates gives one window. The same
    windows are laid at every location of a :class:`SpatioTemporalSampler`.

    Args:
        dataset: the dataset whose dates are sampled.
        delta: duration of a window, at least a millisecond.
        stride: time between window starts, at least a millisecond (default: ``delta``).
        toi: time of interest (see :class:`TemporalSampler`; default: all dates).
        rank: this process's rank (default: from torch.distributed, else 0).
        world_size: how many ranks share the work (default: from torch.distributed, else 1).
        even: give every rank as many windows, repeating up to one of another rank each (see
            :class:`~geotorch.samplers.TemporalSampler`); False: each of them once over all ranks.

    Raises:
        TypeError: if ``delta`` or ``stride`` is not a Timedelta/timedelta, ``toi`` has the wrong type, or
            ``even`` is not True or False.
        ValueError: if ``delta`` or ``stride`` is under a millisecond, over pandas.Timedelta.max or of numpy
            months or years, a pass would exceed 2**40 windows, or as :class:`TemporalSampler`.
    """

    strategy = "sequential"

    def __init__(
        self,
        dataset: GeoDataset,
        *,
        delta: Duration,
        stride: Duration | None = None,
        toi: Toi | None = None,
        rank: int | None = None,
        world_size: int | None = None,
        even: bool = True,
    ) -> None:
        super().__init__(dataset, delta=delta, stride=stride, toi=toi, rank=rank, world_size=world_size, even=even)
        given = f"delta={delta!r}" if stride is None else f"delta={delta!r}, stride={stride!r}"
        self.length = self._checked_length(len(self.timeline(self.intervals)), given)


class PeriodSampler(TemporalSampler):
    """Base of the samplers whose windows are the calendar periods of ``freq`` that hold an acquisition.

    Attributes:
        freq: the pandas period alias.
        calendar: how periods are numbered, from the period of the first date.
    """

    def __init__(
        self,
        dataset: GeoDataset,
        *,
        freq: str,
        toi: Toi | None = None,
        rank: int | None = None,
        world_size: int | None = None,
        even: bool = True,
    ) -> None:
        """Collect the dates of ``dataset`` inside ``toi`` and number the periods of ``freq`` from the first.

        Raises:
            TypeError: if ``freq`` is not a string or ``toi`` has the wrong type.
            ValueError: if ``freq`` is not a pandas period alias or is of business days (``"B"``, whose periods
                leave weekends out), or as :class:`TemporalSampler`.
        """
        super().__init__(dataset, toi=toi, rank=rank, world_size=world_size, even=even)
        self.freq = as_freq(freq, type(self).__name__)
        self.calendar = Calendar(self.freq, self.span[0])

    def timeline(self, intervals: np.ndarray) -> Timeline:
        """The periods that overlap ``intervals``."""
        return Periods(intervals, self.calendar)


class RandomPeriodSampler(PeriodSampler):
    """Calendar periods (months, quarters, years...) at random: for training on, say, a month of dates.

    A period of pandas frequency ``freq`` is drawn by drawing a uniformly
    random instant among the periods that hold an acquisition (within
    ``toi``) and taking the period that holds it, so a 31-day month is a
    little likelier than February; the query is the whole period, ``[start,
    next start)``. Periods are pandas ``Period`` objects of UTC times; with a
    multiple (``"2M"``) they are counted from the period of the first date.

    Args:
        dataset: the dataset whose dates are sampled.
        freq: a pandas period alias: ``"D"``, ``"W"``, ``"M"``, ``"Q"``, ``"Y"``, ``"2M"``...
        length: periods per pass over all ranks (default: how many periods hold an acquisition).
        toi: time of interest (see :class:`TemporalSampler`; default: all dates).
        generator: a seed (an int, or a list of ints), a numpy random source or a torch.Generator
            (default: torch's default generator).
        rank: this process's rank (default: from torch.distributed, else 0).
        world_size: how many ranks share the work (default: from torch.distributed, else 1).

    Raises:
        TypeError: if ``freq`` is not a string, ``length`` not a number, or ``toi``/``generator`` has the wrong type.
        ValueError: if ``generator`` is a negative seed, ``freq`` is not a pandas period alias (``"ME"`` is an
            offset alias: use ``"M"``) or is of business days (``"B"``), ``length`` is not a positive whole number
            or a pass would exceed 2**40 periods, or as :class:`TemporalSampler`.
    """

    strategy = "random"

    def __init__(
        self,
        dataset: GeoDataset,
        *,
        freq: str,
        length: int | None = None,
        toi: Toi | None = None,
        generator: Seed | None = None,
        rank: int | None = None,
        world_size: int | None = None,
    ) -> None:
        super().__init__(dataset, freq=freq, toi=toi, rank=rank, world_size=world_size)
        self.length = self._length(length, len(self.timeline(self.intervals)), f"freq={freq!r}")
        self.seed = draw_seed(generator)


class SequentialPeriodSampler(PeriodSampler):
    """Every calendar period (month, quarter, year...) that holds an acquisition, in time order.

    Periods as in :class:`RandomPeriodSampler`; periods without an
    acquisition (within ``toi``) are skipped; ``length`` is the number of the others.

    Args:
        dataset: the dataset whose dates are sampled.
        freq: a pandas period alias: ``"D"``, ``"W"``, ``"M"``, ``"Q"``, ``"Y"``, ``"2M"``...
        toi: time of interest (see :class:`TemporalSampler`; default: all dates).
        rank: this process's rank (default: from torch.distributed, else 0).
        world_size: how many ranks share the work (default: from torch.distributed, else 1).
        even: give every rank as many periods, repeating up to one of another rank each (see
            :class:`~geotorch.samplers.TemporalSampler`); False: each of them once over all ranks.

    Raises:
        TypeError: if ``freq`` is not a string, ``toi`` has the wrong type, or ``even`` is not True or False.
        ValueError: if ``freq`` is not a pandas period alias or is of business days (``"B"``), a pass would
            exceed 2**40 periods, or as :class:`TemporalSampler`.
    """

    strategy = "sequential"

    def __init__(
        self,
        dataset: GeoDataset,
        *,
        freq: str,
        toi: Toi | None = None,
        rank: int | None = None,
        world_size: int | None = None,
        even: bool = True,
    ) -> None:
        super().__init__(dataset, freq=freq, toi=toi, rank=rank, world_size=world_size, even=even)
        self.length = self._checked_length(len(self.timeline(self.intervals)), f"freq={freq!r}")
