"""The files GDAL reads beside a file (``.aux.xml``, masks, overviews, world files...), found in a folder listing.

A sidecar can change what GDAL reports for a raster (a ``.aux.xml`` overrides
its georeferencing and nodata, a world file georeferences a file that has no
internal georeferencing) and is never a dataset file of its own. Names match
case-insensitively: GDAL matches world files and MapInfo tables to a file
that way in a folder listing, and tries upper-case names of the others.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Iterable

#: Appended to a raster's whole name (``a.tif.aux.xml``): PAM metadata (georeferencing, nodata,
#: statistics), ERDAS auxiliary files, external masks and overviews and their own PAM files,
#: ESRI metadata, raster attribute tables.
_WHOLE_NAME_SUFFIXES = (".aux.xml", ".aux", ".msk", ".ovr", ".xml", ".vat.dbf", ".vat.cpg")
#: Replacing a file's extension (``a.aux``): ERDAS auxiliary and spill files, MapInfo tables, ESRI
#: projections, world files, ENVI and ESRI headers, statistics and colour files, RPC and the sensor
#: metadata GDAL looks for beside a raster (DigitalGlobe, OrbView, Kompsat, EROS, Resurs-DK1...),
#: and the parts OGR reads with a shapefile (index, attributes, encoding, spatial indexes).
_STEM_EXTENSIONS = frozenset(
    {"aux", "rrd", "ige", "tab", "prj", "wld", "hdr", "stx", "clr", "rpb", "rpc", "imd", "pvl", "pass", "txt", "xml",
     "shx", "dbf", "cpg", "qix", "sbn", "sbx"}
)
#: Replacing a file's extension, with a longer ending: RPC text files (``a_rpc.txt``), Landsat and
#: OrbView metadata, and the PAM file of the ``a.aux`` an ERDAS tool writes (``a.aux.xml``).
_STEM_SUFFIXES = ("_rpc.txt", "_mtl.txt", "_metadata.txt", "_metadata.xml", ".aux.xml")
#: The last extension of every sidecar name above: other names are rejected with one set lookup.
_LAST_EXTENSIONS = _STEM_EXTENSIONS | {suffix.rpartition(".")[2]
                                       for suffix in (*_WHOLE_NAME_SUFFIXES, *_STEM_SUFFIXES)}


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


def sidecars_of(path: str | os.PathLike[str]) -> list[str]:
    """The names of the sidecars beside ``path`` (one listing of its folder; an unreadable folder has none)."""
    folder, name = os.path.split(os.fspath(path))
    try:
        names = os.listdir(folder or ".")
    except OSError:
        return []
    return sidecars_by_file(names).get(name, [])


#: Folders whose sidecars :func:`sidecar_stamp` remembers, each with the modification time of its listing.
_LISTED_FOLDERS = 1024
_listings: OrderedDict[str, tuple[int, dict[str, list[str]]]] = OrderedDict()
_listings_lock = threading.Lock()


def sidecar_stamp(path: str) -> tuple[int | str, ...]:
    """What changes when a sidecar of ``path`` is written, rewritten, replaced or removed.

    The name, size, modification and status change times and inode of each
    sidecar. The folder is listed again only when its own modification time
    changes (a name added, removed or renamed), so that checking an open file
    costs one ``stat`` of its folder and one of each sidecar it has.

    Args:
        path: a local file.

    Returns:
        The stamp; empty for a file without sidecars or in a folder that cannot be listed.
    """
    folder, name = os.path.split(path)
    folder = folder or "."
    try:
        changed = os.stat(folder).st_mtime_ns
    except OSError:
        return ()
    with _listings_lock:
        listed = _listings.get(folder)
        if listed is not None and listed[0] == changed:
            _listings.move_to_end(folder)
    if listed is None or listed[0] != changed:
        try:
            listed = changed, sidecars_by_file(os.listdir(folder))
        except OSError:
            return ()
        with _listings_lock:
            _listings[folder] = listed
            while len(_listings) > _LISTED_FOLDERS:
                _listings.popitem(last=False)
    stamp: list[int | str] = []
    for sidecar in listed[1].get(name, []):
        try:
            status = os.stat(os.path.join(folder, sidecar))
        except OSError:
            continue
        stamp += [sidecar, status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino]
    return tuple(stamp)


def probed_alike(name: str, sidecars: Iterable[str]) -> bool:
    """Whether GDAL finds the same world files and MapInfo tables of ``name`` by probing names as in a listing.

    Opening ``a.tif`` without listing its folder, GDAL probes ``a.tfw`` and ``a.TFW`` (the stem as it
    is, the extension in lower and upper case), ``a.tifw``, ``a.wld`` and ``a.tab`` alike; in a listing
    it matches them in any case (``a.Tfw``, ``A.TAB``), the first in listing order where two names differ
    only in case. Its other sidecars that change what it reports (``a.tif.aux.xml``, ``a.aux``) it
    finds by the same names either way.

    Args:
        name: the file's name.
        sidecars: the names of its sidecars (see :func:`sidecars_by_file`).
    """
    sidecars = list(sidecars)
    stem, dot, _ = name.rpartition(".")
    if not dot:
        return not sidecars
    extensions = {*_world_file_extensions(name), "wld", "tab"}
    placing = [sidecar for sidecar in sidecars if sidecar.lower() in {f"{stem}.{ext}".lower() for ext in extensions}]
    probed = {f"{stem}.{case}" for ext in extensions for case in (ext, ext.upper())}
    return all(sidecar in probed for sidecar in placing) and len({sidecar.lower() for sidecar in placing}) == len(
        placing)


def _owners(lower: str, by_name: dict[str, list[str]], by_stem: dict[str, list[str]]) -> list[str]:
    """The names (any case) whose sidecar the lower-cased name ``lower`` can be."""
    stem, _, extension = lower.rpartition(".")
    owners = [owner for suffix in _WHOLE_NAME_SUFFIXES if lower.endswith(suffix)
              for owner in by_name.get(lower[: -len(suffix)], [])]
    stems = [lower[: -len(suffix)] for suffix in _STEM_SUFFIXES if lower.endswith(suffix)]
    if extension in _STEM_EXTENSIONS:
        stems.append(stem)
    elif extension.endswith("w"):
        owners += [owner for owner in by_stem.get(stem, []) if extension in _world_file_extensions(owner)]
    # a.prj and a.dbf are both a.shp's, not each other's; a.tif.aux.xml is a.tif's, not a.tif.msk's.
    owners += [owner for base in stems for owner in by_stem.get(base, [])
               if owner.rpartition(".")[2].lower() not in _LAST_EXTENSIONS]
    return owners


def _may_be_sidecar(lower: str) -> bool:
    """Whether the last extension of the lower-cased name ``lower`` is one a sidecar can have."""
    _, dot, extension = lower.rpartition(".")
    return bool(dot) and (extension in _LAST_EXTENSIONS or extension.endswith("w"))


def _world_file_extensions(name: str) -> tuple[str, str]:
    """The extensions of the world files GDAL looks for beside ``name``: ``a.tif`` -> ``tfw``, ``tifw``."""
    extension = name.rpartition(".")[2].lower()
    return f"{extension[:1]}{extension[-1:]}w", f"{extension}w"
