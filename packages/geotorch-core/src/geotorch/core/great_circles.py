"""Geometries whose edges are great-circle arcs (GeoParquet's ``edges: "spherical"``) as planar longitude-latitude ones.

A spherical edge between two vertices is the shorter arc of the great circle through them, not the
straight line in longitude and latitude that every other reader of a layer draws: the edge from 30 W to
30 E along the 60th parallel reaches 63.4 N at the meridian. Each such edge is cut into arcs no longer
than a given length, their ends on the great circle, so that straight lines between them stay within a
few centimetres of it. Longitudes run on across the antimeridian (179.9 to 180.1), as a spherical edge
does, rather than back across the globe.
"""

from __future__ import annotations

import math

import numpy as np
import shapely

#: The mean radius of the Earth, in metres: arc lengths on the sphere.
EARTH_RADIUS_M = 6371008.8


def along_great_circles(geometries: np.ndarray, longest_m: float) -> np.ndarray:
    """``geometries`` (longitude, latitude in degrees) with every edge longer than ``longest_m`` cut along its arc.

    Args:
        geometries: shapely geometries ``(N,)`` of x longitude and y latitude; None and empty ones are kept.
        longest_m: the longest arc, in metres on the sphere, drawn as a straight line.

    Returns:
        The geometries, ``(N,)``, those with a longer edge with vertices added on its great circle (z, where
        present, interpolated along the arc).
    """
    coordinates, owners = shapely.get_coordinates(geometries, return_index=True)
    if not len(coordinates):
        return geometries
    longest = longest_m / EARTH_RADIUS_M
    # Consecutive vertices of one geometry: edges, and a few pairs of its separate rings or parts, too (harmless).
    angles = _angles(_unit_vectors(coordinates[:-1]), _unit_vectors(coordinates[1:]))
    long = np.unique(owners[1:][(owners[1:] == owners[:-1]) & (angles > longest)])
    if not len(long):
        return geometries
    cut = geometries.copy()
    cut[long] = [_cut(geometry, longest) for geometry in geometries[long]]
    return cut


def _cut(geometry: shapely.Geometry, longest: float) -> shapely.Geometry:
    """One geometry with its edges longer than ``longest`` radians cut along their great circles."""
    if isinstance(geometry, shapely.Polygon):
        return shapely.Polygon(
            _arcs(np.asarray(geometry.exterior.coords), longest),
            [_arcs(np.asarray(ring.coords), longest) for ring in geometry.interiors],
        )
    if isinstance(geometry, shapely.LinearRing):
        return shapely.LinearRing(_arcs(np.asarray(geometry.coords), longest))
    if isinstance(geometry, shapely.LineString):
        return shapely.LineString(_arcs(np.asarray(geometry.coords), longest))
    if isinstance(geometry, shapely.MultiPolygon | shapely.MultiLineString | shapely.GeometryCollection):
        return type(geometry)([_cut(part, longest) for part in geometry.geoms])
    return geometry  # points have no edges


def _arcs(coordinates: np.ndarray, longest: float) -> np.ndarray:
    """The vertices ``(N, 2 or 3)`` of a line, with points added on the great circle of its edges over ``longest``.

    Longitudes are unwrapped along the line (a ring circling a pole, whose longitudes do not come back to
    their start, keeps them within -180 to 180 degrees).
    """
    points = _unit_vectors(coordinates)
    angles = _angles(points[:-1], points[1:])
    pieces = np.maximum(1, np.ceil(angles / longest)).astype(np.int64)
    # Each edge from its start (fraction 0) up to its end (excluded), the line's last vertex after them.
    edge = np.repeat(np.arange(len(angles)), pieces)
    fraction = (np.arange(len(edge)) - np.repeat(np.cumsum(pieces) - pieces, pieces)) / pieces[edge]
    start, end, angle = points[edge], points[edge + 1], angles[edge]
    with np.errstate(invalid="ignore", divide="ignore"):
        # Spherical linear interpolation.
        sine = np.sin(angle)
        between = (np.sin((1.0 - fraction) * angle) / sine)[:, None] * start + (np.sin(fraction * angle) / sine)[
            :, None
        ] * end
    # An edge of no length, or of half a turn (which has no one arc), gets no point between its ends.
    plain = sine < 1e-12
    between[plain] = start[plain]
    x = np.degrees(np.arctan2(between[:, 1], between[:, 0]))
    y = np.degrees(np.arcsin(np.clip(between[:, 2], -1.0, 1.0)))
    x, y = np.append(x, coordinates[-1, 0]), np.append(y, coordinates[-1, 1])
    kept = np.flatnonzero(fraction == 0)
    x[np.append(kept, len(x) - 1)] = coordinates[:, 0]
    y[np.append(kept, len(y) - 1)] = coordinates[:, 1]
    unwrapped = np.unwrap(x, period=360.0)
    closed = coordinates[0, 0] == coordinates[-1, 0] and coordinates[0, 1] == coordinates[-1, 1]
    if not closed or math.isclose(unwrapped[0], unwrapped[-1], abs_tol=1e-9):
        x = unwrapped
    columns = [x, y]
    if coordinates.shape[1] == 3:
        z = coordinates[:, 2]
        columns.append(np.append(z[edge] + fraction * (z[edge + 1] - z[edge]), z[-1]))
    return np.column_stack(columns)


def _unit_vectors(coordinates: np.ndarray) -> np.ndarray:
    """Points of longitude, latitude in degrees ``(N, >= 2)`` as unit vectors ``(N, 3)``."""
    lon, lat = np.radians(coordinates[:, 0]), np.radians(coordinates[:, 1])
    return np.column_stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])


def _angles(first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """The angles, in radians, between unit vectors ``(N, 3)`` row by row (atan2: exact for small ones)."""
    return np.asarray(
        np.arctan2(np.linalg.norm(np.cross(first, second), axis=1), np.einsum("ij,ij->i", first, second))
    )
