"""Boxes reprojected between CRSs: across the antimeridian, around the poles, within where a projection draws well."""

from __future__ import annotations

import functools
import math

from pyproj.exceptions import ProjError
from rasterio.crs import CRS

from geotorch.core.distortion import tolerable_box, tolerable_box_of_custom
from geotorch.core.extent import covering_bounds, covering_lonlat
from geotorch.core.proj_crs import LONLAT, area_of_use, half_turn, horizontal_part, middle, transformer


def wrap_longitudes(left: float, right: float, half: float) -> list[tuple[float, float]]:
    """The parts of the longitude range ``[left, right]``, each moved by whole turns into ``[-half, half]``.

    Grids whose longitudes run past the antimeridian (0..360 grids written
    from GRIB or netCDF, or a grid at 350..370 or -190..-170) lie at these
    longitudes on the globe: one part, or two split at the antimeridian, or
    the whole range when the grid spans a turn or more.

    Args:
        left: western longitude.
        right: eastern longitude, at least ``left``.
        half: half a turn in the same unit (180 for degrees).

    Returns:
        ``[(left, right)]`` ranges within ``[-half, half]``, west to east of the antimeridian.
    """
    turn = 2 * half
    if right - left >= turn:
        return [(-half, half)]
    # Move ``left`` into [-half, half): the whole turns to subtract, counted from the antimeridian.
    turns = math.floor((left + half) / turn)
    left, right = left - turns * turn, right - turns * turn
    if right <= half:
        return [(left, right)]
    return [(left, half), (-half, right - turn)]


def reprojected_boxes(
    source: CRS, target: CRS, left: float, bottom: float, right: float, top: float, *, wrap: bool, same: bool
) -> list[tuple[float, float, float, float]]:
    """:func:`geotorch.core.crs.transform_boxes` of a box, told whether the two CRSs are the same.

    Args:
        source: the box's CRS.
        target: the CRS of the boxes returned.
        left: western edge in ``source``.
        bottom: southern edge.
        right: eastern edge.
        top: northern edge.
        wrap: whether a geographic ``source``'s longitudes past the antimeridian are first moved onto the globe.
        same: whether ``source`` and ``target`` place x and y alike (:func:`geotorch.core.crs.same_crs`).

    Returns:
        Boxes ``(left, bottom, right, top)`` in ``target`` that together cover the box.

    Raises:
        ProjError: if the box holds a pole that ``target`` sends to infinity, outside its area of use.
    """
    if not (wrap and source.is_geographic):
        return _merged(_tolerable(target, same, _transform_box(source, target, same, left, bottom, right, top)))
    parts = wrap_longitudes(left, right, half_turn(source))
    boxes = [box for west, east in parts for box in _transform_box(source, target, same, west, bottom, east, top)]
    return _merged(_tolerable(target, same, boxes))


def _tolerable(
    target: CRS, same: bool, boxes: list[tuple[float, float, float, float]]
) -> list[tuple[float, float, float, float]]:
    """``boxes`` in the projected ``target`` cut to where it draws places tolerably (:mod:`geotorch.core.distortion`).

    A box wholly beyond (a small file near the pole a polar CRS sends to infinity) is kept whole: the
    CRS was chosen for it.
    """
    limits = _tolerable_box(target) if not same else None
    if limits is None:
        return boxes
    cut = [(max(left, limits[0]), max(bottom, limits[1]), min(right, limits[2]), min(top, limits[3]))
           for left, bottom, right, top in boxes]
    return [part if part[0] <= part[2] and part[1] <= part[3] else box for part, box in zip(cut, boxes, strict=True)]


@functools.lru_cache(maxsize=64)
def _tolerable_box(crs: CRS) -> tuple[float, float, float, float] | None:
    """:func:`geotorch.core.distortion.tolerable_box` of ``crs``, None unless it is a projected CRS.

    A CRS of no EPSG code (a custom WKT or PROJ string) is bounded around its projection's centre
    (:func:`geotorch.core.distortion.tolerable_box_of_custom`).
    """
    if not crs.is_projected:
        return None
    code = crs.to_epsg()
    if code is not None:
        return tolerable_box(code)
    return tolerable_box_of_custom(horizontal_part(crs).to_wkt(), middle(crs))


def _transform_box(
    source: CRS, target: CRS, same: bool, left: float, bottom: float, right: float, top: float
) -> list[tuple[float, float, float, float]]:
    """:func:`reprojected_boxes` of a box whose longitudes, if ``source`` is geographic, are canonical."""
    if same:
        return [(left, bottom, right, top)]
    if target.is_geographic:
        box = covering_lonlat(transformer(source, target), left, bottom, right, top, half_turn(target))
        if box[0] <= box[2]:
            return [box]
        # pyproj's transform_bounds says that a box crosses the antimeridian by returning left > right.
        half = half_turn(target)
        return [(box[0], box[1], half, box[3]), (-half, box[1], box[2], box[3])]
    move = transformer(source, target)
    if source.is_geographic:
        degrees = 180.0 / half_turn(source)
        west, south, east, north = left * degrees, bottom * degrees, right * degrees, top * degrees
    else:
        west, south, east, north = covering_lonlat(transformer(source, LONLAT), left, bottom, right, top, 180.0)
    span = max((east - west) % 360.0 if west > east else east - west, north - south)
    if west <= east and span <= _SMALL and south > -90.0 and north < 90.0:
        box = move.transform_bounds(left, bottom, right, top, densify_pts=21)
    else:
        box = _covering_bounds(source, target, left, bottom, right, top, span)
    if source.is_geographic:
        return [box]
    if south <= -90.0 or north >= 90.0:
        # A pole lies in the footprint (pyproj's bounds then reach it): the target's projection of the edges
        # misses the interior around it, which spans every longitude down to the pole.
        return [_with_polar_cap(target, box, south, north)]
    if not west > east:
        return [box]
    eastern = _covering_bounds(LONLAT, target, west, south, 180.0, north, max(180.0 - west, north - south))
    western = _covering_bounds(LONLAT, target, -180.0, south, east, north, max(east + 180.0, north - south))
    if eastern[0] <= western[2] and western[0] <= eastern[2]:
        # The two sides meet in the target (its x does not jump at the antimeridian): one box holds them.
        return [box]
    return [eastern, western]


def _covering_bounds(
    source: CRS, target: CRS, left: float, bottom: float, right: float, top: float, degrees: float
) -> tuple[float, float, float, float]:
    """Bounds in the projected ``target`` of every place of a box in ``source`` (see :func:`covering_bounds`).

    A box spanning more than 22 ``degrees`` of longitude or latitude has its edges followed
    by twice as many points as degrees: a parallel across every longitude is a circle in a
    polar CRS, as is Web Mercator's edge, whose 23 points of pyproj's default cut its corners
    by 0.25 % of its radius. Chords still cut curved edges, by a quarter of what chords twice
    as long cut: each side is pushed out by the difference between the two, which a side
    along a straight edge (Web Mercator's x) does not move.
    """
    move = transformer(source, target)
    if not degrees > 22.0:
        # NaN too: a box of which the source expresses no place (an export's 'no coordinate' sentinel) has no size.
        return covering_bounds(move, left, bottom, right, top)
    steps = math.ceil(degrees)
    fine = covering_bounds(move, left, bottom, right, top, 2 * steps - 1)
    coarse = move.transform_bounds(left, bottom, right, top, densify_pts=steps - 1)
    # Sides the coarse chords put off the Earth (a pole at infinity) are not compared.
    cut = [
        abs(one - other) if abs(one) < _FAR and abs(other) < _FAR else 0.0
        for one, other in zip(fine, coarse, strict=True)
    ]
    return fine[0] - cut[0], fine[1] - cut[1], fine[2] + cut[2], fine[3] + cut[3]


#: Degrees of longitude and latitude within which a box's edges bound its image in any CRS: a map projection's
#: x or y peaks inside a box only around a point it cannot draw (the transverse Mercator's on the equator, 90
#: degrees from its central meridian), which a box of an ordinary file (a UTM scene) does not reach. Larger
#: boxes are checked (see :func:`geotorch.core.extent.covering_bounds`).
_SMALL = 10.0


#: Coordinates beyond this magnitude are no place on the Earth, in any linear unit.
_FAR = 1e12


def _with_polar_cap(
    target: CRS, box: tuple[float, float, float, float], south: float, north: float
) -> tuple[float, float, float, float]:
    """``box`` grown to hold, in ``target``, the latitudes ``south`` to ``north`` at every longitude.

    Clipped to ``target``'s area of use: a pole that ``target`` sends to infinity (Web
    Mercator) bounds the box at the area's edge instead (85.06 degrees). A cap wholly outside
    that area (Antarctica in a UTM zone of the north) is taken whole. ``box`` unchanged when
    ``target`` cannot express the cap.

    Raises:
        ProjError: if the cap lies outside ``target``'s area of use and ``target`` sends its
            pole to infinity (Antarctica in a north polar stereographic CRS): no box holds it.
    """
    west, area_south, east, area_north = area_of_use(target)
    if max(south, area_south) < min(north, area_north):
        south, north = max(south, area_south), min(north, area_north)
    else:
        pole = -90.0 if south <= -90.0 else 90.0
        x, y = transformer(LONLAT, target).transform(0.0, pole)
        # PROJ gives a pole it sends to infinity as a huge finite number (1e23 m): no place on the Earth lies
        # that far in any linear unit.
        if not (abs(x) < _FAR and abs(y) < _FAR):
            raise ProjError(
                f"the footprint holds the {'south' if pole < 0 else 'north'} pole, which {target.to_string()} "
                "sends to infinity; choose a crs that holds it (e.g. the polar stereographic CRS of that pole)"
            )
        west, east = -180.0, 180.0
    cap = _covering_bounds(LONLAT, target, west, south, east, north, max(east - west, north - south))
    if not all(math.isfinite(value) for value in cap) or cap[0] > cap[2]:
        return box
    return min(box[0], cap[0]), min(box[1], cap[1]), max(box[2], cap[2]), max(box[3], cap[3])


def _merged(boxes: list[tuple[float, float, float, float]]) -> list[tuple[float, float, float, float]]:
    """``boxes`` with every two that meet (overlap or share an edge) replaced by the box holding both.

    The parts of a footprint on each side of the antimeridian meet in a target
    whose x does not jump there (a UTM zone at 180 degrees), and the halves of
    a 0..360 grid meet at the prime meridian: one box then holds them.
    """
    merged: list[tuple[float, float, float, float]] = []
    for box in boxes:
        while True:
            meeting = next((other for other in merged if other[0] <= box[2] and box[0] <= other[2]
                            and other[1] <= box[3] and box[1] <= other[3]), None)
            if meeting is None:
                break
            merged.remove(meeting)
            box = (min(box[0], meeting[0]), min(box[1], meeting[1]), max(box[2], meeting[2]), max(box[3], meeting[3]))
        merged.append(box)
    return merged
