"""Where spatial samplers draw from a time series: each place of its files once, over the dates that go together."""

from __future__ import annotations

import copy
import os
from typing import Any, TypeVar

import numpy as np
import shapely

from geotorch.core.bbox import MAX_TIME, MIN_TIME, BoundingBox
from geotorch.core.composition import IntersectionDataset, UnionDataset
from geotorch.core.geo import GeoDataset, build_index
from geotorch.core.timeseries import is_time_series, shares_area
from geotorch.samplers.areas import index_entries
from geotorch.samplers.arguments import as_count_pair
from geotorch.samplers.series_place import SeriesPlace

Dataset = TypeVar("Dataset", bound=GeoDataset)

#: A place: an entry's x/y box and the time intervals of the dated operands (labels) in force at its dates.
PlaceKey = tuple[tuple[float, float, float, float], tuple[tuple[float, float], ...]]
#: How much of the smaller of two footprints the other must cover for both to be one place framed apart at
#: different dates (neighbouring tiles share margins of a tenth or less).
SAME_PLACE = 0.5


def series_places(dataset: Dataset, *, patch_size: int | tuple[int, int] = 1) -> Dataset:
    """A view of a time series for spatial samplers: each footprint of its index entries once, over all its dates.

    A spatial sampler (:class:`~geotorch.samplers.RandomGeoSampler`, :class:`~geotorch.samplers.RandomBatchGeoSampler`,
    :class:`~geotorch.samplers.GridGeoSampler`) lays its patches on each index entry and dates each query as its
    entry: over a series of 12 dates of one tile, a grid yields every window 12 times, each query reading one date
    (a ``(1, C, H, W)`` sample), and random patches weigh a tile by its number of dates. The view's index holds
    each distinct footprint (x/y box) of the entries once, dated from the first to the last instant of ``dataset``
    (its bounds' ``mint`` and ``maxt``): over it a grid yields each window once, random patches weigh places by
    their area alone, and every query, read from ``dataset``, gives all the dates there, ``(T, C, H, W)``.
    Footprints of one place framed apart at different dates (scenes a few pixels apart, a date delivered in
    another CRS) are one place, their union (see :func:`merged_frames`); frames shifted both ways (a Landsat
    path/row's scenes, a few km apart along a tilted track) are one place where no ``patch_size`` window fits in
    the corners of their union's box that no file covers, so that every window read over the place has a date.

    A series intersected with dated single-date data (``series & labels`` of yearly maps, such as CDL of 2020 and
    2021) pairs each date with the labels of its time: a footprint is then one place per set of labels in force
    at its dates, dated over the time those labels share (within the dataset's bounds), so a query reads the
    dates of one label year beside that year's labels, never a series of two years beside a mosaic of both
    labels. Dates no label is dated at make a place of their own, dated from the first to the last of them.

    A place's index object is its entries' object (its file) when they all have the same. Read from several
    files it is none of them, and a writer that names an output after its entry's file and writes only the
    pixels that file holds (:class:`~geotorch.trainers.GeoTIFFPredictionWriter`) would hide the pixels of every
    other date there: its object is then a :class:`~geotorch.samplers.SeriesPlace` of its files, oldest first,
    whose :attr:`~geotorch.samplers.SeriesPlace.name` (what the files' names share: the tile, the path/row) the
    writer names the output after, writing it wherever one of them has data (None where the objects are no paths).

    Read samples from ``dataset``, not from the view: its index holds places, not files. A dataset that is
    no time series (``time_series`` not True) is returned as it is, as is an empty one.

    Args:
        dataset: the dataset the samples will be read from.
        patch_size: the ``(height, width)`` in pixels (or one number for both) of the windows that will be read
            over the view, as the sampler takes it; the default, a pixel, fits any window.

    Returns:
        The view (a shallow copy of ``dataset`` with its own index), or ``dataset`` itself.

    Raises:
        TypeError, ValueError: if ``patch_size`` is no whole number of pixels or pair of them, naming it.
    """
    height, width = as_count_pair(patch_size, "patch_size", "series_places")
    if not is_time_series(dataset) or len(dataset) == 0:
        return dataset
    contexts = dated_operands(dataset)
    places: dict[PlaceKey, list[Any]] = {}
    spans: dict[PlaceKey, tuple[float, float]] = {}
    first_dates: dict[str, float] = {}
    for box, item in index_entries(dataset):
        if isinstance(item, (str, os.PathLike)):
            path = os.fspath(item)
            first_dates[path] = min(first_dates.get(path, box.mint), box.mint)
        footprint = (box.minx, box.maxx, box.miny, box.maxy)
        key = (footprint, tuple(sorted({interval for context in contexts for interval in in_force(context, box)})))
        items = places.setdefault(key, [])
        if item not in items:
            items.append(item)
        first, last = spans.get(key, (box.mint, box.maxt))
        spans[key] = (min(first, box.mint), max(last, box.maxt))
    res = dataset.res
    places, spans = merged_frames(places, spans, (width * res[0], height * res[1]))
    bounds = dataset.bounds
    labelled = any(intervals for _, intervals in places)
    entries = []
    for key, items in places.items():
        footprint, intervals = key
        if intervals:
            # The time all of the place's labels are in force, within the data.
            mint = max([bounds.mint, *(start for start, _ in intervals)])
            maxt = min([bounds.maxt, *(end for _, end in intervals)])
        else:
            # Undated labels (or none): every date; dates beside dated labels but outside them: their own span.
            mint, maxt = spans[key] if labelled else (bounds.mint, bounds.maxt)
        entries.append(((*footprint, mint, maxt), items[0] if len(items) == 1 else _series_place(items, first_dates)))
    view = copy.copy(dataset)
    view.index = build_index(entries)
    # The footprints describe the files: reprojecting them in ``to`` would undo the view.
    view._footprints = None
    return view


def _series_place(items: list[Any], first_dates: dict[str, float]) -> SeriesPlace | None:
    """The :class:`SeriesPlace` of a place's files ``items``, oldest first; None if an item is no path."""
    if not all(isinstance(item, (str, os.PathLike)) for item in items):
        return None
    files = sorted({os.fspath(item) for item in items}, key=lambda path: (first_dates[path], path))
    return SeriesPlace(tuple(files))


def merged_frames(
    places: dict[PlaceKey, list[Any]], spans: dict[PlaceKey, tuple[float, float]], window: tuple[float, float]
) -> tuple[dict[PlaceKey, list[Any]], dict[PlaceKey, tuple[float, float]]]:
    """``places`` with the footprints of one place framed apart at different dates taken together, as their union.

    A place's acquisitions need not share one footprint: a path/row's scenes are framed a few pixels apart at
    each date (Landsat's), and a date delivered in another CRS is indexed at its reprojected box. Footprints of
    the same labels (see :func:`series_places`) of which one lies more than :data:`SAME_PLACE` inside another are
    one place (transitively), its footprint their union, where that union box holds no ``window`` outside all
    of them (frames shifted along one axis, a box and its reprojection, a crop inside its scene, and frames
    shifted both ways by less than a window): a window of the place then always meets a file, where frames
    shifted both ways by more leave corners that a window could lie in alone (a read of no date, refused), so
    those stay apart. Neighbouring tiles sharing a margin stay apart too.

    Args:
        places: each distinct footprint and its labels' intervals, with its entries' objects.
        spans: the first and last instant of each one's entries.
        window: the size ``(x, y)`` of the windows that will be read, in the dataset's CRS units.

    Returns:
        The merged places and spans, in the order of each group's first place.
    """
    keys = list(places)
    boxes = shapely.box(*np.array([(minx, miny, maxx, maxy) for (minx, maxx, miny, maxy), _ in keys]).T)
    first, second = shapely.STRtree(boxes).query(boxes, predicate="intersects")
    shared = shapely.area(shapely.intersection(boxes[first], boxes[second]))
    smaller = np.minimum(shapely.area(boxes[first]), shapely.area(boxes[second]))
    group = list(range(len(keys)))

    def root(number: int) -> int:
        while group[number] != number:
            group[number] = number = group[group[number]]
        return number

    for one, other, area, least in zip(first.tolist(), second.tolist(), shared, smaller, strict=True):
        if keys[one][1] == keys[other][1] and area > SAME_PLACE * least:
            group[max(root(one), root(other))] = min(root(one), root(other))
    members: dict[int, list[int]] = {}
    for number in range(len(keys)):
        members.setdefault(root(number), []).append(number)
    groups: list[list[int]] = []
    for numbers in members.values():
        covered = len(numbers) == 1 or _covered(boxes[numbers], window)
        groups += [numbers] if covered else [[number] for number in numbers]
    merged: dict[PlaceKey, list[Any]] = {}
    merged_spans: dict[PlaceKey, tuple[float, float]] = {}
    for numbers in groups:
        footprints = [keys[number][0] for number in numbers]
        footprint = (
            min(box[0] for box in footprints),
            max(box[1] for box in footprints),
            min(box[2] for box in footprints),
            max(box[3] for box in footprints),
        )
        key: PlaceKey = (footprint, keys[numbers[0]][1])
        items = merged.setdefault(key, [])
        for item in (item for number in numbers for item in places[keys[number]]):
            if item not in items:
                items.append(item)
        merged_spans[key] = (
            min(spans[keys[number]][0] for number in numbers),
            max(spans[keys[number]][1] for number in numbers),
        )
    return merged, merged_spans


def _covered(frames: np.ndarray, window: tuple[float, float]) -> bool:
    """Whether the box around ``frames`` (shapely boxes) holds no whole ``window`` ``(x, y)`` outside all of them."""
    union = shapely.union_all(frames)
    outside = shapely.get_parts(shapely.difference(shapely.envelope(union), union))
    bounds = shapely.bounds(outside[~shapely.is_empty(outside)]).reshape(-1, 4)
    return bool(np.all((bounds[:, 2] - bounds[:, 0] < window[0]) | (bounds[:, 3] - bounds[:, 1] < window[1])))


def dated_operands(dataset: GeoDataset) -> list[GeoDataset]:
    """The operands of a (nested) composite of a time series that are no time series: labels beside the series."""
    found: list[GeoDataset] = []
    # Composites hold their operands in ``datasets``; another dataset's attribute of that name is its own affair.
    operands = getattr(dataset, "datasets", ()) if isinstance(dataset, (IntersectionDataset, UnionDataset)) else ()
    for operand in operands:
        found += dated_operands(operand) if is_time_series(operand) else [operand]
    return found


def in_force(operand: GeoDataset, box: BoundingBox) -> list[tuple[float, float]]:
    """The dated time intervals of ``operand``'s entries overlapping ``box`` (its area, at its time).

    Undated entries (an open time interval) are left out: they are in force at every date alike.
    """
    hits = operand.index.intersection(tuple(box), objects=True)
    return [
        (hit.bounds[4], hit.bounds[5])
        for hit in hits
        if shares_area(hit.bounds, box) and not (hit.bounds[4] <= MIN_TIME and hit.bounds[5] >= MAX_TIME)
    ]
