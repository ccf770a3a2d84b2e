"""The georeferencing of raster files, read once and remembered across runs until a file changes."""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import tempfile
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import rasterio
from rasterio.errors import NotGeoreferencedWarning

from geotorch.core.cache import cache_home
from geotorch.core.errors import RasterReadError
from geotorch.core.geotiff import read_header
from geotorch.core.geotransform import footprint, ground_res
from geotorch.core.progress import progress_bar
from geotorch.core.raster_profile import RasterProfile
from geotorch.core.remote import Location, RemotePath, gdal_path, open_raster
from geotorch.core.sidecars import probed_alike, sidecars_by_file
from geotorch.core.url_secrets import redacted

#: Set to 0 to read every file's header at every construction.
INDEX_CACHE_VARIABLE = "GEOTORCH_INDEX_CACHE"
#: Version of the cache layout and of RasterProfile's meaning (3: bounds and res hold for any geotransform;
#: 4: stamps cover the sidecars GDAL reads with each file; 5: no profile for a header GDAL refuses, or for a
#: file georeferenced by GCPs or RPCs alone, and sidecars found in any case; 6: res of a grid turned past
#: 45 degrees is its north-up pixel size, no profile for a geotransform that places no pixel).
_FORMAT = 6
#: What identifies one version of a file and of its sidecars (see :func:`_stamp`).
Stamp = list[int | str]
#: Errors that say a remote file could not be fetched (rather than that it is no raster): raised, not skipped.
#: GDAL's ("HTTP response code: 503", "CURL error: ...") and those of the HEAD request pinning an HTTP file
#: (:func:`geotorch.core.object_store.http_stamp`), looked for in the error without the file's URL
#: (:func:`_without_path`): every URL holds "http" or a host name.
_TRANSPORT_ERROR = re.compile(
    r"HTTP|curl|timed out|timeout|no answer within|request failed|\[Errno|Connection|resolve host|SSL",
    re.IGNORECASE,
)


def _stamp(path: Location, sidecars: Sequence[str]) -> Stamp | None:
    """What changes whenever a file's content, or that of a sidecar GDAL reads with it, may have changed.

    Size, modification and status change times and inode of the file, then the
    name and the same four of each sidecar: writing, replacing or removing a
    ``.aux.xml``, world file or mask beside a file changes its stamp. A remote file's
    stamp is its ETag, last modification date and size, as listed; None when unknown
    (it is then read at every construction).

    Raises:
        OSError: if ``path`` cannot be stat'ed (a sidecar that vanished since the folder was listed is skipped).
    """
    if isinstance(path, RemotePath):
        return None if path.stamp is None else ["remote", *path.stamp]
    status = os.stat(path)
    stamp: Stamp = [status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino]
    for name in sidecars:
        try:
            status = os.stat(path.parent / name)
        except FileNotFoundError:
            continue
        stamp += [name, status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino]
    return stamp


def _sidecars(paths: Sequence[Location]) -> list[list[str]]:
    """The names of the sidecars of each file, from one listing of each folder (none in a folder not listable).

    Remote files have none: GDAL reads them alone.
    """
    by_folder: dict[str, dict[str, list[str]]] = {}
    found: list[list[str]] = []
    for path in paths:
        if isinstance(path, RemotePath):
            found.append([])
            continue
        folder, name = os.path.split(path)
        if folder not in by_folder:
            try:
                by_folder[folder] = sidecars_by_file(os.listdir(folder or "."))
            except OSError:
                by_folder[folder] = {}
        found.append(by_folder[folder].get(name, []))
    return found


def _read_profile(path: Location, sidecars: Sequence[str]) -> RasterProfile | str:
    """The profile of ``path`` (from its plain GeoTIFF header, else by GDAL), or why it cannot be read.

    Args:
        path: the file; a remote one is read by GDAL (see :func:`geotorch.core.remote.open_raster`).
        sidecars: names of the files beside it that GDAL reads with it; with any, GDAL reads the file.

    Raises:
        RasterReadError: if a remote file cannot be fetched (HTTP status, timeout, connection), naming its URL.
    """
    if isinstance(path, Path):
        try:
            header = read_header(path, sidecars)
        except OSError as error:
            return str(error)
        if header is not None:
            return header
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", NotGeoreferencedWarning)
            source = open_raster(str(path))
        with source:
            points, points_crs = source.gcps
            if points and source.transform.is_identity:
                # GDAL reports no CRS for such a file (the GCPs have theirs): say what it has and what to do.
                return (
                    f"it is placed by {len(points)} ground control points alone, not a geotransform, which "
                    f"GeoTorch does not warp from; warp it onto a grid first (gdalwarp -t_srs "
                    f"{points_crs.to_string() if points_crs else '<CRS>'} {path} out.tif)"
                )
            if source.crs is None:
                return "it has no CRS"
            # rasterio warns of an identity transform only where there are no RPCs either (an _rpc.txt or .RPB
            # beside the file); a file with RPCs alone has no geotransform all the same.
            if source.transform.is_identity and (
                any(issubclass(warning.category, NotGeoreferencedWarning) for warning in caught) or source.rpcs
            ):
                return "it has no geotransform"
            transform = source.transform
            if not all(math.isfinite(value) for value in transform[:6]) or transform.is_degenerate:
                return f"its geotransform {tuple(transform[:6])} places no pixel anywhere (not finite, or degenerate)"
            # rasterio's bounds and res assume a north-up grid; these hold for any geotransform.
            return RasterProfile(
                source.crs.to_wkt(),
                footprint(source.transform, source.width, source.height),
                ground_res(source.transform),
                source.width,
                source.height,
                source.count,
                source.dtypes[0],
                source.nodata,
            )
    # Beyond its own errors, GDAL's metadata readers raise what malformed bytes lead them to (a
    # UnicodeDecodeError from a citation, a ValueError from a CRS): any of them means the file is
    # unreadable, and the caller names it; none may stop the indexing of the other files.
    except Exception as error:
        if isinstance(path, RemotePath) and _TRANSPORT_ERROR.search(_without_path(str(error), path)):
            raise
        if isinstance(error, (rasterio.errors.RasterioError, RasterReadError)):
            return str(error)
        return f"{type(error).__name__}: {error}"


def _without_path(message: str, path: RemotePath) -> str:
    """``message`` without the quotes of ``path`` in it: as given, as GDAL reads it, by name, credentials or none.

    An error names its file (``http://h/notes.txt: cannot open raster: '/vsicurl/http://h/notes.txt' not
    recognized...``), a TIFF error by its name alone (``a.tif: TIFFReadDirectory...``).
    """
    named = {path.url, gdal_path(path.url), path.url.removeprefix("/vsicurl/")}
    for quoted in sorted(named | {redacted(name) for name in named}, key=len, reverse=True):
        message = message.replace(quoted, "")
    return message.replace(path.name, "")


def _cache_file(key: str) -> Path:
    # A URL signed anew (another signature) names the same objects: the same cache file.
    digest = hashlib.sha256(redacted(key).encode()).hexdigest()[:32]
    return cache_home() / "index" / f"{digest}.json"


def _load(cache: Path) -> dict[str, tuple[Stamp | None, RasterProfile | str]]:
    """The cached ``path -> (stamp, profile or error)`` entries, or nothing if the cache is unusable."""
    try:
        stored = json.loads(cache.read_text())
        if stored["format"] != _FORMAT:
            return {}
        crs_table = stored["crs"]
        return {
            path: (stamp, profile if isinstance(profile, str) else _profile_from_row(profile, crs_table))
            for path, (stamp, profile) in stored["files"].items()
        }
    except (OSError, ValueError, TypeError, KeyError, IndexError):
        return {}


def _profile_from_row(row: list[Any], crs_table: list[str]) -> RasterProfile:
    crs, bounds, res, width, height, count, dtype, nodata = row
    return RasterProfile(crs_table[crs], tuple(bounds), tuple(res), width, height, count, dtype, nodata)


def _store(cache: Path, entries: dict[str, tuple[Stamp | None, RasterProfile | str]]) -> None:
    """Write the cache atomically (each distinct CRS once); a cache that cannot be written is not kept."""
    crs_numbers: dict[str, int] = {}
    files: dict[str, Any] = {}
    for shown, (stamp, profile) in entries.items():
        # Files other users may read hold no credential; each object's stamp tells its version.
        path = redacted(shown)
        if isinstance(profile, str):
            files[path] = [stamp, profile]
            continue
        number = crs_numbers.setdefault(profile.crs, len(crs_numbers))
        files[path] = [stamp, [number, profile.bounds, profile.res, profile.width, profile.height, profile.count,
                               profile.dtype, profile.nodata]]
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=cache.parent, prefix=f".{cache.name}.")
    except OSError:
        return
    try:
        with os.fdopen(descriptor, "w") as stream:
            json.dump({"format": _FORMAT, "crs": list(crs_numbers), "files": files}, stream, separators=(",", ":"))
        os.replace(temporary, cache)
    except OSError:
        Path(temporary).unlink(missing_ok=True)


def read_profiles(paths: Sequence[Location], key: str) -> list[RasterProfile | str]:
    """The profile of each file (or why it is unreadable), from the cache where the file is unchanged.

    Files not in the cache, or changed since (size, modification or status
    change time, inode, of the file or of any sidecar GDAL reads with it, such
    as a ``.aux.xml``, world file or mask, and sidecars appearing or vanishing),
    are opened and their headers read. Each folder is listed once to find the
    sidecars.
    The cache, one JSON file per ``key`` under ``$GEOTORCH_HOME/index``, is
    rewritten atomically when anything was read, added or removed. It names URLs
    without the values of their credentials (:func:`geotorch.core.url_secrets.redacted`):
    a URL signed anew is the same entry, its stamp (ETag, date, size) telling the
    object's version; one without a stamp is read again.

    Args:
        paths: the files, in the order wanted.
        key: identifies the file set (e.g. the dataset's class, folders and glob).

    Returns:
        One entry per path: a :class:`RasterProfile`, or a message saying why it is unreadable.
    """
    use_cache = os.environ.get(INDEX_CACHE_VARIABLE, "1") != "0"
    cache = _cache_file(key)
    stored = _load(cache) if use_cache else {}
    sidecars = _sidecars(paths)
    stamps = [_stamp(path, found) for path, found in zip(paths, sidecars, strict=True)]
    results: list[RasterProfile | str | None] = []
    missing: list[int] = []
    for path, stamp in zip(paths, stamps, strict=True):
        entry = stored.get(redacted(str(path)))
        if entry is not None and stamp is not None and entry[0] == stamp:
            results.append(entry[1])
        else:
            results.append(None)
            missing.append(len(results) - 1)
    # Files are opened without GDAL's listing of their folder, so that indexing a folder of n files costs
    # O(n), not O(n^2): GDAL then probes the names of sidecars (.aux.xml, .tfw, .TFW...). Where that finds
    # other sidecars than a listing would (a.Tfw or A.TAB beside a.tif), the file is opened as it is read
    # later, so that GDAL finds exactly the sidecars it finds then. (Threads do not help here: opening is
    # bound by the GIL-holding parts of rasterio.)
    listed = [number for number in missing if not probed_alike(paths[number].name, sidecars[number])]
    with progress_bar(len(missing), "indexing rasters") as advance:
        with rasterio.Env(GDAL_DISABLE_READDIR_ON_OPEN="TRUE"):
            for number in set(missing) - set(listed):
                results[number] = _read_profile(paths[number], sidecars[number])
                advance(1)
        for number in listed:
            results[number] = _read_profile(paths[number], sidecars[number])
            advance(1)
    final = [result for result in results if result is not None]
    if use_cache and (missing or len(stored) != len(paths)):
        _store(cache, {str(path): (stamp, profile) for path, stamp, profile in zip(paths, stamps, final, strict=True)})
    return final
