"""TorchGeo's ``paths`` argument of geospatial products: checked, resolved, and the folder downloads go to.

A product's ``paths`` is a folder (searched recursively), a file, or a list (any iterable) of both, as in
TorchGeo 0.10.1; ``root`` is its keyword alias, kept for code written against earlier releases.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

from geotorch.core import Location, find_files

#: What ``paths`` accepts: a folder or a file (``str`` or ``os.PathLike``), or an iterable of them.
ProductPaths = str | os.PathLike[str] | Iterable[str | os.PathLike[str]]


def product_paths(paths: Any, root: Any, owner: str, default: str = "data") -> list[Path]:
    """Resolve ``paths`` (or its alias ``root``) into a list of folders and files.

    Args:
        paths: a folder, a file, or an iterable of both (``str`` or ``os.PathLike``), or None.
        root: the keyword alias of ``paths``, or None.
        owner: the product's class name, used in messages.
        default: the folder used when neither is given (TorchGeo's ``"data"``).

    Returns:
        The paths, in the order given (one element for a single folder or file), ``~`` expanded to the home
        folder as downloads expand it.

    Raises:
        ValueError: if both ``paths`` and ``root`` are given, the list is empty, or it names an archive (a zip
            or tar file, which is not read: its folder is where it is extracted).
        TypeError: if ``paths`` (or ``root``) is neither a path nor an iterable of paths.
    """
    if paths is not None and root is not None:
        raise ValueError(f"{owner}: give paths or its alias root, not both")
    name, chosen = ("root", root) if root is not None else ("paths", paths if paths is not None else default)
    if isinstance(chosen, str | os.PathLike):
        refuse_archives([Path(chosen).expanduser()], name, owner)
        return [Path(chosen).expanduser()]
    if isinstance(chosen, bytes) or not isinstance(chosen, Iterable):
        raise TypeError(
            f"{owner}: {name} must be a folder or a file (str or os.PathLike) or a list of them, "
            f"got {type(chosen).__name__}"
        )
    entries = list(chosen)
    wrong = [entry for entry in entries if not isinstance(entry, str | os.PathLike)]
    if wrong:
        raise TypeError(
            f"{owner}: every entry of {name} must be a folder or a file (str or os.PathLike), "
            f"got {type(wrong[0]).__name__} ({wrong[0]!r})"
        )
    if not entries:
        raise ValueError(f"{owner}: {name} is an empty list; give a folder, a file or a list of them")
    resolved = [Path(entry).expanduser() for entry in entries]
    refuse_archives(resolved, name, owner)
    return resolved


#: File name endings of the archives products are published in (lower case).
ARCHIVE_ENDINGS = (".zip", ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz")


def refuse_archives(paths: list[Path], name: str, owner: str) -> None:
    """Refuse an archive named among ``paths``: its rasters are not read from it, nor found beside it.

    Raises:
        ValueError: if an entry is an existing file named as an archive, naming it and what to pass instead.
    """
    archives = [path for path in paths if path.name.lower().endswith(ARCHIVE_ENDINGS) and path.is_file()]
    if archives:
        raise ValueError(
            f"{owner}: {name} names the archive {archives[0]}, whose files are not read from it; pass the folder "
            f"holding it (archives a product publishes are extracted there) or the extracted files"
        )


def archives_in(paths: Sequence[Location]) -> list[Path]:
    """The archives (by name, see ``ARCHIVE_ENDINGS``) in the local folders of ``paths``, searched recursively."""
    return sorted(
        found
        for path in paths
        if isinstance(path, Path) and path.is_dir()
        for found in path.rglob("*")
        if found.name.lower().endswith(ARCHIVE_ENDINGS) and found.is_file()
    )


def download_folder(paths: list[Path]) -> Path:
    """The folder downloads and extractions go to: the first entry that is not an existing file.

    When every entry is an existing file, the folder of the first one.
    """
    return next((path for path in paths if not path.is_file()), paths[0].parent)


def names_files(paths: list[Path]) -> bool:
    """Whether ``paths`` names a file directly (the user chose the files to read, not a folder to search)."""
    return any(path.is_file() for path in paths)


def matching_files(paths: list[Path], filename_glob: str) -> list[Path]:
    """Files matching ``filename_glob`` in the folders of ``paths`` and among the files it names."""
    return [path for path in find_files(paths, filename_glob) if fnmatch(path.name, filename_glob)]

