"""A CRS as PROJ reads it: its horizontal part, name, area of use and middle, angular unit, and transformers."""

from __future__ import annotations

import functools
import math

import pyproj
from pyproj import Transformer
from pyproj.exceptions import ProjError
from rasterio.crs import CRS


def as_proj(crs: CRS) -> pyproj.CRS:
    """``crs`` as PROJ reads it."""
    return pyproj.CRS.from_wkt(crs.to_wkt())


def horizontal_part(crs: CRS) -> pyproj.CRS:
    """:func:`geotorch.core.crs.horizontal` of ``crs`` as PROJ reads it."""
    return horizontal_of(as_proj(crs))


def horizontal_of(parsed: pyproj.CRS) -> pyproj.CRS:
    """The horizontal part of ``parsed`` (:func:`geotorch.core.crs.horizontal`); ``parsed`` itself without heights."""
    if parsed.is_compound:
        parsed = next(sub for sub in parsed.sub_crs_list if not sub.is_vertical)
    if len(parsed.axis_info) == 3 and (parsed.is_geographic or parsed.is_projected):
        return parsed.to_2d()
    return parsed


#: Longitude and latitude in degrees, where crossing the antimeridian shows as ``left > right``.
LONLAT = CRS.from_epsg(4326)

#: Latitudes a CRS without an area of use is taken to reach: the poles may lie at infinity (Mercator).
NEAR_POLES = (-180.0, -89.9, 180.0, 89.9)


@functools.lru_cache(maxsize=64)
def area_of_use(crs: CRS) -> tuple[float, float, float, float]:
    """``(west, south, east, north)`` in degrees where ``crs`` is meant to be used.

    From its EPSG definition (rasterio's WKT leaves the area out), else :data:`NEAR_POLES`.
    """
    code = crs.to_epsg()
    area = pyproj.CRS.from_epsg(code).area_of_use if code is not None else None
    return NEAR_POLES if area is None else area.bounds


def middle(crs: CRS) -> tuple[float, float]:
    """Longitude and latitude in degrees of the middle of ``crs``'s area of use, else of its projection's origin.

    A CRS no authority defines has no area of use: its projection's natural origin (or centre, or
    false origin) is a place it holds, as a geostationary view holds the point under its satellite
    and not (0, 0) degrees; a pole is taken one degree off it. (0, 0) for a CRS of neither.
    """
    west, south, east, north = area_of_use(crs)
    if (west, south, east, north) != NEAR_POLES:
        return (west + east) / 2, (south + north) / 2
    parsed = horizontal_part(crs)
    if parsed.is_bound and parsed.source_crs is not None:
        parsed = parsed.source_crs
    params = parsed.coordinate_operation.params if parsed.coordinate_operation is not None else []
    degrees = {"Longitude of": 0.0, "Latitude of": 0.0}
    for axis in degrees:
        found = next((param for param in params if param.name.startswith(axis)), None)
        if found is not None and isinstance(found.value, float):
            degrees[axis] = math.degrees(found.value * found.unit_conversion_factor)
    return degrees["Longitude of"], max(-89.0, min(89.0, degrees["Latitude of"]))


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
        local = next((crs for crs in (source, target) if as_proj(crs).is_engineering), None)
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
    name = str(as_proj(crs).name)
    if name in ("", "unknown"):
        return repr(crs.to_proj4().replace(" +no_defs=True", ""))
    return repr(name)


def half_turn(crs: CRS) -> float:
    """Half a turn in the angular unit of the geographic ``crs``: 180 for degrees, 200 for grads."""
    _, radians = crs.units_factor
    return math.pi / float(radians)
