"""The files GDAL reads beside a file (``.aux.xml``, masks, overviews, world files...), found in a folder listing.

A sidecar can change what GDAL reports for a raster (a ``.aux.xml`` overrides
its georeferencing and nodata, a world file georeferences a file that has no
internal georeferencing) and is never a dataset file of its own. Names match
case-insensitively, as GDAL also tries upper-case names.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

#: Appended to a raster's whole name (``a.tif.aux.xml``): PAM metadata (georeferencing, nodata,
#: statistics), ERDAS auxiliary files, external masks and overviews and their own PAM files,
#: ESRI metadata, raster attribute tables.
_WHOLE_NAME_SUFFIXES = (".aux.xml", ".aux", ".msk", ".ovr", ".xml", ".vat.dbf", ".vat.cpg")
#: Replacing a file's extension (``a.aux``): ERDAS auxiliary and spill files, MapInfo tables, ESRI
#: projections, world files, ENVI and ESRI headers, statistics and colour files, RPC and sensor metadata,
#: and the parts OGR reads with a shapefile (index, attributes, encoding, spatial indexes).
_STEM_EXTENSIONS = frozenset(
    {"aux", "rrd", "ige", "tab", "prj", "wld", "hdr", "stx", "clr", "rpb", "imd", "pvl",
     "shx", "dbf", "cpg", "qix", "sbn", "sbx"}
)
#: Appended to a raster's name without its extension: RPC text files (``a_rpc.txt``).
_RPC_SUFFIX = "_rpc.txt"
#: The last extension of every sidecar name above: other names are rejected with one set lookup.
_LAST_EXTENSIONS = _STEM_EXTENSIONS | {suffix.rpartition(".")[2] for suffix in (*_WHOLE_NAME_SUFFIXES, _RPC_SUFFIX)}


def sidecars_by_file(names: Iterable[str]) -> dict[str, list[str]]:
    """The sidecars of each file of one folder, from the names in the folder.

    Args:
        names: every name in the folder.

    Returns:
        ``name -> sorted names of its sidecars``, for the names that have any.
    """
    names = list(names)
    # Most folders hold no sidecar: one look at each name's last extension settles that.
    candidates = [name for name in names if _may_be_sidecar(name.lower())]
    if not candidates:
        return {}
    by_name: dict[str, list[str]] = {}
    by_stem: dict[str, list[str]] = {}
    for name in names:
        lower = name.lower()
        by_name.setdefault(lower, []).append(name)
        stem, dot, _ = lower.rpartition(".")
        by_stem.setdefault(stem if dot else lower, []).append(name)
    sidecars: dict[str, set[str]] = {}
    for name in candidates:
        for owner in _owners(name.lower(), by_name, by_stem):
            if owner != name:
                sidecars.setdefault(owner, set()).add(name)
    return {owner: sorted(found) for owner, found in sidecars.items()}


def sidecar_names(names: Iterable[str]) -> set[str]:
    """The names, among those of one folder, that are sidecars of another file of the folder."""
    return {sidecar for found in sidecars_by_file(names).values() for sidecar in found}


def sidecars_of(path: str | os.PathLike[str]) -> list[str]:
    """The names of the sidecars beside ``path`` (one listing of its folder; an unreadable folder has none)."""
    folder, name = os.path.split(os.fspath(path))
    try:
        names = os.listdir(folder or ".")
    except OSError:
        return []
    return sidecars_by_file(names).get(name, [])


def _owners(lower: str, by_name: dict[str, list[str]], by_stem: dict[str, list[str]]) -> list[str]:
    """The names (any case) whose sidecar the lower-cased name ``lower`` can be."""
    stem, _, extension = lower.rpartition(".")
    owners = [owner for suffix in _WHOLE_NAME_SUFFIXES if lower.endswith(suffix)
              for owner in by_name.get(lower[: -len(suffix)], [])]
    if extension in _STEM_EXTENSIONS:
        # a.prj and a.dbf are both a.shp's, not each other's.
        owners += [owner for owner in by_stem.get(stem, []) if owner.rpartition(".")[2].lower() not in _STEM_EXTENSIONS]
    elif extension.endswith("w"):
        owners += [owner for owner in by_stem.get(stem, []) if extension in _world_file_extensions(owner)]
    if lower.endswith(_RPC_SUFFIX):
        owners += by_stem.get(lower[: -len(_RPC_SUFFIX)], [])
    return owners


def _may_be_sidecar(lower: str) -> bool:
    """Whether the last extension of the lower-cased name ``lower`` is one a sidecar can have."""
    _, dot, extension = lower.rpartition(".")
    return bool(dot) and (extension in _LAST_EXTENSIONS or extension.endswith("w"))


def _world_file_extensions(name: str) -> tuple[str, str]:
    """The extensions of the world files GDAL looks for beside ``name``: ``a.tif`` -> ``tfw``, ``tifw``."""
    extension = name.rpartition(".")[2].lower()
    return f"{extension[:1]}{extension[-1:]}w", f"{extension}w"
