"""Reading the windows of ``predict_raster``: which files, on which grid, a batch of windows at a time."""

from __future__ import annotations

import math
import os
import threading
from collections import deque
from collections.abc import Generator, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import torch
from affine import Affine
from pyproj import Transformer
from rasterio.crs import CRS
from rasterio.enums import ColorInterp, MaskFlags, Resampling
from rasterio.errors import RasterioError
from rasterio.io import DatasetReader
from rasterio.vrt import WarpedVRT
from rasterio.warp import calculate_default_transform, transform_bounds
from rasterio.windows import Window
from torch import Tensor

from geotorch.core import RasterReadError, is_remote, open_raster, redacted, same_crs, shown_cause
from geotorch.trainers.predict_cog import Grid
from geotorch.trainers.predict_grid import owned_span

if TYPE_CHECKING:
    from geotorch.trainers.predict_grid import Chunk
    from geotorch.trainers.predict_stream import OutputLayout

#: File name endings of the rasters found in a folder.
RASTER_SUFFIXES = (".tif", ".tiff", ".jp2", ".vrt", ".img")


def raster_paths(
    paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]], outputs: Path | None = None
) -> list[str]:
    """The raster files of ``paths``: files as given, folders searched recursively for :data:`RASTER_SUFFIXES`.

    A URL (``http(s)://``, ``s3://``, ``gs://``, ``az://``) or GDAL virtual path (``/vsicurl/``,
    ``/vsis3/``...) is kept as given, a raster file read by GDAL
    (:func:`geotorch.core.open_raster`); an object-store prefix (a "folder" of objects) is not
    listed: name its files. A folder's search leaves out the folder ``outputs`` when it lies inside
    the folder (the predictions of an earlier run), not when it is the folder or holds it (which would
    leave out every raster). A file named more than once (in a folder
    given and by itself, or spelt otherwise: through ``..`` or a link) is kept once, where first
    found: it would be predicted again into an output of another name (``tile_2.tif``).

    Raises:
        TypeError: if ``paths`` is no path nor a collection of paths (bytes, a number, None), or holds one that is not.
        FileNotFoundError: if a local path does not exist, a folder holds no raster, or there is none at all.
        ValueError: if a path is empty, or a URL or virtual path ends with ``/`` (a prefix, not a file).
    """
    if isinstance(paths, (str, os.PathLike)):
        given: list[object] = [paths]
    elif isinstance(paths, Iterable) and not isinstance(paths, (bytes, bytearray)):
        given = list(paths)
    else:
        raise TypeError(f"predict_raster: paths={paths!r} must be a path (str or os.PathLike) or a list of paths")
    found: list[str] = []
    for item in given:
        text = os.fspath(item) if isinstance(item, (str, os.PathLike)) else None
        if not isinstance(text, str):
            raise TypeError(f"predict_raster: paths holds {item!r}, which is no path (a str or os.PathLike of str)")
        if not text:
            # Path("") is the working folder: every raster under it would be predicted.
            raise ValueError("predict_raster: paths= holds an empty path; name a raster file or folder")
        if is_remote(text):
            if text.endswith("/"):
                raise ValueError(
                    f"predict_raster: {redacted(text)} is a prefix (a folder of objects), which is not listed; name "
                    "its files"
                )
            found.append(text)
            continue
        path = Path(text)
        if path.is_dir():
            # Only an output folder inside the one searched holds earlier predictions to leave out: one holding it
            # (or the folder itself) holds every raster searched, which would all be left out.
            searched = path.resolve()
            skipped = outputs.resolve() if outputs is not None else None
            if skipped is not None and (skipped == searched or not skipped.is_relative_to(searched)):
                skipped = None
            inside = sorted(
                str(item)
                for item in path.rglob("*")
                if item.suffix.lower() in RASTER_SUFFIXES
                and item.is_file()
                and not item.name.startswith(".")
                and (skipped is None or not item.resolve().is_relative_to(skipped))
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
    kept: dict[str, str] = {}
    for source in found:
        kept.setdefault(source if is_remote(source) else os.path.realpath(source), source)
    return list(kept.values())


def open_view(
    source: str,
    crs: CRS | None,
    res: float | tuple[float, float] | None,
    grid: Grid,
    nodata: float | None = None,
) -> DatasetReader | WarpedVRT:
    """``source`` opened on the output's grid: the file itself (on its own grid), or a bilinear warp onto ``grid``.

    A file without a nodata value of its own is warped with ``nodata`` (``predict_raster``'s): its
    pixels of that value are left out of the bilinear kernels and the footprint's outside is that
    value. A warp gets an alpha band (after the file's bands) when the file has neither a nodata value
    nor an alpha band and no ``nodata`` is given, so its footprint is known (whatever its number of bands). A file in
    longitude and latitude that reaches past 180° east or west (179° to 181°, a 0° to 360°
    grid) is warped with its longitudes counted around its own middle (see
    :func:`wrapped_crs`), so both sides of the antimeridian are read. A URL or
    virtual path is opened with GDAL's settings for remote reads (:func:`geotorch.core.open_raster`),
    in the calling thread (GDAL's settings are per thread).

    Raises:
        rasterio.errors.RasterioIOError: if a local ``source`` is not a raster GDAL can open.
        geotorch.core.RasterReadError: if a remote one cannot be opened, naming it and GDAL's error.
    """
    reader = open_raster(source)
    if crs is None or _is_own_grid(reader, grid):
        return reader
    has_alpha = any(role.name == "alpha" for role in reader.colorinterp)
    given = {"src_nodata": nodata, "nodata": nodata} if reader.nodata is None and nodata is not None else {}
    return WarpedVRT(
        reader,
        src_crs=wrapped_crs(reader),
        crs=grid.crs,
        transform=grid.transform,
        width=grid.width,
        height=grid.height,
        resampling=Resampling.bilinear,
        add_alpha=reader.nodata is None and not has_alpha and not given,
        **given,
    )


def own_grid(reader: DatasetReader, crs: CRS, res: float | tuple[float, float] | None) -> Grid | None:
    """``reader``'s own grid, on ``crs``, where ``crs`` is the file's CRS however spelt and ``res`` its pixel size.

    Warped onto its own CRS, a file would get GDAL's suggestion for its grid, rounded off
    (0.0010000000000000141 x 0.0010000000000001564 for pixels of 0.001 degrees), through a
    warp that only resamples the file onto itself; on its own grid it is read as it is.

    Returns:
        The grid, or None where the file is to be warped: it lies in another CRS, ``res`` is
        another size, its grid is rotated or south-up, or its longitudes pass ±180°.
    """
    transform = reader.transform
    if reader.crs is None or not same_crs(reader.crs, crs) or wrapped_crs(reader) is not None:
        return None
    if transform.b != 0 or transform.d != 0 or transform.e >= 0:
        return None
    if res is not None:
        x, y = res if isinstance(res, (tuple, list)) else (res, res)
        if (float(x), float(y)) != (transform.a, -transform.e):
            return None
    return Grid(crs, transform, reader.height, reader.width)


def warped_grid(reader: DatasetReader, crs: CRS, target: CRS, res: float | tuple[float, float] | None) -> Grid:
    """``reader``'s grid warped onto ``crs``: GDAL's top-left corner and pixel size (else ``res``), GDAL's pixels.

    The pixels are those of the file's footprint in ``crs`` (its edges densified, as a
    :class:`~geotorch.core.RasterDataset` indexes it) whose centres it holds (see
    :func:`.predict_grid.pixels_covering`), as ``gdalwarp -t_srs`` (and ``-tr``) lays them and
    ``geotorch predict``'s writer does: rasterio rounds them up where ``res`` is given.

    Args:
        reader: the input file.
        crs: the output's CRS.
        target: the CRS to find the grid in (``crs``, with longitudes past 180° where the footprint crosses the
            antimeridian: see :func:`grid_crs`).
        res: the pixel size in ``crs`` units, or None for GDAL's suggestion.

    Returns:
        The grid (in ``crs``); 0 rows or columns where GDAL finds none.
    """
    from geotorch.trainers.predict_grid import pixels_covering

    transform, width, height = calculate_default_transform(
        reader.crs, target, reader.width, reader.height, *reader.bounds
    )
    x, y = (abs(transform.a), abs(transform.e)) if res is None else _res_pair(res)
    west, south, east, north = reader.bounds
    left, bottom, right, top = Transformer.from_crs(reader.crs, target, always_xy=True).transform_bounds(
        west, south, east, north, densify_pts=21
    )
    if math.isfinite(left + bottom + right + top) and left < right and bottom < top and width and height:
        width, height = pixels_covering(right - left, x), pixels_covering(top - bottom, y)
    elif res is not None:
        _, width, height = calculate_default_transform(
            reader.crs, target, reader.width, reader.height, *reader.bounds, resolution=res
        )
    return Grid(crs, Affine(x, 0, transform.c, 0, -y, transform.f), int(height or 0), int(width or 0))


def _res_pair(res: float | tuple[float, float]) -> tuple[float, float]:
    """``res`` as ``(x, y)`` floats."""
    x, y = res if isinstance(res, (tuple, list)) else (res, res)
    return float(x), float(y)


def _is_own_grid(reader: DatasetReader, grid: Grid) -> bool:
    """Whether ``grid`` is ``reader``'s own grid (see :func:`own_grid`): read, not warped, onto it."""
    return (
        reader.crs is not None
        and same_crs(reader.crs, grid.crs)
        and reader.transform == grid.transform
        and (reader.height, reader.width) == (grid.height, grid.width)
    )


def wrapped_crs(reader: DatasetReader) -> CRS | None:
    """The CRS to warp ``reader`` from: its own, but longitudes wrapped around its middle when they pass ±180°.

    GDAL's warper finds the source pixel of each output pixel by projecting the output pixel back
    to longitude and latitude, which come in -180° to 180°: a file whose longitudes run from 179°
    to 181° (or 0° to 360°) is then read only west of 180°, and half the output was nodata. With
    PROJ's ``+lon_wrap`` at the file's middle longitude, the longitudes come back in the file's
    own range.

    Returns:
        A geographic CRS with ``+lon_wrap``, or None (the file's own CRS) when ``reader`` is not in
        longitude and latitude or lies within -180° to 180°.
    """
    crs = reader.crs
    if crs is None or not crs.is_geographic:
        return None
    west, east = sorted((reader.bounds.left, reader.bounds.right))
    if west >= -180 and east <= 180:
        return None
    return CRS.from_proj4(f"{crs.to_proj4()} +lon_wrap={(west + east) / 2}")


def grid_crs(reader: DatasetReader, crs: CRS) -> CRS:
    """The CRS to find ``reader``'s output grid on ``crs`` in: ``crs``, with longitudes past 180° when it must.

    GDAL's grid for a file whose footprint crosses the antimeridian in a geographic ``crs`` (a UTM
    zone 60 scene over 179.7° E to 179.7° W) spans -180° to 180°: one row of pixels half a degree
    high, a silently useless output. Found with PROJ's ``+lon_wrap=180``, the grid runs east of
    180° (179.7° to 180.3°), which a GeoTIFF in ``crs`` holds as it is and GDAL's warp fills.

    Returns:
        ``crs`` with ``+lon_wrap=180`` when it is geographic and the file's footprint crosses the
        antimeridian in it; else ``crs`` itself.
    """
    if not crs.is_geographic or reader.crs is None:
        return crs
    west, _, east, _ = transform_bounds(reader.crs, crs, *reader.bounds)
    if west <= east:
        return crs
    return CRS.from_proj4(f"{crs.to_proj4()} +lon_wrap=180")


def close_view(view: DatasetReader | WarpedVRT) -> None:
    """Close a view from :func:`open_view`, and its file."""
    view.close()
    if isinstance(view, WarpedVRT):
        view.src_dataset.close()


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
    network spreads a non-finite value over every pixel its kernels reach from it.

    ``bands`` are the view's band numbers to read (from 1: its image bands, see :func:`image_bands`).
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
    fills = np.asarray([fill if fill is not None else 0.0 if value is None else value for value in own], np.float32)
    fills[~np.isfinite(fills)] = 0.0
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
            invalid = ~np.isfinite(out[:, rows, columns]).all(axis=0)
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


#: Batches that reading threads read ahead of the one the model runs, whatever their number: each holds
#: ``(B, C, height, width)`` float32 pixels, so more would grow memory, not speed (two keep two threads busy).
READ_AHEAD = 2

#: A batch of windows: ``(B, C, height, width)`` float32 pixels, ``(B, height, width)`` booleans marking the pixels
#: that held a NaN or infinite value not their nodata (given to the model as nodata), and each window's chunk
#: position, top and left.
Batch = tuple[Tensor, Tensor, list[int], list[int], list[int]]


class WindowReader:
    """Every window of every chunk, in order, read a batch at a time by threads: ``(pixels, unknown, positions, ...)``.

    Pixels holding a NaN or infinite value that is not their nodata reach the model as nodata (see
    :func:`read_window`) and are marked in the batch's ``unknown``; :attr:`non_finite` counts them per input.

    Reading threads, not processes: GDAL reads and decodes, and numpy converts, without holding
    Python's lock, so threads read side by side, and they share the process's memory where
    worker processes would each hold a copy of the model's process (hundreds of MB).

    A local file read on its own grid is opened once and shared by the threads, one GDAL read
    at a time (a GDAL dataset is not safe to use from two threads at once): neighbouring windows
    share compressed tiles, and a dataset per thread decoded each shared tile once per thread
    (about twice the decoding with two threads) while one decodes them once into its block
    cache; the threads still convert and copy pixels side by side. A warped view (its warp
    costs more than the decoding) and a remote file (its reads wait on the network) are opened
    by each thread itself. A file's dataset is closed once no thread reads it and a later
    output's is open; :meth:`close` closes the rest.

    Args:
        layouts: the outputs, each with its input file and windows.
        plan: ``(output position, chunk)`` of every chunk, in the order they are run.
        crs: the grid's CRS when inputs are warped, else None.
        res: the warped grid's resolution, or None.
        bands: the band numbers (from 1) to read of every file, in the model's order (the bands a task's
            training dataset selected); None for each file's image bands.
        nodata: the value of pixels without data of files that have no nodata value (their warps leave it out of
            their kernels, and windows past a raster's edge hold it), or None.
        channels: how many channels the model takes, where known: a file with an alpha band and as many bands
            in all gives them all (see :func:`_image_bands_of`).

    Raises:
        ValueError: if the inputs do not all have the same number of bands (one model reads them all), one
            holds complex pixels, or one has fewer bands than ``bands`` name.
    """

    def __init__(
        self,
        layouts: Sequence[OutputLayout],
        plan: Sequence[tuple[int, Chunk]],
        crs: CRS | None,
        res: float | tuple[float, float] | None,
        *,
        bands: Sequence[int] | None = None,
        nodata: float | None = None,
        channels: int | None = None,
    ) -> None:
        self.layouts, self.plan, self.crs, self.res = list(layouts), list(plan), crs, res
        self.nodata = nodata
        self.items = [
            (position, top, left)
            for position, (number, chunk) in enumerate(plan)
            for top, left in layouts[number].windows(chunk)
        ]
        # The image's band numbers in each file, the same in its warp (which keeps an alpha band where it lies).
        self.indexes = [_image_bands_of(layout.source, bands, channels) for layout in layouts]
        self.bands = [len(indexes) for indexes in self.indexes]
        if len(set(self.bands)) > 1:
            first, other = self.bands[0], next(count for count in self.bands if count != self.bands[0])
            raise ValueError(
                f"predict_raster: {layouts[0].source} has {first} bands but "
                f"{layouts[self.bands.index(other)].source} has {other}; one model needs inputs of the same bands"
            )
        self._local = threading.local()
        self._views: list[DatasetReader | WarpedVRT] = []
        #: The shared datasets of local files read on their own grid, by output number.
        self._shared: dict[int, _SharedView] = {}
        #: The latest output whose shared dataset was opened.
        self._newest = -1
        self._lock = threading.Lock()
        # Batch tensors given back by :meth:`recycle`, read into again (fresh ones cost as much as the reading).
        self._free: list[Tensor] = []
        #: Pixels of each output's input (by output number) holding a NaN or infinite value not their nodata.
        self.non_finite: dict[int, int] = {}

    def __len__(self) -> int:
        """Windows of all chunks."""
        return len(self.items)

    def batch(self, start: int, stop: int, pin_memory: bool = False) -> Batch:
        """Windows ``[start, stop)``, in the calling thread.

        Raises:
            geotorch.core.RasterReadError: if a window cannot be read (a damaged tile), naming the file and window.
        """
        pixels = self._pixels(len(self.items[start:stop]), pin_memory)
        unknown = self._unknown(len(self.items[start:stop]))
        self._read(pixels, unknown, start, start, stop)
        return self._batch_of(pixels, unknown, start, stop)

    def batches(self, batch_size: int, threads: int, pin_memory: bool = False) -> Generator[Batch]:
        """Every window in batches of ``batch_size``, in order; ``threads`` threads read ahead (0: read here).

        At most :data:`READ_AHEAD` batches are read ahead of the one handed out, whatever the
        number of threads, so memory does not grow with them: more threads than that share the
        windows of those batches (each batch cut into as many runs of windows as threads per batch).
        """
        starts = range(0, len(self.items), batch_size)
        if threads == 0:
            for start in starts:
                yield self.batch(start, start + batch_size, pin_memory)
            return
        depth = min(threads, READ_AHEAD)
        runs = -(-threads // depth)
        pool = ThreadPoolExecutor(threads, thread_name_prefix="geotorch-predict-reader")
        try:
            ahead: deque[tuple[Tensor, Tensor, int, int, list[Future[None]]]] = deque()
            for start in starts:
                stop = min(start + batch_size, len(self.items))
                pixels, unknown = self._pixels(stop - start, pin_memory), self._unknown(stop - start)
                step = -(-(stop - start) // runs)
                reads = [
                    pool.submit(self._read, pixels, unknown, start, first, min(first + step, stop))
                    for first in range(start, stop, step)
                ]
                ahead.append((pixels, unknown, start, stop, reads))
                # ``depth`` batches being read (or ready) while the one handed out is used.
                if len(ahead) > depth:
                    yield self._finished(*ahead.popleft())
            while ahead:
                yield self._finished(*ahead.popleft())
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    def recycle(self, pixels: Tensor) -> None:
        """Give back the pixels of a batch once nothing uses them: a later batch is read into them."""
        with self._lock:
            self._free.append(pixels)

    def close(self) -> None:
        """Close every file the threads opened."""
        with self._lock:
            views, self._views = self._views, []
            shared, self._shared = list(self._shared.values()), {}
        for view in [*views, *(item.view for item in shared)]:
            close_view(view)

    def _pixels(self, windows: int, pin_memory: bool) -> Tensor:
        """``(windows, bands, height, width)`` float32 to read a batch into: a recycled batch's, else new."""
        shape = (windows, self.bands[0], *self.layouts[0].size)
        with self._lock:
            found = next((number for number, free in enumerate(self._free) if free.shape == shape), None)
            pixels = self._free.pop(found) if found is not None else None
        return pixels if pixels is not None else torch.empty(shape, dtype=torch.float32, pin_memory=pin_memory)

    def _unknown(self, windows: int) -> Tensor:
        """``(windows, height, width)`` booleans for a batch's pixels of non-finite values (every one is set)."""
        return torch.empty((windows, *self.layouts[0].size), dtype=torch.bool)

    def _read(self, pixels: Tensor, unknown: Tensor, start: int, first: int, stop: int) -> None:
        """Read windows ``[first, stop)`` into ``pixels`` and ``unknown``, the batch of the windows from ``start`` on.

        Raises:
            geotorch.core.RasterReadError: if a window cannot be read (a damaged tile), naming the file and window.
        """
        from geotorch.trainers.predict_cog import bounded_cache

        slots = pixels.numpy()[first - start : stop - start]
        marks = unknown.numpy()[first - start : stop - start]
        with bounded_cache():
            for slot, mark, (position, top, left) in zip(slots, marks, self.items[first:stop], strict=True):
                number = self.plan[position][0]
                try:
                    if self.crs is None and not is_remote(self.layouts[number].source or ""):
                        shared = self._share(number)
                        try:
                            read_window(
                                shared.view, self.indexes[number], top, left, slot, shared.lock, self.nodata, mark
                            )
                        finally:
                            self._unshare(shared)
                    else:
                        read_window(
                            self._view(number), self.indexes[number], top, left, slot, fill=self.nodata, unknown=mark
                        )
                except RasterioError as error:
                    # GDAL's own words (the damaged tile) are the cause of rasterio's "Read failed".
                    reason = f"{error}: {error.__cause__}" if error.__cause__ is not None else str(error)
                    raise RasterReadError(
                        f"predict_raster: {self.layouts[number].source}: cannot read the "
                        f"{slot.shape[2]} x {slot.shape[1]} px window at row {top}, column {left}: {reason}"
                    ) from shown_cause(error)
                if mark.any():
                    self._count(position, top, left, mark)

    def _count(self, position: int, top: int, left: int, mark: np.ndarray) -> None:
        """Add the marked pixels of a window that it owns (see :func:`.predict_grid.owned_span`) to its input's count.

        Windows overlap, and those reaching into two chunks are read for each: each pixel is counted by the one
        window owning it within its chunk.
        """
        number, chunk = self.plan[position]
        layout = self.layouts[number]
        rows = owned_span(layout.tops, top, chunk.rows)
        columns = owned_span(layout.lefts, left, chunk.columns)
        count = int(mark[rows[0] - top : rows[1] - top, columns[0] - left : columns[1] - left].sum())
        with self._lock:
            self.non_finite[number] = self.non_finite.get(number, 0) + count

    def _batch_of(self, pixels: Tensor, unknown: Tensor, start: int, stop: int) -> Batch:
        """The batch of windows ``[start, stop)`` read into ``pixels`` and ``unknown``."""
        items = self.items[start:stop]
        return pixels, unknown, [item[0] for item in items], [item[1] for item in items], [item[2] for item in items]

    def _finished(self, pixels: Tensor, unknown: Tensor, start: int, stop: int, reads: list[Future[None]]) -> Batch:
        """The batch of windows ``[start, stop)`` once ``reads`` are done; raises their first error."""
        for read in reads:
            read.result()
        return self._batch_of(pixels, unknown, start, stop)

    def _view(self, number: int) -> DatasetReader | WarpedVRT:
        """This thread's view of output ``number``'s input (its previous output's closed)."""
        current: tuple[int, DatasetReader | WarpedVRT] | None = getattr(self._local, "open", None)
        if current is not None and current[0] == number:
            return current[1]
        layout = self.layouts[number]
        assert layout.source is not None
        view = open_view(layout.source, self.crs, self.res, layout.grid, self.nodata)
        with self._lock:
            if current is not None and current[1] in self._views:
                self._views.remove(current[1])
                close_view(current[1])
            self._views.append(view)
        self._local.open = (number, view)
        return view

    def _share(self, number: int) -> _SharedView:
        """Output ``number``'s shared dataset, opened on first use, counted as in use until :meth:`_unshare`."""
        with self._lock:
            shared = self._shared.get(number)
            if shared is None:
                source = self.layouts[number].source
                assert source is not None
                shared = self._shared[number] = _SharedView(open_raster(source), threading.Lock(), number)
                self._newest = max(self._newest, number)
            shared.users += 1
            return shared

    def _unshare(self, shared: _SharedView) -> None:
        """``shared`` is read no more by this thread: close each shared dataset no thread reads, before the newest."""
        with self._lock:
            shared.users -= 1
            done = [item for item in self._shared.values() if item.users == 0 and item.number < self._newest]
            for item in done:
                del self._shared[item.number]
        for item in done:
            item.view.close()


@dataclass
class _SharedView:
    """A dataset the reading threads share: read while holding ``lock``; ``users`` threads are reading it."""

    view: DatasetReader
    lock: threading.Lock
    number: int
    users: int = 0


def image_bands(view: DatasetReader | WarpedVRT) -> list[int]:
    """The band numbers (from 1) of ``view``'s image: every band but an alpha band, wherever the alpha band lies.

    A GeoTIFF's alpha band comes after its image bands, but a virtual raster (or its warp) may put it
    anywhere (gray, alpha, near-infrared): the model is given the image bands, not the first bands.
    """
    return [number for number, role in enumerate(view.colorinterp, 1) if role != ColorInterp.alpha]


def alpha_band(view: DatasetReader | WarpedVRT) -> int | None:
    """The number (from 1) of ``view``'s alpha band, or None."""
    return next((number for number, role in enumerate(view.colorinterp, 1) if role == ColorInterp.alpha), None)


def _image_bands_of(
    source: str | None, selected: Sequence[int] | None = None, channels: int | None = None
) -> list[int]:
    """The band numbers of the image in the file ``source`` (see :func:`image_bands`), or ``selected`` ones.

    Where the model takes ``channels`` and that is the file's band count with its alpha band, every band is
    read, in file order, the alpha band too: the channels :class:`~geotorch.core.RasterDataset` gives (an RGBA
    file's four bands), which a task fit on its samples learnt on.

    Raises:
        ValueError: if its pixels are complex numbers (a float32 window would keep their real parts only), or
            it has fewer bands than ``selected`` name.
    """
    assert source is not None
    with open_raster(source) as reader:
        if any(np.dtype(dtype).kind == "c" for dtype in reader.dtypes):
            raise ValueError(
                f"predict_raster: {redacted(source)} holds complex pixels ({reader.dtypes[0]}); a model's float32 "
                "windows would keep their real parts only: give it their amplitude, say, as a raster of its own"
            )
        if selected is None:
            image = image_bands(reader)
            return list(range(1, reader.count + 1)) if channels == reader.count != len(image) else image
        if max(selected) > reader.count:
            raise ValueError(
                f"predict_raster: {redacted(source)} has {reader.count} bands, and the task was fit on its training "
                f"files' bands {list(selected)} (its dataset's bands=): predict files of the product it was fit on"
            )
        return list(selected)
