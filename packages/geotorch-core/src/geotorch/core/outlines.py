"""Outlines of reprojected files in a dataset's CRS: whether a window holds some of a file's area.

A file read in another CRS than its own is indexed at the box around its reprojected footprint, and
that box holds corners where the file has no pixel: a UTM tile read in the next zone is a tilted
square, so windows just west of a zone seam meet the eastern tile's box, not the tile. The outline,
the footprint's edges followed in the dataset's CRS, tells them apart; a time step or a sampled date
is only taken from a file whose outline the window overlaps.
"""

from __future__ import annotations

import functools
import math
import weakref
from typing import TYPE_CHECKING, Any

import numpy as np
import shapely

from geotorch.core.crs import half_turn, same_crs, transformer

if TYPE_CHECKING:
    from rasterio.crs import CRS

    from geotorch.core.bbox import BoundingBox
    from geotorch.core.geo import Footprint, GeoDataset

#: Points along each edge of a footprint followed in another CRS.
EDGE_POINTS = 64

#: Footprints wider or taller than WIDEST_DEGREES, or reaching past POLAR_DEGREES of latitude, keep their box:
#: their images may wrap, fold or reach infinity (see :mod:`geotorch.core.extent`).
WIDEST_DEGREES = 10.0
POLAR_DEGREES = 80.0

#: Most pixel centres of a window tested against an outline (see :func:`overlaps_outline`): the part of a
#: window along the edge of a file, some rows or columns of it, 0.6 ms at most.
MOST_CENTRES = 2**12

#: Each dataset's footprints and CRS when its outlines were made, its footprints by item, and the outlines made.
#: Kept beside the datasets, not in them, so that a dataset pickled for DataLoader workers carries none.
_OUTLINES: weakref.WeakKeyDictionary[
    GeoDataset, tuple[list[Footprint], CRS, dict[str, Footprint], dict[str, shapely.Polygon | None]]
] = weakref.WeakKeyDictionary()


def outline(source: CRS, bounds: tuple[float, float, float, float], target: CRS) -> shapely.Polygon | None:
    """A footprint's outline in ``target``, grown by how far its edges bow between the points followed.

    Args:
        source: the footprint's own CRS.
        bounds: ``(minx, maxx, miny, maxy)`` of the footprint in ``source``.
        target: the dataset's CRS.

    Returns:
        The outline, or None where the box around it must do: ``target`` is ``source``, or the
        footprint is wider or taller than :data:`WIDEST_DEGREES`, reaches within ten degrees of a
        pole, crosses or lies past the antimeridian, or PROJ does not express every point of its edges.
    """
    if same_crs(source, target):
        return None
    minx, maxx, miny, maxy = bounds
    if source.is_geographic and not -half_turn(source) <= minx <= maxx <= half_turn(source):
        return None  # longitudes past the antimeridian (a 0..360 grid) are indexed where they lie on the globe
    steps = np.linspace(0.0, 1.0, 2 * EDGE_POINTS + 1)[:-1]
    ring_x = np.concatenate([minx + (maxx - minx) * steps, np.full(steps.size, maxx),
                             maxx - (maxx - minx) * steps, np.full(steps.size, minx)])
    ring_y = np.concatenate([np.full(steps.size, miny), miny + (maxy - miny) * steps,
                             np.full(steps.size, maxy), maxy - (maxy - miny) * steps])
    lons, lats = transformer(source, _lonlat()).transform(ring_x, ring_y, errcheck=False)
    if not (np.isfinite(lons).all() and np.isfinite(lats).all()):
        return None
    if np.ptp(lons) > WIDEST_DEGREES or np.ptp(lats) > WIDEST_DEGREES or np.abs(lats).max() > POLAR_DEGREES:
        return None
    xs, ys = transformer(source, target).transform(ring_x, ring_y, errcheck=False)
    if not (np.isfinite(xs).all() and np.isfinite(ys).all()):
        return None
    if target.is_geographic and np.abs(xs).max() > half_turn(target):
        return None
    # Even points are followed, odd ones lie between: how far the chords between followed points stray from
    # the edges bounds how far the outline of the followed points may lie inside the footprint.
    followed_points = np.column_stack([xs[::2], ys[::2]])
    followed = shapely.Polygon(followed_points)
    if not followed.is_valid or followed.area <= 0:
        return None
    chords = shapely.linestrings(np.stack([followed_points, np.roll(followed_points, -1, axis=0)], axis=1))
    stray = float(shapely.distance(chords, shapely.points(xs[1::2], ys[1::2])).max())
    grown = followed.buffer(2 * stray, join_style="mitre")
    shapely.prepare(grown)
    return grown


@functools.cache
def _lonlat() -> CRS:
    from rasterio.crs import CRS

    return CRS.from_epsg(4326)


def outline_of(dataset: GeoDataset, item: Any) -> shapely.Polygon | None:
    """The :func:`outline` of indexed ``item`` in ``dataset``'s CRS, made once per dataset and item.

    Returns:
        None for an item without a footprint (a dataset without footprints: a split, a union) or
        whose box must do (see :func:`outline`).
    """
    footprints = getattr(dataset, "_footprints", None)
    if footprints is None:
        return None
    crs = dataset.crs
    known = _OUTLINES.get(dataset)
    if known is None or known[0] is not footprints or known[1] is not crs:
        known = (footprints, crs, {str(footprint.item): footprint for footprint in footprints}, {})
        _OUTLINES[dataset] = known
    _, _, by_item, shapes = known
    key = str(item)
    if key not in shapes:
        footprint = by_item.get(key)
        shapes[key] = None if footprint is None else outline(footprint.crs, footprint.bounds, crs)
    return shapes[key]


def overlaps_outline(shape: shapely.Polygon | None, res: tuple[float, float], query: BoundingBox) -> bool:
    """Whether a read of ``query`` at ``res`` gets some pixel of a file of outline ``shape`` whose index box it meets.

    GDAL fills a pixel of the window's grid (``res`` from its top-left corner) from the file where
    the pixel's centre lies inside the file: a window meeting the outline in a sliver between
    centres gets none.

    Args:
        shape: the file's outline in the dataset's CRS (see :func:`outline_of`); None: its box decides.
        res: the dataset's pixel size ``(x, y)``.
        query: the window.

    Returns:
        False when ``query`` has width and height and no pixel centre of it lies in the outline;
        True otherwise (also where the outline is unknown, see :func:`outline`).
    """
    if shape is None or not (query.maxx > query.minx and query.maxy > query.miny):
        return True
    window = shapely.box(query.minx, query.miny, query.maxx, query.maxy)
    if shapely.covers(shape, window):
        return True
    part = shapely.intersection(shape, window)
    if part.is_empty or part.area <= 0:
        return False
    left, bottom, right, top = part.bounds
    res_x, res_y = res
    # Centre i of a row lies at query.minx + (i + 0.5) * res_x; those between the part's edges.
    columns = np.arange(
        math.ceil((left - query.minx) / res_x - 0.5), math.floor((right - query.minx) / res_x - 0.5) + 1
    )
    rows = np.arange(math.ceil((query.maxy - top) / res_y - 0.5), math.floor((query.maxy - bottom) / res_y - 0.5) + 1)
    if columns.size * rows.size > MOST_CENTRES:
        # A part spanning so many pixels holds a centre but for slivers along a diagonal: keep the file.
        return True
    xs, ys = np.meshgrid(query.minx + (columns + 0.5) * res_x, query.maxy - (rows + 0.5) * res_y)
    return bool(shapely.intersects_xy(part, xs.ravel(), ys.ravel()).any())
