"""Finding the vector files of a dataset's paths, an Esri File Geodatabase folder taken as one file."""

from __future__ import annotations

from collections.abc import Sequence
from fnmatch import fnmatchcase
from pathlib import Path

from geotorch.core.files import find_files
from geotorch.core.partial import is_partial
from geotorch.core.remote import Location, RemotePath

#: The suffix of a File Geodatabase folder's name.
GEODATABASE_SUFFIX = ".gdb"
#: The system catalog table every File Geodatabase holds, by which GDAL's OpenFileGDB driver knows one.
GEODATABASE_CATALOG = "a00000001.gdbtable"


def find_vector_files(paths: Sequence[Location], filename_glob: str) -> list[Location]:
    """Files matching ``filename_glob``, as :func:`geotorch.core.find_files` finds them, each File Geodatabase as one.

    A File Geodatabase is a folder named ``*.gdb`` of table and index files that GDAL opens
    as one dataset of layers. Opened file by file, each of its tables read as a file of its own
    (every layer burnt together, none warned of) and each of its other files as an unreadable
    file. Such a folder is listed as one file, when named in ``paths`` or when its name matches
    ``filename_glob`` in a folder searched; the files inside it never are.

    A URL or GDAL virtual path (``/vsizip/...``, ``/vsicurl/...``) is one file named directly, as TorchGeo
    takes them.

    Args:
        paths: folders (searched recursively), files, URLs and GDAL virtual paths.
        filename_glob: the glob a file's (or File Geodatabase's) name matches.

    Returns:
        Sorted, de-duplicated local paths, then the remote ones in the order given.
    """
    remote = list(dict.fromkeys(path for path in paths if isinstance(path, RemotePath)))
    local = [path for path in paths if isinstance(path, Path)]
    databases = {path for path in local if is_geodatabase(path)}
    for folder in (path for path in local if path.is_dir() and path not in databases):
        databases.update(
            candidate
            for candidate in folder.rglob(f"*{GEODATABASE_SUFFIX}")
            if fnmatchcase(candidate.name, filename_glob)
            and is_geodatabase(candidate)
            and not any(map(is_partial, candidate.relative_to(folder).parts))
        )
    files = [file for file in find_files(local, filename_glob) if not any(map(is_geodatabase, file.parents))]
    return [*sorted({*files, *databases}), *remote]


def is_geodatabase(path: Path) -> bool:
    """Whether ``path`` is a File Geodatabase: a folder named ``*.gdb`` holding its system catalog."""
    return path.suffix.lower() == GEODATABASE_SUFFIX and (path / GEODATABASE_CATALOG).is_file()
