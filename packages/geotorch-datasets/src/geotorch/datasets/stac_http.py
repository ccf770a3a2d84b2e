"""Fetching a STAC GeoParquet table over HTTP(S): whole, within a time limit, its failures naming the URL."""

from __future__ import annotations

import http.client
import urllib.error
import urllib.parse
import urllib.request

#: Seconds the server may stay silent (connecting, or between two parts of the body) before the fetch fails.
TIMEOUT_S = 60.0
# Identity asks for the table's bytes as stored; urllib would not decode another coding.
_HEADERS = {"Accept-Encoding": "identity", "User-Agent": "geotorch"}


def fetch_table(url: str) -> bytes:
    """The bytes of the table at the http(s) ``url``, checked whole against the announced length.

    Spaces and letters a URL cannot hold are percent-encoded (escapes already there are kept).

    Args:
        url: the table's URL (a signed query is sent as given).

    Returns:
        The body.

    Raises:
        FileNotFoundError: if the server answers 404 or 410, naming the URL.
        OSError: if the server answers another error, cannot be reached, stays silent for
            :data:`TIMEOUT_S` or cuts the body short, naming the URL and what happened.
    """
    sent = urllib.parse.quote(url, safe="!#$%&'()*+,/:;=?@[]~")
    request = urllib.request.Request(sent, headers=_HEADERS)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_S) as response:
            return bytes(response.read())
    except urllib.error.HTTPError as error:
        error.close()
        message = f"STACDataset: no STAC GeoParquet table at {url}: HTTP {error.code} {error.reason}"
        raise (FileNotFoundError if error.code in (404, 410) else OSError)(message) from error
    except urllib.error.URLError as error:
        raise OSError(f"STACDataset: cannot reach {url}: {error.reason}") from error
    except http.client.IncompleteRead as error:
        raise OSError(
            f"STACDataset: the table at {url} was cut short ({len(error.partial)} bytes received, "
            f"{error.expected} more announced); retry"
        ) from error
    except (TimeoutError, http.client.HTTPException, OSError) as error:
        raise OSError(f"STACDataset: fetching the table at {url} failed: {error!r}; retry") from error
