"""Where patches may lie: the parts of a dataset's index entries inside a region of interest."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
import torch

from geotorch.core.bbox import BoundingBox, snap_to_pixels, whole_pixel_axes
from geotorch.core.geo import GeoDataset
from geotorch.samplers.arguments import as_count
from geotorch.samplers.constants import MAX_WINDOWS, Units
from geotorch.samplers.regions import MAX_TURNS as MAX_TURNS
from geotorch.samplers.regions import Region as Region
from geotorch.samplers.regions import Roi as Roi
from geotorch.samplers.regions import TimeInterval as TimeInterval
from geotorch.samplers.regions import as_interval as as_interval
from geotorch.samplers.regions import as_region as as_region
from geotorch.samplers.regions import as_time as as_time
from geotorch.samplers.regions import wrapped_roi as wrapped_roi
from geotorch.samplers.utils import TOLERANCE, Size, as_patch_size, get_random_bounding_box, on_pixel_edges

#: Draws after which a patch that must lie inside an roi polygon is given up.
MAX_ATTEMPTS = 1000

#: Positions probed in an area of a polygon roi, and the least share of them whose patch must lie inside the
#: polygons for the area to be drawn from: a draw there then fails all MAX_ATTEMPTS tries once in 23,000.
PROBES = 1000
LEAST_FITTING = 0.01


@dataclass(frozen=True, slots=True)
class Area:
    """A part of one index entry, inside the region, on that entry's pixel lattice.

    Attributes:
        bounds: the part, with the entry's time interval clipped to the region's.
        weight: how much of it lies inside the region, in squared CRS units.
        origin: ``(x, y)`` of the entry's top-left corner, a corner of its pixel lattice.
        touched: with ``touching`` (see :func:`find_areas`), every pixel of the entry that the region
            shares some area with (``bounds`` grown to the pixels the region's edges cut); None otherwise.
    """

    bounds: BoundingBox
    weight: float
    origin: tuple[float, float]
    touched: BoundingBox | None = None


def index_entries(dataset: GeoDataset) -> list[tuple[BoundingBox, Any]]:
    """Every ``(box, object)`` of the dataset's index, in insertion order."""
    if len(dataset) == 0:
        return []
    hits = sorted(dataset.index.intersection(dataset.index.bounds, objects=True), key=lambda hit: hit.id)
    return [(BoundingBox(*hit.bounds), hit.object) for hit in hits]


def find_areas(dataset: GeoDataset, region: Region, owner: str, touching: bool = False) -> list[Area]:
    """The part of each index entry inside ``region``, moved to whole pixels of the entry's grid.

    Pixels are counted from each entry's top-left corner, so patches laid on
    an area line up with the entry's own pixels (for files in the dataset's
    CRS, with the file's pixels): reads need no resampling.

    Args:
        dataset: the dataset whose index entries are cut.
        region: where patches may lie.
        owner: the sampler's class name, for error messages.
        touching: along an axis where the region (within the dataset's
            bounds) holds no whole pixel of an entry, take the pixels it shares
            some length with instead of none: an roi thinner than a pixel still
            gets the pixels under it. Elsewhere an area holds the whole pixels
            inside the region. Each area also gets ``touched``, every pixel the
            region shares some area with.

    Raises:
        ValueError: if no entry has a pixel inside ``region``, naming the region
            and the dataset's bounds (and the res, when the region meets the data
            but holds no whole pixel of it).
    """
    areas: list[Area] = []
    met = False
    res = dataset.res
    limits = region.bbox & dataset.bounds if touching and region.bbox.intersects(dataset.bounds) else None
    for entry, _ in index_entries(dataset):
        if not entry.intersects(region.bbox):
            continue
        part = entry & region.bbox
        inside: float | None = None
        if region.polygon is not None:
            piece = shapely.intersection(region.polygon, shapely.box(part.minx, part.miny, part.maxx, part.maxy))
            if piece.is_empty or piece.area <= 0:
                continue
            inside = float(piece.area)
            left, bottom, right, top = piece.bounds
            part = BoundingBox(left, right, bottom, top, part.mint, part.maxt)
        met = met or (part.maxx > part.minx and part.maxy > part.miny)
        outward = (False, False)
        if limits is not None:
            whole_x, whole_y = whole_pixel_axes(limits, entry, res)
            outward = (not whole_x, not whole_y)
        part = on_pixel_edges(part, entry, res)
        snapped = snap_to_pixels(part, entry, res, outward)
        if snapped is not None:
            touched = snap_to_pixels(part, entry, res, (True, True)) if touching else None
            areas.append(Area(snapped, snapped.area if inside is None else inside, (entry.minx, entry.maxy), touched))
    if not areas:
        bounds = dataset.bounds if len(dataset) else None
        if met:
            raise ValueError(
                f"{owner}: the roi {region.bbox} holds no whole pixel of {type(dataset).__name__} "
                f"(bounds {bounds}, res {res}); pass an roi at least one pixel wide and tall"
            )
        where = f"the roi/toi {region.bbox}" if region.polygon is None else f"the roi polygon (within {region.bbox})"
        # Bounds span the gaps between files: an roi meeting them may still miss every file.
        within = bounds is not None and region.bbox.intersects(bounds) and (region.bbox & bounds).area > 0
        gap = "; it meets those bounds only in gaps between the files" if within else ""
        raise ValueError(
            f"{owner}: {where} does not intersect the data of {type(dataset).__name__} (bounds {bounds}){gap}; "
            f"pass an roi and toi that overlap it"
        )
    return areas


def holds(area: Area, size: tuple[float, float], res: tuple[float, float]) -> bool:
    """Whether a patch of ``size`` (height, width) fits inside ``area``."""
    bounds = area.bounds
    return (
        bounds.maxx - bounds.minx >= size[1] - TOLERANCE * res[0]
        and bounds.maxy - bounds.miny >= size[0] - TOLERANCE * res[1]
    )


def size_error(owner: str, size: object, patch: tuple[float, float], dataset: GeoDataset, region: Region) -> ValueError:
    """The error for a patch size no area can hold."""
    return ValueError(
        f"{owner}: size={size!r} ({patch[0]:g} x {patch[1]:g} CRS units, height x width) is larger than "
        f"every area of {type(dataset).__name__} inside the roi {region.bbox} (dataset bounds {dataset.bounds}); "
        f"use a smaller size"
    )


def fitting_share(area: Area, size: tuple[float, float], res: tuple[float, float], region: Region) -> float:
    """The share of whole-pixel positions of a patch in ``area`` that keep it inside ``region``'s polygons.

    Estimated from :data:`PROBES` positions drawn with a fixed seed (the same every run), and 0 below
    :data:`LEAST_FITTING`: draws (see :meth:`RandomPatches.draw`) would fail there.

    Args:
        area: where the patch lies; it holds one (see :func:`holds`).
        size: ``(height, width)`` of the patch in CRS units.
        res: pixel size ``(x, y)``.
        region: the roi.
    """
    bounds = area.bounds
    if region.covers(np.array([tuple(bounds)]))[0]:
        return 1.0
    generator = torch.Generator().manual_seed(0)
    free_columns = math.floor((bounds.maxx - bounds.minx - size[1]) / res[0] + TOLERANCE)
    free_rows = math.floor((bounds.maxy - bounds.miny - size[0]) / res[1] + TOLERANCE)
    columns = torch.randint(max(free_columns, 0) + 1, (PROBES,), generator=generator).numpy()
    rows = torch.randint(max(free_rows, 0) + 1, (PROBES,), generator=generator).numpy()
    lefts, tops = bounds.minx + columns * res[0], bounds.maxy - rows * res[1]
    boxes = np.stack([lefts, lefts + size[1], tops - size[0], tops], axis=1)
    share = float(region.covers(boxes).mean())
    return share if share >= LEAST_FITTING else 0.0


class RandomPatches:
    """Random whole-pixel patches of one size inside a region: what the random samplers draw.

    Attributes:
        owner: the sampler's class name, for error messages.
        size: ``(height, width)`` of a patch in CRS units.
        res: the dataset's pixel size ``(x, y)``.
        region: the roi and time interval.
        areas: the areas that can hold a patch (with a polygon roi, inside the polygons at
            :data:`LEAST_FITTING` of its positions or more, see :func:`fitting_share`).
        weights: each area's share of the region, as chosen by :meth:`choose`.
    """

    def __init__(
        self, dataset: GeoDataset, size: Size, units: Units, roi: Roi | None, toi: TimeInterval | None, owner: str
    ) -> None:
        """Find the areas of ``dataset`` inside the region that can hold a patch.

        Raises:
            ValueError: if ``size`` is not positive or not between half a pixel
                and :data:`geotorch.core.grid.MAX_PIXELS_PER_SIDE`, the roi/toi misses the data, no
                area can hold a patch (inside the roi polygons), or an area has more than
                :data:`MAX_WINDOWS` positions along an axis.
        """
        self.owner = owner
        self.given_size = size
        self.size = as_patch_size(size, units, dataset.res, owner=owner)
        self.res = dataset.res
        self.region = as_region(roi, toi, dataset, owner)
        self.areas = [area for area in find_areas(dataset, self.region, owner) if holds(area, self.size, self.res)]
        if not self.areas:
            raise size_error(owner, size, self.size, dataset, self.region)
        for area in self.areas:
            self._check_positions(area.bounds)
        if self.region.polygon is not None:
            # An area where patches rarely fit inside the polygons (a part narrower than a patch) would fail
            # its draws mid-pass whenever chosen, though other areas hold patches.
            self.areas = [area for area in self.areas if fitting_share(area, self.size, self.res, self.region) > 0]
            if not self.areas:
                raise ValueError(
                    f"{owner}: no patch of size={size!r} ({self.size[0]:g} x {self.size[1]:g} CRS units, height x "
                    f"width) fits inside the roi polygons (within {self.region.bbox}) in {LEAST_FITTING:.0%} or "
                    f"more of its positions in any area of {type(dataset).__name__}; the polygons are too narrow "
                    f"for a patch: use a smaller size or a wider roi"
                )
        self.weights = torch.tensor([area.weight for area in self.areas], dtype=torch.float64)

    def _check_positions(self, bounds: BoundingBox) -> None:
        """Refuse an area with more whole-pixel positions along an axis than a pass could ever draw from."""
        for extent, patch, step, axis in (
            (bounds.maxx - bounds.minx, self.size[1], self.res[0], "x"),
            (bounds.maxy - bounds.miny, self.size[0], self.res[1], "y"),
        ):
            positions = (extent - patch) / step + 1
            if not positions <= MAX_WINDOWS:
                raise ValueError(
                    f"{self.owner}: the area {bounds} has {positions:.4g} positions for a patch along {axis} at "
                    f"res {self.res}: more than {MAX_WINDOWS} (2**40); use a coarser res or a smaller roi"
                )

    def pass_length(self, length: int | None) -> int:
        """Patches per pass: ``length``, or by default how many the areas could hold side by side, at least 1.

        Raises:
            TypeError: if ``length`` is given and not a number.
            ValueError: if ``length`` is given and not a positive whole number
                (NaN, infinity, 2.5, 0), or the length is over :data:`MAX_WINDOWS`.
        """
        if length is None:
            default = float(self.weights.sum()) / (self.size[0] * self.size[1])
            if not default <= MAX_WINDOWS:
                raise ValueError(
                    f"{self.owner}: size={self.given_size!r} would make a default pass of {default:.4g} patches "
                    f"(the area over the patch area): more than {MAX_WINDOWS} (2**40); pass a length"
                )
            return max(1, int(default))
        count = as_count(length, "length", self.owner)
        if count > MAX_WINDOWS:
            raise ValueError(f"{self.owner}: length={length!r} patches a pass is more than {MAX_WINDOWS} (2**40)")
        return count

    def choose(self, generator: torch.Generator) -> Area:
        """An area, with probability proportional to its weight."""
        return self.areas[int(torch.multinomial(self.weights, 1, generator=generator))]

    def draw(self, area: Area, generator: torch.Generator) -> BoundingBox:
        """A patch inside ``area`` and inside the region's polygons, every position equally likely.

        Raises:
            RuntimeError: if :data:`MAX_ATTEMPTS` draws all leave the roi polygons.
        """
        for _ in range(MAX_ATTEMPTS):
            patch = get_random_bounding_box(area.bounds, self.size, self.res, generator)
            if self.region.polygon is None or self.region.covers(np.array([tuple(patch)]))[0]:
                return patch
        raise RuntimeError(
            f"no patch of {self.size[0]:g} x {self.size[1]:g} CRS units inside the roi polygon was found in "
            f"{area.bounds} after {MAX_ATTEMPTS} draws; the polygon is too narrow there: use a smaller size "
            f"or a wider roi"
        )
