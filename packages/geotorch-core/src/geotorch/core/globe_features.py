"""Features that circle the globe, burnt where a map projection cannot draw them as polygons."""

from __future__ import annotations

import numpy as np
import shapely
from rasterio.crs import CRS

from geotorch.core.crs import transformer
from geotorch.core.grid import Grid
from geotorch.core.wrap import seam_of


def circling(geometries: np.ndarray, source: CRS, target: CRS) -> np.ndarray:
    """Which of ``geometries`` (in ``source``) span a quarter turn of longitude or more, for a ``target`` without seam.

    A polygon spanning a whole turn (the globe, an ocean, a hemisphere of land and sea) in a
    CRS whose x jumps a turn at a seam (geographic ones at the antimeridian, Web Mercator) has
    two edges on it, one at each end of the turn. A CRS with a seam too keeps them apart; any
    other (UTM, LAEA, polar stereographic) draws them on one line, run through both ways, and
    the polygon has no inside: it burnt nothing. A polygon a quarter turn wide or more may hold
    a point such a CRS cannot draw (the transverse Mercator's on the equator 90 degrees from its
    central meridian, LAEA's antipode of its centre): its edges, drawn through that point, bound
    no polygon of its places either. Such features are burnt by :func:`burn_circling` instead.

    Args:
        geometries: ``(N,)`` shapely geometries in ``source``; missing ones are allowed.
        source: the features' CRS.
        target: the dataset's CRS.

    Returns:
        ``(N,)`` bool: True for the features to burn by :func:`burn_circling`.
    """
    seam = seam_of(source)
    if seam is None or seam_of(target) is not None or not len(geometries):
        return np.zeros(len(geometries), dtype=bool)
    bounds = shapely.bounds(geometries)
    with np.errstate(invalid="ignore"):
        return np.asarray(bounds[:, 2] - bounds[:, 0] >= seam.width / 4)


def torn(geometries: np.ndarray, target: CRS, longest: float) -> np.ndarray:
    """Which of ``geometries``, projected to a ``target`` without seam, the projection tore apart.

    A feature across a projection's discontinuity (the transverse Mercator's far side, where a field
    near 170 W read in UTM 33N crosses the equator from y = +20,000 km to -20,000 km) or through a point
    it cannot draw (a polar stereographic's opposite pole) comes out with coordinates that are not
    finite or with an edge far longer than its pieces were cut to: as a polygon it covers places it does
    not hold (all of Europe, burnt as that field). Such features are burnt by :func:`burn_circling`.

    Args:
        geometries: ``(N,)`` features in ``target``, their edges cut to a few km before projecting.
        target: the dataset's CRS.
        longest: the longest edge of a feature not torn, in ``target`` units.

    Returns:
        ``(N,)`` bool: True for the features to burn by :func:`burn_circling` instead.
    """
    tore = np.zeros(len(geometries), dtype=bool)
    if seam_of(target) is not None or not len(geometries):
        return tore
    # A long step between consecutive vertices, then checked ring by ring (a multipolygon's parts may lie far
    # apart): the few features with one are taken apart, not the many without (get_rings costs 4 us a polygon).
    coordinates, owners = shapely.get_coordinates(geometries, return_index=True)
    with np.errstate(invalid="ignore"):
        step = (owners[1:] == owners[:-1]) & (np.hypot(*np.diff(coordinates, axis=0).T) > longest)
    candidates = np.unique(owners[1:][step])
    tore[candidates] = _long_edged(geometries[candidates], longest)
    return np.asarray(tore | ~np.isfinite(shapely.bounds(geometries)).all(axis=1))


def _long_edged(geometries: np.ndarray, longest: float) -> np.ndarray:
    """Which of ``geometries`` have a ring or line with an edge longer than ``longest``."""
    parts, part_owners = shapely.get_parts(geometries, return_index=True)
    rings, ring_parts = shapely.get_rings(parts, return_index=True)
    lines = np.flatnonzero(shapely.get_type_id(parts) == shapely.GeometryType.LINESTRING)
    owners = np.concatenate([part_owners[ring_parts], part_owners[lines]]).astype(np.int64)
    coordinates, piece_of = shapely.get_coordinates(np.concatenate([rings, parts[lines]]), return_index=True)
    with np.errstate(invalid="ignore"):
        long = (piece_of[1:] == piece_of[:-1]) & (np.hypot(*np.diff(coordinates, axis=0).T) > longest)
    found = np.zeros(len(geometries), dtype=bool)
    found[owners[piece_of[1:][long]]] = True
    return found


def burn_circling(
    burnt: np.ndarray, grid: Grid, geometries: np.ndarray, numbers: np.ndarray, source: CRS
) -> np.ndarray:
    """``burnt`` with each of ``geometries`` burnt as its number on the pixels whose centre it holds.

    The pixels' centres are taken to ``source`` and tested there, where the feature is a plain
    polygon; a centre ``source`` cannot express (off the Earth) is held by none. Centres only,
    whatever the dataset's ``all_touched``: such features are far larger than a pixel. A number burns
    over smaller ones only: later features in a file win, as with GDAL's rasterizing in file order.

    Args:
        burnt: ``(H, W)`` uint32 feature numbers (0: none) on ``grid``.
        grid: the query's grid, in the dataset's CRS.
        geometries: ``(M,)`` features in ``source``.
        numbers: ``(M,)`` their numbers (positive).
        source: the features' CRS, one with a seam (see :func:`geotorch.core.wrap.seam_of`).

    Returns:
        ``(H, W)`` uint32: ``burnt`` with the features' numbers where they win.
    """
    cols, rows = np.meshgrid(np.arange(grid.width) + 0.5, np.arange(grid.height) + 0.5)
    xs, ys = grid.transform * (cols, rows)
    source_x, source_y = (
        np.asarray(values, dtype=np.float64)
        for values in transformer(grid.crs, source).transform(xs, ys, errcheck=False)
    )
    seam = seam_of(source)
    turn = seam.width if seam is not None else 0.0
    expressed = np.isfinite(source_x) & np.isfinite(source_y)
    if not expressed.any():
        return burnt
    reach = (float(source_x[expressed].min()), float(source_y[expressed].min()),
             float(source_x[expressed].max()), float(source_y[expressed].max()))
    for geometry, number in zip(geometries, numbers, strict=True):
        left, bottom, right, top = shapely.bounds(geometry)
        # PROJ gives x within one turn; the feature's may run past it (longitudes 0..360).
        shifts = [shift for shift in (0.0, turn, -turn) if left <= reach[2] + shift and reach[0] + shift <= right]
        if not shifts or bottom > reach[3] or top < reach[1]:
            continue
        shapely.prepare(geometry)
        inside = np.zeros(burnt.shape, dtype=bool)
        for shift in shifts:
            inside |= shapely.contains_xy(geometry, source_x + shift, source_y)
        burnt = np.where(inside & (burnt < number), np.uint32(number), burnt)
    return burnt
