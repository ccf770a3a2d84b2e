"""An asset's grid from the STAC projection extension: ``proj:*`` fields of the asset, else of its item."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

#: The projection extension's ways of naming a CRS: an asset naming its CRS one way overrides the item's, whichever way.
_CRS_KEYS = ("proj:epsg", "proj:code", "proj:wkt2", "proj:projjson")
PROJ_KEYS = (*_CRS_KEYS, "proj:transform", "proj:shape")


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


def asset_projection(row: Mapping[str, Any], asset: Mapping[str, Any]) -> dict[str, Any]:
    """The ``proj:*`` fields of ``asset``: its own where set, else the item's.

    An asset naming its CRS (``proj:epsg``, ``proj:code``, ``proj:wkt2`` or ``proj:projjson``) overrides
    every CRS field of the item, so an asset's ``proj:code`` is not read in the item's older ``proj:epsg``.
    """
    own = {key: asset[key] for key in PROJ_KEYS if asset.get(key) is not None}
    inherited = [key for key in PROJ_KEYS if not (key in _CRS_KEYS and any(name in own for name in _CRS_KEYS))]
    return {**{key: row.get(key) for key in inherited}, **own}


def asset_grid(fields: Mapping[str, Any]) -> AssetGrid | None:
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
