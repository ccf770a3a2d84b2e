"""Coordinate reference systems, parsed and paired once: PROJ makes both slow to redo per query."""

from __future__ import annotations

import functools
import math
import numbers
from collections.abc import Mapping
from typing import Any, TypeAlias

import pyproj
from pyproj import Transformer
from pyproj.exceptions import ProjError
from rasterio.crs import CRS
from rasterio.errors import CRSError

from geotorch.core.distortion import tolerable_box, tolerable_box_of_custom
from geotorch.core.extent import covering_bounds, covering_lonlat

#: A CRS in any form a ``crs`` argument takes (see :func:`as_crs`): a rasterio or pyproj CRS, an EPSG
#: code (``32633``, ``"EPSG:32633"``), a WKT, PROJ or PROJJSON string, a PROJJSON or ``{"init": ...}`` dict.
CRSLike: TypeAlias = CRS | pyproj.CRS | str | int | Mapping[str, Any]


@functools.lru_cache(maxsize=256)
def crs_from_wkt(wkt: str) -> CRS:
    """The horizontal CRS of ``wkt`` (see :func:`horizontal`), built once per distinct WKT.

    Files of one product share a handful of WKTs.
    """
    return horizontal(CRS.from_wkt(wkt))


def horizontal(crs: CRS) -> CRS:
    """``crs`` itself, or its horizontal part where it has heights too.

    Of a compound CRS (``EPSG:32633+5773`` gives ``EPSG:32633``) or a 3D one (``EPSG:4979``, WGS 84
    with ellipsoidal heights, gives ``EPSG:4326``). Samples are grids of x and y: a file's heights
    (a DEM in a compound CRS) are placed on its horizontal CRS, as GDAL's warps place them.
    """
    parsed = _parsed(crs)
    part = _horizontal_of(parsed)
    return crs if part is parsed else CRS.from_wkt(part.to_wkt())


#: :func:`same_crs`'s answers by the identity of the CRS objects compared (each read compares the same objects: a
#: file's, the dataset's), with the objects, so that an id stays theirs: hashing a CRS (its WKT) costs 10 us.
_SAME_BY_IDENTITY: dict[tuple[int, int], tuple[CRS, CRS, bool]] = {}


def same_crs(first: CRS, second: CRS) -> bool:
    """Whether ``first`` and ``second`` place x and y alike, however each is spelt.

    rasterio's ``==`` tells apart CRSs between which GDAL's warps are no-ops: OGC:CRS84 and
    EPSG:4326 (GDAL reads both as longitude, latitude), ``+proj=longlat +datum=WGS84`` and
    EPSG:4326, a compound CRS and its horizontal part. They are compared here as PROJ
    compares CRSs, names and axis order aside, on their horizontal parts, so that files so
    spelt are copied onto one grid rather than warped.
    """
    if first is second:
        return True
    known = _SAME_BY_IDENTITY.get((id(first), id(second)))
    if known is not None and known[0] is first and known[1] is second:
        return known[2]
    same = _same_meaning(first, second)
    if len(_SAME_BY_IDENTITY) >= 256:
        _SAME_BY_IDENTITY.clear()
    _SAME_BY_IDENTITY[id(first), id(second)] = (first, second, same)
    return same


@functools.lru_cache(maxsize=256)
def _same_meaning(first: CRS, second: CRS) -> bool:
    """:func:`same_crs` of CRS objects not compared before, by their value."""
    if first == second:
        return True
    one, other = _horizontal_part(first), _horizontal_part(second)
    if one.equals(other, ignore_axis_order=True):
        return True
    # PROJ tells a datum no authority defines (a file's own: "Unknown based on GRS80 ellipsoid", or bound to
    # WGS 84 by proj strings' null +towgs84=0,0,0, as older GeoTIFFs hold them) from every named one: such
    # CRSs are the same where no point moves between them, as no point moves in GDAL's warp between them.
    # Both ways: points where one CRS is defined may lie where the other is not (a geostationary view's far side).
    return (
        (_user_defined_datum(one) or _user_defined_datum(other))
        and _moves_no_point(first, second)
        and _moves_no_point(second, first)
    )


def _user_defined_datum(parsed: pyproj.CRS) -> bool:
    """Whether the datum of ``parsed`` (of its source CRS, if bound) is one no authority defines."""
    datum = parsed.datum
    return datum is not None and datum.to_json_dict().get("id") is None


def _moves_no_point(first: CRS, second: CRS) -> bool:
    """Whether points around the middle of ``first`` (see :func:`_middle`) keep their coordinates in ``second``.

    A point either CRS cannot hold (infinite, or beyond PROJ's reach) tells them apart.
    """
    middle_x, middle_y = _middle(first)
    longitudes = [middle_x, middle_x - 0.5, middle_x + 0.5, middle_x, middle_x]
    latitudes = [middle_y, middle_y, middle_y, middle_y - 0.5, middle_y + 0.5]
    try:
        xs, ys = transformer(_LONLAT, first).transform(longitudes, latitudes, errcheck=True)
        moved_xs, moved_ys = transformer(first, second).transform(xs, ys, errcheck=True)
    except ProjError:
        return False
    values, moved = [*xs, *ys], [*moved_xs, *moved_ys]
    return all(math.isfinite(value) for value in values + moved) and all(
        math.isclose(value, other, rel_tol=1e-12, abs_tol=1e-9) for value, other in zip(values, moved, strict=True)
    )


def _middle(crs: CRS) -> tuple[float, float]:
    """Longitude and latitude in degrees of the middle of ``crs``'s area of use, else of its projection's origin.

    A CRS no authority defines has no area of use: its projection's natural origin (or centre, or
    false origin) is a place it holds, as a geostationary view holds the point under its satellite
    and not (0, 0) degrees; a pole is taken one degree off it. (0, 0) for a CRS of neither.
    """
    west, south, east, north = _area_of_use(crs)
    if (west, south, east, north) != _NEAR_POLES:
        return (west + east) / 2, (south + north) / 2
    parsed = _horizontal_part(crs)
    if parsed.is_bound and parsed.source_crs is not None:
        parsed = parsed.source_crs
    params = parsed.coordinate_operation.params if parsed.coordinate_operation is not None else []
    degrees = {"Longitude of": 0.0, "Latitude of": 0.0}
    for axis in degrees:
        found = next((param for param in params if param.name.startswith(axis)), None)
        if found is not None and isinstance(found.value, float):
            degrees[axis] = math.degrees(found.value * found.unit_conversion_factor)
    return degrees["Longitude of"], max(-89.0, min(89.0, degrees["Latitude of"]))


def _parsed(crs: CRS) -> pyproj.CRS:
    """``crs`` as PROJ reads it."""
    return pyproj.CRS.from_wkt(crs.to_wkt())


def _horizontal_part(crs: CRS) -> pyproj.CRS:
    """:func:`horizontal` of ``crs`` as PROJ reads it."""
    return _horizontal_of(_parsed(crs))


def _horizontal_of(parsed: pyproj.CRS) -> pyproj.CRS:
    """The horizontal part of ``parsed`` (see :func:`horizontal`): ``parsed`` itself when it has no heights."""
    if parsed.is_compound:
        parsed = next(sub for sub in parsed.sub_crs_list if not sub.is_vertical)
    if len(parsed.axis_info) == 3 and (parsed.is_geographic or parsed.is_projected):
        return parsed.to_2d()
    return parsed


def as_crs(crs: object, owner: str) -> CRS:
    """The CRS given as a ``crs`` argument, in any form rasterio reads: every public ``crs`` goes through it.

    Args:
        crs: an EPSG code (``"EPSG:32633"``, ``32633`` or a numpy integer), a WKT (1 or 2) or PROJ string,
            PROJJSON (text or dict), a ``{"init": ...}`` dict, or a rasterio or pyproj CRS.
        owner: the dataset's class name (or the function's), for messages.

    Returns:
        The CRS, its horizontal part if it is compound (see :func:`horizontal`).

    Raises:
        ValueError: if rasterio reads no CRS from it (an unknown EPSG code, a code as text
            such as ``"32633"``, a float, a bool, an empty CRS), naming ``crs`` and rasterio's reason, or
            it is geocentric or vertical, no CRS of places on the Earth's surface.
    """
    shown = repr(crs) if len(repr(crs)) <= 80 else f"{repr(crs)[:77]}..."
    advice = "give an EPSG code ('EPSG:32633' or 32633), a WKT or PROJ string, or a rasterio or pyproj CRS"
    if isinstance(crs, bool):
        # rasterio reads True as EPSG code 1.
        raise ValueError(f"{owner}: crs={shown} is not a coordinate reference system (a bool); {advice}")
    try:
        # A numpy integer (a code from an array or a table) is an EPSG code, as an int is.
        parsed = CRS.from_user_input(int(crs) if isinstance(crs, numbers.Integral) else crs)
    except CRSError as error:
        raise ValueError(f"{owner}: crs={shown} is not a coordinate reference system ({error}); {advice}") from error
    if not parsed.to_wkt():
        raise ValueError(f"{owner}: crs={shown} is an empty CRS; {advice}")
    part = _horizontal_part(parsed)
    if not (part.is_geographic or part.is_projected or part.is_engineering):
        # Geocentric x, y, z (EPSG:4978) or heights alone (EPSG:5773): no grid of the Earth's surface lies in it.
        raise ValueError(
            f"{owner}: crs={shown} is a {part.type_name} ({part.name}), not one of places on the Earth's "
            f"surface; {advice} of longitude and latitude or a map projection"
        )
    return horizontal(parsed)


@functools.lru_cache(maxsize=64)
def transformer(source: CRS, target: CRS) -> Transformer:
    """A reusable ``always_xy`` transformer between two CRSs: creating one costs milliseconds, using it microseconds.

    Raises:
        ProjError: if PROJ relates the two by no operation, naming both and why: an engineering
            (local) CRS, the coordinates of a site or a lab, is tied to no place on the Earth.
    """
    try:
        return Transformer.from_crs(source.to_wkt(), target.to_wkt(), always_xy=True)
    except ProjError as error:
        local = next((crs for crs in (source, target) if _parsed(crs).is_engineering), None)
        reason = (
            f"{crs_name(local)} is an engineering (local) CRS, tied to no place on the Earth: its files can be "
            "read only in their own CRS, with files of that CRS alone"
            if local is not None
            else str(error)
        )
        raise ProjError(f"no coordinate operation from {crs_name(source)} to {crs_name(target)}: {reason}") from error


def crs_name(crs: CRS) -> str:
    """``crs`` for a message: its authority code (``EPSG:32633``), else its name, quoted.

    A CRS given as a PROJ string has no name ('unknown'): its PROJ string, quoted, says which it is.
    """
    text = str(crs.to_string())
    if len(text) <= 40:
        return text
    name = str(_parsed(crs).name)
    if name in ("", "unknown"):
        return repr(crs.to_proj4().replace(" +no_defs=True", ""))
    return repr(name)


def transform_bounds(
    source: CRS, target: CRS, left: float, bottom: float, right: float, top: float
) -> tuple[float, float, float, float]:
    """Bounds ``(left, bottom, right, top)`` in ``target`` of a box in ``source``, edges densified."""
    if same_crs(source, target):
        return left, bottom, right, top
    return transformer(source, target).transform_bounds(left, bottom, right, top, densify_pts=21)


#: Longitude and latitude in degrees, where crossing the antimeridian shows as ``left > right``.
_LONLAT = CRS.from_epsg(4326)


def half_turn(crs: CRS) -> float:
    """Half a turn in the angular unit of the geographic ``crs``: 180 for degrees, 200 for grads."""
    _, radians = crs.units_factor
    return math.pi / float(radians)


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


def transform_boxes(
    source: CRS, target: CRS, left: float, bottom: float, right: float, top: float, *, wrap: bool = True
) -> list[tuple[float, float, float, float]]:
    """Boxes ``(left, bottom, right, top)`` in ``target`` that together cover a box in ``source``.

    One box, unless the box crosses the antimeridian where ``target``'s
    x coordinates jump (geographic CRSs, and projections such as Web Mercator
    whose edge is the antimeridian): then one box on each side, so that no box
    has ``left > right`` nor spans the whole world. Longitudes of a geographic
    ``source`` beyond the antimeridian (0..360 grids) are first moved to where
    they lie on the globe (see :func:`wrap_longitudes`), even when ``target``
    is ``source``: a geographic ``target``'s boxes lie within its canonical
    longitudes, ``[-180, 180]`` in degrees. ``wrap=False`` takes them as they are.
    A projected ``target``'s boxes end where it draws areas 100 times as large
    as anywhere over its area of use (see :mod:`geotorch.core.distortion`), not
    at the 1e12 m where it draws a pole it sends to infinity.

    Raises:
        ProjError: if the box holds a pole that ``target`` sends to infinity, outside its
            area of use (Antarctica in a north polar stereographic CRS): no box holds it.
    """
    if not (wrap and source.is_geographic):
        return _merged(_tolerable(source, target, _transform_box(source, target, left, bottom, right, top)))
    parts = wrap_longitudes(left, right, half_turn(source))
    boxes = [box for west, east in parts for box in _transform_box(source, target, west, bottom, east, top)]
    return _merged(_tolerable(source, target, boxes))


def _tolerable(
    source: CRS, target: CRS, boxes: list[tuple[float, float, float, float]]
) -> list[tuple[float, float, float, float]]:
    """``boxes`` in the projected ``target`` cut to where it draws places tolerably (:mod:`geotorch.core.distortion`).

    A box wholly beyond (a small file near the pole a polar CRS sends to infinity) is kept whole: the
    CRS was chosen for it.
    """
    limits = _tolerable_box(target) if not same_crs(source, target) else None
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
    return tolerable_box_of_custom(_horizontal_part(crs).to_wkt(), _middle(crs))


def _transform_box(
    source: CRS, target: CRS, left: float, bottom: float, right: float, top: float
) -> list[tuple[float, float, float, float]]:
    """:func:`transform_boxes` of a box whose longitudes, if ``source`` is geographic, are canonical."""
    if same_crs(source, target):
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
        west, south, east, north = covering_lonlat(transformer(source, _LONLAT), left, bottom, right, top, 180.0)
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
    eastern = _covering_bounds(_LONLAT, target, west, south, 180.0, north, max(180.0 - west, north - south))
    western = _covering_bounds(_LONLAT, target, -180.0, south, east, north, max(east + 180.0, north - south))
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

#: Latitudes a CRS without an area of use is taken to reach: the poles may lie at infinity (Mercator).
_NEAR_POLES = (-180.0, -89.9, 180.0, 89.9)


@functools.lru_cache(maxsize=64)
def _area_of_use(crs: CRS) -> tuple[float, float, float, float]:
    """``(west, south, east, north)`` in degrees where ``crs`` is meant to be used.

    From its EPSG definition (rasterio's WKT leaves the area out), else :data:`_NEAR_POLES`.
    """
    code = crs.to_epsg()
    area = pyproj.CRS.from_epsg(code).area_of_use if code is not None else None
    return _NEAR_POLES if area is None else area.bounds


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
    west, area_south, east, area_north = _area_of_use(target)
    if max(south, area_south) < min(north, area_north):
        south, north = max(south, area_south), min(north, area_north)
    else:
        pole = -90.0 if south <= -90.0 else 90.0
        x, y = transformer(_LONLAT, target).transform(0.0, pole)
        # PROJ gives a pole it sends to infinity as a huge finite number (1e23 m): no place on the Earth lies
        # that far in any linear unit.
        if not (abs(x) < _FAR and abs(y) < _FAR):
            raise ProjError(
                f"the footprint holds the {'south' if pole < 0 else 'north'} pole, which {target.to_string()} "
                "sends to infinity; choose a crs that holds it (e.g. the polar stereographic CRS of that pole)"
            )
        west, east = -180.0, 180.0
    cap = _covering_bounds(_LONLAT, target, west, south, east, north, max(east - west, north - south))
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
