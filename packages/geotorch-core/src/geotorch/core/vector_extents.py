"""What VectorDataset indexes of a vector file's layer: its CRS, fields and the extent of its features."""

from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

import numpy as np
import pyogrio
import shapely
from rasterio.crs import CRS

from geotorch.core import geoparquet
from geotorch.core.earth import at_a_place, world_box
from geotorch.core.remote import HTTP_DEFAULTS, Location, gdal_path, is_remote, reading_remote

#: Drivers whose layer extent is a stored declaration that may not hold the features (GeoPackage's
#: gpkg_contents extent is informative only, GeoTools writes 0, 0, 0, 0; the bounding box of a shapefile's
#: .shx header and of a FlatGeobuf header stay as written when a tool edits features in place): their files
#: are indexed at the bounds of their features' own envelopes.
DECLARED_EXTENT_DRIVERS = frozenset({"GPKG", "ESRI Shapefile", "FlatGeobuf"})


def source_of(path: Location | str) -> str:
    """What GDAL (pyogrio's) opens for ``path``: a local path, or a remote one's GDAL virtual path.

    A remote one is noted (:func:`geotorch.core.remote.reading_remote`), so that DataLoader workers forked
    after it was read open their own connections to its server, and pyogrio's GDAL is given
    :data:`geotorch.core.remote.HTTP_DEFAULTS` (where neither the environment nor its configuration sets
    them), so that a silent server fails a read within 30 s.
    """
    if not is_remote(str(path)):
        return str(path)
    reading_remote("pyogrio._io")
    # pyogrio's GDAL is another library than rasterio's, with its own configuration: without these, a server
    # that stops sending holds a read for ever.
    for name, value in HTTP_DEFAULTS.items():
        if not os.environ.get(name) and pyogrio.get_gdal_config_option(name) is None:
            pyogrio.set_gdal_config_options({name: value})
    return gdal_path(str(path))


def is_local_geoparquet(path: Location) -> bool:
    """Whether ``path`` is a local GeoParquet file (read with pyarrow, not GDAL)."""
    return isinstance(path, Path) and geoparquet.is_geoparquet(path)


def layer_info(path: Location, layer: str) -> dict[str, Any]:
    """``pyogrio.read_info``'s ``crs``, ``geometry_type``, ``total_bounds`` and ``fields`` of ``path``'s ``layer``.

    GeoParquet files (which pyogrio's GDAL does not read) are read by :mod:`geotorch.core.geoparquet`;
    the ``total_bounds`` of :data:`DECLARED_EXTENT_DRIVERS`' files are their features'.
    """
    if not isinstance(path, Path) or not geoparquet.is_geoparquet(path):
        info: dict[str, Any] = pyogrio.read_info(source_of(path), layer=layer, force_total_bounds=True)
        if info["driver"] in DECLARED_EXTENT_DRIVERS and info["total_bounds"] is not None:
            info["total_bounds"] = (
                _feature_bounds(path, layer, info["geometry_name"]) if info["driver"] == "GPKG"
                else _read_bounds(path, layer)
            )
        return info
    parquet = geoparquet.read_info(path)
    return {
        "crs": parquet.crs,
        "geometry_type": "Unknown",
        "total_bounds": parquet.bounds,
        "fields": parquet.fields,
    }


def _feature_bounds(path: Location, layer: str, column: str) -> tuple[float, float, float, float] | None:
    """``(minx, miny, maxx, maxy)`` of the shapes in ``column`` of the GeoPackage ``path``'s ``layer``.

    Read from each geometry's stored envelope by SQL (about 0.5 us a feature); empty and null shapes,
    which have none, are left out. None when no feature has a shape.
    """
    table, geometry = (name.replace('"', '""') for name in (layer, column))
    edges = ", ".join(f'{how}(ST_{edge}("{geometry}"))' for how, edge in (
        ("MIN", "MinX"), ("MIN", "MinY"), ("MAX", "MaxX"), ("MAX", "MaxY")
    ))
    _, _, _, values = pyogrio.raw.read(
        source_of(path), sql=f'SELECT {edges} FROM "{table}" WHERE NOT ST_IsEmpty("{geometry}")'
    )
    minx, miny, maxx, maxy = (float(value[0]) if len(value) else math.nan for value in values)
    if not all(math.isfinite(value) for value in (minx, miny, maxx, maxy)):
        return None
    return minx, miny, maxx, maxy


def _read_bounds(path: Location, layer: str) -> tuple[float, float, float, float] | None:
    """``(minx, miny, maxx, maxy)`` of the shapes of ``path``'s ``layer``, every feature read.

    For files whose only stored extent is a header's. Empty and null shapes are left out; None when no
    feature has a shape.
    """
    _, _, wkb, _ = pyogrio.raw.read(source_of(path), layer=layer, columns=[])
    minx, miny, maxx, maxy = (float(value) for value in shapely.total_bounds(shapely.from_wkb(wkb)))
    if not all(math.isfinite(value) for value in (minx, miny, maxx, maxy)):
        return None
    return minx, miny, maxx, maxy



def placed_extent(
    path: Location, layer: str, crs: CRS, bounds: tuple[float, float, float, float]
) -> tuple[tuple[float, float, float, float] | None, int]:
    """The extent ``(minx, miny, maxx, maxy)`` of ``path``'s features that lie on the Earth, and how many do not.

    A feature at an export's 'no coordinate' sentinel (1e30 m), at latitudes past a pole, or beyond a
    pole a projection sends to infinity (Web Mercator's y past 2.4e8 m) burns nothing, but the layer's
    extent ``bounds`` stretched to it, and samplers drew empty windows there. Only a layer whose extent
    reaches beyond :func:`~geotorch.core.earth.world_box` is read, feature by feature (pyogrio's
    ``read_bounds``); a feature is left out when its box holds no place on the Earth
    (:func:`~geotorch.core.earth.at_a_place`).

    Args:
        path: the vector file.
        layer: its layer read.
        crs: the layer's horizontal CRS.
        bounds: the layer's extent, in ``crs``.

    Returns:
        The extent of the features that lie on the Earth (None if none does), and the number left out.
    """
    world = world_box(crs)
    minx, miny, maxx, maxy = bounds
    if world is None or (world[0] <= minx and world[1] <= miny and maxx <= world[2] and maxy <= world[3]):
        return bounds, 0
    if is_local_geoparquet(path):
        _, _, wkb, _ = geoparquet.read(Path(str(path)), [])
        each = shapely.bounds(shapely.from_wkb(wkb)).T
    else:
        _, each = pyogrio.read_bounds(source_of(path), layer=layer)
    shaped = np.isfinite(each).all(axis=0)
    placed = at_a_place(crs, each)
    left_out = int((shaped & ~placed).sum())
    if not placed.any():
        return None, left_out
    kept = each[:, placed]
    return (float(kept[0].min()), float(kept[1].min()), float(kept[2].max()), float(kept[3].max())), left_out
