"""STAC GeoParquet item tables: read one, choose its items by place, time and properties, and list their assets.

The table's layout is stac-geoparquet's (https://github.com/stac-utils/stac-geoparquet, STAC GeoParquet
spec): one row per item; columns ``id``, ``geometry`` (WKB, lon/lat), ``bbox`` (a struct ``xmin``,
``ymin``, ``xmax``, ``ymax`` or a list), ``datetime`` and/or ``start_datetime``/``end_datetime``,
``assets`` (a struct: asset key -> ``href``, ``type``, ``roles``, and per-asset ``proj:*`` and
``raster:bands``), and the item's properties flattened into columns (``eo:cloud_cover``,
``proj:epsg``, ...).
"""

from __future__ import annotations

import io
import json
import math
import os
import posixpath
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse
from urllib.request import url2pathname

from geotorch.core import DatasetNotFoundError, redacted, shown_cause
from geotorch.datasets.stac_http import fetch_table
from geotorch.datasets.stac_selection import Filters, parse_filters

_REQUIRED = ("id", "assets")
#: The prefix of the columns holding the asked assets in :func:`_projected`'s table.
_ASSET_COLUMN = "\0asset:"
#: The projection extension's ways of naming a CRS: an asset naming its CRS one way overrides the item's, whichever way.
_CRS_KEYS = ("proj:epsg", "proj:code", "proj:wkt2", "proj:projjson")
_PROJ_KEYS = (*_CRS_KEYS, "proj:transform", "proj:shape")


@dataclass(frozen=True)
class AssetGrid:
    """The grid of an asset's file, from the STAC projection extension (no file opened).

    Attributes:
        crs: the CRS as ``EPSG:n``, another authority code, WKT or PROJJSON text.
        bounds: ``(left, bottom, right, top)`` in that CRS.
        res: pixel size ``(x, y)``, positive.
        shape: ``(rows, columns)``.
    """

    crs: str
    bounds: tuple[float, float, float, float]
    res: tuple[float, float]
    shape: tuple[int, int]


@dataclass(frozen=True)
class StacItem:
    """One chosen item: its id, time interval and the files of the asked assets.

    Attributes:
        id: the item's id (unique in its collection).
        name: what names the item in the dataset, unique there: its id, or ``collection/id`` where
            items of other collections share its id.
        mint: start of its time interval, POSIX seconds (``start_datetime``, else ``datetime``).
        maxt: end of its time interval (``end_datetime``, else ``datetime``).
        hrefs: the href of each asked asset, in ``asset_keys`` order (relative hrefs resolved
            against the table's location), unsigned.
        grid: the first asset's grid from ``proj:*`` fields (the asset's, else the item's), or None.
        dtype: a pixel type holding every asked asset's (``raster:bands`` ``data_type``, numpy name),
            or None when an asset gives none.
        nodata: the first asset's nodata from ``raster:bands``, or None.
    """

    id: str
    name: str
    mint: float
    maxt: float
    hrefs: tuple[str, ...]
    grid: AssetGrid | None
    dtype: str | None
    nodata: float | None


def is_url(path: str) -> bool:
    """Whether ``path`` is a URL (``scheme://``) rather than a local path or a GDAL ``/vsi`` path."""
    return re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]+://", path) is not None


def is_file_uri(path: str) -> bool:
    """Whether ``path`` is a ``file:`` URI: ``file:///a``, ``file://localhost/a``, or ``file:/a`` without authority."""
    return urlparse(path).scheme.lower() == "file"


def read_table(index_path: str, filters: Filters | None, storage_options: Mapping[str, Any] | None) -> Any:
    """The item table at ``index_path``, rows passing ``filters``.

    A local file or folder of tables is read by pyarrow; an ``s3://`` or ``gs://`` URL without
    ``storage_options`` by pyarrow's own filesystems, with credentials and endpoints from the stores'
    standard environment variables (``AWS_ENDPOINT_URL``, ``AWS_ACCESS_KEY_ID``, ``AWS_REGION``, ...);
    an ``http(s)://`` URL without ``storage_options`` fetched whole (:func:`~geotorch.datasets.stac_http.fetch_table`);
    any other URL (or with ``storage_options``) through fsspec.

    Raises:
        DatasetNotFoundError: if there is no table at ``index_path`` (a folder holding no ``.parquet`` file).
        FileNotFoundError: if there is no table at the URL ``index_path``, naming it. Messages show a URL without
            the values of its credentials (:func:`geotorch.core.redacted`).
        OSError: if an http(s) table cannot be fetched whole (server error, silence, a body cut short), naming it.
        ValueError: if a filter names no column of the table or does not apply, naming it; if the table
            lacks a column the STAC GeoParquet layout requires.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    source, filesystem = _source(index_path, storage_options)
    parsed = parse_filters(filters)
    try:
        table = pq.read_table(source, filters=parsed, filesystem=filesystem)
    except FileNotFoundError as error:
        message = redacted(f"STACDataset: no STAC GeoParquet table at {index_path}: {error}")
        raise FileNotFoundError(message) from shown_cause(error)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError, KeyError, TypeError) as error:
        message = redacted(f"STACDataset: cannot read {index_path} with filters={filters!r}: {error}")
        raise ValueError(message) from shown_cause(error)
    names = set(table.schema.names)
    missing = [name for name in _REQUIRED if name not in names]
    if "datetime" not in names and not {"start_datetime", "end_datetime"} <= names:
        missing.append("datetime (or start_datetime and end_datetime)")
    if "geometry" not in names and "bbox" not in names:
        missing.append("geometry or bbox")
    if missing:
        raise ValueError(
            f"STACDataset: {redacted(index_path)} is no STAC GeoParquet item table: it lacks the column(s) "
            f"{', '.join(missing)} (write it with stac-geoparquet or `geotorch stac index`)"
        )
    return table


def _source(index_path: str, storage_options: Mapping[str, Any] | None) -> tuple[Any, Any]:
    """What pyarrow reads ``index_path`` from: a path, a list of paths or bytes, and a filesystem or None."""
    scheme = urlparse(index_path).scheme if is_url(index_path) else "file"
    if scheme in ("s3", "gs", "gcs") and not storage_options:
        import pyarrow.fs

        filesystem, path = pyarrow.fs.FileSystem.from_uri(index_path)
        return path, filesystem
    if scheme in ("http", "https") and not storage_options:
        return io.BytesIO(fetch_table(index_path)), None
    if scheme != "file":
        import fsspec  # type: ignore[import-untyped]

        try:
            with fsspec.open(index_path, "rb", **dict(storage_options or {})) as remote:
                return io.BytesIO(remote.read()), None
        except FileNotFoundError as error:
            message = f"STACDataset: no STAC GeoParquet table at {redacted(index_path)}"
            raise FileNotFoundError(message) from shown_cause(error)
    local = _file_path(index_path) if is_file_uri(index_path) else index_path
    # A folder's tables (partitions), leaving out the assets that may sit beside them.
    found = sorted(str(path) for path in Path(local).rglob("*.parquet")) if os.path.isdir(local) else [local]
    if not found or not os.path.isfile(found[0]):
        raise DatasetNotFoundError(
            "STACDataset", [index_path], "index_path must be a STAC GeoParquet table (or a folder of them)"
        )
    return (found if os.path.isdir(local) else local), None


def choose_items(
    table: Any,
    index_path: str,
    asset_keys: Sequence[str],
    intersects_bbox: Sequence[float] | None,
    time_range: tuple[float, float] | None,
) -> list[StacItem]:
    """The rows of ``table`` meeting the lon/lat box and the time range, with their assets' hrefs and grids.

    Raises:
        ValueError: if ``intersects_bbox`` is not ``(minx, miny, maxx, maxy)``, an item lacks an asked
            asset or its href, or declares an asked asset of several bands (naming the item and the asset),
            or two items of one collection share an id (STAC ids are unique within a collection only).
    """
    box = _check_bbox(intersects_bbox)
    table = _meeting(table, box)
    rows = _projected(table, asset_keys).to_pylist()
    items: list[StacItem] = []
    seen: set[tuple[str | None, str]] = set()
    for row in rows:
        if box is not None and not _meets(row, box):
            continue
        mint, maxt = _interval(row)
        if time_range is not None and (maxt < time_range[0] or mint > time_range[1]):
            continue
        item_id, collection = str(row["id"]), row.get("collection")
        if (collection, item_id) in seen:
            where = "" if collection is None else f" in collection {collection!r}"
            raise ValueError(f"STACDataset: {redacted(index_path)} holds two items with id {item_id!r}{where}")
        seen.add((collection, item_id))
        assets = {key: row.get(_ASSET_COLUMN + key) for key in asset_keys}
        hrefs = []
        for key in asset_keys:
            asset = assets.get(key)
            if not asset or not asset.get("href"):
                present = _assets_of(table, item_id)
                raise ValueError(
                    f"STACDataset: item {item_id!r} of {redacted(index_path)} has no asset {key!r} (it has {present}); "
                    f"choose asset_keys every chosen item has, or filters leaving such items out"
                )
            bands = asset.get("raster:bands") or asset.get("eo:bands") or []
            if len(bands) > 1:
                raise ValueError(
                    f"STACDataset: asset {key!r} of item {item_id!r} of {redacted(index_path)} holds {len(bands)} "
                    f"bands (its raster:bands or eo:bands), and STACDataset reads one band per asset, so only the "
                    f"first would be read; choose one-band assets (e.g. each band's own asset), or read the files "
                    f"with a RasterDataset"
                )
            hrefs.append(_resolve(asset["href"], index_path))
        first = assets[asset_keys[0]]
        bands = first.get("raster:bands") or [{}]
        items.append(
            StacItem(
                id=item_id,
                name=item_id if collection is None else f"{collection}/{item_id}",
                mint=mint,
                maxt=maxt,
                hrefs=tuple(hrefs),
                grid=_grid(_projection(row, first)),
                dtype=_common_type(
                    [(asset.get("raster:bands") or [{}])[0].get("data_type") for asset in assets.values()]
                ),
                nodata=bands[0].get("nodata"),
            )
        )
    shared = Counter(item.id for item in items)
    return [item if shared[item.id] > 1 else replace(item, name=item.id) for item in items]


def _meeting(table: Any, box: tuple[float, float, float, float] | None) -> Any:
    """The rows of ``table`` whose geometry meets ``box`` (all rows when None), tested all at once.

    Rows without a geometry are kept for :func:`_meets` to test by their bbox.
    """
    import pyarrow as pa
    import shapely

    if box is None or "geometry" not in table.schema.names:
        return table
    geometries = shapely.from_wkb(table.column("geometry").to_pylist())
    meets = shapely.intersects(geometries, shapely.box(*box)) | shapely.is_missing(geometries)
    return table.filter(pa.array(meets))


def _projected(table: Any, asset_keys: Sequence[str]) -> Any:
    """``table`` with only the columns choosing and reading items needs: the asked assets alone, each a column.

    An item table can hold dozens of assets (thumbnails, metadata) per row; converting only the asked ones
    to Python keeps choosing items fast on tables of many thousands.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    names = table.schema.names
    kept = [
        name
        for name in ("id", "collection", "geometry", "bbox", "datetime", "start_datetime", "end_datetime")
        if name in names
    ]
    columns = {name: table.column(name) for name in [*kept, *(key for key in _PROJ_KEYS if key in names)]}
    assets = table.column("assets")
    known = {field.name for field in assets.type} if pa.types.is_struct(assets.type) else set()
    for key in asset_keys:
        if key in known:
            columns[_ASSET_COLUMN + key] = pc.struct_field(assets, key)
    return pa.table(columns)


def _assets_of(table: Any, item_id: str) -> list[str]:
    """The names of the assets item ``item_id`` has (for messages)."""
    import pyarrow.compute as pc

    rows = table.filter(pc.equal(table.column("id"), item_id)).column("assets").to_pylist()
    return sorted(name for name, value in (rows[0] or {}).items() if value) if rows else []


def _common_type(names: Sequence[str | None]) -> str | None:
    """The numpy type holding values of every type named, or None when one is unknown."""
    import numpy as np

    if any(name is None for name in names):
        return None
    try:
        return np.result_type(*(np.dtype(name) for name in names)).name
    except TypeError:
        return None


def _check_bbox(bbox: Sequence[float] | None) -> tuple[float, float, float, float] | None:
    if bbox is None:
        return None
    values = tuple(float(value) for value in bbox)
    if len(values) != 4 or values[0] > values[2] or values[1] > values[3]:
        raise ValueError(f"STACDataset: intersects_bbox must be lon/lat (minx, miny, maxx, maxy), got {bbox!r}")
    return values[0], values[1], values[2], values[3]


def _meets(row: Mapping[str, Any], box: tuple[float, float, float, float]) -> bool:
    """Whether the item's geometry (else its bbox, which may cross the antimeridian) meets the lon/lat box."""
    import shapely

    if row.get("geometry") is not None:
        return bool(shapely.intersects(shapely.from_wkb(row["geometry"]), shapely.box(*box)))
    bbox: Any = row["bbox"]
    if isinstance(bbox, Mapping):
        left, bottom, right, top = bbox["xmin"], bbox["ymin"], bbox["xmax"], bbox["ymax"]
    else:
        left, bottom, right, top = bbox[0], bbox[1], bbox[-len(bbox) // 2], bbox[-len(bbox) // 2 + 1]
    if bottom > box[3] or top < box[1]:
        return False
    # STAC's bbox of an item across the antimeridian runs east from its west edge: west > east.
    spans = [(left, 180.0), (-180.0, right)] if left > right else [(left, right)]
    return any(west <= box[2] and east >= box[0] for west, east in spans)


def _interval(row: Mapping[str, Any]) -> tuple[float, float]:
    """The item's time interval: ``start_datetime``..``end_datetime`` where both are set, else ``datetime``."""
    start, end = row.get("start_datetime"), row.get("end_datetime")
    if start is not None and end is not None:
        first, last = _seconds(start, row), _seconds(end, row)
        if first > last:
            raise ValueError(
                f"STACDataset: item {row.get('id')!r} has start_datetime {start} after its end_datetime {end}"
            )
        return first, last
    instant = row.get("datetime")
    if instant is None:
        raise ValueError(f"STACDataset: item {row.get('id')!r} has neither datetime nor start/end_datetime")
    return _seconds(instant, row), _seconds(instant, row)


def _seconds(value: Any, row: Mapping[str, Any]) -> float:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError as error:
            raise ValueError(f"STACDataset: item {row.get('id')!r} has a bad time {value!r}") from error
    if not isinstance(value, datetime):
        raise ValueError(f"STACDataset: item {row.get('id')!r} has a bad time {value!r}")
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()


def _projection(row: Mapping[str, Any], asset: Mapping[str, Any]) -> dict[str, Any]:
    """The ``proj:*`` fields of ``asset``: its own where set, else the item's.

    An asset naming its CRS (``proj:epsg``, ``proj:code``, ``proj:wkt2`` or ``proj:projjson``) overrides
    every CRS field of the item, so an asset's ``proj:code`` is not read in the item's older ``proj:epsg``.
    """
    own = {key: asset[key] for key in _PROJ_KEYS if asset.get(key) is not None}
    inherited = [key for key in _PROJ_KEYS if not (key in _CRS_KEYS and any(name in own for name in _CRS_KEYS))]
    return {**{key: row.get(key) for key in inherited}, **own}


def _grid(fields: Mapping[str, Any]) -> AssetGrid | None:
    """The grid the ``proj:*`` fields give, or None when they lack the CRS, the transform or the shape."""
    transform, shape = fields.get("proj:transform"), fields.get("proj:shape")
    crs: Any
    if fields.get("proj:epsg") is not None:
        crs = f"EPSG:{int(fields['proj:epsg'])}"
    elif fields.get("proj:code") or fields.get("proj:wkt2"):
        crs = fields.get("proj:code") or fields.get("proj:wkt2")
    elif fields.get("proj:projjson") is not None:
        crs = _projjson_text(fields["proj:projjson"])
    else:
        crs = None
    if crs is None or transform is None or shape is None or len(transform) < 6 or len(shape) != 2:
        return None
    a, b, c, d, e, f = (float(value) for value in transform[:6])
    rows, columns = int(shape[0]), int(shape[1])
    xs = [a * col + b * row + c for col, row in ((0, 0), (columns, 0), (0, rows), (columns, rows))]
    ys = [d * col + e * row + f for col, row in ((0, 0), (columns, 0), (0, rows), (columns, rows))]
    return AssetGrid(
        crs=str(crs),
        bounds=(min(xs), min(ys), max(xs), max(ys)),
        res=(math.hypot(a, d), math.hypot(b, e)),
        shape=(rows, columns),
    )


def _projjson_text(projjson: object) -> str:
    """PROJJSON as text, from a table's object or text.

    A GeoParquet table stores the objects of all items as one struct type, so an object
    holds as None every member that another item's has and it lacks: those are dropped.
    """
    if isinstance(projjson, str):
        return projjson
    return json.dumps(_without_nones(projjson))


def _without_nones(value: object) -> object:
    """``value`` with the None members of its objects dropped, at every depth."""
    if isinstance(value, Mapping):
        return {key: _without_nones(member) for key, member in value.items() if member is not None}
    if isinstance(value, list):
        return [_without_nones(member) for member in value]
    return value


def _resolve(href: str, index_path: str) -> str:
    """``href`` made absolute: a relative one is taken from the table's folder (or URL), a ``file:`` URI a path.

    Raises:
        ValueError: for a ``file:`` URI naming another host than this one, naming it.
    """
    if is_file_uri(href):
        return _file_path(href)
    if is_url(href) or href.startswith("/vsi") or os.path.isabs(href):
        return href
    if is_url(index_path) and not is_file_uri(index_path):
        # urljoin leaves hrefs of schemes it does not know (s3, gs, az) unjoined: join the paths instead.
        table = urlparse(index_path)
        path = posixpath.normpath(posixpath.join(posixpath.dirname(table.path), href))
        return urlunparse(table._replace(path=path, params="", query="", fragment=""))
    local_table = _file_path(index_path) if is_file_uri(index_path) else index_path
    return os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(local_table)), href))


def _file_path(uri: str) -> str:
    """The local path a ``file:`` URI names (``file:///data/my%20scene.tif`` -> ``/data/my scene.tif``).

    Raises:
        ValueError: if the URI names another host than this one (``file://server/share/a.tif``).
    """
    parts = urlparse(uri)
    if parts.netloc not in ("", "localhost"):
        raise ValueError(
            f"STACDataset: {uri} names a file on host {parts.netloc!r}; file: URIs (the table's, its asset "
            "hrefs) must name files of this machine (file:///path): mount the share and use its local paths"
        )
    return url2pathname(parts.path)
