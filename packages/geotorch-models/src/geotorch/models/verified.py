"""Checksums remembered per version of a file, so a checkpoint of hundreds of MB is hashed once, not at every load.

A file's SHA-256 is kept in a small record under ``$GEOTORCH_HOME/verified`` beside the version of the file it
was computed from: its real path, device, inode, size, modification and change times (nanoseconds). A later
call for the same version reads the digest from the record; a file written again, replaced, moved or touched is
another version and is hashed again. Records are written atomically (a temporary file renamed into place), so a
process killed while writing one leaves none or a whole one; a record that cannot be read or written is as if
absent: the file is hashed, as it was before records existed.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

from geotorch.core import cache_home, calculate_sha256


@dataclass(frozen=True)
class FileVersion:
    """What identifies one version of a file without reading it.

    Attributes:
        path: the real path (links resolved).
        device: ``st_dev``; inodes are unique per device only.
        inode: ``st_ino``; a file replaced by another (a rename over it) has another.
        size: bytes.
        mtime_ns: modification time, nanoseconds.
        ctime_ns: change time, nanoseconds; writing or touching the file moves it, and no user call sets it back.
    """

    path: str
    device: int
    inode: int
    size: int
    mtime_ns: int
    ctime_ns: int

    @classmethod
    def of(cls, path: Path) -> FileVersion:
        """The version of the file at ``path`` now (links followed).

        Raises:
            OSError: if the file cannot be stat'ed.
        """
        real = path.resolve()
        stat = real.stat()
        return cls(str(real), stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)


def records_dir() -> Path:
    """The folder of the records, ``$GEOTORCH_HOME/verified`` (read at each call)."""
    return cache_home() / "verified"


def known_sha256(path: Path) -> str:
    """The SHA-256 of the file at ``path``: from its record when the file is the version it records, else computed.

    A computed digest is recorded when the file did not change while it was read.

    Args:
        path: the file.

    Returns:
        The hex digest.

    Raises:
        OSError: if the file cannot be read.
    """
    version = FileVersion.of(path)
    record = _record_file(version.path)
    remembered = _read(record)
    if remembered is not None and remembered.get("version") == asdict(version):
        digest = remembered.get("sha256")
        if isinstance(digest, str):
            return digest
    digest = calculate_sha256(version.path)
    if FileVersion.of(path) == version:
        _write(record, {"version": asdict(version), "sha256": digest})
    return digest


def forget(path: Path) -> None:
    """Remove the record of ``path`` (a file being removed), if there is one."""
    _record_file(str(path.resolve())).unlink(missing_ok=True)


def _record_file(real_path: str) -> Path:
    """Where the record of the file at ``real_path`` is kept: one small JSON file per path."""
    return records_dir() / f"{hashlib.sha256(real_path.encode()).hexdigest()[:32]}.json"


def _read(record: Path) -> dict[str, object] | None:
    """The record's content, or None when it is missing, unreadable or not a JSON object."""
    try:
        content = json.loads(record.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return content if isinstance(content, dict) else None


def _write(record: Path, content: dict[str, object]) -> None:
    """Write ``content`` to ``record`` atomically; a folder that cannot be written keeps no record."""
    try:
        record.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=record.parent, prefix=f".{record.stem}.", suffix=".tmp")
    except OSError:
        return
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(content, stream)
        os.replace(temporary, record)
    except OSError:
        pass
    finally:
        Path(temporary).unlink(missing_ok=True)
