"""Sentinel-2 L2A scenes in Element84's sentinel-cogs layout: a folder per scene, a COG per band named by the band.

AWS's open-data bucket ``sentinel-cogs`` (Earth Search's ``sentinel-2-l2a`` collection) holds each scene as
``sentinel-s2-l2a-cogs/<zone>/<band>/<square>/<year>/<month>/S2B_10SEG_20220315_0_L2A/B04.tif``: the folder
names the satellite, the tile (its zone not zero-padded: ``S2A_5VNJ_...``), the sensing day and a sequence
number; the files name the bands alone (``B01.tif`` to ``B12.tif``, ``B8A.tif``, beside ``SCL.tif``,
``TCI.tif``, ``AOT.tif``, ``WVP.tif`` and the item's metadata).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from geotorch.core import Location, RasterProfile, SceneRecord, open_raster

#: A scene folder of the layout: satellite, tile, sensing day, sequence number.
SCENE_FOLDER = re.compile(r"^S2[A-D]_(?P<tile>\d{1,2}[A-Z]{3})_(?P<date>\d{8})_\d+_L2A$")


def cog_scene_folders(paths: Sequence[Location]) -> list[Path]:
    """The scene folders of the layout in the local folders of ``paths``, being one, or holding a file it names."""
    folders: set[Path] = set()
    for path in paths:
        if isinstance(path, Path) and path.is_file() and SCENE_FOLDER.match(path.parent.name):
            folders.add(path.parent)
        if not (isinstance(path, Path) and path.is_dir()):
            continue
        candidates = [path, *(found for found in path.rglob("S2*_L2A") if found.is_dir())]
        folders.update(folder for folder in candidates if SCENE_FOLDER.match(folder.name))
    return sorted(folders)


def cog_scene_records(owner: str, folders: Sequence[Path], bands: Sequence[str]) -> list[SceneRecord]:
    """One record per scene folder holding a COG of every band of ``bands``, dated by its sensing day.

    A folder lacking a band's file is skipped with a warning naming the file.

    Args:
        owner: the dataset's name, for messages.
        folders: scene folders (see :func:`cog_scene_folders`).
        bands: the bands to read, in order (``B04`` is read from ``B04.tif``).

    Returns:
        The records, each spanning its sensing day (00:00 to 24:00 UTC, the layout names no time).
    """
    records = []
    for folder in folders:
        found = SCENE_FOLDER.match(folder.name)
        if found is None:
            continue
        files = [_band_file(folder, band) for band in bands]
        missing = next((band for band, file in zip(bands, files, strict=True) if file is None), None)
        if missing is not None:
            warnings.warn(f"{owner}: skipping the scene {folder}: it has no {missing}.tif; choose bands=... it has",
                          stacklevel=5)
            continue
        band_files = [str(file) for file in files]
        day = datetime.strptime(found.group("date"), "%Y%m%d").replace(tzinfo=UTC)
        start, end = day.timestamp(), (day + timedelta(days=1)).timestamp() - 1e-6
        records.append(SceneRecord(band_files[0], _profile(band_files[0]), start, end, band_files))
    return records


def _band_file(folder: Path, band: str) -> Path | None:
    """``<band>.tif`` in ``folder``, whatever the case of its extension, or None."""
    return next((folder / f"{band}{suffix}" for suffix in (".tif", ".TIF", ".tiff", ".TIFF")
                 if (folder / f"{band}{suffix}").is_file()), None)


def _profile(path: str) -> RasterProfile:
    """The grid, type and nodata of the COG at ``path``."""
    with open_raster(path) as source:
        return RasterProfile(
            crs=source.crs.to_wkt(),
            bounds=tuple(source.bounds),
            res=source.res,
            width=source.width,
            height=source.height,
            count=source.count,
            dtype=source.dtypes[0],
            nodata=source.nodata,
        )
