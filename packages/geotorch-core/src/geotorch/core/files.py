"""Finding a dataset's files from user-given paths (folders, files, URLs, object-store prefixes or lists of them)."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import overload

from geotorch.core.object_names import object_name
from geotorch.core.object_store import remote_files
from geotorch.core.partial import is_partial
from geotorch.core.remote import Location, RemotePath, is_remote
from geotorch.core.sidecars import sidecars_by_file

PathLike = str | Path
Paths = PathLike | Iterable[PathLike]


def as_path_list(paths: Paths | None, root: Paths | None, owner: str, default: str = "data") -> list[Path]:
    """Resolve the ``paths`` argument and its ``root`` alias into a list of local paths.

    Raises:
        TypeError: if the argument is neither a path nor an iterable of paths (naming it).
        ValueError: if both ``paths`` and ``root`` are given.
    """
    return [Path(path) for path in _given(paths, root, owner, default)]


def as_locations(paths: Paths | None, root: Paths | None, owner: str, default: str = "data") -> list[Location]:
    """As :func:`as_path_list`, keeping URLs and GDAL virtual paths remote.

    A URL (``https://``, ``s3://``, ``gs://``, ``az://``) or GDAL virtual path (``/vsi...``)
    becomes a :class:`~geotorch.core.remote.RemotePath`, anything else a :class:`~pathlib.Path`.

    Raises:
        TypeError: if the argument is neither a path nor an iterable of paths (naming it).
        ValueError: if both ``paths`` and ``root`` are given.
    """
    return [_location(path) for path in _given(paths, root, owner, default)]


def _given(paths: object, root: object, owner: str, default: str) -> list[str]:
    """The paths of ``paths`` or its alias ``root`` (else ``default``) as a list of str (paths, URLs, RemotePaths)."""
    if paths is not None and root is not None:
        raise ValueError(f"{owner}: give paths or its alias root, not both")
    name = "paths" if paths is not None else "root"
    chosen = paths if paths is not None else root if root is not None else default
    if isinstance(chosen, (str, os.PathLike, RemotePath)):
        chosen = [chosen]
    if not isinstance(chosen, Iterable) or isinstance(chosen, bytes):
        raise TypeError(f"{owner}: {name}={chosen!r} must be a path, a URL or a list of them")
    given = list(chosen)
    for path in given:
        if not isinstance(path, (str, os.PathLike, RemotePath)):
            raise TypeError(f"{owner}: {name} holds {path!r} ({type(path).__name__}), not a path or URL")
    return [str(path) if isinstance(path, RemotePath) else str(os.fspath(path)) for path in given]


def _location(path: PathLike) -> Location:
    """A remote path for a URL or GDAL virtual path, else a local one with ``~`` expanded (as downloads expand it)."""
    text = str(path)
    return RemotePath(text) if is_remote(text) else Path(path).expanduser()


@overload
def find_files(paths: Sequence[Path], filename_glob: str) -> list[Path]: ...
@overload
def find_files(paths: Sequence[Location], filename_glob: str) -> list[Location]: ...
def find_files(paths: Sequence[Location], filename_glob: str) -> list[Path] | list[Location]:
    """Files matching ``filename_glob`` in the folders (searched recursively) and the files named directly.

    A remote path is listed by :func:`geotorch.core.object_store.remote_files`: an object-store
    prefix like a folder, a single object or HTTP file as a file named directly, each with its
    stamp. Remote files follow the local ones, sorted by URL; an object named in several forms
    (``s3://b/k``, ``/vsis3/b/k``, ``https://b.s3.amazonaws.com/k``: see
    :func:`geotorch.core.object_names.object_name`) is listed once, as first named.

    A folder's search skips partial downloads and extraction staging folders (see
    :mod:`geotorch.core.partial`) and everything inside them: they hold unfinished files.
    It also skips the sidecars of other files in the same folder (``a.tif.aux.xml``,
    ``a.tif.msk``, ``a.tif.ovr``, ``a.tfw``... see :mod:`geotorch.core.sidecars`), whether or
    not the glob takes those files: GDAL reads them with their file, they are no dataset files of
    their own. A file named directly is kept, unless it is a sidecar of another file taken
    (``paths`` listing a folder's every file names ``a.tif`` and ``a.tif.aux.xml``).

    Returns:
        Sorted, de-duplicated paths.

    Raises:
        FileNotFoundError: if a remote path names nothing (no object, prefix or HTTP file), naming it.
        OSError: if listing a remote path fails, naming it and the error.
        ValueError: if a local file's path is not UTF-8 (GDAL could not open it), naming it.
    """
    found: set[Path] = set()
    named: set[Path] = set()
    remote: dict[str, RemotePath] = {}
    for path in paths:
        if isinstance(path, RemotePath):
            for listed in remote_files(path, filename_glob):
                # One object reached by several URLs (s3://, /vsis3/, https://bucket.s3...) is one file.
                remote.setdefault(object_name(listed.url), listed)
        elif path.is_dir():
            found.update(
                candidate
                for candidate in path.rglob(filename_glob)
                if candidate.is_file() and not any(map(is_partial, candidate.relative_to(path).parts))
            )
        elif path.is_file():
            named.add(path)
    found -= named
    owners = _owners_of_sidecars(found | named)
    found = {file for file in found if file not in owners}
    local = sorted(found | {file for file in named if not owners.get(file, set()) & (found | named)})
    for file in local:
        check_utf8_path(file)
    located: list[Location] = [*local, *(remote[url] for url in sorted(remote))]
    return located


def check_utf8_path(file: Path) -> None:
    """Refuse a path that is not UTF-8 (Latin-1 bytes, say): rasterio hands GDAL UTF-8 paths only.

    Python keeps such bytes as lone surrogates; opening the file would fail at its first read with a
    ``UnicodeEncodeError`` naming no file.

    Args:
        file: a path as listed from its folder.

    Raises:
        ValueError: naming the path's bytes.
    """
    try:
        str(file).encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(
            f"{os.fsencode(file)!r}: the path is not UTF-8, and GDAL is given UTF-8 paths only; rename it "
            "(convmv -f latin1 -t utf8 converts Latin-1 names)"
        ) from None


def _owners_of_sidecars(files: set[Path]) -> dict[Path, set[Path]]:
    """``sidecar -> the files of its folder it is a sidecar of``, for the sidecars among ``files``.

    One listing per folder; a folder that cannot be listed has no sidecars.
    """
    owners: dict[Path, set[Path]] = {}
    for folder in {file.parent for file in files}:
        try:
            names = os.listdir(folder)
        except OSError:
            continue
        for owner, sidecars in sidecars_by_file(names).items():
            for sidecar in sidecars:
                owners.setdefault(folder / sidecar, set()).add(folder / owner)
    return owners
