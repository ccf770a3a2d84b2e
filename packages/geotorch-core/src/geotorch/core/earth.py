"""Whether boxes in a CRS hold places on the Earth: the CRS's box of the globe, and the boxes that miss it."""

from __future__ import annotations

import functools
import math

import numpy as np
from numpy.typing import NDArray
from pyproj.exceptions import ProjError
from rasterio.crs import CRS

from geotorch.core.crs import half_turn, transformer
from geotorch.core.extent import covering_bounds

#: Longitude and latitude in degrees, where a projected CRS's points are checked to lie.
_LONLAT = CRS.from_epsg(4326)


@functools.lru_cache(maxsize=64)
def world_box(crs: CRS) -> tuple[float, float, float, float] | None:
    """Bounds ``(minx, miny, maxx, maxy)`` in ``crs`` of every place on the Earth it expresses.

    A geographic CRS's latitudes within a quarter turn and longitudes within a whole turn either way (0..360
    grids, and shapes drawn a little past the antimeridian, -181 degrees); a projected CRS's image of the
    globe, to the Earth's limb and up to the 1e12 m where PROJ draws a pole it sends to infinity (see
    :func:`geotorch.core.extent.covering_bounds`).
    None for a CRS tied to no place (a local one).
    """
    if crs.is_geographic:
        half = half_turn(crs)
        return -2 * half, -half / 2, 2 * half, half / 2
    try:
        move = transformer(_LONLAT, crs)
    except ProjError:
        return None
    found = covering_bounds(move, -180.0, -90.0, 180.0, 90.0)
    return found if all(math.isfinite(value) for value in found) else None


def at_a_place(crs: CRS, boxes: NDArray[np.float64]) -> NDArray[np.bool_]:
    """Which boxes in ``crs`` hold a place on the Earth.

    A box holds none when it and :func:`world_box` do not meet and no corner of it is a place a
    projected CRS brings to a longitude and latitude and back (the world's box is found on a grid,
    which may miss the transverse Mercator's far reaches): a box wholly past a pole, or at an export's
    'no coordinate' sentinel (1e30 m). Every box of a CRS tied to no place (a local one) holds one.

    Args:
        crs: the boxes' CRS.
        boxes: ``(4, N)`` float64, rows ``minx, miny, maxx, maxy`` in ``crs``'s units; NaN where a box has none.

    Returns:
        ``(N,)`` bool: False for the boxes at no place on the Earth, and those holding NaN.
    """
    world = world_box(crs)
    shaped = np.isfinite(boxes).all(axis=0)
    if world is None:
        return np.asarray(shaped, dtype=bool)
    with np.errstate(invalid="ignore"):
        meeting = (boxes[0] <= world[2]) & (boxes[2] >= world[0]) & (boxes[1] <= world[3]) & (boxes[3] >= world[1])
    placed: NDArray[np.bool_] = np.asarray(shaped & meeting, dtype=bool)
    # Only the few boxes that miss the world's are taken to a longitude and latitude and back.
    missing = shaped & ~meeting
    if missing.any():
        placed[missing] = _a_corner_expressed(crs, boxes[:, missing])
    return placed


def _a_corner_expressed(crs: CRS, boxes: NDArray[np.float64]) -> NDArray[np.bool_]:
    """Which ``(4, N)`` ``boxes`` of a projected ``crs`` have a corner PROJ brings to lon/lat and back."""
    if crs.is_geographic:
        return np.zeros(boxes.shape[1], dtype=bool)
    move = transformer(crs, _LONLAT)
    found = np.zeros(boxes.shape[1], dtype=bool)
    for x_row, y_row in ((0, 1), (0, 3), (2, 1), (2, 3)):
        xs, ys = boxes[x_row], boxes[y_row]
        with np.errstate(invalid="ignore", over="ignore"):
            lons, lats = move.transform(xs, ys, errcheck=False)
            back_x, back_y = move.transform(lons, lats, direction="INVERSE", errcheck=False)
            found |= np.isclose(back_x, xs, rtol=1e-6, atol=1.0) & np.isclose(back_y, ys, rtol=1e-6, atol=1.0)
    return np.asarray(found, dtype=bool)
