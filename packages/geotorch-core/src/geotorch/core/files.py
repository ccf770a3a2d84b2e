"""Finding a dataset's files from user-given paths (folders, files or lists of both)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from geotorch.core.partial import is_partial

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

    Returns:
        Sorted, de-duplicated paths.
    """
    found: set[Path] = set()
    for path in paths:
        if path.is_dir():
            found.update(
                candidate
                for candidate in path.rglob(filename_glob)
                if candidate.is_file() and not any(map(is_partial, candidate.relative_to(path).parts))
            )
        elif path.is_file():
            found.add(path)
    return sorted(found)
