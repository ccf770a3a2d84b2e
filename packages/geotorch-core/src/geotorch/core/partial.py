"""Downloads and extractions in progress on disk: named apart, locked while written, swept once abandoned.

A download streams into ``.<name>.part-<8 hex>`` (the version its bytes belong to kept in
``.<name>.resume-<8 hex>``, see :mod:`geotorch.core.resume`) and an extraction unpacks into the folder
``.<archive>.extract-<8 hex>``, all beside their destination, so they share its file system and the final
rename is atomic. A name too long for such an entry to stay within the 255 bytes file systems allow is
shortened in it (:func:`partial_stem`). While its writer lives, each entry holds an exclusive ``flock`` that
the operating system drops when the writer ends, however it ends (SIGKILL included). An entry whose lock can
be taken is therefore abandoned: the next attempt resumes a download whose version it knows, and removes
the rest. File searches
(:func:`geotorch.core.files.find_files`) skip every entry named this way and everything inside one. On
Windows, which has no ``flock``, and on file systems that refuse locks, every such entry counts as abandoned,
but none is resumed: it may be another process's, still being written.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import shutil
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Literal

Kind = Literal["part", "extract"]
_EntryKind = Literal["part", "extract", "resume"]

# The random tail also matches tempfile.mkdtemp's alphabet, which older extractions used.
_PARTIAL_NAME = re.compile(r"\.(?P<name>.+)\.(?P<kind>part|extract|resume)-(?P<tail>[0-9a-z_]{8})")
#: The most bytes a file name may have on common file systems (Linux's NAME_MAX; ext4, XFS, Btrfs, APFS, NTFS).
NAME_MAX = 255
# Room for a partial entry's name around its stem: the leading dot and the longer of the two tails.
_STEM_BYTES = NAME_MAX - len(".") - len(".extract-") - 8
_DIGEST_CHARACTERS = 8


def shortened(name: str, limit: int) -> str:
    """``name`` if it fits in ``limit`` bytes on disk, else its longest prefix that leaves room for a digest of it.

    The shortened form is ``<prefix>~<8 hex of name's SHA-256>``: the same name always gives the same form, and
    distinct names give distinct forms (but for a one in four billion chance).

    Args:
        name: A file name, as the file system encodes it (``os.fsencode``).
        limit: The most bytes the result may have, at least 9.

    Returns:
        ``name`` itself, or its shortened form of at most ``limit`` bytes.
    """
    encoded = os.fsencode(name)
    if len(encoded) <= limit:
        return name
    keep = limit - len("~") - _DIGEST_CHARACTERS
    # Cut before a UTF-8 continuation byte would split a character.
    while keep > 0 and encoded[keep] & 0xC0 == 0x80:
        keep -= 1
    return f"{os.fsdecode(encoded[:keep])}~{hashlib.sha256(encoded).hexdigest()[:_DIGEST_CHARACTERS]}"


def partial_stem(name: str) -> str:
    """How a download's target or an extraction's archive named ``name`` is spelled in its entry's name.

    Names of up to 237 bytes are kept whole; longer ones are shortened (:func:`shortened`), so that the
    entry's name stays within :data:`NAME_MAX` bytes.

    Args:
        name: The target's or the archive's file name.

    Returns:
        The ``<name>`` part of ``.<name>.part-<8 hex>`` and ``.<name>.extract-<8 hex>``.
    """
    return shortened(name, _STEM_BYTES)


def is_partial(name: str) -> bool:
    """Whether a file or folder name is that of a download or extraction in progress or abandoned.

    Args:
        name: A single path component, e.g. ``".a.zip.part-0f3c9a1b"``.

    Returns:
        True for names of the form ``.<name>.part-<8 chars>``, ``.<name>.resume-<8 chars>`` and
        ``.<name>.extract-<8 chars>``.
    """
    return _PARTIAL_NAME.fullmatch(name) is not None


def lock_new_file(name: Callable[[], Path]) -> tuple[Path, BinaryIO]:
    """Create a new file at a path ``name`` gives and take its lock, trying other paths until one is ours.

    Args:
        name: Gives a new path to try each call (with a random tail).

    Returns:
        The file's path and its binary stream, open for writing and locked.
    """
    while True:
        path = name()
        stream = open(path, "xb")  # noqa: SIM115 - handed to the caller, who closes it
        if _lock(stream.fileno(), path):
            return path, stream
        # A sweeper caught the file between its creation and its lock, and removes it: make another.
        stream.close()


@contextmanager
def partial_file(
    target: Path, resumable: Callable[[BaseException], bool] = lambda error: False
) -> Iterator[tuple[Path, BinaryIO]]:
    """A locked file beside ``target`` to write it under, removed (with its kept version) if the block raises.

    The file is an abandoned partial download of ``target`` whose version was kept (the one holding the
    most bytes, positioned at its end), else a new, empty one. The block is expected to rename the file to
    ``target`` (``os.replace``) once it is complete; the lock is held until the block ends.

    Args:
        target: The final path; its folder must exist.
        resumable: Whether the block's exception leaves the file to be resumed: it is then kept (abandoned,
            as by a killed process) if it holds bytes and their version was kept.

    Yields:
        The partial file's path and its binary stream, open for writing.
    """
    adopted = _adopt(target)
    if adopted is not None:
        path, stream = adopted
    else:
        path, stream = lock_new_file(
            lambda: target.with_name(f".{partial_stem(target.name)}.part-{secrets.token_hex(4)}")
        )
    try:
        yield path, stream
    except BaseException as error:
        if not (resumable(error) and version_file(path).is_file() and _written(path) > 0):
            path.unlink(missing_ok=True)
            version_file(path).unlink(missing_ok=True)
        raise
    finally:
        stream.close()


def _adopt(target: Path) -> tuple[Path, BinaryIO] | None:
    """Lock the abandoned partial download of ``target`` that holds the most bytes and has a kept version."""
    kept = [path for _, path in _entries(target.parent, "part", target.name) if version_file(path).is_file()]
    for path in sorted(kept, key=_written, reverse=True):
        if path.is_symlink():
            continue
        try:
            stream = open(path, "r+b")  # noqa: SIM115 - handed to the caller, who closes it
        except OSError:
            continue
        # Without locks (Windows, NFS without a lock manager) a partial file may be another process's, live.
        if _lock(stream.fileno(), path, exclusive=True):
            stream.seek(0, os.SEEK_END)
            return path, stream
        stream.close()
    return None


def version_file(partial: Path) -> Path:
    """Where the version of the partial download ``partial`` is kept (see :mod:`geotorch.core.resume`).

    Args:
        partial: A partial download, ``.<name>.part-<8 hex>``.

    Returns:
        ``.<name>.resume-<8 hex>`` beside it.
    """
    stem, _, tail = partial.name.rpartition(".part-")
    return partial.with_name(f"{stem}.resume-{tail}")


def _written(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return -1


@contextmanager
def staging_folder(destination: Path, archive: str) -> Iterator[Path]:
    """A new, empty, locked folder inside ``destination`` to extract ``archive`` into.

    The folder is removed when the block ends, with whatever it still holds.

    Args:
        destination: The folder the extraction is for; it must exist.
        archive: The archive's file name, which names the staging folder (see :func:`partial_stem`).

    Yields:
        The staging folder.
    """
    while True:
        path = destination / f".{partial_stem(archive)}.extract-{secrets.token_hex(4)}"
        path.mkdir()
        try:
            descriptor = _open_folder(path)
        except FileNotFoundError:
            # A sweeper caught the folder between its creation and its opening, and removed it: make another.
            continue
        if _lock(descriptor, path):
            break
        # A sweeper caught the folder between its creation and its lock, and removes it: make another.
        _close(descriptor)
    try:
        yield path
    finally:
        try:
            shutil.rmtree(path, ignore_errors=True)
        finally:
            _close(descriptor)


def mark_abandoned(destination: Path, archive: str) -> Path:
    """Leave an empty staging folder that no process holds: the extraction of ``archive`` counts as abandoned.

    For an extraction interrupted by an exception (``KeyboardInterrupt``, a ``SystemExit`` raised by a
    SIGTERM handler, an ``OSError``) after some of its entries were moved into ``destination``: the staging
    folder that marked it unfinished is about to be removed, and this one takes its place, so the next
    attempt extracts the archive again instead of taking the half extraction for a whole one.

    Args:
        destination: The folder the extraction was for.
        archive: The archive's file name (see :func:`partial_stem`).

    Returns:
        The folder made.
    """
    while True:
        path = destination / f".{partial_stem(archive)}.extract-{secrets.token_hex(4)}"
        try:
            path.mkdir()
        except FileExistsError:
            continue
        return path


def abandoned(folder: Path, kind: Kind, name: str | None = None) -> list[str]:
    """The names whose downloads (``"part"``) or extractions (``"extract"``) into ``folder`` were abandoned.

    Args:
        folder: The folder to look in (not searched recursively); a missing folder holds none.
        kind: ``"part"`` for downloads, ``"extract"`` for extractions.
        name: Only look for this target or archive name; None for any.

    Returns:
        The target or archive names as their entries spell them (:func:`partial_stem`: names of more than
        237 bytes are shortened), sorted, without duplicates.
    """
    return sorted({owner for owner, path in _entries(folder, kind, name) if _is_abandoned(path)})


def sweep(folder: Path, kind: Kind, name: str | None = None, spare: Path | None = None) -> None:
    """Remove the abandoned downloads (and their kept versions) or extractions in ``folder``; those being written stay.

    Args:
        folder: The folder to clean (not searched recursively); a missing folder is left alone.
        kind: ``"part"`` for downloads, ``"extract"`` for extractions.
        name: Only remove those for this target or archive name; None for any.
        spare: The caller's own partial download, left alone with its kept version even where the file
            system has no locks (every entry then counts as abandoned).

    Raises:
        OSError: If an abandoned entry cannot be removed (the message names it).
    """
    for _, path in _entries(folder, kind, name):
        if path != spare:
            _remove_if_abandoned(path)
    if kind == "part":
        # Versions kept for partial downloads that are gone, and temporary ones their writer did not rename.
        for _, path in _entries(folder, "resume", name):
            stem, _, tail = path.name.rpartition(".resume-")
            if not path.with_name(f"{stem}.part-{tail}").exists() and (spare is None or path != version_file(spare)):
                _remove_if_abandoned(path)


def _remove_if_abandoned(path: Path) -> None:
    descriptor = _open_entry(path)
    if descriptor is None:
        return
    try:
        # Holding the lock while removing keeps a second sweeper off the same entry.
        if _lock(descriptor, path):
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink()
    finally:
        _close(descriptor)


def _entries(folder: Path, kind: _EntryKind, name: str | None) -> Iterator[tuple[str, Path]]:
    """(owner name, path) of the entries of ``folder`` named as ``kind`` in progress (for ``name`` if given)."""
    try:
        entries = list(os.scandir(folder))
    except (FileNotFoundError, NotADirectoryError):
        return
    stem = None if name is None else partial_stem(name)
    for entry in entries:
        match = _PARTIAL_NAME.fullmatch(entry.name)
        if match is not None and match["kind"] == kind and stem in (None, match["name"]):
            yield match["name"], Path(entry.path)


def _is_abandoned(path: Path) -> bool:
    descriptor = _open_entry(path)
    if descriptor is None:
        return False
    try:
        return _lock(descriptor, path)
    finally:
        _close(descriptor)


def _open_entry(path: Path) -> int | None:
    """A descriptor to lock ``path`` with, or None if it is gone (its writer or another sweeper removed it).

    A symbolic link is never one of ours, so it is left alone (None) too.
    """
    if path.is_symlink():
        return None
    try:
        return _open_folder(path) if path.is_dir() else _open_file(path)
    except (FileNotFoundError, NotADirectoryError):
        return None


if sys.platform == "win32":

    def _open_folder(path: Path) -> int:
        return -1

    def _open_file(path: Path) -> int:
        return -1

    def _lock(descriptor: int, path: Path, exclusive: bool = False) -> bool:
        return not exclusive

    def _close(descriptor: int) -> None:
        pass

else:
    import errno
    import fcntl

    # What flock raises where the file system has no locks (NFS without a lock manager, some FUSE mounts).
    _NO_LOCKS = (errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOSYS)

    def _open_folder(path: Path) -> int:
        return os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)

    def _open_file(path: Path) -> int:
        return os.open(path, os.O_RDONLY | os.O_NOFOLLOW)

    def _lock(descriptor: int, path: Path, exclusive: bool = False) -> bool:
        """Take the exclusive lock of ``descriptor``, opened on ``path``, without waiting.

        Args:
            descriptor: An open descriptor of ``path``.
            path: The entry to lock.
            exclusive: Whether only a lock that keeps other processes out will do (to write into an entry
                another process may still be writing); else, where the file system has no locks, the entry
                counts as locked by the caller.

        Returns:
            False if another process holds it, or if ``path`` no longer names the locked entry (a sweeper
            removed it between its creation and this lock), or, for ``exclusive``, if there are no locks.
        """
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        except OSError as err:
            if err.errno not in _NO_LOCKS:
                raise
            if exclusive:
                return False
        try:
            return os.path.samestat(os.fstat(descriptor), os.stat(path, follow_symlinks=False))
        except FileNotFoundError:
            return False

    def _close(descriptor: int) -> None:
        os.close(descriptor)
