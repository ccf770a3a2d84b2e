"""Longitudes past the antimeridian: where a file or feature lies under a target grid, in whole turns."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
from rasterio.crs import CRS
from rasterio.io import DatasetReader
from rasterio.transform import array_bounds

from geotorch.core.crs import half_turn, same_crs, transform_bounds, transformer
from geotorch.core.geotransform import footprint
from geotorch.core.grid import Grid


def grid_bounds_in(crs: CRS, grid: Grid) -> tuple[float, float, float, float]:
    """Bounds ``(left, bottom, right, top)`` of ``grid`` in ``crs``, with ``left <= right``.

    A grid crossing the antimeridian of a geographic ``crs`` gets longitudes that
    run past it (175 to 185 degrees, not 175 to -175), so the bounds stay one box.
    Bounds are infinite where part of the grid lies outside ``crs``'s domain.
    """
    left, bottom, right, top = array_bounds(grid.height, grid.width, grid.transform)
    if not same_crs(crs, grid.crs):
        left, bottom, right, top = transform_bounds(grid.crs, crs, left, bottom, right, top)
        if left > right and crs.is_geographic:
            right += 2 * half_turn(crs)
    return left, bottom, right, top


def longitude_shifts(source: DatasetReader, grid: Grid) -> list[float]:
    """The whole turns by which to move ``source``'s longitudes so that it lies under ``grid``.

    A geographic file may be written with longitudes past the antimeridian
    (a 0..360 grid, or one at -190..-170) and a grid may be queried past it
    too (a query at 175..185 degrees). The file covers the grid's places
    wherever a copy of it moved by whole turns overlaps the grid: each such
    offset, in the file's units, is read separately. Files of other CRSs, and
    grids whose extent in the file's CRS is unknown, are read unmoved.

    Returns:
        Offsets to add to the file's x coordinates (``[0.0]`` for a file in
        place); none when no copy of the file reaches the grid.
    """
    if not source.crs.is_geographic:
        return [0.0]
    low, _, high, _ = grid_bounds_in(source.crs, grid)
    if not (math.isfinite(low) and math.isfinite(high)):
        return [0.0]
    west, _, east, _ = footprint(source.transform, source.width, source.height)
    turn = 2 * half_turn(source.crs)
    # The copies moved by k turns that overlap the grid: west + k * turn < high and east + k * turn > low.
    first, last = math.floor((low - east) / turn) + 1, math.ceil((high - west) / turn) - 1
    return sorted((turns * turn for turns in range(first, last + 1)), key=abs)


@dataclass(frozen=True, slots=True)
class Seam:
    """Where the x coordinates of a CRS jump by a whole turn around the globe: a meridian.

    Attributes:
        width: the x distance of one turn (360 in a geographic CRS in degrees, 40075016.69 m in Web Mercator).
        centre: the x of the meridian opposite the seam; x runs from ``centre - width / 2`` to
            ``centre + width / 2``.
        meridian: the longitude of that meridian, in degrees (0 for Web Mercator, 150 for EPSG:3832).
    """

    width: float
    centre: float
    meridian: float

    def canonical(self, x: np.ndarray) -> np.ndarray:
        """``x`` moved by whole turns into ``[centre - width / 2, centre + width / 2)``."""
        return x - self.width * np.floor((x - self.centre) / self.width + 0.5)


#: Longitude and latitude in degrees: the seam is looked for along parallels.
_LONLAT = CRS.from_epsg(4326)

#: Longitudes sampled to find a projection's seam: 1440 steps of a quarter degree.
_SEAM_SAMPLES = np.arange(-180.0, 180.0, 0.25)


@functools.lru_cache(maxsize=64)
def seam_of(crs: CRS) -> Seam | None:
    """The seam of ``crs``, where a feature that crosses it jumps by a turn; None when there is none.

    Geographic CRSs have one at the antimeridian. Of projections, the cylindrical ones whose x
    runs once around the globe, the same at every latitude (Web Mercator, World Mercator,
    EPSG:3832 at 30 W, Plate Carree), are moved across it by a whole ``width``; others (UTM
    zones, polar, conic and pseudo-cylindrical projections) get None: their x does not
    repeat by a translation.
    """
    if crs.is_geographic:
        return Seam(2 * half_turn(crs), 0.0, 0.0)
    to_crs = transformer(_LONLAT, crs)
    rows = []
    for latitude in (0.0, 60.0):
        x, _ = to_crs.transform(_SEAM_SAMPLES, np.full_like(_SEAM_SAMPLES, latitude))
        rows.append(np.asarray(x, dtype=np.float64))
    if not all(np.isfinite(row).all() for row in rows):
        return None
    steps = [np.diff(np.append(row, row[0])) for row in rows]
    typical = float(np.median(np.abs(steps[0])))
    jump = int(np.argmax(np.abs(steps[0])))
    regular = np.delete(steps[0], jump)
    if typical <= 0 or not (np.allclose(regular, regular[0], rtol=1e-6) and np.allclose(steps[1], steps[0], rtol=1e-6)):
        return None
    width = typical * len(_SEAM_SAMPLES)
    # The seam lies between the jump's two samples, half a turn from the meridian.
    meridian = float(_SEAM_SAMPLES[jump]) + 0.25 - 180.0
    return Seam(width, float(rows[0].min() + rows[0].max() + typical) / 2, meridian)
