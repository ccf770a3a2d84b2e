"""Unpacking downloaded archives (zip, tar, compressed tar) without letting any member escape its folder."""

from __future__ import annotations

import bz2
import errno
import gzip
import io
import lzma
import os
import shutil
import tarfile
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from geotorch.core.archive_members import (
    hard_link_problems,
    is_zip_symlink,
    layout_problems,
    name_problem,
    refuse_unsafe,
    resolved_outside,
    symlink_problem,
    tar_member_problem,
)
from geotorch.core.durable import flush_folder, flush_tree
from geotorch.core.errors import DamagedArchiveError
from geotorch.core.partial import mark_abandoned, staging_folder, sweep
from geotorch.core.progress import report_progress

# Magic numbers at the start of each compressed stream; the format is told from content, not from the file name.
_COMPRESSION_MAGIC = {"gzip": b"\x1f\x8b", "bzip2": b"BZh", "xz": b"\xfd7zXZ\x00"}
_COMPRESSION_SUFFIXES = {"gzip": (".gz", ".gzip"), "bzip2": (".bz2", ".bz"), "xz": (".xz", ".lzma")}
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_COPY_BYTES = 1 << 20
# What a file system answers a write it cannot hold: no space, a quota reached, a file size limit.
_FULL = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})


def extract_or_remove(src: str | Path, dst: str | Path | None = None) -> Path:
    """Extract an archive as :func:`extract_archive` does, and remove it if it turns out to be damaged.

    For an archive that no checksum verified: kept after failing, a damaged archive would pass for a download
    that is present, and fail every later extraction. An archive that fails for another reason (a member that
    would escape, a full disk) is kept.

    Args:
        src: The archive to extract.
        dst: The folder to extract into. Defaults to the folder holding ``src``.

    Returns:
        The folder the archive was extracted into.

    Raises:
        DamagedArchiveError: If the extraction failed and :func:`archive_damage` finds ``src`` damaged; ``src``
            is gone then, and the extractor's error is the cause.
        FileNotFoundError, ValueError, OSError: As :func:`extract_archive`, for an archive that is whole.
    """
    try:
        return extract_archive(src, dst)
    except Exception as err:
        if isinstance(err, FileNotFoundError) or (damage := archive_damage(src)) is None:
            raise
        Path(src).unlink(missing_ok=True)
        raise DamagedArchiveError(src, damage) from err


def extract_archive(src: str | Path, dst: str | Path | None = None) -> Path:
    """Extract a zip, tar, tar.gz/tgz, tar.bz2 or tar.xz archive, or decompress a lone .gz/.bz2/.xz file.

    The format is detected from the file's content, so a misnamed archive still extracts. Every member is
    checked before anything is written: absolute paths, ``..`` components, links that point outside ``dst``,
    device files, names of unfinished work (below), names longer than file systems allow, a file named as
    ``dst`` itself (``.``) and a file and a folder at the same path (``a`` and ``a/``, or ``a`` and ``a/b``)
    are refused. Members are extracted into the staging
    folder ``dst/.<archive name>.extract-<8 hex>`` and only moved into place once all of them were written,
    so a failure leaves no half-extracted tree. Their data is flushed to disk before they move and the
    moves after (:mod:`geotorch.core.durable`), so a power cut never leaves an empty file under a member's
    name. Entries already in ``dst`` are kept, except those the archive replaces.

    A process killed while extracting (SIGKILL, SIGTERM, power loss), or stopped by an exception while it
    moves entries into place (Ctrl-C, a SIGTERM handler raising SystemExit), leaves a staging folder behind,
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
        OSError: If the file system cannot hold the extracted files (no space left, a quota or file size
            limit reached), naming the archive and ``dst``; nothing is extracted.
        ValueError: If ``src`` is not a supported archive, a member would land outside ``dst`` or cannot be
            written where it would land (the message names the archive and the member), or a lone compressed
            file would be named like unfinished work. Damaged archives raise what their reader raises
            (``zipfile.BadZipFile``, ``tarfile.ReadError``, ``EOFError``...): :func:`archive_damage` tells
            those apart.
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
    except OSError as err:
        if err.errno not in _FULL:
            err.add_note(f"while extracting {src} into {dst}")
            raise
        raise OSError(
            err.errno,
            f"{src}: {err.strerror} while extracting into {dst}; nothing was extracted: free space there or "
            "extract elsewhere",
        ) from err
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


def is_archive(path: str | Path) -> bool:
    """Whether a file starts like a zip, tar, gzip, bzip2 or xz file, which :func:`archive_damage` can check.

    Args:
        path: The file to look at.

    Returns:
        True if its first bytes are those of one of these formats, whole or not.

    Raises:
        OSError: If the file cannot be read (FileNotFoundError if it is missing).
    """
    with open(path, "rb") as stream:
        head = stream.read(tarfile.BLOCKSIZE)
    return head.startswith((*_ZIP_MAGIC, *_COMPRESSION_MAGIC.values())) or _is_tar_header(head)


def archive_damage(path: str | Path) -> str | None:
    """Why a file is not a whole zip, tar, gzip, bzip2 or xz file, or None when it is a whole one.

    Whole means: a zip has its central directory and every member matches its CRC-32; a gzip, bzip2 or xz
    file (a compressed tar included) runs to the end of its last stream, each stream matching its check; an
    uncompressed tar holds all the data of every member and ends with an end-of-archive block. The whole file
    is read (and decompressed). This tells an archive damaged on its way (cut short, altered) from one that
    extraction refuses for what it holds.

    Args:
        path: The file to check.

    Returns:
        What is wrong with it, in a phrase (e.g. ``"member 'data/a.tif' fails its CRC-32 check"``), or None.

    Raises:
        OSError: If the file cannot be read (FileNotFoundError if it is missing).
        NotImplementedError: If a zip member uses a compression method Python cannot decompress.
    """
    path = Path(path)
    try:
        kind, compression = _sniff(path)
        if compression:
            with _open_compressed(path, compression) as stream:
                while stream.read(_COPY_BYTES):
                    pass
            return None
        if kind == "zip":
            with zipfile.ZipFile(path) as archive:
                failing = archive.testzip()
            return None if failing is None else f"member {failing!r} fails its CRC-32 check"
        return _tar_damage(path)
    except ValueError:
        return "not a zip, tar, gzip, bzip2 or xz file"
    except (zipfile.BadZipFile, tarfile.TarError, EOFError, zlib.error, lzma.LZMAError) as err:
        return f"{err}"
    except OSError as err:
        # The decompressors' complaints (gzip.BadGzipFile, bz2's "Invalid data stream") carry no errno; a failing
        # disk's do, and are no damage of the file's.
        if err.errno is not None:
            raise
        return f"{err}"


def _tar_damage(path: Path) -> str | None:
    """Why an uncompressed tar is not whole, or None; tarfile itself stops silently at a missing end block."""
    with tarfile.open(path, "r:") as archive:
        # Reading each header checks that the member before it had all its data.
        for _ in archive:
            pass
        end = archive.offset
    with open(path, "rb") as stream:
        stream.seek(end)
        if stream.read(tarfile.BLOCKSIZE) != bytes(tarfile.BLOCKSIZE):
            return f"no end-of-archive block after its last member, at byte {end}: it is cut short or damaged"
    return None


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


def _extract_zip(src: Path, dst: Path) -> None:
    with zipfile.ZipFile(src) as archive:
        members = archive.infolist()
        # zipfile writes a symlink member (zip -y; Unix mode S_IFLNK) as a file holding its target's path.
        links = {info.filename: os.fsdecode(archive.read(info)) for info in members if is_zip_symlink(info)}
        refuse_unsafe(
            src,
            (
                (info.filename, name_problem(info.filename) or symlink_problem(info.filename, links[info.filename]))
                if info.filename in links
                else (info.filename, name_problem(info.filename))
                for info in members
            ),
        )
        refuse_unsafe(src, layout_problems((info.filename, info.is_dir()) for info in members))
        files = [info for info in members if info.filename not in links]
        with _staging(src, dst) as staging:
            archive.extractall(staging, members=report_progress(files, len(files), f"extracting {src.name}"))
            # Links come last, so that no member is written through one.
            for name, target in links.items():
                link = staging / name
                link.parent.mkdir(parents=True, exist_ok=True)
                link.symlink_to(target)
            refuse_unsafe(src, ((name, resolved_outside(staging, staging / name)) for name in links))


def _extract_tar(src: Path, dst: Path) -> None:
    with tarfile.open(src, "r:*") as archive:
        members = archive.getmembers()
        refuse_unsafe(src, ((member.name, tar_member_problem(member)) for member in members))
        refuse_unsafe(src, layout_problems((member.name, member.isdir()) for member in members))
        refuse_unsafe(src, hard_link_problems(members))
        with _staging(src, dst) as staging:
            shown = report_progress(members, len(members), f"extracting {src.name}")
            try:
                if hasattr(tarfile, "data_filter"):
                    # Python >= 3.11.4 also checks links against the real file system, which catches chains
                    # of symlinks that the name checks above cannot see.
                    archive.extractall(staging, members=shown, filter="data")
                else:
                    archive.extractall(staging, members=shown)
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
    name = src.name[: -len(suffix)]
    for _, reason in [(name, name_problem(name)), *layout_problems([(name, False)])]:
        if reason is not None:
            raise ValueError(
                f"{src}: decompressed, it would be named {name!r} ({reason}); nothing was extracted. Rename the file"
            )
    with (
        _open_compressed(src, compression) as stream,
        _staging(src, dst) as staging,
        open(staging / name, "wb") as out,
    ):
        shutil.copyfileobj(stream, out, _COPY_BYTES)


@contextmanager
def _staging(src: Path, dst: Path) -> Iterator[Path]:
    """A locked staging folder inside ``dst`` whose entries move into ``dst``, flushed to disk, if the block succeeds.

    Staging folders that killed extractions of the same archive left in ``dst`` are removed first. A move
    interrupted by an exception leaves a staging folder behind (:func:`geotorch.core.partial.mark_abandoned`),
    as a kill does, so the half extraction is never taken for a whole one.
    """
    created = not dst.exists()
    dst.mkdir(parents=True, exist_ok=True)
    sweep(dst, "extract", src.name)
    try:
        with staging_folder(dst, src.name) as staging:
            yield staging
            # Data first, names second: else a power cut after the moves could leave empty files under final names.
            flush_tree(staging)
            try:
                _move_into(staging, dst)
                flush_folder(dst)
                if created:
                    flush_folder(dst.parent)
            except BaseException:
                mark_abandoned(dst, src.name)
                raise
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
            _merge(entry, target)
            continue
        if _is_folder(target):
            shutil.rmtree(target)
        elif _is_folder(entry) and (target.exists() or target.is_symlink()):
            target.unlink()
        try:
            os.replace(entry, target)
        except OSError as err:
            # Another extraction of the same archive into dst (another process) moved its folder in meanwhile.
            if err.errno not in (errno.ENOTEMPTY, errno.EEXIST) or not (_is_folder(entry) and _is_folder(target)):
                raise
            _merge(entry, target)


def _merge(folder: Path, target: Path) -> None:
    """Move the entries of ``folder`` into the existing folder ``target``, then remove ``folder``."""
    _move_into(folder, target)
    flush_folder(target)
    folder.rmdir()


def _is_folder(path: Path) -> bool:
    return path.is_dir() and not path.is_symlink()
