"""Splitting a GeoDataset into views over disjoint parts of its index in space: train, validation and test sets.

Splits along time are :mod:`geotorch.samplers.time_splits`'.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Sequence
from dataclasses import replace
from itertools import combinations
from numbers import Integral
from typing import Any, TypeVar

import shapely
import torch

from geotorch.core.bbox import BoundingBox, snap_cut, snap_cuts
from geotorch.core.geo import GeoDataset, build_index
from geotorch.samplers.areas import Roi, index_entries
from geotorch.samplers.arguments import as_count, as_number, as_positive, as_scalar
from geotorch.samplers.distributed import split_generator
from geotorch.samplers.seeds import Seed

Dataset = TypeVar("Dataset", bound=GeoDataset)
Entry = tuple[BoundingBox, Any]

#: How far fractions may sum from 1.
FRACTION_TOLERANCE = 1e-6

#: Most cells random_grid_cell_assignment cuts: each becomes an index entry of a view
#: (some 300 bytes, and tens of microseconds to insert), so 2**24 already take minutes and gigabytes.
MAX_CELLS = 2**24


def random_bbox_assignment(
    dataset: Dataset, lengths: Sequence[float], generator: Seed | None = None
) -> list[Dataset]:
    """Assign whole index entries (files) at random to the splits.

    Args:
        dataset: the dataset to split; it is not modified.
        lengths: entries per split, as counts summing to ``len(dataset)`` or as
            fractions summing to 1 (rounded to whole entries, the largest
            remainders rounded up).
        generator: source of the assignment: a seed (an int, or a list of ints), a torch generator or a numpy
            random source (default: torch's default generator; seed 0, with a warning, once torch.distributed
            runs several ranks, so that every rank splits alike: see
            :func:`~geotorch.samplers.distributed.split_generator`).

    Returns:
        One view of ``dataset`` per length, each indexing its own entries.

    Raises:
        TypeError: if a length is not a number, or ``generator`` is none of the above.
        ValueError: if a length is NaN or infinite, ``lengths`` are neither
            such counts nor such fractions, a split would get no entry, or ``generator`` is a negative seed.
    """
    entries = index_entries(dataset)
    counts = _counts(len(entries), lengths, "random_bbox_assignment")
    source = split_generator(generator, "random_bbox_assignment")
    order = torch.randperm(len(entries), generator=source).tolist()
    views = []
    start = 0
    for count in counts:
        chosen = sorted(order[start : start + count])
        views.append(split_view(dataset, [entries[number] for number in chosen]))
        start += count
    return views


def random_bbox_splitting(
    dataset: Dataset, fractions: Sequence[float], generator: Seed | None = None
) -> list[Dataset]:
    """Cut every index entry's box into one part per split, sized by ``fractions``.

    Each entry is cut along x or along y (chosen at random), with the parts in
    a random order, so every split gets a share of every file. Each cut lies on
    the nearest pixel edge of the entry (at the dataset's ``res``), so that
    patches sampled from a part lie on the file's pixels and are read without
    resampling; a part narrower than half a pixel is left out (a split left with no part is refused).

    Args:
        dataset: the dataset to split; it is not modified.
        fractions: positive shares summing to 1.
        generator: source of the cuts: a seed (an int, or a list of ints), a torch generator or a numpy random
            source (default: torch's default generator; seed 0, with a warning, once torch.distributed runs
            several ranks, so that every rank splits alike: see
            :func:`~geotorch.samplers.distributed.split_generator`).

    Returns:
        One view of ``dataset`` per fraction.

    Raises:
        TypeError: if a fraction is not a number, or ``generator`` is none of the above.
        ValueError: if a fraction is NaN, infinite or not positive, they do not sum to 1, a split would get no
            part (its share of every entry narrower than half a pixel), or ``generator`` is a negative seed.
    """
    shares = as_shares(fractions, "random_bbox_splitting")
    source = split_generator(generator, "random_bbox_splitting")
    parts: list[list[Entry]] = [[] for _ in shares]
    entries = index_entries(dataset)
    for box, item in entries:
        horizontal = bool(torch.randint(2, (1,), generator=source))
        order = torch.randperm(len(shares), generator=source).tolist()
        rest, left = box, 1.0
        pieces = []
        for number in order[:-1]:
            piece, rest = rest.split(shares[number] / left, horizontal)
            pieces.append((number, piece))
            left -= shares[number]
        for number, piece in [*pieces, (order[-1], rest)]:
            # Cut between pixels, a part's patches would all lie off the file's pixels (see snap_cuts).
            snapped = snap_cuts(piece, box, dataset.res)
            if snapped is not None:
                parts[number].append((snapped, item))
    for number, chosen in enumerate(parts):
        if not chosen:
            # An empty view fails far from here, in the sampler drawing from it ("has an empty index").
            raise ValueError(
                f"random_bbox_splitting: fractions[{number}]={shares[number]:g} gives split {number} no pixel: its "
                f"part of each of the {len(entries)} index entries of {type(dataset).__name__} is narrower than half "
                f"a pixel (res {dataset.res}); give it a larger share, or assign whole files with "
                f"random_bbox_assignment"
            )
    return [split_view(dataset, chosen) for chosen in parts]


def random_grid_cell_assignment(
    dataset: Dataset, fractions: Sequence[float], grid_size: int = 6, generator: Seed | None = None
) -> list[Dataset]:
    """Cut every index entry into a ``grid_size`` x ``grid_size`` grid and assign the cells at random.

    Cells end on the nearest pixel edges of their entry (at the dataset's ``res``), so that patches
    sampled from a cell lie on the file's pixels and are read without resampling: the cells of a
    20-pixel-wide file in a grid of 3 are 7, 6 and 7 pixels wide. A cell of no pixel (an entry
    narrower than ``grid_size`` pixels) is left out.

    Args:
        dataset: the dataset to split; it is not modified.
        fractions: shares of all cells (of every entry) per split, summing to 1.
        grid_size: cells along each side of an entry.
        generator: source of the assignment: a seed (an int, or a list of ints), a torch generator or a numpy
            random source (default: torch's default generator; seed 0, with a warning, once torch.distributed
            runs several ranks, so that every rank splits alike: see
            :func:`~geotorch.samplers.distributed.split_generator`).

    Returns:
        One view of ``dataset`` per fraction.

    Raises:
        TypeError: if ``grid_size`` or a fraction is not a number, or ``generator`` is none of the above.
        ValueError: if ``grid_size`` is not a positive whole number or would
            cut more than :data:`MAX_CELLS` cells in all, a fraction is NaN,
            infinite or not positive, the fractions do not sum to 1, a split
            would get no cell, or ``generator`` is a negative seed.
    """
    grid_size = as_count(grid_size, "grid_size", "random_grid_cell_assignment")
    entries = index_entries(dataset)
    if len(entries) * grid_size**2 > MAX_CELLS:
        raise ValueError(
            f"random_grid_cell_assignment: grid_size={grid_size} would cut {len(entries)} entries into "
            f"{len(entries) * grid_size**2:,} cells: more than {MAX_CELLS:,} (2**24) index entries; "
            f"use a smaller grid_size"
        )
    cells: list[Entry] = []
    res_x, res_y = dataset.res
    for box, item in entries:
        # Cells end on the entry's pixel edges, so that patches inside them lie on its pixels (see snap_cuts).
        xs = [snap_cut(box.minx + (box.maxx - box.minx) * step / grid_size, box.minx, box.maxx, box.minx, res_x)
              for step in range(grid_size)] + [box.maxx]
        ys = [snap_cut(box.miny + (box.maxy - box.miny) * step / grid_size, box.miny, box.maxy, box.maxy, -res_y)
              for step in range(grid_size)] + [box.maxy]
        cells += [
            (BoundingBox(xs[col], xs[col + 1], ys[row], ys[row + 1], box.mint, box.maxt), item)
            for row in range(grid_size) if ys[row + 1] > ys[row]
            for col in range(grid_size) if xs[col + 1] > xs[col]
        ]
    hint = (f" ({len(entries)} entries cut into {grid_size} x {grid_size} by grid_size={grid_size}, cells of no "
            f"pixel left out); give a larger grid_size")
    counts = _counts(len(cells), as_shares(fractions, "random_grid_cell_assignment"), "random_grid_cell_assignment",
                     "fractions", "cells", hint)
    source = split_generator(generator, "random_grid_cell_assignment")
    order = torch.randperm(len(cells), generator=source).tolist()
    views = []
    start = 0
    for count in counts:
        views.append(split_view(dataset, [cells[number] for number in sorted(order[start : start + count])]))
        start += count
    return views


def roi_split(dataset: Dataset, rois: Sequence[Roi]) -> list[Dataset]:
    """One view per roi, holding the parts of the index entries inside it.

    An roi edge inside an entry moves to the entry's nearest pixel edge (at the dataset's ``res``),
    so that patches sampled from a part lie on the file's pixels and are read without resampling;
    neighbouring rois still share no pixel. A part of no pixel is left out.

    Args:
        dataset: the dataset to split; it is not modified.
        rois: boxes in the dataset's CRS (and time) that share no area and time span: BoundingBoxes, or
            axis-aligned shapely rectangles (``shapely.box``, TorchGeo 0.10.1's rois; all times) or
            MultiPolygons of them; in a geographic CRS, one past the antimeridian is taken where it lies on
            the globe (175 to 185 degrees east is 175 to 180 and -180 to -175).

    Returns:
        One view of ``dataset`` per roi.

    Raises:
        TypeError: if an roi is neither a BoundingBox nor a shapely (Multi)Polygon, naming it.
        ValueError: if an roi is a polygon that is not made of axis-aligned rectangles, two rois overlap,
            an roi misses the data, or a file lies in two rois that share area but not time (its pixels
            would be in both splits), naming it.
    """
    pieces_of = [[piece for box in _boxes(roi, number) for piece in _on_the_globe(box, dataset)]
                 for number, roi in enumerate(rois)]
    for (first, firsts), (second, seconds) in combinations(enumerate(pieces_of), 2):
        for one, other in ((one, other) for one in firsts for other in seconds if one.intersects(other)):
            shared = one & other
            if shared.area > 0 and shared.maxt > shared.mint:
                raise ValueError(
                    f"roi_split: rois {first} ({rois[first]}) and {second} ({rois[second]}) overlap; make them disjoint"
                )
    entries = index_entries(dataset)
    parts_of = []
    for number, (roi, pieces) in enumerate(zip(rois, pieces_of, strict=True)):
        # Parts end on their entry's pixel edges, so that patches inside them lie on its pixels (see snap_cuts).
        parts = [(part, item) for piece in pieces for box, item in entries
                 if box.intersects(piece) and (box & piece).area > 0
                 and (part := snap_cuts(box & piece, box, dataset.res))]
        if not parts:
            raise ValueError(
                f"roi_split: roi {number} ({roi}) does not intersect the data of {type(dataset).__name__} "
                f"(bounds {dataset.bounds}), or holds less than half a pixel of it (res {dataset.res})"
            )
        parts_of.append(parts)
    for (first, held), (second, others) in combinations(enumerate(parts_of), 2):
        held_twice = _held_twice(held, others)
        if held_twice is not None:
            raise ValueError(
                f"roi_split: {held_twice} lies in rois {first} ({rois[first]}) and {second} ({rois[second]}), which "
                f"share area and differ in time only; a sample reads a file's pixels whatever the time queried "
                f"in it, so both splits would hold the same pixels: give the rois areas of their own, or split "
                f"by time with time_series_split (each file goes to one interval)"
            )
    return [split_view(dataset, parts) for parts in parts_of]


def _boxes(roi: object, number: int) -> list[BoundingBox]:
    """``rois[number]`` of :func:`roi_split` as the boxes it covers (a shapely rectangle covers all times).

    Raises:
        TypeError: if it is neither a BoundingBox nor a shapely Polygon or MultiPolygon.
        ValueError: if it is a polygon that is not made of axis-aligned rectangles.
    """
    if isinstance(roi, BoundingBox):
        return [roi]
    if not isinstance(roi, shapely.Polygon | shapely.MultiPolygon):
        raise TypeError(f"roi_split: rois[{number}]={roi!r} is a {type(roi).__name__}; give a BoundingBox or a "
                        f"shapely rectangle (Polygon) in the dataset's CRS")
    boxes = []
    for part in roi.geoms if isinstance(roi, shapely.MultiPolygon) else [roi]:
        minx, miny, maxx, maxy = part.bounds
        # A valid polygon as large as its bounds is them: what a view's index of boxes can hold.
        covered = part.area / ((maxx - minx) * (maxy - miny)) if part.area > 0 else 0.0
        if not (part.is_valid and math.isclose(covered, 1, abs_tol=FRACTION_TOLERANCE)):
            shape = "made of rectangles" if isinstance(roi, shapely.MultiPolygon) else "a rectangle"
            raise ValueError(
                f"roi_split: rois[{number}] is a {type(roi).__name__} that is not {shape} along the axes "
                f"({covered:.0%} of its bounds' area): a view indexes boxes; give it as rectangles (shapely.box or "
                f"BoundingBox), several for an area of another shape"
            )
        boxes.append(BoundingBox(minx, maxx, miny, maxy))
    return boxes


def _on_the_globe(roi: BoundingBox, dataset: GeoDataset) -> list[BoundingBox]:
    """``roi``, or for a geographic dataset that wraps longitudes its parts moved by whole turns into -180 to 180.

    Such a dataset indexes every item where it lies on the globe (see
    :attr:`~geotorch.core.GeoDataset.wraps_longitudes`): an roi written across the antimeridian
    (175 to 185 degrees east) meets its data in two parts, 175 to 180 and -180 to -175.
    """
    if not (dataset.wraps_longitudes and dataset.crs.is_geographic):
        return [roi]
    # Imported here: geotorch.core.crs loads rasterio and pyproj, which importing the samplers does not.
    from geotorch.core.crs import half_turn, wrap_longitudes

    half = half_turn(dataset.crs)
    if -half <= roi.minx and roi.maxx <= half:
        return [roi]
    return [replace(roi, minx=west, maxx=east) for west, east in wrap_longitudes(roi.minx, roi.maxx, half)]


def _held_twice(held: list[tuple[BoundingBox, Any]], others: list[tuple[BoundingBox, Any]]) -> Any:
    """An item of ``held`` whose part shares area with a part of the same item in ``others``, else None.

    The parts' boxes are matched through an STR-tree: a split of thousands of cells of one file stays fast.
    """
    if not held or not others:
        return None
    tree = shapely.STRtree([shapely.box(part.minx, part.miny, part.maxx, part.maxy) for part, _ in others])
    boxes = [shapely.box(box.minx, box.miny, box.maxx, box.maxy) for box, _ in held]
    mine, theirs = tree.query(boxes, predicate="intersects")
    for one, other in zip(mine.tolist(), theirs.tolist(), strict=True):
        (box, item), (part, same) = held[one], others[other]
        if same == item and _share_area(box, part):
            return item
    return None


def _share_area(one: BoundingBox, other: BoundingBox) -> bool:
    """Whether two boxes share some area, whatever their times."""
    across = min(one.maxx, other.maxx) > max(one.minx, other.minx)
    return across and min(one.maxy, other.maxy) > max(one.miny, other.miny)


def as_shares(fractions: Sequence[object], owner: str, name: str = "fractions") -> list[float]:
    """``fractions`` (the argument ``name``) as floats, checked to be finite, positive and to sum to 1.

    Args:
        fractions: the shares of the splits.
        owner: the split function, for messages.
        name: the argument they were given as, for messages.

    Returns:
        The shares, as floats.

    Raises:
        TypeError: if one is not a number.
        ValueError: if one is NaN, infinite or not positive, or they do not sum to 1 (or there is none).
    """
    shares = [as_positive(fraction, f"{name}[{number}]", owner) for number, fraction in enumerate(fractions)]
    if not shares or not _sums_to_one(shares):
        raise ValueError(f"{owner}: {name}={list(fractions)} must be positive and sum to 1")
    return shares


def _sums_to_one(fractions: Sequence[float]) -> bool:
    return math.isclose(sum(fractions), 1, abs_tol=FRACTION_TOLERANCE)


def _counts(
    total: int, lengths: Sequence[float], owner: str, name: str = "lengths", items: str = "entries", hint: str = ""
) -> list[int]:
    """Items per split: ``lengths`` (argument ``name``) as counts summing to ``total``, or fractions of it summing to 1.

    ``items`` says what is counted ("entries", "cells") and ``hint`` how a split left empty gets some, for messages.
    """
    # 0-d tensors and arrays as the numbers they hold, so that integer ones count as counts.
    values: list[Any] = [as_scalar(length) for length in lengths]
    for number, value in enumerate(values):
        as_number(value, f"lengths[{number}]", owner)
    if all(isinstance(value, Integral) for value in values) and sum(values) == total:
        counts = [int(value) for value in values]
    elif values and all(value >= 0 for value in values) and _sums_to_one(values):
        exact = [total * value for value in values]
        counts = [math.floor(share) for share in exact]
        # Largest remainders first: [0.5, 0.3, 0.2] of 6 gives [3, 2, 1], not [4, 1, 1].
        for number in sorted(range(len(exact)), key=lambda number: counts[number] - exact[number])[
            : total - sum(counts)
        ]:
            counts[number] += 1
    else:
        raise ValueError(
            f"{owner}: lengths={list(lengths)} must be counts summing to {total} or fractions summing to 1"
        )
    empty = next((number for number, count in enumerate(counts) if count <= 0), None)
    if empty is not None:
        raise ValueError(f"{owner}: {name}={list(lengths)} would leave split {empty} of {total} {items} empty{hint}")
    return counts


def split_view(dataset: Dataset, entries: list[Entry]) -> Dataset:
    """A shallow copy of ``dataset`` whose index holds ``entries`` (each keeps its object, so reads still work).

    Args:
        dataset: the dataset split.
        entries: the boxes of the view and the items (files) they read.

    Returns:
        The view: a dataset of the same class, indexing ``entries`` alone.
    """
    view = copy.copy(dataset)
    view.index = build_index((tuple(box), item) for box, item in entries)
    # The footprints describe the whole dataset: reprojecting them in ``to`` would silently undo the split.
    view._footprints = None
    return view
