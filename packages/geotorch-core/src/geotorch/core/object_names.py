"""The one name of a stored object, whichever URL or GDAL virtual path reaches it.

An object in S3 is ``s3://bucket/key``, ``/vsis3/bucket/key``, and over HTTP(S)
``https://bucket.s3.amazonaws.com/key``, ``https://bucket.s3.eu-west-1.amazonaws.com/key`` or
``https://s3.eu-west-1.amazonaws.com/bucket/key`` (path style), or the same at the S3 endpoint the
environment names (``AWS_ENDPOINT_URL``: MinIO, Ceph, a local server); one in GCS is ``gs://bucket/key``,
``/vsigs/bucket/key`` and ``https://storage.googleapis.com/bucket/key``. Paths given in several of
these forms name one file, indexed and read once.
"""

from __future__ import annotations

import re
import urllib.parse

from geotorch.core.s3_region import s3_endpoint

#: GDAL's virtual file systems of object stores, by URL scheme.
_STORES = {"/vsis3/": "s3", "/vsigs/": "gs", "/vsiaz/": "az"}
#: AWS's S3 hosts: virtual-hosted (``bucket.s3[.-]region.amazonaws.com``) or path style (``s3[.-]region...``).
_S3_VIRTUAL = re.compile(r"(?P<bucket>.+)\.s3(?:[.-][a-z0-9-]+)*\.amazonaws\.com(?:\.cn)?", re.IGNORECASE)
_S3_PATH = re.compile(r"s3(?:[.-][a-z0-9-]+)*\.amazonaws\.com(?:\.cn)?", re.IGNORECASE)
_GCS_HOSTS = frozenset({"storage.googleapis.com", "storage.cloud.google.com"})


def object_name(path: str) -> str:
    """``path``'s object as ``scheme://bucket/key`` where it is an object-store object, else ``path`` itself.

    HTTP(S) URLs with a query string (a presigned URL, a version) or a user are left as they are: they
    may name another version, or be read with other credentials.

    Args:
        path: a URL or GDAL virtual path (``/vsicurl/`` URLs included).

    Returns:
        ``s3://bucket/key``, ``gs://bucket/key`` or ``az://container/blob``, the key percent-decoded; or ``path``.
    """
    for prefix, scheme in _STORES.items():
        if path.startswith(prefix):
            return f"{scheme}://{path.removeprefix(prefix)}"
    url = path.removeprefix("/vsicurl/")
    parts = urllib.parse.urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or parts.query or parts.username or not parts.hostname:
        return path
    host, key = parts.hostname, urllib.parse.unquote(parts.path)
    endpoint, virtual = s3_endpoint()
    if endpoint is not None:
        served = urllib.parse.urlsplit(endpoint if "://" in endpoint else f"https://{endpoint}")
        base = served.path.rstrip("/")
        if parts.netloc.lower() == served.netloc.lower() and not virtual and key.startswith(f"{base}/"):
            return _named("s3", key[len(base) + 1 :], path)
        if virtual and served.hostname and host.lower().endswith(f".{served.hostname.lower()}"):
            return _named("s3", host[: -len(served.hostname) - 1] + key, path)
        return path
    hosted = _S3_VIRTUAL.fullmatch(host)
    if hosted is not None and not _S3_PATH.fullmatch(host):
        return _named("s3", hosted["bucket"] + key, path)
    if _S3_PATH.fullmatch(host):
        return _named("s3", key.lstrip("/"), path)
    if host.lower() in _GCS_HOSTS:
        return _named("gs", key.lstrip("/"), path)
    return path


def _named(scheme: str, bucket_and_key: str, path: str) -> str:
    """``scheme://bucket/key``, or ``path`` when ``bucket_and_key`` names no key in a bucket."""
    bucket, _, key = bucket_and_key.partition("/")
    return f"{scheme}://{bucket}/{key}" if bucket and key else path
