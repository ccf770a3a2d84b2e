"""One window of an input read into float32 pixels, each band's fill where the input has no data or NaN/inf."""

from __future__ import annotations

import math
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext

import numpy as np
from rasterio.enums import MaskFlags
from rasterio.io import DatasetReader
from rasterio.vrt import WarpedVRT
from rasterio.windows import Window

from geotorch.datamodules.finite_images import finite_fills, non_finite_pixels
from geotorch.trainers.predict_views import alpha_band


def read_window(
    view: DatasetReader | WarpedVRT,
    bands: Sequence[int],
    top: int,
    left: int,
    out: np.ndarray,
    lock: AbstractContextManager[object] | None = None,
    fill: float | None = None,
    unknown: np.ndarray | None = None,
) -> None:
    """Fill ``out`` (``(len(bands), height, width)`` float32) with a window's pixels, nodata past the raster's edge.

    Past the edge (a raster smaller than a window), where the file's mask or alpha band hides pixels (on
    its own grid: a warp hides them itself) and, with ``fill`` (``predict_raster``'s ``nodata``), where every band
    holds its own nodata or ``fill``, each band holds ``fill``, else its nodata value, else 0, as a
    :class:`~geotorch.core.RasterDataset` fills the pixels without data of a window with its ``nodata``, else
    the file's: the model sees what ``geotorch predict`` gives it. Pixels any band of which is NaN or
    infinite are filled so too, and a fill that is itself NaN or infinite (a NaN nodata value) is 0: a
    network spreads a non-finite value over every pixel its kernels reach from it (the rule of
    :func:`~geotorch.datamodules.finite_images.non_finite_pixels` and ``finite_fills``, which ``geotorch predict``'s
    batches follow too).

    ``bands`` are the view's band numbers to read (from 1: its image bands, see :func:`.predict_views.image_bands`).
    ``lock``, if given, is held while GDAL reads (a view shared by threads), not while the pixels are converted.
    ``unknown``, if given (``(height, width)`` booleans), is set True at the pixels holding a NaN or infinite
    value that is not their nodata (every band's own, or ``fill``), and False elsewhere.
    """
    size = out.shape[-2:]
    if unknown is not None:
        unknown[...] = False
    row_start, row_stop = max(top, 0), min(top + size[0], view.height)
    column_start, column_stop = max(left, 0), min(left + size[1], view.width)
    own = [view.nodatavals[band - 1] for band in bands]
    fills = finite_fills([fill if fill is not None else 0.0 if value is None else value for value in own], np.float32)
    if row_stop - row_start < size[0] or column_stop - column_start < size[1]:
        out[...] = fills[:, None, None]
    if row_start < row_stop and column_start < column_stop:
        window = Window(column_start, row_start, column_stop - column_start, row_stop - row_start)
        # rasterio reads bands together only when they share a type ("more than one 'dtype' found" else): a
        # virtual raster may join a Byte band and a Float32 one. Those are read one at a time.
        mixed = len({view.dtypes[band - 1] for band in bands}) > 1
        rows, columns = slice(row_start - top, row_stop - top), slice(column_start - left, column_stop - left)
        first = 0
        for group in [[band] for band in bands] if mixed else [list(bands)]:
            with lock or nullcontext():
                pixels = view.read(group, window=window)
            out[first : first + len(group), rows, columns] = pixels
            first += len(group)
        hidden = None
        if not isinstance(view, WarpedVRT):
            with lock or nullcontext():
                hidden = _hidden_pixels(view, window)
        if fill is not None and any(value is not None and not _same(value, fill) for value in own):
            # Pixels of the file's own nodata become ``fill``, as the dataset's read refills them.
            missing = _holding(out[0, rows, columns], [own[0], fill])
            for band, value in enumerate(own[1:], 1):
                missing &= _holding(out[band, rows, columns], [value, fill])
            hidden = missing if hidden is None else hidden | missing
        if any(np.dtype(view.dtypes[band - 1]).kind == "f" for band in bands):
            invalid = non_finite_pixels(out[:, rows, columns])
            if invalid.any():
                if unknown is not None:
                    declared = _holding(out[0, rows, columns], [own[0], fill])
                    for band, value in enumerate(own[1:], 1):
                        declared &= _holding(out[band, rows, columns], [value, fill])
                    undeclared = invalid & ~declared
                    if hidden is not None:
                        undeclared &= ~hidden
                    unknown[rows, columns] = undeclared
                hidden = invalid if hidden is None else hidden | invalid
        if hidden is not None and hidden.any():
            out[:, rows, columns] = np.where(hidden, fills[:, None, None], out[:, rows, columns])


def _hidden_pixels(reader: DatasetReader, window: Window) -> np.ndarray | None:
    """Which pixels of ``window`` the file's mask band or alpha band hides, or None where it has neither.

    A mask band (an internal or ``.msk`` mask) or an alpha band GDAL's masks follow is read as GDAL's
    dataset mask; an alpha band beside a nodata value (which GDAL's masks follow instead) is read itself.
    """
    flags = reader.mask_flag_enums[0]
    if MaskFlags.per_dataset in flags or MaskFlags.alpha in flags:
        return np.asarray(reader.dataset_mask(window=window) == 0)
    alpha = alpha_band(reader)
    return None if alpha is None else np.asarray(reader.read(alpha, window=window) == 0)


def _same(first: float, second: float) -> bool:
    """Whether two nodata values are one (NaN being NaN), as float32 pixels hold them."""
    return bool(np.float32(first) == np.float32(second)) or (math.isnan(first) and math.isnan(second))


def _holding(pixels: np.ndarray, values: Sequence[float | None]) -> np.ndarray:
    """Which float32 ``pixels`` hold one of ``values`` (None: no value; NaN matching NaN)."""
    found = np.zeros(pixels.shape, dtype=bool)
    for value in values:
        if value is not None:
            found |= np.isnan(pixels) if math.isnan(value) else pixels == np.float32(value)
    return found
