"""What an HTTP server says of a file without sending it: a HEAD request, else a GET of its first byte.

A HEAD request is refused for many files that a GET reads: a presigned S3 or GCS URL is signed for
GET alone (S3 answers HEAD ``403 Forbidden``), and some servers have no HEAD (``405``, ``501``). GDAL
reads such files with GETs, so their headers are asked the same way: a GET of ``Range: bytes=0-0``,
whose answer carries the file's ETag and Last-Modified, and its size in ``Content-Range``; the body
is not read.

GDAL then reads the file range by range and takes the body of each ``206 Partial Content`` for the bytes it
asked, whatever its Content-Range says; :func:`range_fault` asks one range to tell a server (or a cache in
front of it) that answers with a range of another start.
"""

from __future__ import annotations

import http.client
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from email.message import Message

from geotorch.core.http_credentials import OPENER, gdal_headers

#: Statuses of a server refusing HEAD for a file it may serve to GET.
HEAD_REFUSED = frozenset({403, 405, 501})
_TOTAL = re.compile(r"bytes\s+[0-9]+-[0-9]+/([0-9]+)", re.IGNORECASE)
_FIRST = re.compile(r"bytes\s+([0-9]+)-[0-9]+/(?:[0-9]+|\*)", re.IGNORECASE)


def signed_for_get(url: str) -> bool:
    """Whether ``url`` is signed for GET alone (a presigned S3 or GCS URL), as GDAL tells them apart."""
    query = {name.lower() for name in urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)}
    return bool({"x-amz-signature", "x-goog-signature"} & query) or {"signature", "expires"} <= query


def file_headers(url: str, headers: Mapping[str, str], timeout_s: float) -> tuple[Message, int | None]:
    """The headers an HTTP server answers for the file at ``url``, and the file's size, without its body.

    A HEAD request, or where HEAD is refused (:data:`HEAD_REFUSED`) or the URL is signed for GET alone
    (:func:`signed_for_get`), a GET of the first byte.

    Args:
        url: the URL as sent on the wire (percent-encoded).
        headers: request headers to send too (e.g. the ``If-Match`` a file is pinned with), beside those
            GDAL is configured to send (:func:`geotorch.core.http_credentials.gdal_headers`).
        timeout_s: seconds to wait for the server.

    Returns:
        The response headers (``ETag``, ``Last-Modified``...) and the size in bytes, None when the server
        does not say it.

    Raises:
        urllib.error.HTTPError: for an error status (the GET's, when HEAD was refused).
        urllib.error.URLError, OSError: if the server cannot be reached.
    """
    headers = {**gdal_headers(), **headers}
    if not signed_for_get(url):
        try:
            head = urllib.request.Request(url, headers=headers, method="HEAD")
            with OPENER.open(head, timeout=timeout_s) as response:
                return response.headers, _size(response.headers.get("Content-Length"))
        except urllib.error.HTTPError as refusal:
            refusal.close()
            if refusal.code not in HEAD_REFUSED:
                raise
    request = urllib.request.Request(url, headers={**headers, "Range": "bytes=0-0"})
    # Leaving the block without reading the body closes the connection: a server ignoring Range sends no more.
    with OPENER.open(request, timeout=timeout_s) as response:
        if response.status == 206:
            total = _TOTAL.fullmatch((response.headers.get("Content-Range") or "").strip())
            return response.headers, None if total is None else int(total[1])
        return response.headers, _size(response.headers.get("Content-Length"))


def range_fault(url: str, timeout_s: float) -> str | None:
    """How the server answering ``url`` sends other bytes than a range asks for; None if it sends those asked.

    One GET of the file's second byte (``Range: bytes=1-1``), its body not read: a ``206`` whose
    Content-Range starts elsewhere (a range rounded to the server's blocks: ``bytes 0-65535/...``) or is
    missing is a fault, as GDAL would place the bytes it gets at the offset it asked for (pixels from
    elsewhere in the file, without an error). A ``200`` (ranges ignored: GDAL refuses the file itself), an
    error status or no answer tells nothing.

    Args:
        url: the URL as sent on the wire (percent-encoded).
        timeout_s: seconds to wait for the server.

    Returns:
        What the server answered, in words, or None.
    """
    request = urllib.request.Request(url, headers={**gdal_headers(), "Range": "bytes=1-1"})
    try:
        with OPENER.open(request, timeout=timeout_s) as response:
            if response.status != 206:
                return None
            value = (response.headers.get("Content-Range") or "").strip()
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError):
        return None
    first = _FIRST.fullmatch(value)
    if first is not None and int(first[1]) == 1:
        return None
    return f"it answers a request for byte 1 with 206 Partial Content of Content-Range {value!r}"


def _size(value: str | None) -> int | None:
    return int(value) if value is not None and value.strip().isdigit() else None
