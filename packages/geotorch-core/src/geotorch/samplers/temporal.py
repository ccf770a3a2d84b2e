"""TorchGeo 0.10's temporal samplers: which dates to read; here their base and the single-acquisition samplers.

Sliding windows and calendar periods are in :mod:`geotorch.samplers.temporal_windows`.

A temporal sampler yields :class:`~geotorch.core.BoundingBox` queries whose
``mint``/``maxt`` (POSIX seconds) pick the dates and whose x/y span the
dataset's whole bounds; combined with a spatial sampler (``spatial @
temporal``, see :class:`~geotorch.samplers.SpatioTemporalSampler`) they give
patches over a time window.

Beside TorchGeo 0.10.1, which yields ``(x, y, t)`` slices: the queries are
BoundingBoxes (every GeoTorch dataset takes them); a window of ``delta`` or
a period ends a microsecond before the next one starts, so neighbouring
windows never share an acquisition; sliding windows are anchored at the
first date of the whole dataset, so they are the same at every location;
lengths are exact and passes split across ranks (every rank as many windows
unless ``even=False``); bad arguments are refused at construction, naming them.
"""

from __future__ import annotations

import abc
import math
import warnings
from collections.abc import Iterator
from typing import ClassVar, Literal

import numpy as np
import torch

from geotorch.core.bbox import MAX_TIME, MIN_TIME, BoundingBox, format_time
from geotorch.core.geo import GeoDataset
from geotorch.core.outlines import outline_of, overlaps_outline
from geotorch.samplers.arguments import as_count, as_flag
from geotorch.samplers.constants import MAX_WINDOWS
from geotorch.samplers.distributed import draw_seed, rank_positions
from geotorch.samplers.seeds import Seed
from geotorch.samplers.single import GeoSampler
from geotorch.samplers.temporal_arguments import (
    Toi,
    as_toi,
    to_microseconds,
    to_seconds,
)
from geotorch.samplers.timeline import Acquisitions, Timeline, Window


class TemporalSampler(GeoSampler):
    """Base of samplers that choose when: time windows over the dates of a dataset's index entries.

    Dates: each index entry's time interval ``[mint, maxt]`` (for a
    :class:`~geotorch.core.RasterDataset`, the period its file name's ``date``
    group resolves: a whole day for ``%Y%m%d``), clipped to ``toi``. Entries
    without a date (an open interval) carry no time and are left out; entries
    with the same interval (tiles of one acquisition) count once. Times are
    handled in whole microseconds, the precision of parsed dates.

    Queries: a :class:`~geotorch.core.BoundingBox` over the dataset's whole
    bounds, with ``mint``/``maxt`` the window's first and last instant (both
    included, POSIX seconds), cut to ``toi``: a window reaching past it reads
    no date outside it. A window of one day starting at midnight ends
    a microsecond before the next midnight, as the interval of a file dated
    that day does, so consecutive windows never share an acquisition.

    Ranks: ``sequential`` samplers (and :class:`RandomTimestampSampler`) split
    a pass window by window. By default (``even``) every rank yields
    ``ceil(length / world_size)`` windows, a short rank repeating one window
    of another, as torch's DistributedSampler (and Lightning's wrapper of
    TorchGeo's samplers) pads a pass: DDP training needs every rank to take
    the same number of steps. With ``even=False`` every window is visited
    once over all ranks, rank lengths differing by at most one: for
    validation, testing and prediction. ``random`` samplers draw
    ``ceil(length / world_size)`` windows on every rank, from a stream of
    their own (``even`` does not change them).

    Attributes:
        strategy: ``"random"`` or ``"sequential"``: how :class:`SpatioTemporalSampler`
            combines the sampler with a spatial one.
        toi: ``(first, last)`` microsecond of the time of interest, or None.
        intervals: ``(n, 2)`` int64, the unique clipped intervals in microseconds, in time order.
        span: ``(first, last)`` microsecond of all of them.
        length: windows per pass over all ranks.
        seed: base seed of the random draws (0 for sequential samplers).
        even: whether every rank yields ``ceil(length / world_size)`` windows (see Ranks).
    """

    strategy: ClassVar[Literal["random", "sequential"]]
    length: int

    def __init__(
        self,
        dataset: GeoDataset,
        *,
        toi: Toi | None = None,
        rank: int | None = None,
        world_size: int | None = None,
        even: bool = True,
    ) -> None:
        """Collect the dates of ``dataset`` inside ``toi``.

        Args:
            dataset: the dataset whose index holds the dates.
            toi: time of interest: a :class:`pandas.Interval` of Timestamps (its ``closed``
                side says which ends belong to it) or a ``(start, end)`` pair of POSIX seconds
                or datetimes; naive times are UTC (default: all the dates).
            rank: this process's rank (default: from torch.distributed, else 0).
            world_size: how many ranks share the work (default: from torch.distributed, else 1).
            even: give every rank as many windows, repeating up to one window of another rank each (see Ranks);
                False: each window once over all ranks.

        Raises:
            TypeError: if ``toi`` is neither an Interval nor a pair, or ``even`` is not True or False.
            ValueError: if ``toi`` is empty, no entry of ``dataset`` is dated, or
                ``toi`` holds none of the dates (naming ``toi`` and the dates' span).
        """
        super().__init__(dataset, rank=rank, world_size=world_size)
        owner = type(self).__name__
        self.toi = as_toi(toi, owner)
        self.even = as_flag(even, "even", owner)
        self.seed = 0
        dated = self._dated_entries(None)
        if not len(dated):
            raise ValueError(
                f"{owner}: no index entry of {type(dataset).__name__} has a date (every time interval is open); "
                f"temporal samplers need dated files, such as a filename_regex with a date group"
            )
        self.intervals = self._clip(dated)
        if not len(self.intervals):
            first, last = dated[:, 0].min(), dated[:, 1].max()
            raise ValueError(
                f"{owner}: toi={toi!r} holds none of the dates of {type(dataset).__name__}, which span "
                f"{format_time(to_seconds(first))} to {format_time(to_seconds(last))}; pass a toi that overlaps them"
            )
        self.span: Window = (int(self.intervals[:, 0].min()), int(self.intervals[:, 1].max()))
        self.bounds = dataset.bounds

    def _dated_entries(self, location: BoundingBox | None) -> np.ndarray:
        """``(n, 2)`` microseconds of the dated entries sharing area with ``location`` (all when None), unclipped."""
        index = self.dataset.index
        if location is None:
            search = tuple(index.bounds) if len(index) else None
        else:
            search = (location.minx, location.maxx, location.miny, location.maxy, MIN_TIME, MAX_TIME)
        hits = [] if search is None else list(index.intersection(search, objects=True))
        if location is not None:
            # A file read in another CRS (a tile of the next UTM zone) has no date where only its box lies.
            dataset = self.dataset
            hits = [
                hit for hit in hits
                if overlaps_outline(outline_of(dataset, hit.object), dataset.res, location)
            ]
        boxes = np.array([hit.bounds for hit in hits], dtype=np.float64).reshape(-1, 6)
        keep = (boxes[:, 4] > MIN_TIME) & (boxes[:, 5] < MAX_TIME)
        if location is not None:
            keep &= (boxes[:, 0] < location.maxx) & (boxes[:, 1] > location.minx)
            keep &= (boxes[:, 2] < location.maxy) & (boxes[:, 3] > location.miny)
        return np.stack([to_microseconds(boxes[keep, 4], up=True), to_microseconds(boxes[keep, 5], up=False)], 1)

    def _clip(self, intervals: np.ndarray) -> np.ndarray:
        """The unique intervals inside ``toi``, clipped to it, in time order."""
        if self.toi is not None:
            intervals = np.stack(
                [np.maximum(intervals[:, 0], self.toi[0]), np.minimum(intervals[:, 1], self.toi[1])], 1
            )
        intervals = intervals[intervals[:, 0] <= intervals[:, 1]]
        return np.unique(intervals, axis=0).reshape(-1, 2)

    def intervals_at(self, location: BoundingBox) -> np.ndarray:
        """The unique clipped intervals of the dated entries that share some area with ``location``.

        Only the x/y extent of ``location`` counts (its time bounds do not);
        an entry that merely touches its edge is left out, as is a file in another CRS
        (a tile of the next UTM zone) whose outline holds no pixel centre of ``location``
        though its indexed box meets it (see :mod:`geotorch.core.outlines`).

        Returns:
            ``(n, 2)`` int64 microseconds, in time order.
        """
        return self._clip(self._dated_entries(location))

    @abc.abstractmethod
    def timeline(self, intervals: np.ndarray) -> Timeline:
        """The windows this sampler picks from over ``intervals`` (see :meth:`intervals_at`)."""

    def query(self, window: Window, location: BoundingBox | None = None) -> BoundingBox:
        """The query for ``window`` over ``location``'s x/y (the dataset's whole bounds when None), cut to ``toi``.

        A window of ``delta`` or a period may reach past ``toi`` (a year over a toi of two months); its query
        stops at ``toi``'s ends, so no date outside ``toi`` is read.
        """
        area = self.bounds if location is None else location
        first, last = window
        if self.toi is not None:
            # Every window overlaps a date inside toi, so the cut holds at least that.
            first, last = max(first, self.toi[0]), min(last, self.toi[1])
        return BoundingBox(area.minx, area.maxx, area.miny, area.maxy, to_seconds(first), to_seconds(last))

    def _length(self, length: int | None, windows: int, given: str) -> int:
        """Windows a pass of a random sampler draws: ``length`` when given, else ``windows`` (from ``given``).

        Raises:
            TypeError: if ``length`` is not a number.
            ValueError: if ``length`` is not a positive whole number, or the pass would exceed 2**40 windows.
        """
        if length is None:
            return self._checked_length(windows, given)
        return self._checked_length(as_count(length, "length", type(self).__name__), f"length={length!r}")

    def _checked_length(self, length: int, given: str) -> int:
        """``length`` if a pass could ever end, else a ValueError naming the arguments that gave it."""
        if length > MAX_WINDOWS:
            raise ValueError(
                f"{type(self).__name__}: {given} gives {length} windows a pass: more than {MAX_WINDOWS} (2**40)"
            )
        return length

    def __iter__(self) -> Iterator[BoundingBox]:
        """Yield this rank's windows of one pass (see the class docstring)."""
        timeline = self.timeline(self.intervals)
        if self.strategy == "sequential":
            for position in self._positions():
                yield self.query(timeline[position % self.length])
            return
        generator = self._pass_generator(self.seed, per_rank=True)
        for _ in range(len(self)):
            yield self.query(timeline.draw(generator))

    def __len__(self) -> int:
        """Windows this rank yields in one pass."""
        if self.strategy == "sequential":
            return len(self._positions())
        return math.ceil(self.length / self.world_size)

    def _positions(self) -> range:
        """This rank's positions in a pass split window by window (see Ranks); one past the pass is ``p % length``."""
        return rank_positions(self.length, self.rank, self.world_size, even=self.even)


class TimestampSampler(TemporalSampler):
    """Base of the samplers whose windows are the acquisitions themselves; ``length`` is their number.

    An acquisition is a distinct time interval of the index entries (clipped to ``toi``): tiles of
    the same date are one acquisition, whose query covers all of them. A query reads one acquisition
    only: where intervals overlap (composites named by start and stop dates that overlap by days), an
    acquisition's query covers the first stretch of its interval that no other holds; one whose
    interval others cover whole (16-day composites every 8 days) cannot be read alone: its query covers its
    whole interval, reading the others' steps too, and a warning names it.
    """

    def __init__(
        self,
        dataset: GeoDataset,
        *,
        toi: Toi | None = None,
        rank: int | None = None,
        world_size: int | None = None,
        even: bool = True,
    ) -> None:
        """Collect the acquisitions of ``dataset`` inside ``toi`` (see :class:`TemporalSampler`).

        Warns:
            UserWarning: naming the acquisitions that lie wholly within the intervals of others, whose
                samples hold the others' steps too.

        Raises:
            ValueError: as :class:`TemporalSampler`.
        """
        super().__init__(dataset, toi=toi, rank=rank, world_size=world_size, even=even)
        self.length = len(self.intervals)
        covered = Acquisitions(self.intervals).covered
        if len(covered):
            shown = ", ".join(_span(self.intervals[number]) for number in covered[:3].tolist())
            more = f" and {len(covered) - 3} more" if len(covered) > 3 else ""
            warnings.warn(
                f"{type(self).__name__}: the acquisitions of {shown}{more} lie wholly within the time intervals "
                f"of others (overlapping start and stop dates), so their samples hold the others' steps too; "
                f"give series whose intervals overlap datasets of their own, or sample windows of several "
                f"acquisitions with a TimedeltaSampler or PeriodSampler",
                stacklevel=3,
            )

    def timeline(self, intervals: np.ndarray) -> Timeline:
        """The acquisitions among ``intervals``."""
        return Acquisitions(intervals)


def _span(interval: np.ndarray) -> str:
    """``interval`` (microseconds) as ``first to last`` times, for messages."""
    first, last = interval.tolist()
    return f"{format_time(to_seconds(first))} to {format_time(to_seconds(last))}"


class RandomTimestampSampler(TimestampSampler):
    """Every acquisition once per pass, in a random order: for training on single dates.

    Acquisitions as in :class:`TimestampSampler`. A pass yields each of them once, shuffled anew
    each pass (reproducibly after :meth:`set_epoch`); ``length`` is their number.
    The shuffled order is split across ranks as a sequential sampler's pass is (every rank
    ``ceil(length / world_size)`` acquisitions unless ``even=False``): give every rank the same
    ``generator`` seed (without one, several ranks shuffle from seed 0, as
    torch's DistributedSampler). Within :class:`SpatioTemporalSampler`, each location
    gets one acquisition present there, each equally likely.

    Args:
        dataset: the dataset whose dates are sampled.
        toi: time of interest (see :class:`TemporalSampler`; default: all dates).
        generator: a seed (an int, or a list of ints), a numpy random source or a torch.Generator
            (default: torch's default generator on one rank, seed 0 shared by several).
        rank: this process's rank (default: from torch.distributed, else 0).
        world_size: how many ranks share the work (default: from torch.distributed, else 1).
        even: give every rank as many acquisitions, repeating up to one of another rank each (see
            :class:`TemporalSampler`); False: each acquisition once over all ranks.

    Raises:
        TypeError: if ``toi`` or ``generator`` has the wrong type, or ``even`` is not True or False.
        ValueError: if ``generator`` is a negative seed, or as :class:`TemporalSampler`.
    """

    strategy = "random"

    def __init__(
        self,
        dataset: GeoDataset,
        *,
        toi: Toi | None = None,
        generator: Seed | None = None,
        rank: int | None = None,
        world_size: int | None = None,
        even: bool = True,
    ) -> None:
        super().__init__(dataset, toi=toi, rank=rank, world_size=world_size, even=even)
        self.seed = draw_seed(generator)
        self._seeded = generator is not None

    def __iter__(self) -> Iterator[BoundingBox]:
        """Yield this rank's share of a new random order of the acquisitions."""
        seed = self._shared_seed(self.seed, self._seeded)
        order = torch.randperm(self.length, generator=self._pass_generator(seed, per_rank=False))
        timeline = self.timeline(self.intervals)
        for position in self._positions():
            yield self.query(timeline[int(order[position % self.length])])

    def __len__(self) -> int:
        """Acquisitions this rank yields."""
        return len(self._positions())


class SequentialTimestampSampler(TimestampSampler):
    """Every acquisition once per pass, in time order: for evaluation on single dates.

    Acquisitions as in :class:`TimestampSampler`; ``length`` is their number.

    Args:
        dataset: the dataset whose dates are sampled.
        toi: time of interest (see :class:`TemporalSampler`; default: all dates).
        rank: this process's rank (default: from torch.distributed, else 0).
        world_size: how many ranks share the work (default: from torch.distributed, else 1).
        even: give every rank as many acquisitions, repeating up to one of another rank each (see
            :class:`TemporalSampler`); False: each acquisition once over all ranks.

    Raises:
        TypeError: if ``toi`` has the wrong type, or ``even`` is not True or False.
        ValueError: as :class:`TemporalSampler`.
    """

    strategy = "sequential"
