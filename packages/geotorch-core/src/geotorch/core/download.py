"""Downloading dataset and weight files over HTTP(S), verified by checksum and moved into place atomically."""

from __future__ import annotations

import dataclasses
import errno
import hashlib
import os
import re
import urllib.parse
import warnings
from pathlib import Path

from geotorch.core.archive import archive_damage, extract_archive, extract_or_remove, is_archive
from geotorch.core.durable import flush_folder
from geotorch.core.errors import ChecksumError, DownloadCutError, DownloadError
from geotorch.core.file_urls import copy_file_url
from geotorch.core.partial import NAME_MAX, is_partial, partial_file, sweep
from geotorch.core.remote import request_url
from geotorch.core.resume import Version, read_version, write_version
from geotorch.core.retry import Retry
from geotorch.core.transfer import Body, fetch, new_hasher, split_login
from geotorch.core.url_secrets import redacted

_RETRY = Retry()
# A drive prefix, which Windows reads as a path elsewhere (``C:x`` is relative to drive C's own folder).
_DRIVE = re.compile(r"[A-Za-z]:")
_HEX_PREFIX = re.compile(r"[0-9A-Fa-f]{1,64}")
# What a file system answers a write it cannot hold: no space, a quota reached, a file size limit.
_FULL = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})


def calculate_md5(path: str | Path) -> str:
    """The MD5 checksum of a file, read in chunks.

    Args:
        path: The file to hash.

    Returns:
        The lower-case hexadecimal digest.
    """
    return _file_digest(Path(path), "md5")


def calculate_sha256(path: str | Path) -> str:
    """The SHA-256 checksum of a file, read in chunks (every byte is read: seconds for a checkpoint of a GB).

    Args:
        path: The file to hash.

    Returns:
        The lower-case hexadecimal digest (64 characters).

    Raises:
        OSError: if the file cannot be read (FileNotFoundError, IsADirectoryError, PermissionError).
    """
    return _file_digest(Path(path), "sha256")


def _file_digest(path: Path, algorithm: str) -> str:
    with open(path, "rb") as stream:
        return hashlib.file_digest(stream, lambda: new_hasher(algorithm)).hexdigest()


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
    *,
    sha256_prefix: str | None = None,
    retry: Retry | int | None = None,
) -> Path:
    """Download ``url`` into ``root``, verify it, and only then give it its final name.

    The body streams into a hidden ``.<filename>.part-<8 hex>`` file next to the target, locked while this
    process writes it, and renamed into place (``os.replace``) once complete and verified. A transfer cut
    short (connection reset, body shorter than announced, stall past ``retry.timeout_s``) or answered with a
    transient status (408, 429, 500, 502, 503, 504) is tried again with a growing wait, as ``retry`` says;
    where the server names the file's version (a strong ETag, or a Last-Modified date), the next attempt
    asks only for the bytes missing (``Range`` guarded by ``If-Range``), else it starts again from the first
    byte (see :mod:`geotorch.core.transfer`: two versions of a file are never spliced). Any failure that
    remains removes the partial file, so a file at the target is always a complete download; but where the
    server named the file's version, a download interrupted (``KeyboardInterrupt``, ``SystemExit``) or
    still cut after the retries (:class:`geotorch.core.errors.DownloadCutError`) keeps its bytes under that
    hidden name, as a process killed mid-download (SIGKILL, SIGTERM) does, with the version they belong to
    beside them (``.<filename>.resume-<8 hex>``); the next download of the same URL to the same target resumes it if
    the server still has that version, and otherwise starts again (partial files still being written by
    another process are kept). The checksums are computed as the bytes arrive (over the bytes a resumed
    file already held, read once, too), so the whole file is verified before it is renamed, with no second
    read. A resumed file that fails a checksum (the bytes kept were damaged, or of another version the
    server did not tell apart) is downloaded again once, from its first byte, with a warning. A target
    already present and matching the checksums (without any, a file that is not empty) is not fetched
    again; one that does not match is deleted and downloaded again.

    A body is complete when it has as many bytes as its one Content-Length, when a chunked body ends with
    its last chunk, and when a body sent with ``Content-Encoding: gzip`` (saved as sent under a ``.gz``,
    ``.tgz`` or ``.gzip`` name, decoded under any other) or ``deflate`` (decoded) reaches the end of its
    stream. A body with none of these, ended by the server closing the connection, is checked against a
    checksum when one is given; else the server is asked for its length (a request for the bytes past the
    end, :func:`geotorch.core.http_body.confirm_length`), and if it does not say, a zip, tar, gzip, bzip2
    or xz file must be whole (:func:`geotorch.core.archive.archive_damage`).
    Only a file in another format from a server that does neither cannot be told from one cut short: pass a
    checksum for those. Responses that do not carry the whole file as it is published are refused: a status
    other than 200 (``206 Partial Content``, ``204 No Content``...), several or malformed Content-Length
    values, a transfer coding other than chunked, a content coding other than gzip and deflate, and an
    empty body (unless a checksum says the file is empty).

    A ``file:`` URL is copied from the local file it names (as torchvision's ``download_url`` fetches it
    through urllib), verified and renamed alike. A URL with spaces or non-ASCII letters is sent
    percent-encoded (escapes already there are kept), as browsers send it. A login in the URL
    (``https://user:password@host/...``) is sent as basic authentication to that host alone, never on to
    a redirect's, and messages name the URL without it.
    The saved file's name never comes from the server (neither a redirect's target nor a
    Content-Disposition header): it is ``filename``, else the last segment of ``url``'s path. A name that
    could resolve outside ``root`` on any platform is refused, not rewritten.

    Args:
        url: The http(s) or file URL to fetch.
        root: The folder to save into, created if missing.
        filename: The name to save as, relative to ``root``: plain names joined by ``/`` (missing folders are
            created). Defaults to the last segment of the URL's path, percent-decoded.
        md5: Expected MD5 checksum (hexadecimal), verified if given.
        sha256: Expected SHA-256 checksum (hexadecimal), verified if given.
        progress: Whether to show a progress bar on stderr.
        sha256_prefix: Expected leading hexadecimal digits of the SHA-256 checksum, verified if given: the
            hash suffix of torchvision-style weight files (``resnet18-f37072fd.pth``).
        retry: How often and how patiently to try again after a transient failure; None for
            :class:`geotorch.core.retry.Retry`'s defaults (5 more tries after the last progress, waits from 1 s
            doubling up to 60 s, a 60 s timeout); a number for that many more tries with the default waits.

    Returns:
        The path of the downloaded file.

    Raises:
        ValueError: If ``filename`` is absolute or has a component that is empty, ``.`` or ``..``, holds a
            backslash or a NUL, names a drive (``C:``), is longer than 255 bytes or is named like a partial
            download or extraction; if the target is a folder, or a folder on its way is a file;
            or, without ``filename``, if the URL's last path segment is missing, holds an encoded slash or
            has one of those faults. The message names the argument or the URL. Also if ``url`` is no http(s)
            or file URL (``s3://...``, a host without a scheme). Also if ``sha256_prefix`` is
            not 1 to 64 hexadecimal digits, or if ``retry`` is a negative number.
        TypeError: If ``retry`` is neither a :class:`geotorch.core.retry.Retry`, a whole number nor None.
        DownloadError: If the server answers with an HTTP error, cannot be reached, or its response does not
            carry the whole file (cut short, empty, partial, encoded: see above), after the retries for
            transient failures; the message names the URL, and for a body cut short the bytes received
            (:class:`geotorch.core.errors.DownloadCutError`).
        OSError: If the file system cannot hold the file (no space left, a quota or file size limit reached):
            the message names the file, the bytes written and the folder; nothing is kept.
        ChecksumError: If the received bytes do not match ``md5``, ``sha256`` or ``sha256_prefix`` (a resumed
            file: once downloaded again whole); the message names the file and both checksums.
    """
    scheme = urllib.parse.urlsplit(url).scheme.lower()
    if scheme not in ("http", "https", "file"):
        raise ValueError(
            f"download_url: {redacted(url)!r} is no http(s) or file URL; read s3://, gs:// and az:// objects where "
            "they are (RasterDataset(paths=...)) or copy them with their store's tool, and give a host its scheme "
            "('https://example.com/...')"
        )
    url, login = split_login(request_url(url))
    name = _filename_from_url(url) if filename is None else inside_root(filename, "download_url: filename")
    if sha256_prefix is not None and not _HEX_PREFIX.fullmatch(sha256_prefix):
        raise ValueError(f"download_url: sha256_prefix={sha256_prefix!r} must be 1 to 64 hexadecimal digits")
    prefix = None if sha256_prefix is None else sha256_prefix.lower()
    policy = _policy(retry)
    target = Path(root).expanduser() / name
    blocking = [target] if target.is_dir() else []
    blocking += [folder for folder in target.parents[: name.count("/") + 1] if folder.exists() and not folder.is_dir()]
    if blocking:
        raise ValueError(
            f"download_url: {blocking[0]} is a {'folder' if blocking[0] == target else 'file'}, so the download "
            f"cannot be saved as {target}; pass another filename or move it away"
        )
    if _present(target, md5, sha256, prefix):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    # A damaged copy goes now, so that a failed retry leaves nothing behind rather than a bad file.
    target.unlink(missing_ok=True)
    expected = {name: value.lower() for name, value in (("md5", md5), ("sha256", sha256)) if value is not None}
    algorithms = set(expected) | ({"sha256"} if prefix is not None else set())
    with partial_file(target, _resumable) as (partial, out):
        # The partial file taken over, if any, is locked: the sweep removes the other abandoned ones.
        sweep(target.parent, "part", target.name, spare=partial)
        kept = read_version(partial, url) if out.tell() else None

        def fetched(kept: Version | None) -> Body:
            try:
                if scheme == "file":
                    return copy_file_url(url, out, algorithms)
                return fetch(
                    url,
                    out,
                    target.name,
                    algorithms,
                    retry=policy,
                    progress=progress,
                    kept=kept,
                    keep=lambda version: write_version(partial, version),
                    confirm=not algorithms,
                    login=login,
                )
            except OSError as err:
                if err.errno not in _FULL:
                    raise
                raise OSError(
                    err.errno,
                    f"download_url: {target}: {err.strerror} after {os.fstat(out.fileno()).st_size} bytes were "
                    f"written; the download was removed: free space in {target.parent} or pass another root",
                ) from err

        body = fetched(kept)
        mismatch = _mismatch(target, body.checksums, expected, prefix)
        if mismatch is not None and body.resumed_at is not None:
            # The bytes before the resumption were damaged, or of another version the server did not tell apart.
            warnings.warn(
                f"download_url: {target}, resumed at byte {body.resumed_at}, failed its {mismatch.algorithm} check "
                f"(its bytes have {mismatch.actual}); downloading it again from the first byte",
                stacklevel=2,
            )
            body = fetched(None)
            mismatch = _mismatch(target, body.checksums, expected, prefix)
        if mismatch is not None:
            raise mismatch
        # Without fsync, a crash after the rename could leave an empty or partial file under the final name.
        os.fsync(out.fileno())
        if not algorithms:
            # Without a checksum, what the server sent is all there is to judge the file by.
            _check_unverified(url, body, partial)
        os.replace(partial, target)
        # The rename on disk too, before the caller builds on it (extracts, removes the archive...).
        flush_folder(target.parent)
        write_version(partial, None)
    return target


def _present(target: Path, md5: str | None, sha256: str | None, prefix: str | None) -> bool:
    """Whether ``target`` is a download that need not be fetched again: it matches the checksums given.

    Without any, every file but an empty one: an empty body is never kept unchecked, so an empty file is not one of
    ours (another tool's leftover, a file touched).
    """
    if not check_integrity(target, md5, sha256):
        return False
    if md5 is None and sha256 is None and prefix is None:
        return target.stat().st_size > 0
    return prefix is None or calculate_sha256(target).startswith(prefix)


def _mismatch(
    target: Path, actual: dict[str, str], expected: dict[str, str], prefix: str | None
) -> ChecksumError | None:
    """The error of the first checksum in ``expected`` (or the SHA-256 ``prefix``) the received bytes miss."""
    for algorithm, checksum in expected.items():
        if actual[algorithm] != checksum:
            return ChecksumError(target, algorithm, checksum, actual[algorithm])
    if prefix is not None and not actual["sha256"].startswith(prefix):
        return ChecksumError(target, "sha256", f"{prefix}...", actual["sha256"])
    return None


def _policy(retry: Retry | int | None) -> Retry:
    """The retry policy ``download_url(retry=...)`` asks for."""
    if retry is None:
        return _RETRY
    if isinstance(retry, Retry):
        return retry
    if isinstance(retry, int) and not isinstance(retry, bool):
        if retry < 0:
            raise ValueError(f"download_url: retry={retry} must be 0 (try once) or more further tries")
        return dataclasses.replace(_RETRY, attempts=retry)
    raise TypeError(
        f"download_url: retry={retry!r} must be a number of further tries or a geotorch.core.Retry "
        "(e.g. Retry(attempts=10, timeout_s=120))"
    )


def _resumable(error: BaseException) -> bool:
    """Whether a download that raised ``error`` keeps its bytes for the next call: interrupted, or cut for good."""
    return isinstance(error, (KeyboardInterrupt, SystemExit, DownloadCutError))


def _check_unverified(url: str, body: Body, partial: Path) -> None:
    """Refuse a body no checksum verified if it is empty, or if it may have been cut short (see download_url)."""
    if body.size == 0:
        raise DownloadError(url, "the server sent an empty body; an empty file is only kept when a checksum says so")
    if body.whole:
        return
    if is_archive(partial) and (damage := archive_damage(partial)) is not None:
        raise DownloadError(
            url,
            f"the body, ended by the server closing the connection without saying its length, is a damaged "
            f"archive ({damage}): the connection was cut; retry",
        )


def _filename_from_url(url: str) -> str:
    segment = urllib.parse.urlsplit(url).path.rpartition("/")[2]
    shown = redacted(url)  # messages reach logs: no signature or token in them
    if segment in ("", ".", ".."):
        raise ValueError(f"{shown}: the URL's path does not end in a file name; pass filename=... to download_url")
    name = urllib.parse.unquote(segment)
    what = f"{shown}: the URL's last path segment"
    if "/" in name:
        raise ValueError(f"{what} {name!r} holds an encoded slash; pass filename=... to download_url")
    return inside_root(name, what)


def inside_root(name: str, what: str) -> str:
    """``name`` if it is a relative path of ordinary components joined by ``/``, which stays inside any folder.

    Args:
        name: a file name, possibly with folders (``"labels/scene.zip"``).
        what: what gave it, for the message (``"download_url: filename"``).

    Raises:
        ValueError: naming ``what`` and ``name``, if it is absolute, has an empty, ``.`` or ``..``
            component, holds a backslash or NUL, names a drive, is named like a partial download or
            extraction, or has a component over 255 bytes.
    """
    for part in name.split("/"):
        if part in ("", ".", ".."):
            problem = "is absolute" if name.startswith("/") else "has an empty, '.' or '..' component"
        elif "\\" in part:
            problem = "holds a backslash"
        elif "\0" in part:
            problem = "holds a NUL character"
        elif _DRIVE.match(part):
            problem = "names a drive"
        elif is_partial(part):
            problem = "is named like a partial download or extraction, which is swept away"
        elif len(os.fsencode(part)) > NAME_MAX:
            problem = f"has a component longer than the {NAME_MAX} bytes file systems allow"
        else:
            continue
        raise ValueError(
            f"{what} {name!r} {problem}; the file must stay inside root, so pass a relative path of plain "
            "names joined by '/' (like 'scene.zip' or 'labels/scene.zip') as filename"
        )
    return name


def download_and_extract_archive(
    url: str,
    download_root: str | Path,
    extract_root: str | Path | None = None,
    filename: str | None = None,
    md5: str | None = None,
    sha256: str | None = None,
    progress: bool = True,
    *,
    retry: Retry | int | None = None,
) -> Path:
    """Download an archive with :func:`download_url`, then unpack it with :func:`extract_archive`.

    Without a checksum, an archive that fails to extract because it is damaged is removed (see
    :func:`geotorch.core.archive.extract_or_remove`), so that the next call downloads it again instead of
    taking it for a download already done.

    Args:
        url: The http(s) URL of the archive.
        download_root: The folder to save the archive into.
        extract_root: The folder to extract into. Defaults to ``download_root``.
        filename: The name to save the archive as. Defaults to the last component of the URL's path.
        md5: Expected MD5 checksum of the archive, verified if given.
        sha256: Expected SHA-256 checksum of the archive, verified if given.
        progress: Whether to show a progress bar on stderr.
        retry: How often to try again after a transient failure (see :func:`download_url`).

    Returns:
        The folder the archive was extracted into.

    Raises:
        DownloadError: If the archive could not be fetched completely.
        ChecksumError: If the archive does not match ``md5`` or ``sha256``.
        ValueError: If the file is not a supported archive or a member would land outside ``extract_root``;
            :class:`geotorch.core.errors.DamagedArchiveError` if it is damaged and was removed.
    """
    archive = download_url(url, download_root, filename, md5=md5, sha256=sha256, progress=progress, retry=retry)
    extract = extract_archive if md5 is not None or sha256 is not None else extract_or_remove
    return extract(archive, download_root if extract_root is None else extract_root)
