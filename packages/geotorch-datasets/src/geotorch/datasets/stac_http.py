"""Fetching a STAC GeoParquet table over HTTP(S): whole, within a time limit, its failures naming the URL."""

from __future__ import annotations

import gzip
import http.client
import urllib.error
import urllib.parse
import urllib.request
import zlib

from geotorch.core import redacted, shown_cause

#: Seconds the server may stay silent (connecting, or between two parts of the body) before the fetch fails.
TIMEOUT_S = 60.0
# Identity asks for the table's bytes as stored; urllib would not decode another coding, which a server still
# sends for a file stored compressed (S3 serves an object uploaded with Content-Encoding metadata so): see _decoded.
_HEADERS = {"Accept-Encoding": "identity", "User-Agent": "geotorch"}


def fetch_table(url: str) -> bytes:
    """The bytes of the table at the http(s) ``url``, checked whole against the announced length.

    Spaces and letters a URL cannot hold are percent-encoded (escapes already there are kept).

    Args:
        url: the table's URL (a signed query is sent as given).

    Returns:
        The body.

    Raises:
        FileNotFoundError: if the server answers 404 or 410, naming the URL. Messages show the URL without the
            values of its credentials (:func:`geotorch.core.redacted`): a signed table's URL reaches no log.
        OSError: if the server answers another error, cannot be reached, stays silent for
            :data:`TIMEOUT_S` or cuts the body short, or sends it in a content coding other than
            gzip and deflate (decoded) or one that does not decode, naming the URL and what happened.
    """
    sent = urllib.parse.quote(url, safe="!#$%&'()*+,/:;=?@[]~")
    shown = redacted(url)  # messages reach logs: no signature or token in them
    request = urllib.request.Request(sent, headers=_HEADERS)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
            return _decoded(bytes(response.read()), response.headers.get("Content-Encoding"), shown)
    except urllib.error.HTTPError as error:
        error.close()
        message = f"STACDataset: no STAC GeoParquet table at {shown}: HTTP {error.code} {error.reason}"
        raise (FileNotFoundError if error.code in (404, 410) else OSError)(message) from error
    except urllib.error.URLError as error:
        raise OSError(f"STACDataset: cannot reach {shown}: {error.reason}") from error
    except http.client.IncompleteRead as error:
        raise OSError(
            f"STACDataset: the table at {shown} was cut short ({len(error.partial)} bytes received, "
            f"{error.expected} more announced); retry"
        ) from error
    except (TimeoutError, http.client.HTTPException, OSError) as error:
        message = redacted(f"STACDataset: fetching the table at {shown} failed: {error!r}; retry")
        raise OSError(message) from shown_cause(error)


def _decoded(body: bytes, coding: str | None, url: str) -> bytes:
    """``body`` undone of each content coding the server applied (``Content-Encoding``, listed in order applied).

    ``url`` is given as messages show it (:func:`geotorch.core.redacted`).

    Raises:
        OSError: for a coding other than gzip, deflate and identity, or a body that does not decode, naming it.
    """
    for name in reversed([part.strip().lower() for part in (coding or "").split(",") if part.strip()]):
        if name == "identity":
            continue
        if name not in ("gzip", "x-gzip", "deflate"):
            raise OSError(
                f"STACDataset: the table at {url} is sent with Content-Encoding {name!r}, which is not decoded "
                "here (gzip and deflate are); store or serve it without that coding"
            )
        try:
            if name == "deflate":
                # HTTP's deflate is zlib-wrapped (first byte 0x78); some servers send the raw stream.
                body = zlib.decompress(body) if body[:1] == b"\x78" else zlib.decompress(body, -zlib.MAX_WBITS)
            else:
                body = gzip.decompress(body)
        except (OSError, EOFError, zlib.error) as error:
            raise OSError(
                f"STACDataset: the table at {url} is sent with Content-Encoding {name!r} but does not decode as "
                f"such ({error}); retry, or store it without that coding"
            ) from error
    return body
