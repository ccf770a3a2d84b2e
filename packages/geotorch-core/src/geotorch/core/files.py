"""Finding a dataset's files from user-given paths (folders, files or lists of both)."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from geotorch.core.partial import is_partial
from geotorch.core.sidecars import sidecar_names

PathLike = str | Path
Paths = PathLike | Iterable[PathLike]


def as_path_list(paths: Paths | None, root: Paths | None, owner: str, default: str = "data") -> list[Path]:
    """Resolve the ``paths`` argument and its ``root`` alias into a list of paths.

    Raises:
        ValueError: if both ``paths`` and ``root`` are given.
    """
    if paths is not None and root is not None:
        raise ValueError(f"{owner}: give paths or its alias root, not both")
    chosen = paths if paths is not None else root if root is not None else default
    if isinstance(chosen, (str, Path)):
        return [Path(chosen)]
    return [Path(path) for path in chosen]


def find_files(paths: list[Path], filename_glob: str) -> list[Path]:
    """Files matching ``filename_glob`` in the folders (searched recursively) and the files named directly.

    A folder's search skips partial downloads and extraction staging folders (see
    :mod:`geotorch.core.partial`) and everything inside them: they hold unfinished files.
    It also skips the sidecars of other files in the same folder (``a.tif.aux.xml``,
    ``a.tif.msk``, ``a.tif.ovr``, ``a.tfw``... see :mod:`geotorch.core.sidecars`): GDAL reads
    them with their file, they are no dataset files of their own. Files named directly are kept.

    Returns:
        Sorted, de-duplicated paths.
    """
    found: set[Path] = set()
    named: set[Path] = set()
    for path in paths:
        if path.is_dir():
            found.update(
                candidate
                for candidate in path.rglob(filename_glob)
                if candidate.is_file() and not any(map(is_partial, candidate.relative_to(path).parts))
            )
        elif path.is_file():
            named.add(path)
    return sorted(_without_sidecars(found) | named)


def _without_sidecars(files: set[Path]) -> set[Path]:
    """``files`` less the sidecars of other files in their folders (one listing per folder)."""
    sidecars: set[str] = set()
    for folder in {os.path.dirname(file) for file in files}:
        try:
            names = os.listdir(folder or ".")
        except OSError:
            continue
        sidecars.update(os.path.join(folder, name) for name in sidecar_names(names))
    return {file for file in files if os.fspath(file) not in sidecars} if sidecars else files
