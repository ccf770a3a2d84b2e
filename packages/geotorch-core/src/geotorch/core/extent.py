"""Extents of boxes in another CRS that hold every place of the box the CRS can express."""

from __future__ import annotations

import functools
import math

import numpy as np
from numpy.typing import NDArray
from pyproj import Transformer

from geotorch.core.bisection import last_holding

#: Points a side of the grid of a box's interior that tells whether the edges bound its image: a few, so that
#: the boxes of ordinary files (a UTM scene read in the next zone) cost little more than their edges.
_PROBE = 5

#: Points a side of the grid of a box's interior where they do not (see :func:`covering_bounds`).
_GRID = 21

#: Steps halving the gap between a point a CRS expresses and one it does not, down to 2**-30 of a grid cell.
_BISECTIONS = 30

#: Degrees beyond which the edges of a box bow measurably between pyproj's 23 points (see :func:`covering_lonlat`).
_BOWING = 10.0

#: Coordinates beyond this magnitude are no place on the Earth, in any linear unit: PROJ gives a point it
#: sends to infinity (a pole in Mercator) as a huge finite number (1e23 m).
_FAR = 1e12

Bounds = tuple[float, float, float, float]

#: The bounds of a box of which no point is a place (every one :func:`_folded`: a tile wholly off a sinusoid's limb).
_NOWHERE: Bounds = (math.inf, math.inf, math.inf, math.inf)


def covering_bounds(
    transformer: Transformer, left: float, bottom: float, right: float, top: float, densify_pts: int = 21
) -> Bounds:
    """Bounds ``(left, bottom, right, top)`` in a projected target of a box in the transformer's source.

    pyproj's ``transform_bounds`` follows the box's edges, which bound its image only
    where the projection maps the box one to one and onto its edges. A box larger than
    the target's area of use breaks that: the whole globe's edges (the poles, the
    antimeridian) all lie on one line of a UTM zone, and a geostationary view's corners
    lie off the Earth. A few points of the box's interior tell whether its edges bound its image;
    where they do not (or the edges are not expressed), a grid of the interior is transformed, with the points
    where the box leaves the target's domain (the Earth's limb), and the bounds grown to
    hold them, by a twentieth of their size each way where the grid finds more than the
    edges: places between grid points reach a little further. Over-covering costs a read;
    under-covering loses places silently.

    Args:
        transformer: an ``always_xy`` transformer to a projected CRS.
        left: western edge of the box, in the source's x unit.
        bottom: southern edge.
        right: eastern edge, at least ``left``.
        top: northern edge, at least ``bottom``.
        densify_pts: points added between the corners on each edge (pyproj's ``densify_pts``).

    Returns:
        The bounds in the target's unit; infinite where no point of the box is expressed in it.
    """
    edges = transformer.transform_bounds(left, bottom, right, top, densify_pts=densify_pts)
    bounded = all(math.isfinite(value) and abs(value) < _FAR for value in edges)
    if bounded:
        xs, ys, folded = _expressed_points(transformer, left, bottom, right, top, _PROBE)
        if not folded and _holds(edges, xs, ys):
            return edges
    xs, ys, folded = _expressed_points(transformer, left, bottom, right, top, _GRID)
    if xs.size == 0:
        return _NOWHERE if folded else edges
    found = (float(xs.min()), float(ys.min()), float(xs.max()), float(ys.max()))
    # Edges through places PROJ answers for with another's coordinates (see _folded) bound nothing.
    if bounded and not folded:
        found = (min(found[0], edges[0]), min(found[1], edges[1]), max(found[2], edges[2]), max(found[3], edges[3]))
    margin_x, margin_y = (found[2] - found[0]) / (_GRID - 1), (found[3] - found[1]) / (_GRID - 1)
    return found[0] - margin_x, found[1] - margin_y, found[2] + margin_x, found[3] + margin_y


def covering_lonlat(
    transformer: Transformer, left: float, bottom: float, right: float, top: float, half: float
) -> Bounds:
    """Bounds ``(west, south, east, north)`` in a geographic target of a box in the transformer's source.

    pyproj's ``transform_bounds`` (``west > east`` across the antimeridian), followed more densely
    where it spans more than ten degrees, unless the box's edges lie off the Earth (a
    geostationary full disk's corners) or, for such bounds, do not hold a few points of its
    interior (a UTM box reaching past the zone's opposite side: the south beyond the
    equator lies inside it, not on its edges): then the extent of the
    grid of :func:`covering_bounds` and of the Earth's limb on it, grown by a twentieth each
    way, with the longitudes taken around the globe: west and east of the widest gap between
    them, so that an extent across the antimeridian has ``west > east`` too.

    Args:
        transformer: an ``always_xy`` transformer to a geographic CRS.
        left: western edge of the box, in the source's x unit.
        bottom: southern edge.
        right: eastern edge, at least ``left``.
        top: northern edge, at least ``bottom``.
        half: half a turn in the target's angular unit (180 for degrees).

    Returns:
        The bounds in the target's unit; infinite where no point of the box is expressed in it.
    """
    edges = transformer.transform_bounds(left, bottom, right, top, densify_pts=21)
    bounded = all(math.isfinite(value) for value in edges)
    if bounded and _span(edges, half) * 180.0 / half <= _BOWING:
        return edges
    if bounded:
        lons, lats, folded = _expressed_points(transformer, left, bottom, right, top, _PROBE)
        if not folded and _holds_lonlat(edges, lons, lats, half):
            return _with_chords_pushed_out(transformer, (left, bottom, right, top), edges, half)
    lons, lats, folded = _expressed_points(transformer, left, bottom, right, top, _GRID)
    if lons.size == 0:
        return _NOWHERE if folded else edges
    if bounded and not folded:
        # The edges' own extent too: the grid's points lie within a twentieth of them.
        lons = np.append(lons, [edges[0], edges[2]])
        lats = np.append(lats, [edges[1], edges[3]])
    quarter = half / 2
    margin_y = (float(lats.max()) - float(lats.min())) / (_GRID - 1)
    south, north = max(-quarter, float(lats.min()) - margin_y), min(quarter, float(lats.max()) + margin_y)
    ordered = np.sort(np.mod(lons + half, 2 * half) - half)
    gaps = np.diff(np.append(ordered, ordered[0] + 2 * half))
    widest = int(np.argmax(gaps))
    west, east = float(ordered[(widest + 1) % ordered.size]), float(ordered[widest])
    span = (east - west) % (2 * half)
    margin_x = span / (_GRID - 1)
    if span + 2 * margin_x >= 2 * half:
        return -half, south, half, north
    return _wrapped(west - margin_x, half), south, _wrapped(east + margin_x, half), north


def _span(bounds: Bounds, half: float) -> float:
    """The larger of the longitudes (around the globe, ``west > east`` across the antimeridian) and latitudes."""
    west, south, east, north = bounds
    return max((east - west) % (2 * half) if west > east else east - west, north - south)


def _holds_lonlat(bounds: Bounds, lons: NDArray[np.float64], lats: NDArray[np.float64], half: float) -> bool:
    """Whether geographic ``bounds`` (``west > east`` across the antimeridian) hold every point ``lons``, ``lats``."""
    west, south, east, north = bounds
    turn = 2 * half
    width = (east - west) % turn if west > east else east - west
    within = np.mod(lons - west, turn) <= width + 1e-9 * turn
    return bool(((lats >= south) & (lats <= north) & within).all())


def _with_chords_pushed_out(transformer: Transformer, box: Bounds, edges: Bounds, half: float) -> Bounds:
    """``edges``, pyproj's geographic bounds of ``box``, pushed out where chords between its 23 points cut curves.

    An edge of a box of several thousand kilometres (Europe's in EPSG:3035) bows between those
    points, by 700 m at 77 degrees north. Bounds wider or taller than :data:`_BOWING` degrees (the
    only ones given) are followed by 201 points an edge, whose chords cut a curve some 80 times less than 23 points'
    do: each side is pushed out by a fortieth of the difference between the two.
    """
    denser = transformer.transform_bounds(*box, densify_pts=199)
    quarter = half / 2
    pushed = [abs(one - other) / 40 for one, other in zip(denser, edges, strict=True)]
    return (
        _wrapped(denser[0] - pushed[0], half),
        max(-quarter, denser[1] - pushed[1]),
        _wrapped(denser[2] + pushed[2], half),
        min(quarter, denser[3] + pushed[3]),
    )


def _wrapped(longitude: float, half: float) -> float:
    """``longitude`` moved by whole turns into ``[-half, half]``."""
    return longitude if -half <= longitude <= half else (longitude + half) % (2 * half) - half


def _holds(bounds: Bounds, xs: NDArray[np.float64], ys: NDArray[np.float64]) -> bool:
    """Whether ``bounds`` hold every point ``xs``, ``ys``, all of which are expressed."""
    left, bottom, right, top = bounds
    return bool(((xs >= left) & (xs <= right) & (ys >= bottom) & (ys <= top)).all())


def _expressed_points(
    transformer: Transformer, left: float, bottom: float, right: float, top: float, count: int
) -> tuple[NDArray[np.float64], NDArray[np.float64], bool]:
    """Target x and y of the ``count`` by ``count`` grid points of the box that the target expresses.

    With the points of the limb between grid points expressed and not: where the box leaves the target's domain.
    And whether some grid point was :func:`_folded`: then the box's edges do not bound its places.
    """
    unit_x, unit_y = _unit_grid(count)
    grid_x, grid_y = left + (right - left) * unit_x, bottom + (top - bottom) * unit_y
    xs, ys = _transformed(transformer, grid_x, grid_y)
    projected = bool(transformer.source_crs is not None and transformer.source_crs.is_projected)
    expressed = _expressed(xs, ys)
    folded = expressed & _folded(transformer, projected, grid_x, grid_y, xs, ys)
    kept = expressed & ~folded
    if kept.all():
        # The box lies wholly where the target is defined (every ordinary file): no limb to look for.
        return xs.ravel(), ys.ravel(), False
    limb_x, limb_y = [xs[kept]], [ys[kept]]
    for axis in (0, 1):
        inner, outer = (slice(None, -1), slice(1, None))
        first = (inner, slice(None)) if axis == 0 else (slice(None), inner)
        second = (outer, slice(None)) if axis == 0 else (slice(None), outer)
        crossing = kept[first] != kept[second]
        if not crossing.any():
            continue
        start_in = kept[first][crossing]
        inside_x = np.where(start_in, grid_x[first][crossing], grid_x[second][crossing])
        inside_y = np.where(start_in, grid_y[first][crossing], grid_y[second][crossing])
        outside_x = np.where(start_in, grid_x[second][crossing], grid_x[first][crossing])
        outside_y = np.where(start_in, grid_y[second][crossing], grid_y[first][crossing])
        edge_x, edge_y = _limb(transformer, projected, inside_x, inside_y, outside_x, outside_y)
        limb_x.append(edge_x)
        limb_y.append(edge_y)
    return np.concatenate(limb_x), np.concatenate(limb_y), bool(folded.any())


@functools.cache
def _unit_grid(count: int) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The x and y of a ``count`` by ``count`` grid over the unit square, made once (numpy takes 25 us a grid)."""
    unit = np.linspace(0.0, 1.0, count)
    unit_x, unit_y = np.meshgrid(unit, unit)
    return unit_x, unit_y


def _limb(
    transformer: Transformer,
    projected: bool,
    inside_x: NDArray[np.float64],
    inside_y: NDArray[np.float64],
    outside_x: NDArray[np.float64],
    outside_y: NDArray[np.float64],
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Target x and y of the last expressed points on the segments from ``inside`` to ``outside`` (bisection).

    ``projected``: whether the source is projected, whose points may be :func:`_folded`.
    """

    def expressed(xs: NDArray[np.float64], ys: NDArray[np.float64]) -> NDArray[np.bool_]:
        target_x, target_y = _transformed(transformer, xs, ys)
        return _expressed(target_x, target_y) & ~_folded(transformer, projected, xs, ys, target_x, target_y)

    return _transformed(transformer, *last_holding(expressed, inside_x, inside_y, outside_x, outside_y, _BISECTIONS))


def _transformed(
    transformer: Transformer, xs: NDArray[np.float64], ys: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """``xs``, ``ys`` in the target, infinite where the target does not express them."""
    target_x, target_y = transformer.transform(xs, ys, errcheck=False)
    return np.asarray(target_x, dtype=np.float64), np.asarray(target_y, dtype=np.float64)


def _folded(
    transformer: Transformer,
    projected: bool,
    xs: NDArray[np.float64],
    ys: NDArray[np.float64],
    target_x: NDArray[np.float64],
    target_y: NDArray[np.float64],
) -> NDArray[np.bool_]:
    """Where a projected source's points ``xs, ys`` come back from their target ``target_x, target_y`` elsewhere.

    PROJ answers for a point off a sinusoidal's limb (a MODIS tile's corner past the Earth's edge, x -20,015 km at
    10 N) with the longitude it would have, wrapped into a turn: 177.8 E, whose x is +19,523 km. Such a point is
    no place, and the box's edges through it reach across the globe. A geographic source's points are places
    wherever PROJ expresses them (a pole's longitude comes back as any): only a ``projected`` source is checked.
    """
    if not projected:
        return np.zeros(np.shape(xs), dtype=bool)
    with np.errstate(invalid="ignore", over="ignore"):
        back_x, back_y = transformer.transform(target_x, target_y, direction="INVERSE", errcheck=False)
        kept = np.isclose(back_x, xs, rtol=1e-6, atol=1.0) & np.isclose(back_y, ys, rtol=1e-6, atol=1.0)
    return np.asarray(~kept, dtype=bool)


def _expressed(xs: NDArray[np.float64], ys: NDArray[np.float64]) -> NDArray[np.bool_]:
    """Where ``xs``, ``ys`` are places on the Earth: finite and not beyond :data:`_FAR`."""
    return np.isfinite(xs) & np.isfinite(ys) & (np.abs(xs) < _FAR) & (np.abs(ys) < _FAR)
