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
