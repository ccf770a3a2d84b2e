"""Coordinate reference systems, parsed and paired once: PROJ makes both slow to redo per query."""

from __future__ import annotations

import functools
import math
import numbers
from collections.abc import Mapping
from typing import Any, TypeAlias

import pyproj
from pyproj.exceptions import ProjError
from rasterio.crs import CRS
from rasterio.errors import CRSError

from geotorch.core.box_reprojection import reprojected_boxes
from geotorch.core.box_reprojection import wrap_longitudes as wrap_longitudes
from geotorch.core.proj_crs import LONLAT, as_proj, horizontal_of, horizontal_part, middle
from geotorch.core.proj_crs import crs_name as crs_name
from geotorch.core.proj_crs import half_turn as half_turn
from geotorch.core.proj_crs import transformer as transformer

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
    parsed = as_proj(crs)
    part = horizontal_of(parsed)
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
    one, other = horizontal_part(first), horizontal_part(second)
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
    """Whether points around the middle of ``first`` (see :func:`middle`) keep their coordinates in ``second``.

    A point either CRS cannot hold (infinite, or beyond PROJ's reach) tells them apart.
    """
    middle_x, middle_y = middle(first)
    longitudes = [middle_x, middle_x - 0.5, middle_x + 0.5, middle_x, middle_x]
    latitudes = [middle_y, middle_y, middle_y, middle_y - 0.5, middle_y + 0.5]
    try:
        xs, ys = transformer(LONLAT, first).transform(longitudes, latitudes, errcheck=True)
        moved_xs, moved_ys = transformer(first, second).transform(xs, ys, errcheck=True)
    except ProjError:
        return False
    values, moved = [*xs, *ys], [*moved_xs, *moved_ys]
    return all(math.isfinite(value) for value in values + moved) and all(
        math.isclose(value, other, rel_tol=1e-12, abs_tol=1e-9) for value, other in zip(values, moved, strict=True)
    )


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
    part = horizontal_part(parsed)
    if not (part.is_geographic or part.is_projected or part.is_engineering):
        # Geocentric x, y, z (EPSG:4978) or heights alone (EPSG:5773): no grid of the Earth's surface lies in it.
        raise ValueError(
            f"{owner}: crs={shown} is a {part.type_name} ({part.name}), not one of places on the Earth's "
            f"surface; {advice} of longitude and latitude or a map projection"
        )
    return horizontal(parsed)


def transform_bounds(
    source: CRS, target: CRS, left: float, bottom: float, right: float, top: float
) -> tuple[float, float, float, float]:
    """Bounds ``(left, bottom, right, top)`` in ``target`` of a box in ``source``, edges densified."""
    if same_crs(source, target):
        return left, bottom, right, top
    return transformer(source, target).transform_bounds(left, bottom, right, top, densify_pts=21)


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
    return reprojected_boxes(source, target, left, bottom, right, top, wrap=wrap, same=same_crs(source, target))
