"""The georeferencing of raster files, read once and remembered across runs until a file changes."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import rasterio

from geotorch.core.cache import cache_home

#: Set to 0 to read every file's header at every construction.
INDEX_CACHE_VARIABLE = "GEOTORCH_INDEX_CACHE"
_FORMAT = 1


@dataclass(frozen=True)
class RasterProfile:
    """What indexing a raster file needs: its grid, band count, dtype and nodata.

    Attributes:
        crs: the file's CRS as WKT.
        bounds: ``(left, bottom, right, top)`` in that CRS.
        res: pixel size ``(x, y)``.
        width: columns.
        height: rows.
        count: bands.
        dtype: numpy name of the first band's type.
        nodata: the nodata value, if any.
    """

    crs: str
    bounds: tuple[float, float, float, float]
    res: tuple[float, float]
    width: int
    height: int
    count: int
    dtype: str
    nodata: float | None


def _stamp(path: Path) -> list[int]:
    """What changes whenever a file's content may have changed."""
    status = path.stat()
    return [status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino]


def _read_profile(path: Path) -> RasterProfile | str:
    """The profile of ``path``, or why it cannot be read."""
    try:
        # Without a directory listing per file, indexing a folder of n files costs O(n), not O(n^2);
        # sidecar files (.aux.xml, .tfw, .ovr) are still found, by probing their names.
        with rasterio.Env(GDAL_DISABLE_READDIR_ON_OPEN="TRUE"), rasterio.open(path) as source:
            if source.crs is None:
                return "it has no CRS"
            transform = source.transform
            return RasterProfile(
                source.crs.to_wkt(),
                tuple(source.bounds),
                (abs(transform.a), abs(transform.e)),
                source.width,
                source.height,
                source.count,
                source.dtypes[0],
                source.nodata,
            )
    except rasterio.errors.RasterioError as error:
        return str(error)


def _cache_file(key: str) -> Path:
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    return cache_home() / "index" / f"{digest}.json"


def _load(cache: Path) -> dict[str, Any]:
    try:
        stored = json.loads(cache.read_text())
    except (OSError, ValueError):
        return {}
    if not isinstance(stored, dict) or stored.get("format") != _FORMAT:
        return {}
    files = stored.get("files")
    return files if isinstance(files, dict) else {}


def _store(cache: Path, files: dict[str, Any]) -> None:
    """Write the cache atomically; a cache that cannot be written is simply not kept."""
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=cache.parent, prefix=f".{cache.name}.")
    except OSError:
        return
    try:
        with os.fdopen(descriptor, "w") as stream:
            json.dump({"format": _FORMAT, "files": files}, stream)
        os.replace(temporary, cache)
    except OSError:
        Path(temporary).unlink(missing_ok=True)


def read_profiles(paths: Sequence[Path], key: str) -> list[RasterProfile | str]:
    """The profile of each file (or why it is unreadable), from the cache where the file is unchanged.

    Files not in the cache, or changed since (size, modification or status
    change time, inode), are opened; their headers are read on a few threads.
    The cache, one JSON file per ``key`` under ``$GEOTORCH_HOME/index``, is
    rewritten atomically when anything was read, added or removed.

    Args:
        paths: the files, in the order wanted.
        key: identifies the file set (e.g. the dataset's class, folders and glob).

    Returns:
        One entry per path: a :class:`RasterProfile`, or a message saying why it is unreadable.
    """
    use_cache = os.environ.get(INDEX_CACHE_VARIABLE, "1") != "0"
    cache = _cache_file(key)
    stored = _load(cache) if use_cache else {}
    stamps = [_stamp(path) for path in paths]
    results: list[RasterProfile | str | None] = []
    missing: list[int] = []
    for number, (path, stamp) in enumerate(zip(paths, stamps, strict=True)):
        entry = stored.get(str(path))
        if entry is not None and entry.get("stamp") == stamp:
            profile = entry["profile"]
            results.append(profile if isinstance(profile, str) else _from_json(profile))
        else:
            results.append(None)
            missing.append(number)
    if missing:
        with ThreadPoolExecutor(max_workers=min(8, len(missing))) as pool:
            for number, profile in zip(missing, pool.map(_read_profile, [paths[i] for i in missing]), strict=True):
                results[number] = profile
    final = [result for result in results if result is not None]
    if use_cache and (missing or len(stored) != len(paths)):
        _store(cache, {
            str(path): {"stamp": stamp, "profile": profile if isinstance(profile, str) else asdict(profile)}
            for path, stamp, profile in zip(paths, stamps, final, strict=True)
        })
    return final


def _from_json(profile: dict[str, Any]) -> RasterProfile:
    return RasterProfile(
        profile["crs"],
        tuple(profile["bounds"]),
        tuple(profile["res"]),
        profile["width"],
        profile["height"],
        profile["count"],
        profile["dtype"],
        profile["nodata"],
    )
