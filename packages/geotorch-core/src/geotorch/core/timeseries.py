"""Time series of a RasterDataset: files grouped into acquisitions, each mosaicked into one time step, in time order."""

from __future__ import annotations

import re
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

import numpy as np

from geotorch.core.bbox import MAX_TIME, MIN_TIME, BoundingBox
from geotorch.core.remote import Location
from geotorch.core.timestamps import interval_from_match
from geotorch.core.url_secrets import redacted

if TYPE_CHECKING:
    from geotorch.core.geo import GeoDataset

#: What the dataset keeps of each indexed file of a series: its acquisition key and time interval (POSIX seconds).
Acquisition = tuple[Hashable, float, float]

#: The sample key of each step's time: the start of its interval, POSIX seconds, float64 ``(T,)``.
TIME_KEY = "time"
#: The batch key of each series' number of steps when :func:`geotorch.core.stack_samples` pads them.
LENGTH_KEY = "length"


def check_series_regex(owner: str, filename_regex: str) -> None:
    """Refuse a ``filename_regex`` that cannot date files, for ``time_series=True``.

    Raises:
        ValueError: if the regex has neither a ``date`` group nor ``start`` and ``stop`` groups.
    """
    groups = re.compile(filename_regex, re.VERBOSE).groupindex
    if "date" not in groups and not {"start", "stop"} <= set(groups):
        raise ValueError(
            f"{owner}: time_series=True needs the date of every file, but filename_regex {filename_regex!r} has no "
            f"(?P<date>...) group (nor (?P<start>...) and (?P<stop>...)); add one, with date_format, or pass "
            f"time_series=False to mosaic the files into one image"
        )


def check_dated(owner: str, path: Location, interval: tuple[float, float]) -> None:
    """Refuse a file of a series whose name holds no date (an optional ``date`` group that did not match).

    Raises:
        ValueError: naming the file.
    """
    if interval == (MIN_TIME, MAX_TIME):
        raise ValueError(
            f"{owner}: {redacted(str(path))} has no date in its name (filename_regex's date group did not match) and "
            f"time_series=True stacks files by date; rename it or leave it out of paths"
        )


def check_acquisition(owner: str, path: Location | str, key: object) -> None:
    """Refuse an acquisition key that cannot group files (an unhashable one, such as a list).

    Raises:
        TypeError: naming the file, the key and :meth:`SeriesFiles.acquisition_key` (or the record).
    """
    try:
        hash(key)
    except TypeError as error:
        raise TypeError(
            f"{owner}: the acquisition key of {redacted(str(path))} is {key!r}, which is not hashable ({error}); "
            f"acquisition_key (or the SceneRecord's acquisition) must return a hashable value such as a tuple"
        ) from error


def shares_area(box: Sequence[float], query: BoundingBox) -> bool:
    """Whether an index entry's box overlaps ``query`` by more than an edge or a corner.

    The R-tree's intersection is closed: a file whose footprint box only touches the window's edge is
    a hit, yet has no pixel in the window, and must not make a time step of fill.

    Args:
        box: the entry's ``(minx, maxx, miny, maxy, ...)`` in the dataset's CRS, as indexed (a reprojected
            footprint's box; each half of a footprint crossing the antimeridian is its own entry).
        query: the window.

    Returns:
        True when the overlap has positive width and height; along an axis where the query itself has
        no extent (a line or a point), touching is enough.
    """
    axes = ((box[0], box[1], query.minx, query.maxx), (box[2], box[3], query.miny, query.maxy))
    return all((low < top and high > bottom) or bottom == top for low, high, bottom, top in axes)


class SeriesFiles:
    """The ``time_series`` part of :class:`~geotorch.core.RasterDataset`: each indexed file's acquisition.

    Its public override point, :meth:`acquisition_key`, is RasterDataset's (see its docstring).
    """

    filename_regex: ClassVar[str]
    date_format: ClassVar[str]
    time_series: bool
    #: Each indexed file's acquisition key and time interval (time series only).
    _acquisitions: dict[str, Acquisition]

    def _start_series(self, time_series: bool) -> None:
        """Set ``time_series`` and an empty table of acquisitions (filled by indexing, see ``scene_records``).

        Raises:
            TypeError: if ``time_series`` is not a bool (``"False"`` would be true, and ``&``/``|`` take only
                ``True`` for a series).
        """
        if not isinstance(time_series, bool | np.bool_):
            raise TypeError(
                f"{type(self).__name__}: time_series={time_series!r} ({type(time_series).__name__}) must be "
                f"True or False"
            )
        self.time_series = bool(time_series)
        self._acquisitions = {}

    def acquisition_key(self, path: Location, match: re.Match[str]) -> Hashable:
        """What the files of one acquisition have in common, for ``time_series=True``.

        Called at indexing for every file (for ``separate_files``, the file standing for its scene);
        files with equal keys are mosaicked into one time step.

        Args:
            path: the file.
            match: its name's ``filename_regex`` match.

        Returns:
            A hashable key, equal for the files of one acquisition: by default the file's time
            interval ``(mint, maxt)`` in POSIX seconds, from its ``date`` (or ``start`` and ``stop``) group.
            Files of one key are indexed at the span of their intervals (see :func:`acquisition_spans`).
        """
        return interval_from_match(match, self.date_format, str(path))


def acquisition_spans(acquisitions: Mapping[str, Acquisition]) -> dict[str, Acquisition]:
    """Every file's acquisition with the time of the whole acquisition: the span of its files' intervals.

    Files of one acquisition key may hold different times (tiles of one pass seconds apart, joined
    by a custom ``acquisition_key``). Indexed at their own times, a query at the acquisition's time
    would read only some of its files, a window meeting only a later tile would be dated by that
    tile, and ``&`` with another series (which joins steps at equal start times) would leave that
    tile's windows out. Indexed at the span, the acquisition is one time step wherever it is read.
    With the default key (the interval itself) every file keeps its own interval.

    Args:
        acquisitions: each indexed file's acquisition key and own time interval (POSIX seconds).

    Returns:
        The same files and keys, each with its acquisition's ``(earliest start, latest end)``.
    """
    spans: dict[Hashable, tuple[float, float]] = {}
    for key, mint, maxt in acquisitions.values():
        low, high = spans.get(key, (mint, maxt))
        spans[key] = (min(low, mint), max(high, maxt))
    return {path: (key, *spans[key]) for path, (key, _, _) in acquisitions.items()}


def time_steps(paths: Sequence[str], acquisitions: Mapping[str, Acquisition]) -> list[tuple[float, list[str]]]:
    """The steps of a sample: ``paths`` grouped by acquisition key, earliest first.

    Args:
        paths: the files the query hit, in index order (the order each step's mosaic takes them in).
        acquisitions: every indexed file's acquisition key and time interval.

    Returns:
        ``(start, files)`` per step: the start of the union of its files' intervals (POSIX seconds) and
        its files. Steps are ordered by that union's start, then end, then first appearance.
    """
    groups: dict[Hashable, list[str]] = {}
    spans: dict[Hashable, tuple[float, float]] = {}
    for path in paths:
        key, mint, maxt = acquisitions[path]
        groups.setdefault(key, []).append(path)
        low, high = spans.get(key, (mint, maxt))
        spans[key] = (min(low, mint), max(high, maxt))
    ordered = sorted(groups, key=lambda key: spans[key])
    return [(spans[key][0], groups[key]) for key in ordered]


def is_time_series(dataset: object) -> bool:
    """Whether ``dataset`` stacks its samples along time (``time_series=True``, or a composition holding one)."""
    return getattr(dataset, "time_series", False) is True


def on_series_time(box: BoundingBox, other: BoundingBox, first_is_series: bool) -> tuple[BoundingBox, BoundingBox]:
    """Both boxes with the time of the time-series operand's box (the first's when it is one, else the second's).

    A time series and a label overlap in space only, and their overlap keeps the series' dates.
    """
    series = box if first_is_series else other
    span = {"mint": series.mint, "maxt": series.maxt}
    return replace(box, **span), replace(other, **span)


def operand_query(dataset: GeoDataset, query: BoundingBox) -> BoundingBox:
    """The query an operand of a time-series intersection is read with.

    A time series, and an operand with data at the query's time, get ``query``; any other operand
    (a single-date label dated outside the query's time) is read over its whole time span, so the
    series' dates are never restricted by the label's.
    """
    if is_time_series(dataset) or next(iter(dataset.index.intersection(tuple(query))), None) is not None:
        return query
    bounds = dataset.bounds
    return replace(query, mint=bounds.mint, maxt=bounds.maxt)


def operands_under(datasets: Sequence[GeoDataset], query: BoundingBox) -> list[GeoDataset]:
    """The operands of a union read for ``query``: those the window meets, less series only touching it.

    A time series whose entries only touch the window's edge has no time step there, so it is left out
    unless no operand overlaps the window with positive area (then it raises the ``IndexError`` of such
    a window). Other operands are read wherever the window meets them, as ever.
    """
    touched = [(dataset, list(dataset.index.intersection(tuple(query), objects=True))) for dataset in datasets]
    under = [
        dataset
        for dataset, hits in touched
        if hits and (not is_time_series(dataset) or any(shares_area(hit.bounds, query) for hit in hits))
    ]
    return under or [dataset for dataset, hits in touched if hits]
