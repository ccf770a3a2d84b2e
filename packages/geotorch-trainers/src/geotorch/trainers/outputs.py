"""Prediction files: names mirrored from the inputs' paths, written atomically.

Light on purpose (rasterio, numpy and core's file-name helpers only, no Lightning),
so the writing can be used and tested on its own.
"""

from __future__ import annotations

import glob
import os
import re
import secrets
import socket
import sys
import unicodedata
from collections.abc import Mapping, Sequence
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np
import rasterio

from geotorch.core import NAME_MAX, redacted, shortened

#: The extension of every prediction file.
OUTPUT_SUFFIX = ".tif"

def output_folder(output_dir: object, owner: str) -> Path:
    """``output_dir`` as the folder of the outputs.

    Raises:
        TypeError: if it is no path (``None``, bytes), naming it and ``owner``.
        ValueError: if it is empty: ``Path("")`` would be the working folder, which nobody asked for.
    """
    if not isinstance(output_dir, (str, os.PathLike)) or not isinstance(os.fspath(output_dir), str):
        raise TypeError(f"{owner}: output_dir={output_dir!r} must be a folder's path (str or os.PathLike)")
    if not os.fspath(output_dir):
        raise ValueError(f"{owner}: output_dir='' is empty; give the folder of the outputs ('.' for this one)")
    return Path(output_dir)


#: Characters that some file systems refuse in a name (Windows' list), replaced by ``_`` in output names.
UNSAFE_CHARACTERS = re.compile(r'[\\:*?"<>|\x00-\x1f]')

#: Which host wrote a temporary: its name without the characters that could break the temporary's name, cut to the
#: 64 characters Linux allows a host name.
HOST = re.sub(r"[^A-Za-z0-9-]", "-", socket.gethostname())[:64] or "host"

# Room a temporary's name needs around the output's name: dots, host, a process id of up to 10 digits, 8 hex digits.
_TEMPORARY_BYTES = len(f"..{HOST}.{'9' * 10}.{'f' * 8}.part")


def output_names(sources: Sequence[str | None]) -> list[PurePosixPath]:
    """The relative path of the output of each index entry, distinct for distinct entries.

    An entry read from a file gets the file's path relative to the folder that holds all the
    files (their longest common folder), its extension replaced by ``.tif``: inputs ``a.tif``,
    ``a_2.tif`` and ``sub/a.tif`` give outputs of the same names, in the same folders; files of
    two roots with the same relative path keep their roots' names as folders. An entry without
    a file (``None``) is named ``prediction_<n>.tif`` after its position ``n``.

    Where entries would share a name (compared ignoring case and Unicode normalisation, so that
    outputs stay apart on case-insensitive and normalising disks too: ``a.tif`` with ``a.TIF`` or
    ``a.jp2``, ``café`` spelled with ``é`` or with ``e`` and a combining accent, or several entries
    of one file), the entry whose input has exactly that relative path keeps it, and each other one,
    in the order of its input's path then of its position, gets ``<stem>_<k>.tif`` with the
    smallest ``k >= 2`` that no other output uses. Names keep their inputs' spelling. A file name
    longer than the 255 bytes file systems allow is shortened to fit, keeping a digest of the whole
    name (:func:`geotorch.core.shortened`). The names depend only on ``sources`` (not on
    the run, the rank or the disk's contents).

    Args:
        sources: the file (a path, a GDAL virtual path or a URL) of each entry, or None.

    Returns:
        One relative POSIX path per entry, in the order of ``sources``.
    """
    parts = [_path_parts(source) if source is not None else None for source in sources]
    folders = [found[:-1] for found in parts if found is not None]
    # How many leading folders all files share: the first level where they differ, else the shallowest depth.
    common = next(
        (level for level, names in enumerate(zip(*folders, strict=False)) if len(set(names)) > 1),
        min(map(len, folders), default=0),
    )
    relative = [
        PurePosixPath(*found[common:]) if found is not None else PurePosixPath(f"prediction_{number}{OUTPUT_SUFFIX}")
        for number, found in enumerate(parts)
    ]
    natural = [_output_name(path, path.stem) for path in relative]
    groups: dict[str, list[int]] = {}
    for number, name in enumerate(natural):
        groups.setdefault(_disk_key(name), []).append(number)
    taken = set(groups)
    names = list(natural)
    for key in sorted(groups):
        members = sorted(
            groups[key], key=lambda number: (relative[number] != natural[number], str(relative[number]), number)
        )
        for number in members[1:]:
            names[number] = _first_free(natural[number], taken)
            taken.add(_disk_key(names[number]))
    return names


def _output_name(path: PurePosixPath, stem: str) -> PurePosixPath:
    """``<stem>.tif`` beside ``path``, its stem shortened if the name would be too long for a file system."""
    return path.with_name(shortened(stem, NAME_MAX - len(OUTPUT_SUFFIX)) + OUTPUT_SUFFIX)


def _disk_key(path: PurePosixPath) -> str:
    """What ``path`` is on a disk that ignores case and Unicode normalisation (caseless canonical matching)."""
    return unicodedata.normalize("NFC", unicodedata.normalize("NFD", str(path)).casefold())


def _first_free(name: PurePosixPath, taken: set[str]) -> PurePosixPath:
    """``<stem>_<k>.tif`` beside ``name`` with the smallest ``k >= 2`` whose :func:`_disk_key` is not taken."""
    k = 2
    while _disk_key(candidate := _output_name(name, f"{name.stem}_{k}")) in taken:
        k += 1
    return candidate


def _path_parts(source: str) -> tuple[str, ...]:
    """The folders and name of ``source``, absolute for a local path, each safe as a file name.

    A URL's query string and fragment (a signed URL's signature, a version) are left out, so the
    name is its path's; URLs differing only there are told apart by :func:`output_names`' suffixes.
    """
    is_local = "://" not in source and not source.startswith("/vsi")
    text = Path(os.path.abspath(source)).as_posix() if is_local else _without_query(source).replace("\\", "/")
    # ".." can only remain in a URL; kept as a name it would climb out of the output folder.
    return tuple(
        UNSAFE_CHARACTERS.sub("_", part) if part != ".." else "_" for part in text.split("/") if part not in ("", ".")
    )


def _without_query(source: str) -> str:
    """``source`` without the query string and fragment of the URL it holds (``/vsicurl/https://...`` too)."""
    scheme = source.find("://")
    if scheme < 0:
        return source
    cut = min((found for found in (source.find(mark, scheme) for mark in "?#") if found >= 0), default=len(source))
    return source[:cut]


def source_tag(source: str) -> str:
    """What an output's ``source`` tag says of its input file.

    A local file's absolute path; a URL or GDAL virtual path as given, less a URL's query string
    and fragment and with its password as ``...`` (a signed URL's signature and a password are
    credentials, not to be copied into outputs and messages).
    """
    if "://" not in source and not source.startswith("/vsi"):
        return os.path.abspath(source)
    return redacted(_without_query(source))


def refuse_overwriting_inputs(targets: Sequence[Path], sources: Sequence[str | None], caller: str) -> None:
    """Make sure no output file is one of the input files (any of them, not only its own).

    Files are compared by identity (device and inode), so another spelling of a path, a
    link, or a disk that ignores case are caught too; outputs not written yet and inputs
    that are not local files are passed over.

    Args:
        targets: the files that will be written.
        sources: the input files (or URLs, or None).
        caller: the name the error gives (``predict_raster``).

    Raises:
        ValueError: if an output would overwrite an input, naming both.
    """
    inputs: dict[tuple[int, int], str] = {}
    for source in sources:
        if source is not None and os.path.isfile(source):
            status = os.stat(source)
            inputs[(status.st_dev, status.st_ino)] = source
    for target in targets:
        try:
            status = os.stat(target)
        except OSError:
            continue
        found = inputs.get((status.st_dev, status.st_ino))
        if found is not None:
            raise ValueError(
                f"{caller}: the output {target} would overwrite that input, {found} "
                f"(output_dir={str(target.parent)!r}); choose an output_dir outside the inputs' folders"
            )


def refuse_blocked_targets(targets: Sequence[Path], caller: str) -> None:
    """Make sure no folder stands where an output goes, and no file where a folder it goes in goes.

    Checked before the model runs: found when an output is renamed into place, after its whole
    prediction, it came as the operating system's error about a hidden temporary's name.

    Args:
        targets: the files that will be written.
        caller: the name the error gives (``predict_raster``).

    Raises:
        IsADirectoryError: if an output's path is a folder, naming it.
        NotADirectoryError: if a folder an output goes in (the output folder or any above or below it) is a
            file, naming both.
    """
    for target in targets:
        if target.is_dir():
            raise IsADirectoryError(f"{caller}: the output {target} is a folder; move it, or choose another output_dir")
        for parent in target.parents:
            if parent.is_dir():
                break  # (the folders above it are folders too)
            if parent.exists():
                raise NotADirectoryError(
                    f"{caller}: the output {target} goes in the folder {parent}, which is a file; move it, or "
                    "choose another output_dir"
                )


def refuse_unwritable_folders(targets: Sequence[Path], caller: str) -> None:
    """Make sure a file can be made where each output goes: in its folder, or the nearest one that exists above it.

    Each such folder is tried once, by making and removing a hidden temporary there (the only test that holds
    for permissions, read-only disks and access lists alike). Checked before the model runs: found when the
    first output's part file was made, after a batch, GDAL named that hidden temporary and not the folder.

    Args:
        targets: the files that will be written.
        caller: the name the error gives (``predict_raster``).

    Raises:
        PermissionError: if a file cannot be made in such a folder, naming it, an output and the reason.
    """
    tried: set[Path] = set()
    for target in targets:
        folder = next((parent for parent in target.parents if parent.exists()), Path.cwd())
        if folder in tried:
            continue
        tried.add(folder)
        probe = temporary_of(folder / target.name)
        try:
            descriptor = os.open(probe, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        except OSError as error:
            raise PermissionError(
                f"{caller}: cannot write in {folder}, where the output {target} goes ({error.strerror or error}); "
                "choose an output_dir you can write to"
            ) from None
        os.close(descriptor)
        probe.unlink(missing_ok=True)


def write_raster(path: Path, array: np.ndarray, profile: Mapping[str, Any], tags: Mapping[str, str]) -> None:
    """Write ``array`` as the raster ``path`` atomically: a reader sees the old file or the new one, whole.

    The raster is written to a hidden temporary beside ``path``
    (``.<name>.<host>.<pid>.<random>.part``, which no ``*.tif`` glob matches; ``<name>`` is
    shortened when the temporary's name would pass 255 bytes) and renamed over
    ``path`` (``os.replace``) once complete and flushed to disk. Any exception removes the
    temporary; a process killed meanwhile (SIGKILL, SIGTERM) leaves ``path`` as it was, and its
    temporary is removed by the next write of ``path`` (see :func:`remove_stale_temporaries`).
    GDAL's ``.aux.xml`` sidecars are turned off, so the raster is one file.

    Args:
        path: the output file; its folder is created if missing.
        array: ``(bands, height, width)`` values of ``profile["dtype"]``.
        profile: rasterio creation options (driver, size, dtype, crs, transform, nodata, ...).
        tags: metadata items stored in the file.

    Raises:
        rasterio.errors.RasterioError: if GDAL cannot write the file (the message names it).
        OSError: if the folder cannot be created or the file renamed.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(path)
    temporary = temporary_of(path)
    try:
        with rasterio.Env(GDAL_PAM_ENABLED="NO"), rasterio.open(temporary, "w", **profile) as target:
            target.write(array)
            target.update_tags(**tags)
        descriptor = os.open(temporary, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def temporary_of(path: Path) -> Path:
    """A new hidden temporary name beside ``path``: ``.<name>.<host>.<pid>.<random>.part`` (as write_raster's)."""
    return path.with_name(f".{_temporary_stem(path)}.{HOST}.{os.getpid()}.{secrets.token_hex(4)}.part")


def remove_stale_temporaries(path: Path) -> list[Path]:
    """Remove the temporaries of ``path`` left by writers of this host that are no longer running.

    A temporary of a writer still running (this process's included), or of another host
    (whose processes cannot be checked from here), is left alone. On Windows nothing is
    removed: there the temporaries are only ignored.

    Returns:
        The temporaries removed.
    """
    if sys.platform == "win32":
        return []
    stem = _temporary_stem(path)
    pattern = re.compile(rf"\.{re.escape(stem)}\.{re.escape(HOST)}\.(\d+)\.[0-9a-f]+\.part")
    removed: list[Path] = []
    for candidate in path.parent.glob(f".{glob.escape(stem)}.*.part"):
        match = pattern.fullmatch(candidate.name)
        if match is None or _is_running(int(match.group(1))):
            continue
        candidate.unlink(missing_ok=True)
        removed.append(candidate)
    return removed


def _temporary_stem(path: Path) -> str:
    """How ``path``'s name is spelled in its temporaries' names, which must stay within 255 bytes."""
    return shortened(path.name, NAME_MAX - _TEMPORARY_BYTES)


def _is_running(pid: int) -> bool:
    """Whether the process ``pid`` of this host exists (signal 0 only checks)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
