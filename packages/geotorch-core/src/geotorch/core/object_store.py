"""Listing remote rasters and stamping them: object-store prefixes (obstore), HTTP files (HEAD), GDAL archives.

Object stores are listed with obstore (one Rust dependency, S3/GCS/Azure in one client, a
listing returns each object's ETag, size and date at no extra request); an HTTP file gets one
HEAD request (standard library), or a GET of its first byte where HEAD is refused. Every request has
a timeout and is retried with a growing delay on 5xx answers and failed connections; a server that sends
no answer within the timeout is warned of and asked once more, then given up on (about 20 s, not 43).
"""

from __future__ import annotations

import errno
import os
import time
import urllib.error
import urllib.parse
import warnings
from datetime import timedelta
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from geotorch.core.aws_profile import config_file, credentials_file, profile_credentials, profile_name, profile_settings
from geotorch.core.azure_settings import azure_settings
from geotorch.core.http_headers import file_headers, range_fault
from geotorch.core.partial import is_partial
from geotorch.core.remote import RemotePath, Stamp, request_url
from geotorch.core.remote_versions import pin
from geotorch.core.s3_region import bucket_region, configured_region, s3_endpoint
from geotorch.core.sidecars import sidecars_by_file
from geotorch.core.url_secrets import redacted

if TYPE_CHECKING:
    from obstore import ObjectMeta
    from obstore.store import ClientConfig, GCSConfig, ObjectStore, RetryConfig, S3Config

#: Object-store URL schemes, and the GDAL virtual file systems naming the same objects.
STORES = {"s3": "/vsis3/", "gs": "/vsigs/", "az": "/vsiaz/"}
#: HTTP statuses worth retrying: the server is overloaded, restarting or behind a failing gateway.
RETRIED = frozenset({429, 500, 502, 503, 504})
#: Attempts of one HEAD request, and the first delay between them (doubled each time).
ATTEMPTS, FIRST_DELAY_S = 4, 0.5
#: Attempts of one HEAD request that time out: a server silent for a whole timeout twice is down.
TIMEOUT_ATTEMPTS = 2
#: Seconds a HEAD request or a listing page may take.
REQUEST_TIMEOUT_S = 10


def remote_files(path: RemotePath, filename_glob: str) -> list[RemotePath]:
    """The rasters ``path`` names: the objects under an object-store prefix, else ``path`` itself.

    A prefix (``s3://bucket/scenes``, with or without the trailing slash) is listed
    recursively like a folder: only what lies under ``scenes/`` (not ``scenes-old/``),
    whose path relative to the prefix matches ``filename_glob`` (as :meth:`pathlib.Path.rglob`
    would), skipping partial downloads and the sidecars of other files (as a local folder).
    Each object listed carries its stamp. An HTTP URL is one file, stamped by a HEAD
    request; another GDAL virtual path (``/vsizip/``...) is one file without a stamp.

    Raises:
        FileNotFoundError: if no object or prefix, or no HTTP file, is there, naming the URL
            and the store's error or HTTP status.
        OSError: if the store or server fails otherwise, naming the URL and the error.
    """
    located = _store_location(path.url)
    http = path.url.removeprefix("/vsicurl/")
    if located is not None:
        files = _list_or_head(path.url, *located, filename_glob)
    elif http.startswith(("http://", "https://")):
        files = [RemotePath(path.url, http_stamp(http))]
    else:
        files = [path]
    for file in files:
        pin(file.url, file.stamp)
    return files


def _store_location(url: str) -> tuple[str, str, str] | None:
    """``(scheme, bucket, key)`` of an object-store URL or its GDAL virtual path, else None."""
    for scheme, prefix in STORES.items():
        for start in (f"{scheme}://", prefix):
            if url.startswith(start):
                bucket, _, key = url[len(start) :].partition("/")
                return scheme, bucket, key
    return None


def _list_or_head(
    url: str, scheme: str, bucket: str, key: str, filename_glob: str, store: ObjectStore | None = None
) -> list[RemotePath]:
    from obstore.exceptions import GenericError, NotFoundError

    try:
        store = object_store(scheme, bucket) if store is None else store
    except GenericError as error:  # a setting missing (Azure's account) or malformed
        reason = f"cannot make a client of the store: {_first_line(error)}; {_ANONYMOUS[scheme]}"
        raise OSError(f"{url}: {reason}") from error
    folder = key.rstrip("/")
    base = url[: len(url) - len(key)] + folder
    named = bool(key) and not key.endswith("/")
    try:
        listed = [meta for page in store.list(f"{folder}/" if folder else None) for meta in page]
    except (NotFoundError, FileNotFoundError) as error:
        raise FileNotFoundError(errno.ENOENT, f"{url}: no such bucket or prefix ({_first_line(error)})") from error
    except Exception as error:
        regional = _in_bucket_region(store, scheme, bucket)
        if regional is not None:
            return _list_or_head(url, scheme, bucket, key, filename_glob, regional)
        failure = OSError(f"{url}: listing failed: {type(error).__name__}: {_first_line(error)}")
        if _asked_instance_metadata(error):
            failure = OSError(
                f"{url}: listing failed: {_no_credentials(scheme)} ({_first_line(error)}); {_ANONYMOUS[scheme]}"
            )
        if not named:
            raise failure from error
        # Listing may be denied where reading is granted (s3:GetObject without s3:ListBucket): an object
        # named whole is then read as GDAL reads it, without a listing.
        try:
            return [RemotePath(url, _stamp_of(store.head(key)))]
        except (NotFoundError, FileNotFoundError) as missing:
            raise FileNotFoundError(
                errno.ENOENT,
                f"{url}: no such object ({_first_line(missing)}), and listing it as a prefix failed: "
                f"{_first_line(error)}",
            ) from error
        except Exception as refused:
            failure.add_note(f"HEAD of the object failed too: {type(refused).__name__}: {_first_line(refused)}")
            raise failure from refused
    if listed:
        return _matching(listed, folder, base, filename_glob)
    if not named:
        raise FileNotFoundError(errno.ENOENT, f"{url}: no object under this prefix")
    try:
        meta = store.head(key)
    except (NotFoundError, FileNotFoundError) as error:
        raise FileNotFoundError(errno.ENOENT, f"{url}: no such object or prefix ({_first_line(error)})") from error
    except Exception as error:
        raise OSError(f"{url}: HEAD failed: {type(error).__name__}: {_first_line(error)}") from error
    return [RemotePath(url, _stamp_of(meta))]


def _in_bucket_region(store: ObjectStore, scheme: str, bucket: str) -> ObjectStore | None:
    """A client of the bucket's own region, when S3 names another than ``store`` signs for; else None.

    S3 refuses a request signed for another region than the bucket's (the listing client does not follow
    the region S3 names, as GDAL does), so the bucket's region is asked (:func:`bucket_region`).
    """
    region = bucket_region(bucket, REQUEST_TIMEOUT_S) if scheme == "s3" else None
    return None if region is None or region == _region_of(store) else object_store(scheme, bucket, region)


def _region_of(store: ObjectStore) -> str:
    """The region an S3 client signs for."""
    config = getattr(store, "config", None) or {}
    return str(config.get("region") or configured_region())


def _asked_instance_metadata(error: BaseException) -> bool:
    """Whether the store failed asking the EC2 instance metadata service: its last resort for credentials."""
    return any(address in str(error) for address in ("169.254.169.254", "[fd00:ec2::254]"))


#: What to set for a public bucket or container (GDAL's names, which the listing reads too), else which credentials.
_ANONYMOUS = {
    "s3": "for a public bucket set AWS_NO_SIGN_REQUEST=YES, else give keys (AWS_ACCESS_KEY_ID and "
    "AWS_SECRET_ACCESS_KEY, or AWS_PROFILE)",
    "gs": "for a public bucket set GS_NO_SIGN_REQUEST=YES, else give credentials (GOOGLE_APPLICATION_CREDENTIALS)",
    "az": "give the storage account (AZURE_STORAGE_ACCOUNT), with AZURE_NO_SIGN_REQUEST=YES for a public container, "
    "else with AZURE_STORAGE_ACCESS_KEY (or AZURE_STORAGE_SAS_TOKEN), or a connection string naming it "
    "(AZURE_STORAGE_CONNECTION_STRING, AccountName=...)",
}


def _no_credentials(scheme: str) -> str:
    """That no credentials of ``scheme``'s store were found, and its cloud's metadata service gave none either."""
    if scheme == "s3":
        return (
            f"no AWS credentials were found (no AWS_ACCESS_KEY_ID, no keys for profile {profile_name()!r} in "
            f"{credentials_file()} or {config_file()}), and the EC2 instance metadata service asked instead did "
            "not give any"
        )
    if scheme == "gs":
        return (
            "no Google credentials were found (no GOOGLE_APPLICATION_CREDENTIALS, no service account), and the "
            "GCE metadata server asked instead did not give any"
        )
    return "no Azure credentials were found, and the Azure instance metadata service asked instead did not give any"


def _first_line(error: BaseException) -> str:
    """The store's message without the debug dump obstore appends (it holds the URL and status)."""
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__


def _matching(listed: list[ObjectMeta], folder: str, base: str, filename_glob: str) -> list[RemotePath]:
    """The listed objects matching the glob, without partial downloads and sidecars of other objects."""
    relative = {meta["path"][len(folder) + 1 if folder else 0 :]: meta for meta in listed}
    by_folder: dict[str, list[str]] = {}
    for name in relative:
        parent, _, leaf = name.rpartition("/")
        by_folder.setdefault(parent, []).append(leaf)
    sidecars = {
        f"{parent}/{sidecar}" if parent else sidecar
        for parent, names in by_folder.items()
        for owned in sidecars_by_file(names).values()
        for sidecar in owned
    }
    return [
        RemotePath(f"{base}/{name}", _stamp_of(meta))
        for name, meta in sorted(relative.items())
        if name not in sidecars
        and not any(map(is_partial, name.split("/")))
        and PurePosixPath(name).match(filename_glob)
    ]


def _stamp_of(meta: ObjectMeta) -> Stamp:
    return meta["e_tag"] or "", meta["last_modified"].isoformat(), meta["size"]


def _truthy(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


def object_store(scheme: str, bucket: str, region: str | None = None) -> ObjectStore:
    """An obstore client of ``bucket``, configured from the environment as GDAL is.

    The SDK variables (``AWS_ENDPOINT_URL_S3``, ``AWS_ENDPOINT_URL``, ``AWS_ALLOW_HTTP``,
    ``AWS_ACCESS_KEY_ID``, ``AWS_REGION``... and the GCS and Azure ones) are read by obstore;
    where only GDAL's are set, ``AWS_S3_ENDPOINT`` with ``AWS_HTTPS`` gives the endpoint,
    ``AWS_VIRTUAL_HOSTING`` the addressing style and ``AWS_NO_SIGN_REQUEST`` anonymous access. Keys and
    region the environment does not give come from the AWS profile's files (``~/.aws/credentials`` and
    ``~/.aws/config``, ``$AWS_PROFILE``), as GDAL and the SDKs take them; a profile's role or SSO through
    boto3 (:func:`geotorch.core.aws_profile.profile_credentials`). For GCS and Azure, GDAL's
    ``GS_NO_SIGN_REQUEST``, ``CPL_GS_ENDPOINT``, ``AZURE_STORAGE_CONNECTION_STRING``, ``AZURE_NO_SIGN_REQUEST``
    and ``AZURE_STORAGE_ACCOUNT`` too (:func:`_gcs_settings`, :func:`~geotorch.core.azure_settings.azure_settings`).

    Args:
        scheme: ``s3``, ``gs`` or ``az``.
        bucket: the bucket (or container).
        region: the S3 region to sign for, over what the environment and profile say.

    Raises:
        ValueError: if ``$AWS_PROFILE`` names a profile the files do not have, or one whose role or SSO
            credentials cannot be had (naming it).
        obstore.exceptions.GenericError: if a setting the store needs is missing or malformed (Azure's account).
    """
    from obstore.store import from_url

    client: ClientConfig = {"connect_timeout": f"{REQUEST_TIMEOUT_S}s", "timeout": f"{REQUEST_TIMEOUT_S}s"}
    retry: RetryConfig = {
        "max_retries": ATTEMPTS - 1,
        "backoff": {"init_backoff": timedelta(seconds=FIRST_DELAY_S), "max_backoff": timedelta(seconds=4), "base": 2},
        "retry_timeout": timedelta(seconds=20),
    }
    if scheme == "gs":
        return from_url(f"gs://{bucket}", config=_gcs_settings(client), client_options=client, retry_config=retry)
    if scheme == "az":
        return from_url(f"az://{bucket}", config=azure_settings(client), client_options=client, retry_config=retry)
    config: S3Config = {}
    endpoint, virtual = s3_endpoint()
    if virtual is not None:
        config["virtual_hosted_style_request"] = virtual
    if endpoint:
        config["endpoint"] = endpoint
        client["allow_http"] = endpoint.startswith("http://") or _truthy("AWS_ALLOW_HTTP")
    if _truthy("AWS_NO_SIGN_REQUEST") or _truthy("AWS_SKIP_SIGNATURE"):
        config["skip_signature"] = True
    else:
        config.update(profile_settings())
    provider = None
    if "access_key_id" not in config and "skip_signature" not in config and not os.environ.get("AWS_ACCESS_KEY_ID"):
        provider = profile_credentials()
    if region is not None:
        config["region"] = region
    return from_url(
        f"{scheme}://{bucket}", config=config, client_options=client, retry_config=retry, credential_provider=provider
    )


def _gcs_settings(client: ClientConfig) -> GCSConfig:
    """The settings of obstore's GCS client that GDAL's variables alone give (obstore's own win where set).

    ``GS_NO_SIGN_REQUEST``: anonymous access (``skip_signature``); ``CPL_GS_ENDPOINT``: the service's
    address (``base_url``, HTTP allowed in ``client`` for an ``http://`` one).
    """
    settings: GCSConfig = {}
    endpoint = os.environ.get("CPL_GS_ENDPOINT", "").strip().rstrip("/")
    if endpoint and not os.environ.get("GOOGLE_BASE_URL"):
        settings["base_url"] = endpoint
        client["allow_http"] = endpoint.startswith("http://")
    if _truthy("GS_NO_SIGN_REQUEST"):
        settings["skip_signature"] = True
    return settings


def http_stamp(url: str) -> Stamp | None:
    """The ETag, Last-Modified and size of an HTTP file, by one HEAD request (retried on 5xx, a timeout once).

    Where HEAD is refused (a presigned S3 or GCS URL, signed for GET alone; a server without HEAD),
    or the URL is signed for GET alone, a GET of the first byte tells them instead
    (:func:`geotorch.core.http_headers.file_headers`), as GDAL reads such files.

    Returns:
        The stamp, or None if the server gives no validator (the file is then read at every construction).

    Raises:
        FileNotFoundError: on HTTP 404 or 410, naming the URL and the status. Messages show the URL without
            the values of its credentials (:func:`geotorch.core.url_secrets.redacted`).
        OSError: on another error status (after retries for 429 and 5xx) or a failed
            connection, naming the URL and the status or error; if the server sends no answer within
            :data:`REQUEST_TIMEOUT_S` twice (the first time is a warning); if the server sends other bytes than
            a range asks for (:func:`_check_ranges`), or sends the file with a Content-Encoding.
    """
    shown = redacted(url)  # messages reach logs: no signature or token in them
    timeouts = 0
    for attempt in range(ATTEMPTS):
        try:
            headers, size = file_headers(request_url(url), {}, REQUEST_TIMEOUT_S)
            break
        except urllib.error.HTTPError as error:
            if error.code in (404, 410):
                raise FileNotFoundError(errno.ENOENT, f"{shown}: HTTP {error.code} {error.reason}") from error
            if error.code not in RETRIED or attempt == ATTEMPTS - 1:
                raise OSError(f"{shown}: HTTP {error.code} {error.reason}") from error
        except (urllib.error.URLError, OSError) as error:
            reason = error.reason if isinstance(error, urllib.error.URLError) else error
            if isinstance(reason, TimeoutError):
                timeouts += 1
                _silent(shown, timeouts, last=timeouts == TIMEOUT_ATTEMPTS or attempt == ATTEMPTS - 1, error=error)
            elif attempt == ATTEMPTS - 1:
                raise OSError(f"{shown}: request failed: {reason}") from error
        time.sleep(FIRST_DELAY_S * 2**attempt)
    coding = headers.get("Content-Encoding", "identity").strip().lower()
    if coding not in ("", "identity"):
        raise OSError(
            f"{shown}: the server sends the file with Content-Encoding {coding!r} (stored compressed, as S3 serves an "
            "object uploaded with that metadata), so byte ranges of it hold compressed bytes, in which GDAL finds "
            "no raster; store or serve the file without a Content-Encoding"
        )
    _check_ranges(url)
    etag, modified = headers.get("ETag", ""), headers.get("Last-Modified", "")
    if not etag and not modified:
        return None
    return etag, modified, -1 if size is None else size


def _silent(url: str, timeouts: int, last: bool, error: OSError) -> None:
    """Say that ``url``'s server sent no answer within a timeout: a warning the first time, an error the last.

    ``url`` is given as messages show it (:func:`geotorch.core.url_secrets.redacted`).

    Raises:
        OSError: if ``last``, naming the URL, the timeout and how many times it passed.
    """
    if last:
        times = "twice" if timeouts == 2 else f"{timeouts} times"
        raise OSError(
            f"{url}: the server sent no answer within {REQUEST_TIMEOUT_S} s, {times}: it is down or overloaded, or "
            "something between drops the request; check the URL and retry later"
        ) from error
    if timeouts == 1:
        warnings.warn(f"{url}: no answer within {REQUEST_TIMEOUT_S} s; asking once more", stacklevel=4)


#: Hosts (``scheme://host:port``) whose answers to a range request were checked in this process.
_ranges_checked: set[str] = set()


def _check_ranges(url: str) -> None:
    """Refuse a server that answers a range request with other bytes (:func:`~geotorch.core.http_headers.range_fault`).

    Asked once per host and process: a server, or the cache in front of it, answers every file alike.

    Raises:
        OSError: naming the URL and the server's answer.
    """
    parts = urllib.parse.urlsplit(url)
    host = f"{parts.scheme}://{parts.netloc}"
    if host in _ranges_checked:
        return
    fault = range_fault(request_url(url), REQUEST_TIMEOUT_S)
    if fault is not None:
        raise OSError(
            f"{redacted(url)}: the server sends other bytes than a range request asks for ({fault}); GDAL reads "
            "rasters range by range and would place those bytes where the asked ones belong: download the file "
            "(geotorch.core.download_url) or serve it from a server that honours ranges"
        )
    _ranges_checked.add(host)
