"""Reading raster files onto a target pixel grid, warping only when the grids differ."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
import rasterio
from affine import Affine
from rasterio.enums import Resampling
from rasterio.io import DatasetReader
from rasterio.windows import Window

from geotorch.core.crs import same_crs
from geotorch.core.errors import RasterReadError, shown_cause
from geotorch.core.grid import Grid
from geotorch.core.handles import FileHandleCache
from geotorch.core.nodata import missing_pixels, same_value, type_holding
from geotorch.core.pixel_types import (
    class_ids,
    pixel_value,
    source_nodata,
    source_type,
    uniform_bands,
    wider_type,
)
from geotorch.core.remote import read_failure
from geotorch.core.warp import has_mask_band, hidden_pixels, warp_onto_grid
from geotorch.core.wrap import longitude_shifts

#: Relative tolerance under which two pixel sizes or grid offsets count as equal.
GRID_TOLERANCE = 1e-6


@dataclass(frozen=True, slots=True)
class ReadPlan:
    """How a dataset reads its files: what stays the same from one sample to the next.

    A dataset builds its plan once; each read then takes the plan, the files, the bands and
    the target grid.

    Attributes:
        resampling: the kernel of warps.
        fill: the value of pixels without data.
        dtype: the type pixels are read into; exact copies are converted as they are decoded.
        warp_dtype: the type warps resample in (default ``dtype``), converted to ``dtype`` after.
            Either is widened, file by file, when it cannot hold ``fill`` or every value of the
            file's pixel type (a float32 band in a uint16 product is not truncated).
        nodata: the dataset's nodata: source pixels of this value are missing, as are those of
            each file's own nodata, in copies and warps alike.
        exact_ids: the pixels are class ids: each file is read in its own type and its values made
            int64 on their own (see :func:`geotorch.core.pixel_types.class_ids`), so no type that
            merely covers all files (float64 for int64 beside float32) rounds them.
    """

    resampling: Resampling
    fill: float
    dtype: np.dtype[np.generic]
    warp_dtype: np.dtype[np.generic] | None = None
    nodata: float | None = None
    exact_ids: bool = False


def _aligned_window(source: DatasetReader, grid: Grid, shift: float) -> Window | None:
    """The source window equal to ``grid`` when both share CRS, pixel size and pixel edges, else None.

    ``shift`` is added to the file's x coordinates (whole turns of longitude).
    """
    src, dst = Affine.translation(shift, 0) @ source.transform, grid.transform
    if not same_crs(source.crs, grid.crs) or src.b != 0 or src.d != 0:
        return None
    if not (math.isclose(src.a, dst.a, rel_tol=GRID_TOLERANCE) and math.isclose(src.e, dst.e, rel_tol=GRID_TOLERANCE)):
        return None
    col = (dst.c - src.c) / src.a
    row = (dst.f - src.f) / src.e
    if abs(col - round(col)) > GRID_TOLERANCE * 1e3 or abs(row - round(row)) > GRID_TOLERANCE * 1e3:
        return None
    return Window(round(col), round(row), grid.width, grid.height)


def _read_aligned(
    source: DatasetReader,
    indexes: Sequence[int],
    window: Window,
    fill: float,
    dtype: np.dtype[np.generic],
    nodata: float | None,
    pixel_type: np.dtype[np.generic],
    out: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Read ``window`` of ``source`` exactly, pixels outside the file and missing pixels holding ``fill``.

    A pixel is missing when each of its bands holds the file's nodata or ``nodata`` (the dataset's),
    as the file's ``pixel_type`` stores them (read into a wider type, a float32 file's pixels still
    equal its float64 nodata rounded to float32), or when the file's mask or alpha band hides it.

    GDAL writes straight into the result (converting to ``dtype`` as it decodes), with
    no intermediate array: into ``out`` when given (of ``dtype``).

    Returns:
        The array ``(len(indexes), height, width)`` (``out`` when given) and the mask of pixels that hold data.
    """
    height, width = int(window.height), int(window.width)
    col0, row0 = max(0, int(window.col_off)), max(0, int(window.row_off))
    col1 = min(source.width, int(window.col_off) + width)
    row1 = min(source.height, int(window.row_off) + height)
    # The part of the window inside the file (none for a later file of a mosaic lying beside the
    # pixels still empty), and where it lies in the result.
    inside = col1 > col0 and row1 > row0
    inner = Window(col0, row0, max(0, col1 - col0), max(0, row1 - row0))
    rows = slice(row0 - int(window.row_off), row1 - int(window.row_off))
    cols = slice(col0 - int(window.col_off), col1 - int(window.col_off))
    if (col1 - col0, row1 - row0) == (width, height):
        if out is None:
            out = np.empty((len(indexes), height, width), dtype=dtype)
        source.read(list(indexes), window=inner, out=out)
        covered = np.ones((height, width), dtype=bool)
    else:
        if out is None:
            out = np.full((len(indexes), height, width), fill, dtype=dtype)
        else:
            out[...] = fill
        covered = np.zeros((height, width), dtype=bool)
        if inside:
            # A window reaching past the file (or, for a later file of a mosaic, lying beside it).
            source.read(list(indexes), window=inner, out=out[:, rows, cols])
            covered[rows, cols] = True
    own = source_nodata(source, indexes)
    values = [value for value in (pixel_value(pixel_type, own), pixel_value(pixel_type, nodata))
              if value is not None]
    if len(values) == 2 and same_value(*values):
        values.pop()
    empty = missing_pixels(out, values)
    # Pixels holding a nodata value equal to the fill already hold the fill.
    refill = not all(same_value(value, fill) for value in values)
    if inside and has_mask_band(source):
        # Pixels the file's mask or alpha band hides are missing here as in warps, whatever their value.
        hidden = np.zeros((height, width), dtype=bool)
        hidden[rows, cols] = hidden_pixels(source, inner)
        empty, refill = hidden if empty is None else empty | hidden, True
    if empty is not None and empty.any():
        covered &= ~empty
        if refill:
            np.copyto(out, fill, casting="unsafe", where=empty)
    return out, covered


def read_onto_grid(
    source: DatasetReader, indexes: Sequence[int], grid: Grid, plan: ReadPlan, out: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Read bands ``indexes`` of ``source`` onto ``grid``.

    When the file's grid matches the target (same CRS, pixel size and pixel
    edges, both north-up) the pixels are copied exactly; otherwise GDAL warps the needed
    source window onto the target grid, with the resampling kernel sized by
    the ratio of pixel sizes so that a pixel's value does not depend on the
    query around it. A geographic file whose longitudes run past the
    antimeridian (0..360), or a grid past it, is read wherever a copy of the
    file moved by whole turns lies under the grid (see
    :func:`geotorch.core.wrap.longitude_shifts`).

    Args:
        source: the open file.
        indexes: its bands to read (1-based).
        grid: the target grid.
        plan: resampling, fill, types and nodata of the read (its ``exact_ids`` is left to
            :func:`read_mosaic`).
        out: ``(len(indexes), height, width)`` array to read into, of the type the read gives (the
            ``dtype`` of :func:`read_types` when the bands share one type); a new array when None.

    Returns:
        The array ``(len(indexes), height, width)`` (``out`` when given) and a boolean ``(height, width)``
        mask of pixels that hold data (not the fill, not nodata).

    Raises:
        RasterReadError: if the file cannot be read, or lacks a band of ``indexes``, naming it.
        ValueError: if the bands hold complex pixels, naming the file.
    """
    absent = [index for index in indexes if not 1 <= index <= source.count]
    if absent:
        # Files of one product may differ in band count (an RGBA beside an RGB): say which file and band.
        raise RasterReadError(
            f"{source.name}: has {source.count} band(s) but band(s) {absent} are read (bands {list(indexes)}); "
            f"every file of the dataset needs the bands selected: choose bands=... that all files have"
        )
    if not uniform_bands(source, indexes):
        # rasterio reads bands of one type at a time, and GDAL's warp takes one nodata (a VRT may mix types
        # and give each band its own nodata): read each, and stack them.
        bands = [read_onto_grid(source, [index], grid, plan) for index in indexes]
        stacked = np.concatenate([band for band, _ in bands], out=out)
        return stacked, np.logical_or.reduce([received for _, received in bands])
    pixel_type, dtype, warp_dtype = read_types(source, indexes, plan)
    fill, nodata = plan.fill, plan.nodata
    data: np.ndarray | None = None
    valid: np.ndarray | None = None
    try:
        for shift in longitude_shifts(source, grid):
            window = _aligned_window(source, grid, shift)
            # The first copy of the file is read into ``out``; later ones fill what it left empty.
            into = out if data is None else None
            if window is not None:
                part, received = _read_aligned(source, indexes, window, fill, dtype, nodata, pixel_type, into)
            else:
                warped, received = warp_onto_grid(source, indexes, grid, plan.resampling, fill, warp_dtype, nodata,
                                                  shift)
                part = warped.astype(dtype, copy=False) if into is None else converted(warped, into)
            if data is None or valid is None:
                data, valid = part, received
            else:
                # The copies of a file moved by different turns meet only at the grid's seams.
                np.copyto(data, part, casting="unsafe", where=received & ~valid)
                valid |= received
    except rasterio.errors.RasterioError as error:
        reason = read_failure(source.name, error)
        raise RasterReadError(
            f"{source.name}: cannot read bands {list(indexes)} onto {grid}: {reason}"
        ) from shown_cause(error)
    if data is None or valid is None:
        if out is None:
            out = np.full((len(indexes), grid.height, grid.width), fill, dtype=dtype)
        else:
            out[...] = fill
        return out, np.zeros((grid.height, grid.width), dtype=bool)
    return data, valid


def converted(pixels: np.ndarray, out: np.ndarray) -> np.ndarray:
    """``pixels`` written into ``out`` in its type, as ``pixels.astype(out.dtype)`` makes them; ``out``."""
    np.copyto(out, pixels, casting="unsafe")
    return out


def read_types(
    source: DatasetReader, indexes: Sequence[int], plan: ReadPlan
) -> tuple[np.dtype[np.generic], np.dtype[np.generic], np.dtype[np.generic]]:
    """The file's pixel type for bands ``indexes``, and the types :func:`read_onto_grid` reads and warps them in.

    A fill the pixel type cannot hold (-1 for uint16) widens the plan's types, as does a file of a wider type.
    """
    pixel_type = source_type(source, indexes)
    dtype = type_holding(wider_type(plan.dtype, pixel_type), plan.fill)
    warp_dtype = type_holding(wider_type(plan.warp_dtype or dtype, pixel_type), plan.fill)
    return pixel_type, dtype, warp_dtype


def empty_box(filled: np.ndarray) -> tuple[slice, slice]:
    """The smallest row and column ranges holding every pixel not yet filled."""
    empty_rows = np.flatnonzero(~filled.all(axis=1))
    empty_cols = np.flatnonzero(~filled.all(axis=0))
    return slice(int(empty_rows[0]), int(empty_rows[-1]) + 1), slice(int(empty_cols[0]), int(empty_cols[-1]) + 1)


def read_mosaic(
    handles: FileHandleCache, paths: Sequence[str], indexes: Sequence[int], grid: Grid, plan: ReadPlan
) -> np.ndarray:
    """Mosaic ``paths`` onto ``grid``: each pixel comes from the first file that has data there.

    A pixel that is missing in one file (its own nodata, or the plan's ``nodata``) comes from the next.

    Args:
        handles: the open files, opened on first use.
        paths: the files, first first.
        indexes: the bands to read from each (1-based).
        grid: the target grid.
        plan: how the dataset reads (see :class:`ReadPlan`).

    Returns:
        Array ``(len(indexes), height, width)``; pixels no file covers hold the plan's ``fill``. int64
        with ``exact_ids``.

    Raises:
        ValueError: with ``exact_ids``, if a file's value (or the fill) is not an integer int64 holds,
            naming the file.
    """
    mosaic: np.ndarray | None = None
    filled: np.ndarray | None = None
    exact_ids = plan.exact_ids
    if exact_ids:
        # The smallest type: read_onto_grid widens it to each file's own.
        plan = replace(plan, dtype=np.dtype(np.bool_), warp_dtype=None)
    for path in paths:
        source = handles.open(path)
        if mosaic is None or filled is None:
            mosaic, filled = read_onto_grid(source, indexes, grid, plan)
            if exact_ids:
                mosaic = class_ids(mosaic, path, plan.fill)
        else:
            # Later files only fill what is still empty: read just the box around those pixels.
            rows, cols = empty_box(filled)
            data, valid = read_onto_grid(source, indexes, grid.part(rows, cols), plan)
            if exact_ids:
                data = class_ids(data, path, plan.fill)
            if data.dtype != mosaic.dtype:
                # A later file of a wider type (a float32 band beside uint16 ones) widens the mosaic.
                mosaic = mosaic.astype(np.result_type(mosaic.dtype, data.dtype))
            region, covered = mosaic[:, rows, cols], filled[rows, cols]
            # A masked copy, not boolean indexing (which gathers, then scatters: ~7x slower for 7 bands).
            np.copyto(region, data, casting="unsafe", where=valid & ~covered)
            covered |= valid
        if filled.all():
            break
    if mosaic is None:
        fill = plan.fill
        empty = np.full((len(indexes), grid.height, grid.width), fill, dtype=type_holding(plan.dtype, fill))
        return class_ids(empty, f"no file (the fill {fill!r})") if exact_ids else empty
    return mosaic
