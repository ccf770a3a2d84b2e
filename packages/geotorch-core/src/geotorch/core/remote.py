"""Rasters named by URL or GDAL virtual path: recognising them, and GDAL's settings for reading them.

A path is remote when it is a GDAL virtual path (``/vsicurl/``, ``/vsis3/``, ``/vsigs/``,
``/vsiaz/``, ``/vsizip/``..., read by GDAL as TorchGeo 0.10.1 reads them) or an
``http(s)://``, ``s3://``, ``gs://`` or ``az://`` URL, which GDAL reads through the
matching virtual file system (``/vsicurl/``, ``/vsis3/``, ``/vsigs/``, ``/vsiaz/``).

Credentials and endpoints come from each store's standard environment variables. GDAL
and the object-store SDKs name the S3 endpoint differently; :func:`gdal_options` gives
GDAL the equivalent of the SDKs' ``AWS_ENDPOINT_URL_S3`` / ``AWS_ENDPOINT_URL``,
``AWS_DEFAULT_REGION``, ``AWS_SKIP_SIGNATURE`` and ``AWS_SHARED_CREDENTIALS_FILE`` when GDAL's own
``AWS_S3_ENDPOINT``, ``AWS_REGION``, ``AWS_NO_SIGN_REQUEST`` and ``CPL_AWS_CREDENTIALS_FILE`` are not set,
and of ``GOOGLE_SKIP_SIGNATURE``, ``AZURE_SKIP_SIGNATURE`` and ``AZURE_STORAGE_ACCOUNT_NAME`` alike (and
:mod:`geotorch.core.object_store` does the reverse for listings), so one set of variables serves both.
"""

from __future__ import annotations

import ctypes
import importlib
import os
import re
import urllib.error
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import rasterio
from rasterio.io import DatasetReader

from geotorch.core.errors import RasterReadError, gdal_reason, shown_cause
from geotorch.core.http_headers import file_headers
from geotorch.core.log_secrets import redact_rasterio_logs
from geotorch.core.url_secrets import redacted

# Every GeoTorch module that reads rasters imports this one, which hands GDAL its URLs: GDAL words its errors
# and debug messages about them with the query, signature and all, and rasterio logs them so (INFO, DEBUG).
redact_rasterio_logs()

#: GDAL's virtual file system for each URL scheme read.
SCHEMES = {"http": "/vsicurl/", "https": "/vsicurl/", "s3": "/vsis3/", "gs": "/vsigs/", "az": "/vsiaz/"}
#: Settings that bound every HTTP request GDAL makes, unless set in the environment or GDAL's configuration:
#: a server that stops sending for 5 s fails the request, 5xx answers and timeouts are retried 3 times with a
#: growing delay (0.5 s, then about twice as long each time), so a dead server is an error within 30 s, never a
#: hang. GDAL reads them at each request, so they are set process-wide (they concern HTTP alone).
HTTP_DEFAULTS = {
    "GDAL_HTTP_CONNECTTIMEOUT": "10",
    "GDAL_HTTP_LOW_SPEED_TIME": "5",
    "GDAL_HTTP_LOW_SPEED_LIMIT": "1",
    "GDAL_HTTP_MAX_RETRY": "3",
    "GDAL_HTTP_RETRY_DELAY": "0.5",
}
#: Set while a remote file is opened: sidecars (.aux.xml, .ovr...) are not probed by one request each.
OPEN_DEFAULTS = {"GDAL_DISABLE_READDIR_ON_OPEN": "EMPTY_DIR"}
#: How the object-store SDKs spell a variable that is set (``AWS_SKIP_SIGNATURE=true``).
TRUE = ("1", "true", "yes")
_URL = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")
#: What one version of a remote object is: its ETag, modification date and size, as a listing or HEAD says.
Stamp = tuple[str, str, int]


@dataclass(frozen=True)
class RemotePath:
    """A raster not on a local disk, named by URL or GDAL virtual path.

    Attributes:
        url: the URL or virtual path, as given or as listed (``s3://bucket/scenes/a.tif``).
        stamp: what identifies this version of the object (ETag, last modified, size), when
            a listing or HEAD request gave it; None when unknown (the file is then read at
            every construction). Not part of equality.
    """

    url: str
    stamp: Stamp | None = field(default=None, compare=False)

    def __str__(self) -> str:
        """The URL or virtual path."""
        return self.url

    @property
    def name(self) -> str:
        """The last segment of the path (without a URL's query string)."""
        scheme = _URL.match(self.url)
        path = urllib.parse.urlsplit(self.url).path if scheme else self.url
        return path.rstrip("/").rsplit("/", 1)[-1]

    @property
    def gdal(self) -> str:
        """The GDAL virtual path reading it (``s3://b/k`` -> ``/vsis3/b/k``)."""
        return gdal_path(self.url)

    @property
    def parent(self) -> RemotePath:
        """The folder-like prefix holding it (``s3://b/scenes/a.tif`` -> ``s3://b/scenes``)."""
        return RemotePath(self.url.rstrip("/").rsplit("/", 1)[0])

    def resolve(self) -> RemotePath:
        """Itself: a URL is already absolute."""
        return self


#: A local path, or a remote raster.
Location = Path | RemotePath


def is_remote(path: str) -> bool:
    """Whether ``path`` is a GDAL virtual path or a URL (rather than a local path)."""
    return path.startswith("/vsi") or _URL.match(path) is not None


def gdal_path(path: str) -> str:
    """The GDAL virtual path that reads ``path``: a URL mapped, a virtual path as is.

    HTTP URLs, given or behind ``/vsicurl/``, go through :func:`request_url`.

    Raises:
        ValueError: for a URL scheme GDAL is not given here (e.g. ``ftp://``), naming it (the URL shown without
            the values of its credentials: :func:`geotorch.core.url_secrets.redacted`).
    """
    if path.startswith("/vsicurl/http"):
        return "/vsicurl/" + request_url(path.removeprefix("/vsicurl/"))
    scheme = _URL.match(path)
    if scheme is None:
        return path
    name = scheme[1].lower()
    if name not in SCHEMES:
        shown = redacted(path)  # a URL's login or token reaches no message
        raise ValueError(f"{shown}: unsupported URL scheme {name!r}; use one of {', '.join(sorted(SCHEMES))}")
    prefix = SCHEMES[name]
    return prefix + request_url(path) if prefix == "/vsicurl/" else prefix + path[scheme.end() :]


def request_url(url: str) -> str:
    """An HTTP URL as sent on the wire, percent-encoded as browsers and requests send it.

    Spaces, non-ASCII letters (as UTF-8) and other characters URLs cannot hold are encoded;
    escapes already there are kept.

    ``http://h/my scene é.tif?sig=a%2Fb`` -> ``http://h/my%20scene%20%C3%A9.tif?sig=a%2Fb``.
    """
    return urllib.parse.quote(url, safe="!#$%&'()*+,/:;=?@[]~")


def _set(name: str) -> bool:
    return bool(os.environ.get(name))


def gdal_options() -> dict[str, str]:
    """GDAL configuration for remote reads: :data:`HTTP_DEFAULTS` and the SDKs' variables in GDAL's names.

    Nothing set in the environment is overridden.
    """
    options = {name: value for name, value in OPEN_DEFAULTS.items() if not _set(name)}
    # A range request that fails in one of GDAL's decode threads (GDAL_NUM_THREADS > 1) is only logged by
    # GDAL 3.10, and the read returns zeros: remote files decode on the reading thread, so failures raise.
    options["GDAL_NUM_THREADS"] = "1"
    endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
    if endpoint and not _set("AWS_S3_ENDPOINT"):
        parts = urllib.parse.urlsplit(endpoint if "://" in endpoint else f"https://{endpoint}")
        options["AWS_S3_ENDPOINT"] = parts.netloc + parts.path.rstrip("/")
        if not _set("AWS_HTTPS"):
            options["AWS_HTTPS"] = "NO" if parts.scheme == "http" else "YES"
        if not _set("AWS_VIRTUAL_HOSTING"):
            # The SDKs address a custom endpoint path-style (bucket in the path), GDAL virtual-host style.
            options["AWS_VIRTUAL_HOSTING"] = "FALSE"
    if not _set("CPL_AWS_CREDENTIALS_FILE") and _set("AWS_SHARED_CREDENTIALS_FILE"):
        options["CPL_AWS_CREDENTIALS_FILE"] = os.environ["AWS_SHARED_CREDENTIALS_FILE"]
    if not _set("AWS_REGION") and _set("AWS_DEFAULT_REGION"):
        options["AWS_REGION"] = os.environ["AWS_DEFAULT_REGION"]
    for sdk, gdal in (("AWS", "AWS"), ("GOOGLE", "GS"), ("AZURE", "AZURE")):
        if not _set(f"{gdal}_NO_SIGN_REQUEST") and os.environ.get(f"{sdk}_SKIP_SIGNATURE", "").lower() in TRUE:
            options[f"{gdal}_NO_SIGN_REQUEST"] = "YES"
    if not _set("AZURE_STORAGE_ACCOUNT") and _set("AZURE_STORAGE_ACCOUNT_NAME"):
        options["AZURE_STORAGE_ACCOUNT"] = os.environ["AZURE_STORAGE_ACCOUNT_NAME"]
    return options


def _set_http_defaults() -> None:
    """Give GDAL :data:`HTTP_DEFAULTS` process-wide, where neither the environment nor GDAL's config sets them."""
    for name, value in HTTP_DEFAULTS.items():
        if not _set(name) and rasterio.env.get_gdal_config(name) is None:
            rasterio.env.set_gdal_config(name, value)


@contextmanager
def remote_env() -> Iterator[None]:
    """GDAL configured by :func:`gdal_options` for the block (and :data:`HTTP_DEFAULTS` for good)."""
    _set_http_defaults()
    with rasterio.Env(**gdal_options()):
        yield


#: ``VSICurlClearCache`` of each GDAL library this process read remote files through, by the extension module
#: running on it (rasterio's and pyogrio's wheels each bundle their own GDAL): a forked child inherits the HTTP
#: connections of each.
_remote_readers: dict[str, Callable[[], None]] = {}


def _gdal_library(module: str = "rasterio._base") -> ctypes.CDLL:
    """The GDAL library the extension ``module`` runs on (its handle also finds the symbols it links to)."""
    return ctypes.CDLL(importlib.import_module(module).__file__)


def reading_remote(module: str) -> None:
    """Note that this process reads remote files through the GDAL the extension ``module`` runs on.

    A process forked from this one then drops that GDAL's HTTP connections (:func:`_forget_connections`):
    ``rasterio._base`` for rasters (:func:`open_raster`), ``pyogrio._io`` for vector files. Its function is
    found here, not in the child, which should only call it.
    """
    if module not in _remote_readers:
        clear = _gdal_library(module).VSICurlClearCache
        clear.restype = None
        _remote_readers[module] = clear


def _forget_connections() -> None:
    """In a process just forked from one that read remote files: drop the HTTP connections of each GDAL it read by.

    GDAL keeps open connections per thread, and the forking thread's are copied into the child:
    two DataLoader workers would then read answers on the same sockets as each other and as the
    parent (requests interleave, reads come back cut or mixed: "TIFFFillTile: Read error", or a
    FlatGeobuf "not recognized as being in a supported file format"). GDAL
    opens new connections after ``VSICurlClearCache``, which also empties the child's copy of the
    parent's cache of fetched bytes. (Run in the child right after the fork, as GDAL's lock is taken:
    a process forked while another of its threads is inside a GDAL HTTP read could wait on it forever;
    DataLoader forks its workers from the thread iterating over it, between reads.)
    """
    for clear in list(_remote_readers.values()):
        clear()


os.register_at_fork(after_in_child=_forget_connections)


def open_raster(path: str) -> DatasetReader:
    """Open a local file, URL or virtual path with rasterio; a remote one through :func:`remote_env`.

    GDAL caches what it fetched of a remote file for the life of the process: an object
    replaced since this process read it may still be read as it was (a new process reads
    the new one; the persisted index notices the change either way). An HTTP file or an
    object in S3, GCS or Azure not pinned to a version yet (by a listing in this process or
    the one it was forked from: :mod:`geotorch.core.remote_versions`) is pinned to the one a
    HEAD request finds now, so that every later open and read of it in this process reads
    that version or fails (``predict_raster`` opens an input several times; a DataLoader
    worker started by spawn only unpickles its dataset).

    Raises:
        rasterio.errors.RasterioIOError: for a local file rasterio cannot open.
        RasterReadError: for a remote one, naming the URL and GDAL's error (which holds the HTTP status).
    """
    if not is_remote(path):
        return rasterio.open(path)
    reading_remote("rasterio._base")
    from geotorch.core.object_store import http_stamp
    from geotorch.core.remote_versions import object_stamp, pin, pinned

    url = path.removeprefix("/vsicurl/")
    if url.startswith(("http://", "https://")) and pinned(path) is None:
        try:
            pin(path, http_stamp(url))
        except OSError as error:
            raise RasterReadError(f"{path}: cannot open raster: {error}") from shown_cause(error)
    try:
        with remote_env():
            if pinned(path) is None:
                pin(path, object_stamp(path))
            return rasterio.open(gdal_path(path))
    except rasterio.errors.RasterioError as error:
        raise RasterReadError(f"{path}: cannot open raster: {error}") from shown_cause(error)


def read_failure(path: str, error: BaseException) -> str:
    """Why reading ``path`` failed: GDAL's reasons, and for a remote file the server's answer now.

    GDAL only logs the HTTP status of a failed range request (as a warning) and raises a decoding
    error ("TIFFFillTile: Read error ... got 0 bytes"); one more request, a HEAD (a GET of one byte
    where HEAD is refused) with the headers GDAL sends for the file, tells a file gone (404), refused
    (403), changed since it was indexed (412) or a failing server (503) apart. For an object in S3,
    GCS or Azure pinned to an ETag, GDAL's HEAD for that version tells whether it is still there.

    Args:
        path: the file, as a URL or GDAL virtual path (or a local path, given no server's answer).
        error: the rasterio error of the read.
    """
    from geotorch.core.remote_versions import object_stamp, pinned

    reason = gdal_reason(error)
    url = path.removeprefix("/vsicurl/")
    if not url.startswith(("http://", "https://")):
        pin = pinned(path)
        if pin is None or not pin.startswith("If-Match: "):
            return reason
        with remote_env():
            if object_stamp(path) is not None:
                return reason
        etag = pin.removeprefix("If-Match: ")
        return f"{reason} (the object's version {etag} cannot be had now: it was replaced or removed since)"
    lines = (line.partition(":") for line in (pinned(path) or "").splitlines())
    try:
        file_headers(request_url(url), {name.strip(): value.strip() for name, _, value in lines}, 10)
        return reason
    except urllib.error.HTTPError as answer:
        return f"{reason} (the server now answers HTTP {answer.code} {answer.reason})"
    except (urllib.error.URLError, OSError, ValueError) as failure:
        return f"{reason} (the server cannot be reached now: {getattr(failure, 'reason', failure)})"
