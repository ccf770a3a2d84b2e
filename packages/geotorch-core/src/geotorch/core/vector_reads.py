"""Reading a vector file's features, an error of GDAL's naming the file without its URL's credentials."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pyogrio

from geotorch.core import geoparquet
from geotorch.core.errors import shown_cause
from geotorch.core.log_secrets import redacted_warnings
from geotorch.core.remote import is_remote
from geotorch.core.url_secrets import redacted
from geotorch.core.vector_extents import source_of

#: What a read gives, as ``pyogrio.raw.read`` gives it: meta (``crs``), FIDs, WKB, the asked columns' values.
Features = tuple[dict[str, Any], np.ndarray, np.ndarray, list[np.ndarray]]


def read_features(path: str, layer: str, columns: list[str], reader: str) -> Features:
    """Every feature of ``layer`` of ``path`` with the values of ``columns``: GeoParquet's reader or GDAL's.

    Args:
        path: a local file, URL or GDAL virtual path, as indexed.
        layer: the layer to read (ignored for a local GeoParquet file, which has one).
        columns: the attribute columns to read (may be empty).
        reader: who reads, named in errors (``VectorDataset``, a subclass's name).

    Returns:
        ``(meta, fids, wkb, values)``: ``meta["crs"]`` the layer's CRS, ``fids`` int64 ``(N,)``, ``wkb``
        object ``(N,)`` of bytes, ``values`` one array ``(N,)`` per column.

    Raises:
        pyogrio.errors.DataSourceError: if GDAL cannot read the file now (replaced or gone since it was
            indexed, its server failing), naming the file and GDAL's reason; pyogrio.errors.DataLayerError
            (or its subclass GDAL raised) if the layer or a column cannot be read. GDAL words its errors with
            the URL as given: the message shows it without its credentials
            (:func:`geotorch.core.url_secrets.redacted`), and GDAL's own error is its cause only where it
            quotes none. Of pyogrio's type, as TorchGeo's reads raise them. GDAL's warnings, which pyogrio
            issues as ``RuntimeWarning``, are shown so too (:func:`geotorch.core.log_secrets.redacted_warnings`).
        geotorch.core.geoparquet.GeoParquetError: for a local GeoParquet file that cannot be read.
    """
    if not is_remote(path) and geoparquet.is_geoparquet(Path(path)):
        return geoparquet.read(Path(path), columns)
    try:
        with redacted_warnings():
            meta, fids, wkb, values = pyogrio.raw.read(source_of(path), layer=layer, columns=columns, return_fids=True)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as error:
        message = redacted(f"{reader}: cannot read {path} (layer {layer!r}): {error}")
        raise type(error)(message) from shown_cause(error)
    return meta, fids, wkb, values
