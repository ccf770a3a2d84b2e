"""Unpacking downloaded archives (zip, tar, compressed tar) without letting any member escape its folder."""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import os
import posixpath
import re
import shutil
import tarfile
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from geotorch.core.partial import is_partial, staging_folder, sweep

# Magic numbers at the start of each compressed stream; the format is told from content, not from the file name.
_COMPRESSION_MAGIC = {"gzip": b"\x1f\x8b", "bzip2": b"BZh", "xz": b"\xfd7zXZ\x00"}
_COMPRESSION_SUFFIXES = {"gzip": (".gz", ".gzip"), "bzip2": (".bz2", ".bz"), "xz": (".xz", ".lzma")}
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_SEPARATOR = re.compile(r"[/\\]")
_DRIVE = re.compile(r"[A-Za-z]:")


def extract_archive(src: str | Path, dst: str | Path | None = None) -> Path:
    """Extract a zip, tar, tar.gz/tgz, tar.bz2 or tar.xz archive, or decompress a lone .gz/.bz2/.xz file.

    The format is detected from the file's content, so a misnamed archive still extracts. Every member is
    checked before anything is written: absolute paths, ``..`` components, links that point outside ``dst``,
    device files and names of unfinished work (below) are refused. Members are extracted into the staging
    folder ``dst/.<archive name>.extract-<8 hex>`` and only moved into place once all of them were written,
    so a failure leaves no half-extracted tree. Entries already in ``dst`` are kept, except those the
    archive replaces.

    A process killed while extracting (SIGKILL, SIGTERM, power loss) leaves its staging folder behind,
    possibly with some entries already moved into ``dst``: the folder marks the extraction as unfinished
    (:func:`geotorch.core.partial.abandoned` names the archive), file searches skip it, and the next
    extraction of the same archive into ``dst`` removes it before extracting everything again. Staging
    folders of extractions still running in other processes are left alone.

    Args:
        src: The archive to extract.
        dst: The folder to extract into, created if missing. Defaults to the folder holding ``src``.

    Returns:
        The folder the archive was extracted into.

    Raises:
        FileNotFoundError: If ``src`` does not exist.
        ValueError: If ``src`` is not a supported archive, or a member would land outside ``dst`` (the
            message names the archive and the member).
    """
    src = Path(src)
    dst = src.parent if dst is None else Path(dst)
    try:
        kind, compression = _sniff(src)
        if kind == "zip":
            _extract_zip(src, dst)
        elif kind == "tar":
            _extract_tar(src, dst)
        else:
            _decompress(src, compression, dst)
    except ValueError:
        raise
    except Exception as err:
        # Errors from zipfile, tarfile and the decompressors rarely say which file they were reading.
        err.add_note(f"while extracting {src} into {dst}")
        raise
    return dst


def _sniff(src: Path) -> tuple[str, str]:
    """Tell an archive's kind ("zip", "tar" or "file") and compression ("" for none) from its first bytes."""
    with open(src, "rb") as stream:
        head = stream.read(tarfile.BLOCKSIZE)
    if head.startswith(_ZIP_MAGIC):
        return "zip", ""
    for compression, magic in _COMPRESSION_MAGIC.items():
        if head.startswith(magic):
            with _open_compressed(src, compression) as inner:
                return ("tar" if _is_tar_header(inner.read(tarfile.BLOCKSIZE)) else "file"), compression
    if _is_tar_header(head):
        return "tar", ""
    raise ValueError(
        f"{src}: not a zip, tar, gzip, bzip2 or xz file (it starts with {head[:8]!r}); "
        "the download may be an error page or damaged, delete it and download again"
    )


def _is_tar_header(block: bytes) -> bool:
    if len(block) < tarfile.BLOCKSIZE:
        return False
    try:
        tarfile.TarInfo.frombuf(block, "utf-8", "surrogateescape")
    except tarfile.HeaderError:
        return False
    return True


def _open_compressed(src: Path, compression: str) -> io.BufferedIOBase:
    if compression == "gzip":
        return gzip.open(src, "rb")
    if compression == "bzip2":
        return bz2.open(src, "rb")
    return lzma.open(src, "rb")


def _escape(name: str) -> str | None:
    """Why a member name or link target would leave the extraction folder, or None if it stays inside."""
    if name.startswith(("/", "\\")) or _DRIVE.match(name):
        return "absolute path"
    if ".." in _SEPARATOR.split(name):
        return "'..' path component"
    return None


def _name_problem(name: str) -> str | None:
    """Why a member may not be extracted under ``name``, or None if its name is fine."""
    if (reason := _escape(name)) is not None:
        return reason
    if any(is_partial(part) for part in _SEPARATOR.split(name)):
        # Extracted, it would pass for an unfinished download or extraction: hidden from searches, swept.
        return "a path component named like an unfinished download or extraction"
    return None


def _tar_member_problem(member: tarfile.TarInfo) -> str | None:
    """Why extracting ``member`` is unsafe, or None if it is a plain file, folder or link that stays inside."""
    if (reason := _name_problem(member.name)) is not None:
        return reason
    if member.issym():
        if member.linkname.startswith(("/", "\\")) or _DRIVE.match(member.linkname):
            return f"symlink to the absolute path {member.linkname!r}"
        # A symlink's target is relative to the folder holding the link.
        resolved = posixpath.normpath(posixpath.join(posixpath.dirname(member.name), member.linkname))
        if resolved == ".." or resolved.startswith("../"):
            return f"symlink to {member.linkname!r}, outside the extraction folder"
    elif member.islnk():
        if (reason := _escape(member.linkname)) is not None:
            return f"hard link to {member.linkname!r} ({reason})"
    elif not (member.isfile() or member.isdir()):
        return "device file or FIFO"
    return None


def _refuse_unsafe(src: Path, problems: Iterable[tuple[str, str | None]]) -> None:
    for name, reason in problems:
        if reason is not None:
            raise ValueError(
                f"{src}: refusing to extract member {name!r} ({reason}); nothing was extracted. "
                "The archive is damaged or malicious: do not extract it by hand"
            )


def _extract_zip(src: Path, dst: Path) -> None:
    with zipfile.ZipFile(src) as archive:
        _refuse_unsafe(src, ((info.filename, _name_problem(info.filename)) for info in archive.infolist()))
        with _staging(src, dst) as staging:
            archive.extractall(staging)


def _extract_tar(src: Path, dst: Path) -> None:
    with tarfile.open(src, "r:*") as archive:
        _refuse_unsafe(src, ((member.name, _tar_member_problem(member)) for member in archive.getmembers()))
        with _staging(src, dst) as staging:
            try:
                if hasattr(tarfile, "data_filter"):
                    # Python >= 3.11.4 also checks links against the real file system, which catches chains
                    # of symlinks that the name checks above cannot see.
                    archive.extractall(staging, filter="data")
                else:
                    archive.extractall(staging)
            except tarfile.FilterError as err:
                raise ValueError(
                    f"{src}: refusing to extract member {err.tarinfo.name!r} ({err}); nothing was extracted"
                ) from err


def _decompress(src: Path, compression: str, dst: Path) -> None:
    suffix = next((s for s in _COMPRESSION_SUFFIXES[compression] if src.name.lower().endswith(s)), None)
    if suffix is None or len(src.name) == len(suffix):
        raise ValueError(
            f"{src}: a {compression}-compressed file whose name does not end in "
            f"{' or '.join(_COMPRESSION_SUFFIXES[compression])}, so the decompressed file has no name; rename it"
        )
    with (
        _open_compressed(src, compression) as stream,
        _staging(src, dst) as staging,
        open(staging / src.name[: -len(suffix)], "wb") as out,
    ):
        shutil.copyfileobj(stream, out, 1 << 20)


@contextmanager
def _staging(src: Path, dst: Path) -> Iterator[Path]:
    """A locked staging folder inside ``dst`` whose entries move into ``dst`` if the block succeeds.

    Staging folders that killed extractions of the same archive left in ``dst`` are removed first.
    """
    created = not dst.exists()
    dst.mkdir(parents=True, exist_ok=True)
    sweep(dst, "extract", src.name)
    try:
        with staging_folder(dst, src.name) as staging:
            yield staging
            _move_into(staging, dst)
    except BaseException:
        if created:
            with suppress(OSError):  # something else wrote into it meanwhile: leave it
                dst.rmdir()
        raise


def _move_into(staging: Path, dst: Path) -> None:
    """Move the entries of ``staging`` into ``dst``, merging folders and replacing everything else."""
    for entry in staging.iterdir():
        target = dst / entry.name
        if _is_folder(entry) and _is_folder(target):
            _move_into(entry, target)
            entry.rmdir()
            continue
        if _is_folder(target):
            shutil.rmtree(target)
        elif _is_folder(entry) and (target.exists() or target.is_symlink()):
            target.unlink()
        os.replace(entry, target)


def _is_folder(path: Path) -> bool:
    return path.is_dir() and not path.is_symlink()
