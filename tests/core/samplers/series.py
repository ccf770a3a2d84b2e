"""Dated GeoTIFF tiles for the temporal sampler tests: one file per tile and date, its pixels saying which."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from tests.core.rasters import grid, write_raster
from tests.core.samplers.places import Place, Tiles, TileSpec

#: The dates of the series, in time order (``YYYYMMDD``, as in the file names).
DATES = ["20200105", "20200120", "20200210", "20200401", "20200415", "20210101"]


def day(date: str) -> tuple[float, float]:
    """``(mint, maxt)`` in POSIX seconds of a file dated ``date``: the whole day, to a microsecond before midnight."""
    start = datetime.strptime(date, "%Y%m%d").replace(tzinfo=UTC).timestamp()
    return start, start + 86_400 - 1e-6


def pixel_value(tile_number: int, date: str) -> int:
    """What every pixel of tile ``tile_number`` holds on ``date``: ``100 * tile + 1 + date's position``."""
    return 100 * tile_number + 1 + DATES.index(date)


def write_series(folder: Path, place: Place, tiles: Sequence[tuple[TileSpec, Sequence[str]]]) -> Tiles:
    """Write ``<name>_<date>.tif`` for each tile and each of its dates, and open the folder as one dataset.

    Args:
        folder: where to write (created).
        place: the CRS, corner and pixel size of the tiles.
        tiles: ``(tile, dates)`` pairs; tile number ``i`` of the list holds :func:`pixel_value` ``(i, date)``.
    """
    folder.mkdir(parents=True, exist_ok=True)
    for number, ((name, column, row, width, height), dates) in enumerate(tiles):
        bounds = place.bounds(column, row, width, height)
        transform = grid(bounds.minx, bounds.maxy, place.res)
        for date in dates:
            values = np.full((height, width), pixel_value(number, date), dtype=np.uint16)
            write_raster(folder / f"{name}_{date}.tif", values, place.crs, transform)
    return Tiles(folder)
