"""Downloading dataset and weight files over HTTP(S), verified by checksum and moved into place atomically."""

from __future__ import annotations

import hashlib
import http.client
import os
import secrets
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from tqdm import tqdm

from geotorch.core.archive import extract_archive

_CHUNK_BYTES = 1 << 20
_TIMEOUT_S = 60.0
# Some hosts refuse urllib's default "Python-urllib/x.y" agent.
_USER_AGENT = "geotorch (+https://github.com/geotorch/geotorch)"


class ChecksumError(ValueError):
    """A file's checksum differs from the expected one: the download was damaged or the checksum is wrong.

    Attributes:
        path: The file whose checksum was checked.
        algorithm: ``"md5"`` or ``"sha256"``.
        expected: The checksum the caller asked for.
        actual: The checksum of the bytes received.
    """

    def __init__(self, path: str | Path, algorithm: str, expected: str, actual: str) -> None:
        super().__init__(
            f"{path}: {algorithm} checksum mismatch, expected {expected} but its bytes have {actual}; "
            "the file was not kept. Retry the download; if it fails again, the expected checksum is outdated"
        )
        self.path = str(path)
        self.algorithm = algorithm
        self.expected = expected
        self.actual = actual

    def __reduce__(self) -> tuple[type[ChecksumError], tuple[str, str, str, str]]:
        return type(self), (self.path, self.algorithm, self.expected, self.actual)


class DownloadError(OSError):
    """A URL could not be fetched completely (HTTP error, unreachable host, connection cut short).

    Attributes:
        url: The URL that failed.
        reason: What went wrong.
    """

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason

    def __reduce__(self) -> tuple[type[DownloadError], tuple[str, str]]:
        return type(self), (self.url, self.reason)


def calculate_md5(path: str | Path) -> str:
    """The MD5 checksum of a file, read in chunks.

    Args:
        path: The file to hash.

    Returns:
        The lower-case hexadecimal digest.
    """
    return _file_digest(Path(path), "md5")


def calculate_sha256(path: str | Path) -> str:
    """The SHA-256 checksum of a file, read in chunks.

    Args:
        path: The file to hash.

    Returns:
        The lower-case hexadecimal digest.
    """
    return _file_digest(Path(path), "sha256")


def _file_digest(path: Path, algorithm: str) -> str:
    with open(path, "rb") as stream:
        return hashlib.file_digest(stream, lambda: _new_hasher(algorithm)).hexdigest()


def _new_hasher(algorithm: str) -> hashlib._Hash:
    # Checksums here guard integrity, not security; the flag keeps md5 usable on FIPS-mode systems.
    return hashlib.new(algorithm, usedforsecurity=False)


def check_integrity(path: str | Path, md5: str | None = None, sha256: str | None = None) -> bool:
    """Whether a file exists and matches every checksum given.

    Args:
        path: The file to check.
        md5: Expected MD5 checksum (hexadecimal, any case), or None to skip.
        sha256: Expected SHA-256 checksum (hexadecimal, any case), or None to skip.

    Returns:
        True if ``path`` is a file and matches the given checksums (any existing file when none is given).
    """
    path = Path(path)
    if not path.is_file():
        return False
    if md5 is not None and calculate_md5(path) != md5.lower():
        return False
    return sha256 is None or calculate_sha256(path) == sha256.lower()


def download_url(
    url: str,
    root: str | Path,
    filename: str | None = None,
    md5: str | None = None,
    sha256: str | None = None,
    progress: bool = True,
) -> Path:
    """Download ``url`` into ``root``, verify it, and only then give it its final name.

    The body streams into a hidden ``.<filename>.part-<random>`` file next to the target, which is renamed
    into place (``os.replace``) once complete and verified. Any failure, ``KeyboardInterrupt`` included,
    removes the partial file, so a file at the target is always a complete download. A target already
    present and matching the checksums is not fetched again; one that does not match is deleted and
    downloaded again.

    Args:
        url: The http(s) URL to fetch.
        root: The folder to save into, created if missing.
        filename: The name to save as. Defaults to the last component of the URL's path.
        md5: Expected MD5 checksum (hexadecimal), verified if given.
        sha256: Expected SHA-256 checksum (hexadecimal), verified if given.
        progress: Whether to show a progress bar on stderr.

    Returns:
        The path of the downloaded file.

    Raises:
        ValueError: If ``filename`` is not given and the URL's path does not end in a file name.
        DownloadError: If the server answers with an HTTP error, cannot be reached, or sends fewer bytes
            than its Content-Length announced; the message names the URL.
        ChecksumError: If the received bytes do not match ``md5`` or ``sha256``; the message names the file
            and both checksums.
    """
    target = Path(root).expanduser() / (filename or _filename_from_url(url))
    if check_integrity(target, md5, sha256):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    # A damaged copy goes now, so that a failed retry leaves nothing behind rather than a bad file.
    target.unlink(missing_ok=True)
    expected = {name: value.lower() for name, value in (("md5", md5), ("sha256", sha256)) if value is not None}
    partial = target.with_name(f".{target.name}.part-{secrets.token_hex(4)}")
    try:
        actual = _fetch(url, partial, target.name, expected.keys(), progress)
        for algorithm, checksum in expected.items():
            if actual[algorithm] != checksum:
                raise ChecksumError(target, algorithm, checksum, actual[algorithm])
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return target


def _filename_from_url(url: str) -> str:
    name = PurePosixPath(urllib.parse.unquote(urllib.parse.urlsplit(url).path)).name
    if name in ("", ".", ".."):
        raise ValueError(f"{url}: the URL's path does not end in a file name; pass filename=... to download_url")
    return name


def _fetch(url: str, partial: Path, label: str, algorithms: Iterable[str], progress: bool) -> dict[str, str]:
    """Stream ``url`` into the new file ``partial``, returning the checksums named in ``algorithms``."""
    hashers = {name: _new_hasher(name) for name in algorithms}
    received = 0
    request = urllib.request.Request(url, headers={"User-Agent": _USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=_TIMEOUT_S) as response:
            announced = _content_length(response.headers.get("Content-Length"))
            with (
                open(partial, "xb") as out,
                tqdm(
                    total=announced,
                    desc=label,
                    unit="B",
                    unit_scale=True,
                    unit_divisor=1024,
                    disable=not progress,
                ) as bar,
            ):
                while chunk := response.read(_CHUNK_BYTES):
                    out.write(chunk)
                    for hasher in hashers.values():
                        hasher.update(chunk)
                    received += len(chunk)
                    bar.update(len(chunk))
                out.flush()
                # Without fsync, a crash after the rename could leave an empty or partial file under the final name.
                os.fsync(out.fileno())
    except urllib.error.HTTPError as err:
        err.close()
        raise DownloadError(url, f"the server answered HTTP {err.code} {err.reason}") from err
    except urllib.error.URLError as err:
        raise DownloadError(url, f"could not connect ({err.reason}); check the URL and your network") from err
    except (http.client.HTTPException, ConnectionError, TimeoutError) as err:
        raise DownloadError(url, f"the connection failed after {received} bytes ({err!r}); retry") from err
    if announced is not None and received != announced:
        raise DownloadError(url, f"received {received} of {announced} bytes announced; the connection was cut, retry")
    return {name: hasher.hexdigest() for name, hasher in hashers.items()}


def _content_length(header: str | None) -> int | None:
    try:
        return int(header) if header is not None else None
    except ValueError:
        return None


def download_and_extract_archive(
    url: str,
    download_root: str | Path,
    extract_root: str | Path | None = None,
    filename: str | None = None,
    md5: str | None = None,
    sha256: str | None = None,
    progress: bool = True,
) -> Path:
    """Download an archive with :func:`download_url`, then unpack it with :func:`extract_archive`.

    Args:
        url: The http(s) URL of the archive.
        download_root: The folder to save the archive into.
        extract_root: The folder to extract into. Defaults to ``download_root``.
        filename: The name to save the archive as. Defaults to the last component of the URL's path.
        md5: Expected MD5 checksum of the archive, verified if given.
        sha256: Expected SHA-256 checksum of the archive, verified if given.
        progress: Whether to show a progress bar on stderr.

    Returns:
        The folder the archive was extracted into.

    Raises:
        DownloadError: If the archive could not be fetched completely.
        ChecksumError: If the archive does not match ``md5`` or ``sha256``.
        ValueError: If the file is not a supported archive or a member would land outside ``extract_root``.
    """
    archive = download_url(url, download_root, filename, md5=md5, sha256=sha256, progress=progress)
    return extract_archive(archive, download_root if extract_root is None else extract_root)
