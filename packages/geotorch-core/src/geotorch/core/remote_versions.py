"""Pinning each remote file to the version its listing or HEAD request saw, so reads never mix two versions.

GDAL reads a remote raster's header once, then fetches byte ranges at the offsets that header
gives. An object replaced on the server in between (a new upload of the same name) would serve
its new bytes at the old offsets: pixels of two versions, or of the new one placed by the old
georeferencing, with no error. Every request GDAL makes for a pinned file therefore carries the
version's validator (``If-Match: <ETag>``, else ``If-Unmodified-Since: <Last-Modified>`` for an
HTTP file without a strong ETag), set as GDAL path-specific headers: a server whose file changed
answers ``412 Precondition Failed``, and the read fails naming the URL. S3, GCS, Azure and
common HTTP servers (nginx, Apache) honour both headers.

The pins live in this process's GDAL configuration: DataLoader workers forked from it keep them;
a process that only unpickles a dataset (spawned workers) pins each file at its first open instead,
to the version found then (:func:`geotorch.core.remote.open_raster`, with :func:`object_stamp` for
objects in S3, GCS or Azure).
"""

from __future__ import annotations

import ctypes
import itertools
import threading

from geotorch.core.http_credentials import header_lines
from geotorch.core.remote import Stamp, _gdal_library, gdal_path

#: GDAL's virtual file systems of object stores, whose objects GDAL finds with signed requests of its own.
OBJECT_STORES = ("/vsis3/", "/vsigs/", "/vsiaz/")
_pins: dict[str, str] = {}
_lock = threading.Lock()


def _headers(url: str, stamp: Stamp) -> str | None:
    """The request headers that hold a server to the version ``stamp`` describes; None if it has no validator."""
    etag, modified, _ = stamp
    if etag and not etag.startswith("W/"):
        return f"If-Match: {etag}"
    if modified and url.removeprefix("/vsicurl/").startswith(("http://", "https://")):
        # An HTTP Last-Modified as the server sent it (listings give ISO dates, which are not HTTP dates).
        return f"If-Unmodified-Since: {modified}"
    return None


def pin(url: str, stamp: Stamp | None) -> None:
    """Make every later GDAL request for ``url`` ask for the version ``stamp`` describes (see the module).

    A file pinned to another version before is forgotten by GDAL's cache of fetched bytes and
    headers, and :func:`pinned` changes, so open handles of the old version are opened again.

    Args:
        url: the URL or GDAL virtual path, as listed.
        stamp: its ETag, last modification date and size; None (no validator known) pins nothing.
    """
    headers = None if stamp is None else _headers(url, stamp)
    if headers is None:
        return
    path = gdal_path(url)
    with _lock:
        if _pins.get(path) == headers:
            return
        changed = path in _pins
        _pins[path] = headers
        library = _gdal_library()
        library.VSISetPathSpecificOption.argtypes = [ctypes.c_char_p] * 3
        library.VSISetPathSpecificOption.restype = None
        # The path's option replaces GDAL_HTTP_HEADERS (a token a private server asks for): both are given.
        # A value holding a line break is split at line breaks only; otherwise GDAL strips the quotes of an ETag.
        value = "".join(f"{line}\r\n" for line in (*header_lines(), headers))
        library.VSISetPathSpecificOption(path.encode(), b"GDAL_HTTP_HEADERS", value.encode())
        if changed:
            library.VSICurlPartialClearCache.argtypes = [ctypes.c_char_p]
            library.VSICurlPartialClearCache.restype = None
            library.VSICurlPartialClearCache(path.encode())


def pinned(url: str) -> str | None:
    """The validator headers every GDAL request for ``url`` carries, or None when it is not pinned."""
    with _lock:
        return _pins.get(gdal_path(url))


def object_stamp(url: str) -> Stamp | None:
    """The version of an object in S3, GCS or Azure that GDAL finds now: its ETag, Last-Modified and size.

    One request, made by GDAL with its own signing and configuration (so it works in any process,
    also a DataLoader worker forked after a listing, where obstore cannot run). Call it within
    :func:`geotorch.core.remote.remote_env`.

    Args:
        url: the object's URL (``s3://b/k``) or GDAL virtual path (``/vsis3/b/k``).

    Returns:
        The stamp; None for another path, or when GDAL gets no answer (opening the object then fails,
        naming GDAL's error).
    """
    path = gdal_path(url)
    if not path.startswith(OBJECT_STORES):
        return None
    library = _gdal_library()
    library.VSIGetFileMetadata.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_void_p]
    library.VSIGetFileMetadata.restype = ctypes.c_void_p
    library.CSLDestroy.argtypes = [ctypes.c_void_p]
    library.CSLDestroy.restype = None
    found = library.VSIGetFileMetadata(path.encode(), b"HEADERS", None)
    if not found:
        return None
    lines = ctypes.cast(found, ctypes.POINTER(ctypes.c_char_p))
    headers: dict[str, str] = {}
    for index in itertools.count():
        line = lines[index]
        if line is None:
            break
        name, _, value = line.decode("utf-8", "replace").partition("=")
        headers[name.strip().lower()] = value.strip()
    library.CSLDestroy(found)
    etag, modified = headers.get("etag", ""), headers.get("last-modified", "")
    if not etag and not modified:
        return None
    total = headers.get("content-range", "").rpartition("/")[2]
    size = total if total.isdigit() else headers.get("content-length", "")
    return etag, modified, int(size) if size.isdigit() else -1
