"""Coordinate reference systems, parsed and paired once: PROJ makes both slow to redo per query."""

from __future__ import annotations

import functools

from pyproj import Transformer
from rasterio.crs import CRS


@functools.lru_cache(maxsize=256)
def crs_from_wkt(wkt: str) -> CRS:
    """The CRS of ``wkt``, built once per distinct WKT (files of one product share a handful)."""
    return CRS.from_wkt(wkt)


@functools.lru_cache(maxsize=64)
def transformer(source: CRS, target: CRS) -> Transformer:
    """A reusable ``always_xy`` transformer between two CRSs: creating one costs milliseconds, using it microseconds."""
    return Transformer.from_crs(source.to_wkt(), target.to_wkt(), always_xy=True)


def transform_bounds(
    source: CRS, target: CRS, left: float, bottom: float, right: float, top: float
) -> tuple[float, float, float, float]:
    """Bounds ``(left, bottom, right, top)`` in ``target`` of a box in ``source``, edges densified."""
    if source == target:
        return left, bottom, right, top
    return transformer(source, target).transform_bounds(left, bottom, right, top, densify_pts=21)


#: Longitude and latitude in degrees, where crossing the antimeridian shows as ``left > right``.
_LONLAT = CRS.from_epsg(4326)


def transform_boxes(
    source: CRS, target: CRS, left: float, bottom: float, right: float, top: float
) -> list[tuple[float, float, float, float]]:
    """Boxes ``(left, bottom, right, top)`` in ``target`` that together cover a box in ``source``.

    One box, unless the box crosses the antimeridian where ``target``'s
    x coordinates jump (geographic CRSs, and projections such as Web Mercator
    whose edge is the antimeridian): then one box on each side, so that no box
    has ``left > right`` nor spans the whole world. Geographic targets are
    taken to have longitudes in degrees, from -180 to 180.
    """
    box = transform_bounds(source, target, left, bottom, right, top)
    if source == target:
        return [box]
    if target.is_geographic:
        if box[0] <= box[2]:
            return [box]
        # pyproj's transform_bounds says that a box crosses the antimeridian by returning left > right.
        return [(box[0], box[1], 180.0, box[3]), (-180.0, box[1], box[2], box[3])]
    if source.is_geographic:
        return [box]
    west, south, east, north = transform_bounds(source, _LONLAT, left, bottom, right, top)
    if not west > east:
        return [box]
    eastern = transform_bounds(_LONLAT, target, west, south, 180.0, north)
    western = transform_bounds(_LONLAT, target, -180.0, south, east, north)
    if eastern[0] <= western[2] and western[0] <= eastern[2]:
        # The two sides meet in the target (its x does not jump at the antimeridian): one box holds them.
        return [box]
    return [eastern, western]
