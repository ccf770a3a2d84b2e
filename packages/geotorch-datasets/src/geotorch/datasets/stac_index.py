"""``geotorch stac index``: search a STAC API once and keep the items as a STAC GeoParquet table.

Training then reads the table (:class:`~geotorch.datasets.STACDataset`) and never calls the API, so
runs are reproducible and no rate limit or outage stops them.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from geotorch.core import redacted, shown_cause
from geotorch.datasets.stac_datetime import checked_datetime
from geotorch.datasets.stac_query import query_object

#: Seconds each request to the STAC API may take (connecting, then each read).
TIMEOUT = 60.0


def build_stac_index(
    url: str,
    output: str | Path,
    *,
    collections: Sequence[str] | None = None,
    bbox: Sequence[float] | None = None,
    datetime: str | None = None,
    query: dict[str, Any] | list[str] | None = None,
    filter: dict[str, Any] | str | None = None,
    max_items: int | None = None,
) -> int:
    """Search the STAC API at ``url`` and write the items found as a STAC GeoParquet table.

    Uses pystac-client's item search (following its pages) and stac-geoparquet's writer; the table is
    written beside ``output`` under a temporary name and renamed, so ``output`` is never a partial file.

    Args:
        url: the API's landing page.
        output: the table to write (``.parquet``).
        collections: collection ids to search.
        bbox: lon/lat ``(minx, miny, maxx, maxy)``.
        datetime: a STAC datetime or interval (``2020-01-01/2020-06-30``, ``..`` open).
        query: the STAC query extension's object (``{"eo:cloud_cover": {"lt": 20}}``), or strings
            (``["eo:cloud_cover<20"]``, JSON objects) merged into one by
            :func:`~geotorch.datasets.stac_query.query_object`.
        filter: a CQL2 filter, JSON (a dict) or text.
        max_items: stop after this many items (at least 1; None: every item found).

    Returns:
        The number of items written.

    Raises:
        ConnectionError: if the API cannot be reached or answers with an error (each request
            times out after :data:`TIMEOUT` seconds), naming ``url`` without the values of its credentials
            (:func:`geotorch.core.redacted`: an API key in its query reaches no message).
        ValueError: if the search finds no item (naming the search); before any request, if ``url`` has no
            scheme and names no file (``127.0.0.1:8080/``), if ``output`` is not a
            ``.parquet`` file, is a folder or its folder cannot be made (a file in the way, no permission), or
            ``datetime`` is no RFC 3339 datetime or interval (:func:`~geotorch.datasets.stac_datetime.checked_datetime`:
            ``yesterday``, month 13, a start after the end), ``bbox`` is no lon/lat box (:func:`checked_bbox`),
            a ``query`` string is no condition (``foo``, ``eo:cloud_cover<<20``), or ``max_items`` is under 1.
    """
    import requests
    import stac_geoparquet.arrow
    from pystac_client import Client
    from pystac_client.exceptions import APIError

    if "://" not in url and not Path(url).is_file():
        raise ValueError(f"geotorch stac index: the STAC API {redacted(url)} is neither a URL nor a file; give its "
                         f"landing page's URL (https://{redacted(url)})")
    output = Path(output)
    if output.suffix != ".parquet":
        raise ValueError(f"geotorch stac index: the output {output} must end in .parquet")
    if isinstance(query, list):
        try:
            query = query_object(query)
        except ValueError as error:
            raise ValueError(f"geotorch stac index: {error}") from None
    if bbox is not None:
        try:
            bbox = checked_bbox(bbox)
        except ValueError as error:
            raise ValueError(f"geotorch stac index: bbox {list(bbox)}: {error}") from None
    if datetime is not None:
        try:
            checked_datetime(datetime)
        except ValueError as error:
            raise ValueError(f"geotorch stac index: datetime {error}") from None
    if max_items is not None and max_items < 1:
        raise ValueError(f"geotorch stac index: max_items {max_items} is not a whole number >= 1")
    _make_folder_of(output)
    try:
        client = Client.open(url, timeout=TIMEOUT)
        search = client.search(
            collections=list(collections) if collections else None,
            bbox=list(bbox) if bbox else None,
            datetime=datetime,
            query=query,
            filter=filter,
            max_items=max_items,
        )
        items = list(search.items_as_dicts())
    except (APIError, requests.RequestException) as error:
        # requests' errors quote the URL as asked ("404 Client Error: Not Found for url: ..."), its key and all.
        message = redacted(f"geotorch stac index: the STAC API at {url} failed: {error}")
        raise ConnectionError(message) from shown_cause(error)
    if not items:
        asked = {"collections": collections, "bbox": bbox, "datetime": datetime, "query": query, "filter": filter}
        chosen = ", ".join(f"{name}={value!r}" for name, value in asked.items() if value)
        raise ValueError(
            f"geotorch stac index: {redacted(url)} found no item for {chosen or 'the search'}; nothing written"
        )
    table = stac_geoparquet.arrow.parse_stac_items_to_arrow(items).read_all()
    handle, temporary = tempfile.mkstemp(prefix=f".{output.name}.", suffix=".partial", dir=output.parent)
    os.close(handle)
    try:
        stac_geoparquet.arrow.to_parquet(table, temporary)
        os.replace(temporary, output)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)
    return len(items)


def _make_folder_of(output: Path) -> None:
    """Make ``output``'s folder, so that a search is run only when its table can be written there."""
    if output.is_dir():
        raise ValueError(f"geotorch stac index: the output {output} is a folder; give a file name ending in .parquet")
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ValueError(
            f"geotorch stac index: the output {output}: cannot make its folder {output.parent} ({error.strerror}); "
            "give a path in a folder you can write to"
        ) from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="geotorch stac", description="STAC catalogues as local tables for STACDataset."
    )
    commands = parser.add_subparsers(dest="action", required=True)
    index = commands.add_parser(
        "index",
        help="search a STAC API once and write the items as a STAC GeoParquet table",
        description="Search a STAC API once and write the items as a STAC GeoParquet table (for STACDataset).",
    )
    index.add_argument("url", help="the STAC API's landing page")
    index.add_argument("output", type=Path, help="the table to write (.parquet)")
    index.add_argument("--collections", type=_names, help="collection ids, comma-separated")
    index.add_argument("--bbox", type=_bbox, help="lon/lat minx,miny,maxx,maxy")
    index.add_argument(
        "--datetime", type=_datetime, help="an RFC 3339 datetime or interval, e.g. 2020-01-01/2020-06-30, 2020-02-01/.."
    )
    index.add_argument(
        "--query",
        action="append",
        help="the query extension: a JSON object, or PROPERTY<OP>VALUE (repeatable, e.g. 'eo:cloud_cover<20')",
    )
    index.add_argument("--filter", help="a CQL2 filter: JSON, or CQL2 text")
    index.add_argument("--max-items", type=_item_count, help="stop after this many items (at least 1)")
    return parser


def _names(text: str) -> list[str]:
    names = [name.strip() for name in text.split(",") if name.strip()]
    if not names:
        # An empty list would search every collection of the API.
        raise argparse.ArgumentTypeError(f"{text!r} names no collection; give ids, comma-separated, or leave it out")
    return names


def _bbox(text: str) -> list[float]:
    try:
        values = [float(value) for value in text.split(",")]
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"--bbox {text!r} is not minx,miny,maxx,maxy") from error
    if len(values) != 4:
        raise argparse.ArgumentTypeError(f"--bbox {text!r} is not minx,miny,maxx,maxy")
    try:
        return checked_bbox(values)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"--bbox {text!r}: {error}") from None


def checked_bbox(bbox: Sequence[float]) -> list[float]:
    """``bbox`` as a list if it is a STAC search box: lon/lat degrees ``(minx, miny, maxx, maxy)``.

    ``minx > maxx`` is a box across the antimeridian (from ``minx`` east to ``maxx``), as STAC allows.

    Raises:
        ValueError: if there are not 4 values, a value is not finite, a longitude lies outside -180..180 or a
            latitude outside -90..90 (a box in metres, not degrees), or ``miny > maxy``, saying which.
    """
    if len(bbox) != 4:
        raise ValueError(f"a box has 4 values (minx, miny, maxx, maxy), not {len(bbox)}")
    minx, miny, maxx, maxy = (float(value) for value in bbox)
    if not all(math.isfinite(value) for value in (minx, miny, maxx, maxy)):
        raise ValueError("every value must be a finite number")
    if not (-180 <= minx <= 180 and -180 <= maxx <= 180 and -90 <= miny <= 90 and -90 <= maxy <= 90):
        raise ValueError(
            "longitudes must lie in -180..180 and latitudes in -90..90 (a STAC search box is in degrees, "
            "not in a projected CRS's units)"
        )
    if miny > maxy:
        raise ValueError(f"its south edge {miny:g} lies north of its north edge {maxy:g}; swap them")
    return [minx, miny, maxx, maxy]


def _datetime(text: str) -> str:
    try:
        return checked_datetime(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _item_count(text: str) -> int:
    try:
        count = int(text)
    except ValueError:
        count = 0
    if count < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number >= 1")
    return count


def _json_or_text(text: str | None) -> Any:
    """A JSON object given on the command line, else the text itself."""
    if text is None or not text.lstrip().startswith("{"):
        return text
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"geotorch stac index: {text!r} is not valid JSON: {error}") from error


def run(argv: Sequence[str]) -> int:
    """Run ``geotorch stac index URL OUTPUT [--collections ...] ...``; return the exit status."""
    options = _parser().parse_args(list(argv))
    count = build_stac_index(
        options.url,
        options.output,
        collections=options.collections,
        bbox=options.bbox,
        datetime=options.datetime,
        query=options.query,
        filter=_json_or_text(options.filter),
        max_items=options.max_items,
    )
    print(f"{count} items from {redacted(options.url)} written to {options.output}")
    return 0
