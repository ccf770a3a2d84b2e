"""Which rasters ``predict_raster`` reads: files as given, folders searched for rasters, each file once."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from geotorch.core import is_remote, redacted

#: File name endings of the rasters found in a folder.
RASTER_SUFFIXES = (".tif", ".tiff", ".jp2", ".vrt", ".img")


def raster_paths(
    paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]], outputs: Path | None = None
) -> list[str]:
    """The raster files of ``paths``: files as given, folders searched recursively for :data:`RASTER_SUFFIXES`.

    A URL (``http(s)://``, ``s3://``, ``gs://``, ``az://``) or GDAL virtual path (``/vsicurl/``,
    ``/vsis3/``...) is kept as given, a raster file read by GDAL
    (:func:`geotorch.core.open_raster`); an object-store prefix (a "folder" of objects) is not
    listed: name its files. A folder's search leaves out the folder ``outputs`` when it lies inside
    the folder (the predictions of an earlier run), not when it is the folder or holds it (which would
    leave out every raster). A file named more than once (in a folder
    given and by itself, or spelt otherwise: through ``..`` or a link) is kept once, where first
    found: it would be predicted again into an output of another name (``tile_2.tif``).

    Raises:
        TypeError: if ``paths`` is no path nor a collection of paths (bytes, a number, None), or holds one that is not.
        FileNotFoundError: if a local path does not exist, a folder holds no raster, or there is none at all.
        ValueError: if a path is empty, or a URL or virtual path ends with ``/`` (a prefix, not a file).
    """
    if isinstance(paths, (str, os.PathLike)):
        given: list[object] = [paths]
    elif isinstance(paths, Iterable) and not isinstance(paths, (bytes, bytearray)):
        given = list(paths)
    else:
        raise TypeError(f"predict_raster: paths={paths!r} must be a path (str or os.PathLike) or a list of paths")
    found: list[str] = []
    for item in given:
        text = os.fspath(item) if isinstance(item, (str, os.PathLike)) else None
        if not isinstance(text, str):
            raise TypeError(f"predict_raster: paths holds {item!r}, which is no path (a str or os.PathLike of str)")
        if not text:
            # Path("") is the working folder: every raster under it would be predicted.
            raise ValueError("predict_raster: paths= holds an empty path; name a raster file or folder")
        if is_remote(text):
            if text.endswith("/"):
                raise ValueError(
                    f"predict_raster: {redacted(text)} is a prefix (a folder of objects), which is not listed; name "
                    "its files"
                )
            found.append(text)
            continue
        path = Path(text)
        if path.is_dir():
            # Only an output folder inside the one searched holds earlier predictions to leave out: one holding it
            # (or the folder itself) holds every raster searched, which would all be left out.
            searched = path.resolve()
            skipped = outputs.resolve() if outputs is not None else None
            if skipped is not None and (skipped == searched or not skipped.is_relative_to(searched)):
                skipped = None
            inside = sorted(
                str(item)
                for item in path.rglob("*")
                if item.suffix.lower() in RASTER_SUFFIXES
                and item.is_file()
                and not item.name.startswith(".")
                and (skipped is None or not item.resolve().is_relative_to(skipped))
            )
            if not inside:
                raise FileNotFoundError(f"no raster ({', '.join(RASTER_SUFFIXES)}) in the folder {path}")
            found.extend(inside)
        elif path.is_file():
            found.append(str(path))
        else:
            raise FileNotFoundError(f"no such raster file or folder: {path}")
    if not found:
        raise FileNotFoundError("predict_raster: paths= names no raster")
    kept: dict[str, str] = {}
    for source in found:
        kept.setdefault(source if is_remote(source) else os.path.realpath(source), source)
    return list(kept.values())
