"""Reading the windows of ``predict_raster``: which files, on which grid, one window at a time."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import rasterio
import torch
from rasterio.crs import CRS
from rasterio.enums import Resampling
from rasterio.io import DatasetReader
from rasterio.vrt import WarpedVRT
from rasterio.windows import Window
from torch import Tensor
from torch.utils.data import Dataset

if TYPE_CHECKING:
    from geotorch.trainers.predict_cog import Grid
    from geotorch.trainers.predict_grid import Chunk
    from geotorch.trainers.predict_stream import OutputLayout

#: File name endings of the rasters found in a folder.
RASTER_SUFFIXES = (".tif", ".tiff", ".jp2", ".vrt", ".img")


def raster_paths(paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]]) -> list[str]:
    """The raster files of ``paths``: files as given, folders searched recursively for :data:`RASTER_SUFFIXES`.

    Raises:
        FileNotFoundError: if a path does not exist, a folder holds no raster, or there is none at all.
    """
    given = [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)
    found: list[str] = []
    for path in map(Path, given):
        if path.is_dir():
            inside = sorted(
                str(item)
                for item in path.rglob("*")
                if item.suffix.lower() in RASTER_SUFFIXES and item.is_file() and not item.name.startswith(".")
            )
            if not inside:
                raise FileNotFoundError(f"no raster ({', '.join(RASTER_SUFFIXES)}) in the folder {path}")
            found.extend(inside)
        elif path.is_file():
            found.append(str(path))
        else:
            raise FileNotFoundError(f"no such raster file or folder: {path}")
    if not found:
        raise FileNotFoundError("predict_raster: paths= names no raster")
    return found


def open_view(
    source: str, crs: CRS | None, res: float | tuple[float, float] | None, grid: Grid
) -> DatasetReader | WarpedVRT:
    """``source`` opened on the output's grid: the file itself, or a bilinear warp onto ``grid``.

    A warp gets an alpha band (after the file's bands) when the file has no nodata value, so
    its footprint is known.
    """
    reader = rasterio.open(source)
    if crs is None:
        return reader
    return WarpedVRT(
        reader,
        crs=grid.crs,
        transform=grid.transform,
        width=grid.width,
        height=grid.height,
        resampling=Resampling.bilinear,
        add_alpha=reader.nodata is None and reader.count not in (2, 4),
    )


def close_view(view: DatasetReader | WarpedVRT) -> None:
    """Close a view from :func:`open_view`, and its file."""
    view.close()
    if isinstance(view, WarpedVRT):
        view.src_dataset.close()


def read_window(view: DatasetReader | WarpedVRT, bands: int, top: int, left: int, size: tuple[int, int]) -> np.ndarray:
    """The ``(bands, height, width)`` float32 pixels of a window, zeros where it passes the raster's edge."""
    window = np.zeros((bands, *size), dtype="float32")
    row_start, row_stop = max(top, 0), min(top + size[0], view.height)
    column_start, column_stop = max(left, 0), min(left + size[1], view.width)
    if row_start < row_stop and column_start < column_stop:
        pixels = view.read(
            list(range(1, bands + 1)),
            window=Window(column_start, row_start, column_stop - column_start, row_stop - row_start),
        )
        window[:, row_start - top : row_stop - top, column_start - left : column_stop - left] = pixels
    return window


class WindowReader(Dataset[tuple[Tensor, int, int, int]]):
    """Every window of every chunk, in order: ``(pixels, chunk position, top, left)``.

    Files are opened on first use in each process (a DataLoader's workers included) and the
    previous output's closed when the next one's window is read.

    Args:
        layouts: the outputs, each with its input file and windows.
        plan: ``(output position, chunk)`` of every chunk, in the order they are run.
        crs: the grid's CRS when inputs are warped, else None.
        res: the warped grid's resolution, or None.
    """

    def __init__(
        self,
        layouts: Sequence[OutputLayout],
        plan: Sequence[tuple[int, Chunk]],
        crs: CRS | None,
        res: float | tuple[float, float] | None,
    ) -> None:
        self.layouts, self.plan, self.crs, self.res = list(layouts), list(plan), crs, res
        self.items = [
            (position, top, left)
            for position, (number, chunk) in enumerate(plan)
            for top, left in layouts[number].windows(chunk)
        ]
        self.bands = [_band_count(layout.source) for layout in layouts]
        self._open: tuple[int, Any] | None = None

    def __len__(self) -> int:
        """Windows of all chunks."""
        return len(self.items)

    def __getitem__(self, index: int) -> tuple[Tensor, int, int, int]:
        """The window's pixels ``(C, height, width)`` float32, its chunk's position, top and left."""
        from geotorch.trainers.predict_cog import bounded_cache

        position, top, left = self.items[index]
        number = self.plan[position][0]
        with bounded_cache():
            if self._open is None or self._open[0] != number:
                if self._open is not None:
                    close_view(self._open[1])
                layout = self.layouts[number]
                assert layout.source is not None
                self._open = (number, open_view(layout.source, self.crs, self.res, layout.grid))
            pixels = read_window(self._open[1], self.bands[number], top, left, self.layouts[number].size)
        return torch.from_numpy(pixels), position, top, left

    def __getstate__(self) -> dict[str, Any]:
        """Pickled for a worker without open files."""
        return {**self.__dict__, "_open": None}


def _band_count(source: str | None) -> int:
    """The bands of the image, an alpha band left out."""
    assert source is not None
    with rasterio.open(source) as reader:
        alpha = sum(1 for role in reader.colorinterp if role.name == "alpha")
        return int(reader.count - alpha)
