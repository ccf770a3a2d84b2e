"""Vector features taken to a dataset's CRS: edges cut to follow their path, running on across its seam."""

from __future__ import annotations

import math

import numpy as np
import shapely
from pyproj import CRS as ProjCRS
from rasterio.crs import CRS

from geotorch.core.bbox import BoundingBox
from geotorch.core.crs import half_turn, transformer
from geotorch.core.wrap import Seam, seam_of

#: The equatorial radius of WGS 84, in metres: degrees of ``res`` in metres.
EARTH_RADIUS_M = 6378137.0

#: The longest edge reprojected as a straight line, in metres on the ground: longer edges are cut into pieces
#: first, so that they follow their path in the dataset's CRS (4 degrees of the 50th parallel bow 1.9 km off
#: their chord in UTM; 2 km of it, 0.1 m). Parcels' and buildings' edges are shorter and stay as they are.
LONGEST_STRAIGHT_EDGE_M = 2000.0
#: The longest edge, in metres in the dataset's CRS, of a feature cut as above and projected whole: a longer one
#: jumped across a discontinuity of the projection (see :func:`geotorch.core.globe_features.torn`). Pieces of 2 km
#: stretch to 12 km 80 degrees from a transverse Mercator's central meridian, to 115 km at 89 degrees.
TORN_EDGE_M = 1_000_000.0


def metres_per_unit(crs: CRS) -> float:
    """Metres on the ground of one unit of ``crs``'s x axis (degrees count 111 km each, as at the equator)."""
    axis = ProjCRS.from_wkt(crs.to_wkt()).axis_info[0]
    return float(axis.unit_conversion_factor) * (EARTH_RADIUS_M if crs.is_geographic else 1.0)


def reprojected(geometries: np.ndarray, source: CRS, target: CRS) -> np.ndarray:
    """``geometries`` in ``target``, running on across ``target``'s seam rather than jumping a turn.

    A feature crossing the antimeridian (a field in UTM zone 1N, in EPSG:4326) keeps its shape,
    with x past 180 degrees, instead of spanning the globe. Longitudes of a geographic ``source``
    past its antimeridian (a polygon at 179.5..180.5) stay past ``target``'s seam too. ``target``
    without a seam (see :func:`geotorch.core.wrap.seam_of`) gets PROJ's coordinates as they are.
    Edges longer than :data:`LONGEST_STRAIGHT_EDGE_M` are cut first, so they follow their path in
    ``target`` instead of a chord across it.

    Args:
        geometries: shapely geometries in ``source``, ``(N,)`` object array.
        source: their CRS.
        target: the CRS to take them to.

    Returns:
        The geometries in ``target``, ``(N,)``; None for one with a vertex PROJ cannot take to ``target``.
    """
    coordinates, owners = shapely.get_coordinates(geometries, return_index=True)
    longest = LONGEST_STRAIGHT_EDGE_M / metres_per_unit(source)
    edges = (owners[1:] == owners[:-1]) & (np.hypot(*np.diff(coordinates, axis=0).T) > longest)
    if edges.any():
        # Only the geometries with a long edge are cut: shapely.segmentize costs 4 us a polygon.
        long = np.unique(owners[1:][edges])
        geometries = geometries.copy()
        geometries[long] = shapely.segmentize(geometries[long], longest)
        coordinates, owners = shapely.get_coordinates(geometries, return_index=True)
    x, y = (
        np.asarray(values, dtype=np.float64)
        for values in transformer(source, target).transform(coordinates[:, 0], coordinates[:, 1])
    )
    # A feature PROJ cannot place (coordinates off the Earth: 1e30, a sentinel for 'none') comes back as None;
    # its vertices are set aside first, so that they take no part in the turns of the features after it.
    lost = np.unique(owners[~(np.isfinite(x) & np.isfinite(y))])
    x[np.isin(owners, lost)] = y[np.isin(owners, lost)] = 0.0
    seam = seam_of(target)
    if seam is not None and len(x):
        if source.is_geographic:
            # x runs with longitude, a turn a width: each vertex goes the whole turns nearest to where its
            # longitude lies, so one on the seam itself (-180 degrees) stays on its own side whichever side
            # PROJ gave it.
            degrees = coordinates[:, 0] * (180.0 / half_turn(source))
            near = seam.centre + (degrees - seam.meridian) * (seam.width / 360.0)
            x = x - seam.width * np.round((x - near) / seam.width)
        else:
            x = seam.canonical(x)
            # Each edge crossing the seam jumps by about a turn: undo it, feature by feature.
            same = owners[1:] == owners[:-1]
            turns = np.concatenate([[0.0], np.cumsum(np.where(same, np.round(np.diff(x) / seam.width), 0.0))])
            starts = np.flatnonzero(np.concatenate([[True], ~same]))
            turns -= turns[starts][np.searchsorted(starts, np.arange(len(turns)), side="right") - 1]
            x = x - seam.width * turns
    moved: np.ndarray = shapely.set_coordinates(geometries.copy(), np.column_stack([x, y]))
    moved[lost] = None
    return moved


def turns(extent: tuple[float, float], query: BoundingBox, seam: Seam | None) -> list[float]:
    """The whole turns (x shifts) that move features of x ``extent`` onto ``query``: ``[0.0]`` without a seam."""
    if seam is None:
        return [0.0]
    first = math.ceil((query.minx - extent[1]) / seam.width)
    last = math.floor((query.maxx - extent[0]) / seam.width)
    return sorted((turns * seam.width for turns in range(first, last + 1)), key=abs) or [0.0]
