"""Downloads of ``file:`` URLs: a local file copied and hashed as a download's body is, as urllib fetches them."""

from __future__ import annotations

import urllib.parse
import urllib.request
from pathlib import Path
from typing import BinaryIO

from geotorch.core.errors import DownloadError
from geotorch.core.transfer import Body, new_hasher

_CHUNK_BYTES = 1 << 20


def copy_file_url(url: str, out: BinaryIO, algorithms: tuple[str, ...] | set[str]) -> Body:
    """Copy the local file ``url`` names into ``out`` (emptied first), with the checksums of its bytes.

    Args:
        url: A ``file:`` URL (``file:///data/scene.tif`` or ``file://localhost/...``), percent-encoded.
        out: The partial file, open for writing.
        algorithms: The checksums to compute (``"md5"``, ``"sha256"``).

    Returns:
        The body: whole (a local file's end is its end).

    Raises:
        ValueError: If the URL names a file on another host.
        DownloadError: If the file cannot be read, naming the URL and the reason.
    """
    parts = urllib.parse.urlsplit(url)
    if parts.netloc not in ("", "localhost"):
        raise ValueError(
            f"download_url: {url!r} names a file on host {parts.netloc!r}; mount its share and pass the local path's "
            "file: URL (Path.as_uri())"
        )
    source = Path(urllib.request.url2pathname(parts.path))
    hashers = {name: new_hasher(name) for name in algorithms}
    out.seek(0)
    out.truncate()
    try:
        with open(source, "rb") as stream:
            while chunk := stream.read(_CHUNK_BYTES):
                out.write(chunk)
                for hasher in hashers.values():
                    hasher.update(chunk)
    except (IsADirectoryError, FileNotFoundError, PermissionError) as err:
        raise DownloadError(url, f"cannot read {source}: {err.strerror}") from err
    out.flush()
    return Body(url, out.tell(), True, {name: hasher.hexdigest() for name, hasher in hashers.items()})
