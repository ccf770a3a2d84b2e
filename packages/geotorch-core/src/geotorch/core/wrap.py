"""Longitudes past the antimeridian: where a geographic file lies under a target grid, in whole turns."""

from __future__ import annotations

import math

from rasterio.crs import CRS
from rasterio.io import DatasetReader
from rasterio.transform import array_bounds

from geotorch.core.crs import half_turn, transform_bounds
from geotorch.core.geotransform import footprint
from geotorch.core.grid import Grid


def grid_bounds_in(crs: CRS, grid: Grid) -> tuple[float, float, float, float]:
    """Bounds ``(left, bottom, right, top)`` of ``grid`` in ``crs``, with ``left <= right``.

    A grid crossing the antimeridian of a geographic ``crs`` gets longitudes that
    run past it (175 to 185 degrees, not 175 to -175), so the bounds stay one box.
    Bounds are infinite where part of the grid lies outside ``crs``'s domain.
    """
    left, bottom, right, top = array_bounds(grid.height, grid.width, grid.transform)
    if crs != grid.crs:
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
