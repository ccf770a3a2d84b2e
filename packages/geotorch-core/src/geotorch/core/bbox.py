"""Spatiotemporal bounding boxes: the query type of every GeoDataset."""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import overload

import numpy as np

from geotorch.core.reals import as_real

#: Time bounds of data that carries no date, and the default time span of a query: wide enough
#: for any acquisition, before 1970 included (POSIX seconds are negative there).
MAX_TIME = float(sys.maxsize)
MIN_TIME = -MAX_TIME
#: The last instant a datetime holds (9999-12-31T23:59:59.999999Z) in POSIX seconds: a float that rounds up to
#: 253402300800.0, the first second of year 10000, which stands for it.
LAST_TIME = datetime.max.replace(tzinfo=UTC).timestamp()
#: Relative tolerance (in pixels) under which a coordinate counts as lying on a pixel edge.
LATTICE_TOLERANCE = 1e-6
#: The fields of a box, in the order of the R-tree index.
FIELDS = ("minx", "maxx", "miny", "maxy", "mint", "maxt")


def format_time(seconds: float) -> str:
    """A time in POSIX seconds as printed in reprs and messages: ISO 8601 in UTC.

    Args:
        seconds: POSIX seconds.

    Returns:
        ``"2020-06-01T00:00:00Z"`` (microseconds only when there are any); ``"open"`` for
        :data:`MIN_TIME`, :data:`MAX_TIME` and beyond (the unbounded ends of a time span); the
        number of seconds for a finite time out of the calendar's years 1 to 9999.
    """
    if not MIN_TIME < seconds < MAX_TIME:
        return "open"
    try:
        moment = _calendar_time(seconds)
    except (OverflowError, OSError, ValueError):
        return f"{seconds:g} s"
    return moment.isoformat().replace("+00:00", "Z")


def as_seconds(moment: datetime | np.datetime64) -> float:
    """POSIX seconds of ``moment``; a naive one (a numpy datetime64 too) is read as UTC, like the dates in file names.

    Args:
        moment: a datetime (pandas Timestamps included) or a numpy datetime64 of any unit.

    Returns:
        The seconds, to the microsecond; NaN for a NaT (pandas' or numpy's), which is no time: callers
        refuse it as they refuse NaN.
    """
    if isinstance(moment, np.datetime64):
        if np.isnat(moment):
            return math.nan
        # Whole microseconds, not .item(): past year 9999 that is an int of microseconds, not a datetime.
        return int(moment.astype("datetime64[us]").astype(np.int64)) / 10**6
    if moment != moment:  # pandas' NaT, the datetime unequal to itself, has no timestamp
        return math.nan
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


@dataclass(frozen=True, slots=True)
class BoundingBox:
    """An axis-aligned box in x, y (CRS units) and t (POSIX seconds).

    The field order ``(minx, maxx, miny, maxy, mint, maxt)`` is the one the
    R-tree index uses, so ``tuple(bbox)`` can be handed to it directly.

    Values are stored as floats; numpy numbers and 0-d tensors or arrays are
    accepted as the numbers they hold, and ``mint``/``maxt`` also as datetimes
    (pandas Timestamps included; naive ones are UTC). Times print as ISO dates
    in UTC, unbounded ends as ``open``. :attr:`slices` is the box as TorchGeo
    0.10's ``dataset.bounds``: three slices ``x, y, t``.

    Raises:
        TypeError: if a value is not a real number (a string, a bool, None, a
            complex number, a sequence).
        ValueError: if a value is NaN or infinite, or a time is pandas' NaT (unbounded time is
            :data:`MIN_TIME` to :data:`MAX_TIME`), or a minimum exceeds its maximum.
    """

    minx: float
    maxx: float
    miny: float
    maxy: float
    mint: float = MIN_TIME
    maxt: float = MAX_TIME

    def __post_init__(self) -> None:
        """Check that every value is a finite number and every interval is ordered; store floats."""
        for name, value in zip(FIELDS, self, strict=True):
            if isinstance(value, datetime) and name in ("mint", "maxt"):
                number: float | None = as_seconds(value)
            else:
                number = value if type(value) is float else as_real(value)
            if number is None:
                raise TypeError(f"BoundingBox: {name}={value!r} must be a number")
            if not math.isfinite(number) and name in ("mint", "maxt"):
                raise ValueError(
                    f"BoundingBox: {name}={value if isinstance(value, datetime) else number} must be finite, not "
                    f"NaN, NaT or infinite; leave mint and maxt out for all time"
                )
            if not math.isfinite(number):
                raise ValueError(f"BoundingBox: {name}={number} must be finite, not NaN or infinite")
            if number is not value:
                # Frozen: the only way to store the float is object.__setattr__, as dataclasses do.
                object.__setattr__(self, name, number)
        for low, high, axis in ((self.minx, self.maxx, "x"), (self.miny, self.maxy, "y")):
            if not low <= high:
                raise ValueError(f"BoundingBox: min{axis}={low} must be <= max{axis}={high}")
        if not self.mint <= self.maxt:
            raise ValueError(
                f"BoundingBox: mint={format_time(self.mint)} must be <= maxt={format_time(self.maxt)} "
                f"(POSIX seconds {self.mint} and {self.maxt})"
            )

    def __repr__(self) -> str:
        """``BoundingBox(minx=..., ..., mint=2020-06-01T00:00:00Z, maxt=open)``: times as ISO dates in UTC."""
        return (
            f"BoundingBox(minx={self.minx!r}, maxx={self.maxx!r}, miny={self.miny!r}, maxy={self.maxy!r}, "
            f"mint={format_time(self.mint)}, maxt={format_time(self.maxt)})"
        )

    @property
    def slices(self) -> tuple[slice, slice, slice]:
        """The box as TorchGeo 0.10's ``dataset.bounds``: ``x, y, t = bbox.slices``.

        Returns:
            ``slice(minx, maxx)``, ``slice(miny, maxy)`` and ``slice(start, stop)`` where
            ``start`` and ``stop`` are UTC datetimes, or None at an unbounded end. Indexing a
            dataset with them (``ds[x, y, t]``) reads this box.
        """
        start, stop = (_moment(value) for value in (self.mint, self.maxt))
        return slice(self.minx, self.maxx), slice(self.miny, self.maxy), slice(start, stop)

    @overload
    def __getitem__(self, key: int) -> float: ...

    @overload
    def __getitem__(self, key: slice) -> tuple[float, ...]: ...

    def __getitem__(self, key: int | slice) -> float | tuple[float, ...]:
        """Index like the tuple ``(minx, maxx, miny, maxy, mint, maxt)``."""
        return tuple(self)[key]

    def __iter__(self) -> Iterator[float]:
        """Yield ``minx, maxx, miny, maxy, mint, maxt``."""
        yield from (self.minx, self.maxx, self.miny, self.maxy, self.mint, self.maxt)

    def __len__(self) -> int:
        """Six: the box is a 6-tuple."""
        return 6

    def __contains__(self, other: object) -> bool:
        """Whether ``other`` (a BoundingBox) lies entirely inside this box."""
        if not isinstance(other, BoundingBox):
            return False
        return (
            self.minx <= other.minx
            and other.maxx <= self.maxx
            and self.miny <= other.miny
            and other.maxy <= self.maxy
            and self.mint <= other.mint
            and other.maxt <= self.maxt
        )

    def __or__(self, other: BoundingBox) -> BoundingBox:
        """The smallest box containing both boxes."""
        return BoundingBox(
            min(self.minx, other.minx),
            max(self.maxx, other.maxx),
            min(self.miny, other.miny),
            max(self.maxy, other.maxy),
            min(self.mint, other.mint),
            max(self.maxt, other.maxt),
        )

    def __and__(self, other: BoundingBox) -> BoundingBox:
        """The intersection of both boxes.

        Raises:
            ValueError: if the boxes do not intersect.
        """
        if not self.intersects(other):
            raise ValueError(f"BoundingBox: {self} and {other} do not intersect")
        return BoundingBox(
            max(self.minx, other.minx),
            min(self.maxx, other.maxx),
            max(self.miny, other.miny),
            min(self.maxy, other.maxy),
            max(self.mint, other.mint),
            min(self.maxt, other.maxt),
        )

    def intersects(self, other: BoundingBox) -> bool:
        """Whether the boxes share at least a boundary point in x, y and t."""
        return (
            self.minx <= other.maxx
            and other.minx <= self.maxx
            and self.miny <= other.maxy
            and other.miny <= self.maxy
            and self.mint <= other.maxt
            and other.mint <= self.maxt
        )

    @property
    def area(self) -> float:
        """Area in squared CRS units."""
        return (self.maxx - self.minx) * (self.maxy - self.miny)

    @property
    def volume(self) -> float:
        """Area times duration."""
        return self.area * (self.maxt - self.mint)

    def split(self, proportion: float, horizontal: bool = True) -> tuple[BoundingBox, BoundingBox]:
        """Cut the box in two.

        Args:
            proportion: share of the first part, strictly between 0 and 1.
            horizontal: cut along x (left, right) if True, else along y (bottom, top).

        Returns:
            The two parts, first the one at the minimum.

        Raises:
            ValueError: if ``proportion`` is not in (0, 1).
        """
        if not 0 < proportion < 1:
            raise ValueError(f"BoundingBox.split: proportion={proportion} must be strictly between 0 and 1")
        if horizontal:
            cut = self.minx + (self.maxx - self.minx) * proportion
            return (
                BoundingBox(self.minx, cut, self.miny, self.maxy, self.mint, self.maxt),
                BoundingBox(cut, self.maxx, self.miny, self.maxy, self.mint, self.maxt),
            )
        cut = self.miny + (self.maxy - self.miny) * proportion
        return (
            BoundingBox(self.minx, self.maxx, self.miny, cut, self.mint, self.maxt),
            BoundingBox(self.minx, self.maxx, cut, self.maxy, self.mint, self.maxt),
        )


def _calendar_time(seconds: float) -> datetime:
    """``seconds`` as a UTC datetime, :data:`LAST_TIME` as the last microsecond of 9999 (a file's "no end").

    Raises:
        OverflowError, OSError, ValueError: as :meth:`datetime.fromtimestamp`, for times outside years 1 to 9999.
    """
    if seconds == LAST_TIME:
        return datetime.max.replace(tzinfo=UTC)
    return datetime.fromtimestamp(seconds, UTC)


def _moment(seconds: float) -> datetime | None:
    """``seconds`` as a UTC datetime; None at an unbounded end (:data:`MIN_TIME`, :data:`MAX_TIME`)."""
    if not MIN_TIME < seconds < MAX_TIME:
        return None
    try:
        return _calendar_time(seconds)
    except (OverflowError, OSError, ValueError) as error:
        raise ValueError(f"BoundingBox: time {seconds} s lies outside the years 1 to 9999 a datetime holds") from error


def snap_inward(part: BoundingBox, anchor: BoundingBox, res: tuple[float, float]) -> BoundingBox | None:
    """``part`` shrunk to the whole pixels of the ``res`` grid anchored at ``anchor``'s top-left corner.

    Args:
        part: the box to shrink.
        anchor: a box whose top-left corner is a pixel corner of the grid (a file's footprint).
        res: pixel size ``(x, y)``.

    Returns:
        The largest box of whole grid pixels inside ``part`` (same time span), or None if none is.

    Raises:
        ValueError: if ``part`` lies more pixels from ``anchor`` than a float can count.
    """
    return snap_to_pixels(part, anchor, res)


def snap_to_pixels(
    part: BoundingBox, anchor: BoundingBox, res: tuple[float, float], outward: tuple[bool, bool] = (False, False)
) -> BoundingBox | None:
    """``part`` moved to the whole pixels of the ``res`` grid anchored at ``anchor``'s top-left corner.

    Along an axis where ``outward`` is False, ``part`` shrinks to the whole
    pixels inside it; where True, it grows to the pixels it shares some length
    with. Edges within :data:`LATTICE_TOLERANCE` of a pixel edge count as on it
    and are kept as given.

    Args:
        part: the box to move.
        anchor: a box whose top-left corner is a pixel corner of the grid (a file's footprint).
        res: pixel size ``(x, y)``.
        outward: ``(x, y)``: whether to grow rather than shrink along each axis.

    Returns:
        The box (same time span), or None if it holds no pixel along an axis
        (no whole one where shrinking; none at all where ``part`` has no width).

    Raises:
        ValueError: if ``part`` lies more pixels from ``anchor`` than a float can count.
    """
    # Rows count downwards from the top edge: negating y makes them count upwards like columns.
    x = _span(part.minx, part.maxx, anchor.minx, res[0], outward[0])
    y = _span(-part.maxy, -part.miny, -anchor.maxy, res[1], outward[1])
    if x is None or y is None:
        return None
    return BoundingBox(x[0], x[1], -y[1], -y[0], part.mint, part.maxt)


def snap_cuts(part: BoundingBox, anchor: BoundingBox, res: tuple[float, float]) -> BoundingBox | None:
    """A ``part`` cut from ``anchor``, each cut moved to the nearest pixel edge of the grid anchored at ``anchor``.

    The grid is that of ``res`` pixels from ``anchor``'s top-left corner (a file's, whose pixels
    samplers count from its top-left corner). Edges of ``part`` on ``anchor``'s own edges are
    kept; cuts inside it move to the nearest pixel edge, kept within ``anchor`` (see
    :func:`snap_cut`). Parts that tile ``anchor`` still tile it: two parts of one cut line move
    it alike, with no gap or overlap.

    Args:
        part: the part, inside ``anchor``.
        anchor: the box it was cut from.
        res: pixel size ``(x, y)``.

    Returns:
        The part (same time span), or None if it holds no pixel along an axis.

    Raises:
        ValueError: if ``part`` lies more pixels from ``anchor`` than a float can count.
    """
    minx, maxx = (snap_cut(value, anchor.minx, anchor.maxx, anchor.minx, res[0]) for value in (part.minx, part.maxx))
    miny, maxy = (snap_cut(value, anchor.miny, anchor.maxy, anchor.maxy, -res[1]) for value in (part.miny, part.maxy))
    if not (maxx > minx and maxy > miny):
        return None
    return BoundingBox(minx, maxx, miny, maxy, part.mint, part.maxt)


def snap_cut(value: float, low: float, high: float, origin: float, step: float) -> float:
    """A cut at ``value`` of the span ``[low, high]`` moved to the nearest pixel edge ``origin + k * step``.

    ``low`` and ``high`` themselves are kept, and the cut stays within them.

    Raises:
        ValueError: if ``value`` lies more steps from ``origin`` than a float can count.
    """
    if value in (low, high):
        return value
    return min(max(_on_lattice(value, origin, step, lambda pixels: math.floor(pixels + 0.5)), low), high)


def whole_pixel_axes(part: BoundingBox, anchor: BoundingBox, res: tuple[float, float]) -> tuple[bool, bool]:
    """``(x, y)``: whether ``part`` holds a whole pixel of the grid anchored at ``anchor`` along each axis.

    Raises:
        ValueError: if ``part`` lies more pixels from ``anchor`` than a float can count.
    """
    x = _span(part.minx, part.maxx, anchor.minx, res[0], False)
    y = _span(-part.maxy, -part.miny, -anchor.maxy, res[1], False)
    return x is not None, y is not None


def _span(low: float, high: float, origin: float, step: float, outward: bool) -> tuple[float, float] | None:
    """``[low, high]`` moved to the pixel edges ``origin + k * step``; None if it holds no whole pixel."""
    start = _on_lattice(low, origin, step, math.floor if outward else math.ceil)
    stop = _on_lattice(high, origin, step, math.ceil if outward else math.floor)
    if stop - start < step * (1 - LATTICE_TOLERANCE):
        return None
    return start, stop


def _on_lattice(value: float, origin: float, step: float, rounding: Callable[[float], int]) -> float:
    """``value`` moved to ``origin + k * step`` with ``rounding`` (ceil or floor); unchanged when already there.

    Raises:
        ValueError: if ``value`` lies more steps from ``origin`` than a float can count.
    """
    pixels = (value - origin) / step
    if not math.isfinite(pixels):
        raise ValueError(
            f"{value} lies {value - origin:g} from the pixel grid's origin {origin}: more pixels of {step:g} "
            f"than a float can count; use a coarser res"
        )
    if abs(pixels - round(pixels)) < LATTICE_TOLERANCE:
        return value
    return origin + rounding(pixels) * step
