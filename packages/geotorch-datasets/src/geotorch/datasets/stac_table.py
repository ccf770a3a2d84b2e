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
import os
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from geotorch.core import DatasetNotFoundError, redacted, shown_cause
from geotorch.datasets.stac_hrefs import file_path, resolved_href
from geotorch.datasets.stac_hrefs import is_file_uri as is_file_uri
from geotorch.datasets.stac_hrefs import is_url as is_url
from geotorch.datasets.stac_http import fetch_table
from geotorch.datasets.stac_projection import PROJ_KEYS, asset_grid, asset_projection
from geotorch.datasets.stac_projection import AssetGrid as AssetGrid
from geotorch.datasets.stac_selection import Filters, parse_filters

_REQUIRED = ("id", "assets")
#: The prefix of the columns holding the asked assets in :func:`_projected`'s table.
_ASSET_COLUMN = "\0asset:"


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
    local = file_path(index_path) if is_file_uri(index_path) else index_path
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
            hrefs.append(resolved_href(asset["href"], index_path))
        first = assets[asset_keys[0]]
        bands = first.get("raster:bands") or [{}]
        items.append(
            StacItem(
                id=item_id,
                name=item_id if collection is None else f"{collection}/{item_id}",
                mint=mint,
                maxt=maxt,
                hrefs=tuple(hrefs),
                grid=asset_grid(asset_projection(row, first)),
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
    columns = {name: table.column(name) for name in [*kept, *(key for key in PROJ_KEYS if key in names)]}
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
