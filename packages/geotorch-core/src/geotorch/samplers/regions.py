"""Regions of interest: an roi and a time interval, checked and placed where a dataset indexes its data."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeAlias

import numpy as np
import shapely
import shapely.affinity
from shapely.geometry import MultiPolygon, Polygon

from geotorch.core.bbox import MAX_TIME, MIN_TIME, BoundingBox, as_seconds
from geotorch.core.geo import GeoDataset
from geotorch.samplers.arguments import as_number

#: A region of interest in the dataset's CRS: a box, or polygons.
Roi: TypeAlias = BoundingBox | Polygon | MultiPolygon

#: A time interval ``(mint, maxt)`` in POSIX seconds, as datetimes or as numpy datetime64 (naive ones are UTC),
#: the times a dataset's slices take.
TimeInterval: TypeAlias = tuple[float | datetime | np.datetime64, float | datetime | np.datetime64]

#: Most turns of longitude an roi of a geographic dataset may reach into (-180 to 180 degrees is one, -190 to
#: 190 three); its parts in each are moved onto the globe's one (see :func:`wrapped_roi`).
MAX_TURNS = 8


@dataclass(frozen=True, slots=True)
class Region:
    """An roi (box or polygons) and a time interval: where patches may lie.

    Attributes:
        bbox: the roi's box (the polygons' bounds) over the time interval
            (unbounded in time when no ``toi`` is given).
        polygon: the roi polygons, or None when the roi is a box.
    """

    bbox: BoundingBox
    polygon: Any = None

    def covers(self, boxes: np.ndarray) -> np.ndarray:
        """Which boxes, rows ``(minx, maxx, miny, maxy, ...)``, lie inside the polygons (all without polygons)."""
        if self.polygon is None:
            return np.ones(len(boxes), dtype=bool)
        squares = shapely.box(boxes[:, 0], boxes[:, 2], boxes[:, 1], boxes[:, 3])
        return np.asarray(shapely.covers(self.polygon, squares), dtype=bool)

    def overlaps(self, boxes: np.ndarray) -> np.ndarray:
        """Which boxes share some area with the polygons (all without polygons); touching an edge is not enough."""
        if self.polygon is None:
            return np.ones(len(boxes), dtype=bool)
        squares = shapely.box(boxes[:, 0], boxes[:, 2], boxes[:, 1], boxes[:, 3])
        shared = shapely.intersects(self.polygon, squares) & ~shapely.touches(self.polygon, squares)
        return np.asarray(shared, dtype=bool)


def as_time(value: float | datetime | np.datetime64, name: str = "time", owner: str = "") -> float:
    """POSIX seconds of a time bound, as a dataset's slices read it (see :func:`geotorch.core.bbox.as_seconds`).

    Args:
        value: POSIX seconds, a datetime (pandas Timestamps included) or a numpy datetime64; a naive
            time is read as UTC, like dates in file names.
        name: the argument's name, for messages (``"toi[0]"``).
        owner: the sampler it was given to, for messages.

    Raises:
        TypeError: if ``value`` is neither a number, a datetime nor a datetime64.
        ValueError: if it is NaN, NaT (pandas' or numpy's) or infinite.
    """
    if isinstance(value, datetime | np.datetime64):
        seconds = as_seconds(value)
        if not math.isfinite(seconds):
            prefix = f"{owner}: " if owner else ""
            raise ValueError(f"{prefix}{name}={value!r} must be a time, not NaT")
        return seconds
    return as_number(value, name, owner)


def as_interval(interval: object, name: str, owner: str) -> tuple[float, float]:
    """``(start, end)`` POSIX seconds of a time interval: two times (see :func:`as_time`), or a pandas Interval.

    Raises:
        TypeError: if ``interval`` is not a pair of numbers, datetimes or numpy datetime64.
        ValueError: if a bound is NaN, NaT or infinite.
    """
    left, right = getattr(interval, "left", None), getattr(interval, "right", None)
    if left is not None and right is not None:  # a pandas Interval, TorchGeo 0.10.1's toi
        interval = (left, right)
    if not isinstance(interval, (tuple, list)) or len(interval) != 2:
        raise TypeError(
            f"{owner}: {name}={interval!r} must be a (start, end) pair of POSIX seconds, datetimes or datetime64"
        )
    return as_time(interval[0], f"{name}[0]", owner), as_time(interval[1], f"{name}[1]", owner)


def as_region(roi: Roi | None, toi: TimeInterval | None, dataset: GeoDataset, owner: str) -> Region:
    """The region a sampler draws from: ``roi`` (the dataset's bounds when None) during ``toi``.

    An roi past the antimeridian of a geographic dataset is taken where it lies on the globe (see
    :func:`wrapped_roi`): a box of 175 to 185 degrees east is a polygon of two parts, 175 to 180 and
    -180 to -175.

    Raises:
        TypeError: if ``roi`` is not a BoundingBox, Polygon or MultiPolygon, or
            ``toi`` is not a pair of times (see :func:`as_time`).
        ValueError: if the box has no area, the polygons are empty or invalid, the roi reaches into more
            than :data:`MAX_TURNS` turns of a geographic dataset's longitudes, or ``toi`` is reversed or
            holds NaN, NaT or infinity.
    """
    mint, maxt = (MIN_TIME, MAX_TIME) if toi is None else as_interval(toi, "toi", owner)
    if mint > maxt:
        raise ValueError(f"{owner}: toi={toi!r} must be a (start, end) pair with start <= end")
    if roi is None:
        bounds = dataset.bounds
        return Region(BoundingBox(bounds.minx, bounds.maxx, bounds.miny, bounds.maxy, mint, maxt))
    if isinstance(roi, BoundingBox):
        if not (roi.maxx > roi.minx and roi.maxy > roi.miny):
            raise ValueError(f"{owner}: roi={roi} has no area; pass a box at least one pixel wide and tall")
        if mint > roi.maxt or roi.mint > maxt:
            raise ValueError(f"{owner}: toi={toi!r} does not overlap the time interval of roi={roi}")
        mint, maxt = max(mint, roi.mint), min(maxt, roi.maxt)
        square = shapely.box(roi.minx, roi.miny, roi.maxx, roi.maxy)
        if wrapped_roi(square, dataset, owner) is square:
            return Region(BoundingBox(roi.minx, roi.maxx, roi.miny, roi.maxy, mint, maxt))
        shape: Polygon | MultiPolygon = square
    elif isinstance(roi, (Polygon, MultiPolygon)):
        shape = roi
    else:
        raise TypeError(f"{owner}: roi must be a BoundingBox, Polygon or MultiPolygon, got {type(roi).__name__}")
    if not shape.is_empty and not np.isfinite(shape.bounds).all():
        raise ValueError(f"{owner}: roi polygon coordinates must be finite, not NaN or infinite: {shape.bounds}")
    if shape.is_empty or not shape.is_valid or shape.area <= 0:
        raise ValueError(f"{owner}: roi polygon must be valid and have an area; fix it with shapely.make_valid")
    shape = wrapped_roi(shape, dataset, owner)
    shapely.prepare(shape)
    left, bottom, right, top = shape.bounds
    return Region(BoundingBox(left, right, bottom, top, mint, maxt), shape)


def wrapped_roi(roi: Polygon | MultiPolygon, dataset: GeoDataset, owner: str) -> Polygon | MultiPolygon:
    """``roi`` with its parts past the antimeridian moved by whole turns to where a geographic dataset indexes them.

    A dataset that :attr:`~geotorch.core.GeoDataset.wraps_longitudes` indexes a geographic CRS within
    -180 to 180 degrees, so an roi written across the antimeridian (Fiji at 177 to 182 E) or past it
    meets its data only where it lies on the globe.

    Returns:
        ``roi`` itself when the dataset's CRS is not geographic, the dataset indexes items at their own
        longitudes, or ``roi`` lies within half a turn of 0; else the union of its moved parts.

    Raises:
        ValueError: if ``roi`` reaches into more than :data:`MAX_TURNS` turns of longitude, naming ``owner``.
    """
    crs = dataset.crs
    left, bottom, right, top = roi.bounds
    if not (dataset.wraps_longitudes and crs.is_geographic):
        return roi
    # Imported here: geotorch.core.crs loads rasterio and pyproj, which importing the samplers does not.
    from geotorch.core.crs import half_turn

    half = half_turn(crs)
    if -half <= left and right <= half:
        return roi
    turn = 2 * half
    first, last = math.floor((left + half) / turn), math.floor((right + half) / turn)
    if last - first >= MAX_TURNS:
        raise ValueError(
            f"{owner}: the roi spans {left:g} to {right:g} in longitude, {last - first + 1} turns around the globe; "
            f"give it within {-half:g} to {half:g} (or across the antimeridian)"
        )
    bands = [shapely.box(-half + k * turn, bottom, half + k * turn, top) for k in range(first, last + 1)]
    parts = [
        shapely.affinity.translate(shapely.intersection(roi, band), xoff=-k * turn)
        for k, band in zip(range(first, last + 1), bands, strict=True)
    ]
    moved = shapely.union_all([part for part in parts if not part.is_empty and part.area > 0])
    return moved if isinstance(moved, (Polygon, MultiPolygon)) else MultiPolygon(
        [piece for piece in shapely.get_parts(moved) if isinstance(piece, Polygon)]
    )
