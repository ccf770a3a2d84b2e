"""Reading GeoParquet files (WKB geometries, GeoParquet 1.x metadata) with pyarrow, for VectorDataset.

The GDAL that pyogrio's wheels carry has no Parquet driver, so such files are read here: their
``geo`` metadata gives the geometry column, its CRS (PROJJSON; absent means OGC:CRS84, longitude
and latitude) and its edges: ``"spherical"`` edges are great-circle arcs, read as lines of
vertices on them (:mod:`geotorch.core.great_circles`), where other formats' edges are straight in the
CRS. Bounds are the geometries' own, never the metadata's ``bbox`` or a bbox covering column, which
may be stale. pyarrow is not a dependency of geotorch-core: without it a GeoParquet file is skipped with a warning
that says how to get it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from pyproj import CRS as ProjCRS
from pyproj.exceptions import CRSError

from geotorch.core.great_circles import along_great_circles

#: File name suffixes read as GeoParquet.
SUFFIXES = frozenset({".parquet", ".geoparquet"})
#: GeoParquet's CRS when its metadata names none: longitude, latitude on WGS 84.
_DEFAULT_CRS = "OGC:CRS84"
#: The longest great-circle arc of a spherical edge drawn as a straight line, in metres (2 km of arc bows 8 cm).
LONGEST_ARC_M = 2000.0


class GeoParquetError(ValueError):
    """A Parquet file that cannot be read as GeoParquet; the message says why."""


@dataclass(frozen=True)
class GeoParquetInfo:
    """What VectorDataset indexes of a GeoParquet file.

    Attributes:
        crs: the geometries' CRS as WKT, None when the metadata says they have none.
        bounds: ``(minx, miny, maxx, maxy)`` of the geometries, None when there are none.
        fields: the file's columns other than the geometry column.
    """

    crs: str | None
    bounds: tuple[float, float, float, float] | None
    fields: list[str]


def is_geoparquet(path: Path) -> bool:
    """Whether ``path`` is named like a (Geo)Parquet file."""
    return path.suffix.lower() in SUFFIXES


def read_info(path: Path) -> GeoParquetInfo:
    """The CRS, bounds and attribute names of the GeoParquet file ``path``.

    Raises:
        GeoParquetError: if pyarrow is missing, the file is not Parquet, or its ``geo`` metadata is missing,
            malformed or names a geometry encoding other than WKB.
    """
    parquet = _parquet()
    try:
        schema = parquet.read_schema(path)
    except (OSError, ValueError) as error:  # pyarrow's ArrowInvalid is a ValueError
        raise GeoParquetError(f"not a Parquet file ({error})") from None
    column, crs, spherical = _geometry_column(schema.metadata)
    # The metadata's bbox and a bbox covering column are written once and kept when rows are appended or edited
    # (as a shapefile's .shx header box): bounds are the geometries' own (about 0.5 s for 200,000 polygons).
    geometries = shapely.from_wkb(_column(parquet.read_table(path, columns=[column]), column))
    if spherical:
        # Spherical edges reach past their vertices (towards the poles): their bounds are the arcs'.
        geometries = along_great_circles(geometries, LONGEST_ARC_M)
    present = geometries[~shapely.is_missing(geometries) & ~shapely.is_empty(geometries)]
    bounds: tuple[float, float, float, float] | None = None
    if len(present):
        minx, miny, maxx, maxy = (float(value) for value in shapely.total_bounds(present))
        bounds = (minx, miny, maxx, maxy)
    return GeoParquetInfo(crs, bounds, [name for name in schema.names if name != column])


def read(path: Path, columns: list[str]) -> tuple[dict[str, Any], np.ndarray, np.ndarray, list[np.ndarray]]:
    """The features of ``path`` as ``pyogrio.raw.read`` gives them: meta (``crs``), FIDs, WKB, ``columns``' values.

    FIDs are the rows' positions from 0. Null attribute values come back as None. Spherical edges come back
    cut along their great circles (see the module).

    Raises:
        GeoParquetError: as :func:`read_info`.
    """
    parquet = _parquet()
    column, crs, spherical = _geometry_column(parquet.read_schema(path).metadata)
    table = parquet.read_table(path, columns=[column, *columns])
    wkb = _column(table, column)
    if spherical:
        wkb = shapely.to_wkb(along_great_circles(shapely.from_wkb(wkb), LONGEST_ARC_M))
    fields = [_column(table, name) for name in columns]
    return {"crs": crs}, np.arange(len(wkb)), wkb, fields


def _parquet() -> Any:
    try:
        import pyarrow.parquet
    except ImportError:
        raise GeoParquetError("reading GeoParquet needs pyarrow, which is not installed: pip install pyarrow") from None
    return pyarrow.parquet


def _column(table: Any, name: str) -> np.ndarray:
    values: np.ndarray = np.asarray(table.column(name).to_pylist(), dtype=object)
    return values


def _column_metadata(metadata: dict[bytes, bytes] | None) -> tuple[str, dict[str, Any]]:
    """The primary geometry column's name and its metadata, from the schema's ``geo`` key."""
    if not metadata or b"geo" not in metadata:
        raise GeoParquetError("a Parquet file without GeoParquet's 'geo' metadata, so no column is known as geometry")
    try:
        geo = json.loads(metadata[b"geo"])
        column = geo["primary_column"]
        return str(column), dict(geo["columns"][column])
    except (ValueError, KeyError, TypeError) as error:
        raise GeoParquetError(f"its GeoParquet 'geo' metadata is malformed ({error!r})") from None


def _geometry_column(metadata: dict[bytes, bytes] | None) -> tuple[str, str | None, bool]:
    """The primary geometry column's name, its CRS as WKT (None if the metadata says so), if edges are spherical."""
    column, described = _column_metadata(metadata)
    if described.get("encoding", "WKB") != "WKB":
        raise GeoParquetError(
            f"its geometry column {column!r} is encoded as {described['encoding']!r}; only WKB is read "
            "(rewrite it with geopandas' to_parquet(geometry_encoding='WKB'))"
        )
    edges = described.get("edges", "planar")
    if edges not in ("planar", "spherical"):
        raise GeoParquetError(f"its geometry column's edges are {edges!r}; GeoParquet's are 'planar' or 'spherical'")
    crs = described.get("crs", _DEFAULT_CRS)
    if crs is None:
        return column, None, edges == "spherical"
    try:
        parsed = ProjCRS.from_user_input(crs if isinstance(crs, str) else json.dumps(crs))
    except (CRSError, TypeError, ValueError) as error:
        raise GeoParquetError(f"its geometry column's CRS cannot be read ({error})") from None
    if edges == "spherical" and not parsed.is_geographic:
        raise GeoParquetError(
            f"its geometry column's edges are 'spherical', which needs longitudes and latitudes, but its CRS is "
            f"{parsed.name!r}, projected"
        )
    return column, parsed.to_wkt(), edges == "spherical"
