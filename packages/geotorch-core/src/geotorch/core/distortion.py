"""Where a projected CRS draws places tolerably: areas at most 100 times as distorted as over its area of use."""

from __future__ import annotations

import functools

import numpy as np
import pyproj
from numpy.typing import NDArray

from geotorch.core.bisection import last_holding

Bounds = tuple[float, float, float, float]

#: How many times the largest areal scale a CRS has within its area of use it may reach where files are indexed
#: beyond that area: lengths ten times as distorted, in a conformal projection. Web Mercator's own area (85.06
#: degrees) reaches 135; 100 times that reaches 89.5 degrees. A polar stereographic CRS, 1.09 over its cap,
#: reaches 54 degrees past the equator instead of the opposite pole, which it draws 1.1e12 m away.
TOLERANCE = 100.0

#: Degrees around its projection's centre that stand for the area of use of a CRS no authority defines: the
#: places an EPSG CRS's area of use spans around its centre (EPSG:3413's 60 degrees from the pole, a UTM zone's
#: 80 degrees of latitude) hold those within this.
CUSTOM_REACH = 45.0

#: Degrees between the points of the grid over the globe, and bisections of a step where the limit lies within it.
_STEP, _BISECTIONS = 2.0, 24

#: Part of the box's size it is grown by each way, past the limit's points found on the grid's lines.
_MARGIN = 1e-3

#: Coordinates beyond this magnitude are no place on the Earth (see :data:`geotorch.core.extent._FAR`).
_FAR = 1e12


@functools.lru_cache(maxsize=64)
def tolerable_box(code: int) -> Bounds | None:
    """Bounds ``(left, bottom, right, top)`` of the places the projected CRS ``EPSG:code`` draws tolerably.

    A place is drawn tolerably where the CRS's areal scale (pyproj's ``get_factors``) is at most
    :data:`TOLERANCE` times the largest it has over the CRS's area of use. Beyond, a map
    projection runs to infinity (a polar stereographic CRS's opposite pole, Mercator's poles, the
    transverse Mercator's points on the equator a quarter turn from its central meridian), and a file
    reaching there was indexed up to 1.1e12 m away: samplers drew windows a few metres of ground wide, and
    grids of astronomically many. An equal-area CRS (LAEA) draws every place it expresses tolerably.

    Args:
        code: the CRS's EPSG code.

    Returns:
        The bounds in the CRS's unit, or None for a CRS that is not projected, has no area of use, or whose
        scale PROJ cannot tell.
    """
    crs = pyproj.CRS.from_epsg(code)
    area = crs.area_of_use
    if not crs.is_projected or area is None:
        return None
    west, south, east, north = area.bounds
    return _tolerable_around(pyproj.Proj(crs), *_grid(west, south, east if east >= west else east + 360.0, north, 61))


@functools.lru_cache(maxsize=64)
def tolerable_box_of_custom(wkt: str, centre: tuple[float, float]) -> Bounds | None:
    """:func:`tolerable_box` of a projected CRS no authority defines (a custom WKT or PROJ string).

    Such a CRS has no area of use: the places within :data:`CUSTOM_REACH` degrees of its projection's
    centre stand for it, which gives a local transverse Mercator the 84 to 86 degrees from its central
    meridian a UTM zone reaches, a polar stereographic CRS some 55 degrees past the equator, as EPSG:3413's.

    Args:
        wkt: the CRS's WKT.
        centre: longitude and latitude in degrees of its projection's centre (natural or false origin).

    Returns:
        The bounds in the CRS's unit, or None for a CRS that is not projected or whose scale PROJ cannot tell.
    """
    crs = pyproj.CRS.from_wkt(wkt)
    if not crs.is_projected:
        return None
    return _tolerable_around(pyproj.Proj(crs), *_cap(*centre, CUSTOM_REACH))


def _tolerable_around(
    projection: pyproj.Proj, lons: NDArray[np.float64], lats: NDArray[np.float64]
) -> Bounds | None:
    """The box of the places ``projection`` draws within :data:`TOLERANCE` of its largest scale at ``lons, lats``."""
    within = _areal_scale(projection, lons, lats)
    if not np.isfinite(within).any():
        return None
    limit = TOLERANCE * float(np.nanmax(within))
    lons, lats = _grid(-180.0, -90.0, 180.0, 90.0, round(360.0 / _STEP) + 1)
    kept = _areal_scale(projection, lons, lats) <= limit
    places_x, places_y = [lons[kept]], [lats[kept]]
    for axis in (0, 1):
        first = (slice(None, -1), slice(None)) if axis == 0 else (slice(None), slice(None, -1))
        second = (slice(1, None), slice(None)) if axis == 0 else (slice(None), slice(1, None))
        crossing = kept[first] != kept[second]
        if not crossing.any():
            continue
        inside = np.where(kept[first][crossing], 0, 1)
        ends_x = np.stack([lons[first][crossing], lons[second][crossing]])
        ends_y = np.stack([lats[first][crossing], lats[second][crossing]])
        columns = np.arange(ends_x.shape[1])
        edge_x, edge_y = _last_tolerable(
            projection, limit, ends_x[inside, columns], ends_y[inside, columns],
            ends_x[1 - inside, columns], ends_y[1 - inside, columns],
        )
        places_x.append(edge_x)
        places_y.append(edge_y)
    xs, ys = (np.asarray(values, dtype=np.float64)
              for values in projection(np.concatenate(places_x), np.concatenate(places_y), errcheck=False))
    drawn = np.isfinite(xs) & np.isfinite(ys) & (np.abs(xs) < _FAR) & (np.abs(ys) < _FAR)
    if not drawn.any():
        return None
    left, bottom, right, top = (float(xs[drawn].min()), float(ys[drawn].min()),
                                float(xs[drawn].max()), float(ys[drawn].max()))
    # The limit bows out between the grid's lines (a circle in a polar CRS, by 1.5e-4 of its radius).
    margin_x, margin_y = (right - left) * _MARGIN, (top - bottom) * _MARGIN
    return left - margin_x, bottom - margin_y, right + margin_x, top + margin_y


def _cap(lon: float, lat: float, radius: float) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Longitudes (within ``[-180, 180]``) and latitudes of points within ``radius`` degrees of ``lon, lat``."""
    distance, azimuth = np.meshgrid(np.radians(np.linspace(0.0, radius, 10)), np.radians(np.arange(0.0, 360.0, 10.0)))
    phi, lam = np.radians(lat), np.radians(lon)
    lats = np.arcsin(np.sin(phi) * np.cos(distance) + np.cos(phi) * np.sin(distance) * np.cos(azimuth))
    lons = lam + np.arctan2(np.sin(azimuth) * np.sin(distance) * np.cos(phi),
                            np.cos(distance) - np.sin(phi) * np.sin(lats))
    return (np.degrees(lons) + 180.0) % 360.0 - 180.0, np.degrees(lats)


def _grid(west: float, south: float, east: float, north: float, count: int) -> tuple[NDArray[np.float64], ...]:
    """Longitudes (within ``[-180, 180]``) and latitudes of a ``count`` by about half ``count`` grid."""
    lons, lats = np.meshgrid(np.linspace(west, east, count), np.linspace(south, north, max(2, count // 2 + 1)))
    return np.where(lons > 180.0, lons - 360.0, lons), lats


def _areal_scale(
    projection: pyproj.Proj, lons: NDArray[np.float64], lats: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Areal scale of ``projection`` at ``lons``, ``lats`` (degrees), NaN where it cannot tell."""
    factors = projection.get_factors(lons.ravel(), lats.ravel(), errcheck=False)
    scale = np.asarray(factors.areal_scale, dtype=np.float64).reshape(lons.shape)
    return np.where(np.isfinite(scale) & (scale > 0), scale, np.nan)


def _last_tolerable(
    projection: pyproj.Proj,
    limit: float,
    inside_x: NDArray[np.float64],
    inside_y: NDArray[np.float64],
    outside_x: NDArray[np.float64],
    outside_y: NDArray[np.float64],
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Longitudes and latitudes of the last places within ``limit`` on the steps from ``inside`` to ``outside``."""

    def tolerable(lons: NDArray[np.float64], lats: NDArray[np.float64]) -> NDArray[np.bool_]:
        return _areal_scale(projection, lons, lats) <= limit

    return last_holding(tolerable, inside_x, inside_y, outside_x, outside_y, _BISECTIONS)
