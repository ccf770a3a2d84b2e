"""Where a STAC table's asset hrefs lead: URLs, ``file:`` URIs, and paths relative to the table's folder or URL."""

from __future__ import annotations

import os
import posixpath
import re
from urllib.parse import urlparse, urlunparse
from urllib.request import url2pathname


def is_url(path: str) -> bool:
    """Whether ``path`` is a URL (``scheme://``) rather than a local path or a GDAL ``/vsi`` path."""
    return re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]+://", path) is not None


def is_file_uri(path: str) -> bool:
    """Whether ``path`` is a ``file:`` URI: ``file:///a``, ``file://localhost/a``, or ``file:/a`` without authority."""
    return urlparse(path).scheme.lower() == "file"


def resolved_href(href: str, index_path: str) -> str:
    """``href`` made absolute: a relative one is taken from the table's folder (or URL), a ``file:`` URI a path.

    Raises:
        ValueError: for a ``file:`` URI naming another host than this one, naming it.
    """
    if is_file_uri(href):
        return file_path(href)
    if is_url(href) or href.startswith("/vsi") or os.path.isabs(href):
        return href
    if is_url(index_path) and not is_file_uri(index_path):
        # urljoin leaves hrefs of schemes it does not know (s3, gs, az) unjoined: join the paths instead.
        table = urlparse(index_path)
        path = posixpath.normpath(posixpath.join(posixpath.dirname(table.path), href))
        return urlunparse(table._replace(path=path, params="", query="", fragment=""))
    local_table = file_path(index_path) if is_file_uri(index_path) else index_path
    return os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(local_table)), href))


def file_path(uri: str) -> str:
    """The local path a ``file:`` URI names (``file:///data/my%20scene.tif`` -> ``/data/my scene.tif``).

    Raises:
        ValueError: if the URI names another host than this one (``file://server/share/a.tif``).
    """
    parts = urlparse(uri)
    if parts.netloc not in ("", "localhost"):
        raise ValueError(
            f"STACDataset: {uri} names a file on host {parts.netloc!r}; file: URIs (the table's, its asset "
            "hrefs) must name files of this machine (file:///path): mount the share and use its local paths"
        )
    return url2pathname(parts.path)
