"""Reading the windows of ``predict_raster``: a batch of windows at a time, by threads sharing each input."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Generator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import torch
from rasterio.crs import CRS
from rasterio.errors import RasterioError
from rasterio.io import DatasetReader
from rasterio.vrt import WarpedVRT
from torch import Tensor

from geotorch.core import RasterReadError, is_remote, open_raster, redacted, shown_cause
from geotorch.trainers.predict_grid import owned_span

# The names this module held before its files, grids and window reads had modules of their own, importable as before.
from geotorch.trainers.predict_paths import RASTER_SUFFIXES as RASTER_SUFFIXES
from geotorch.trainers.predict_paths import raster_paths as raster_paths
from geotorch.trainers.predict_views import alpha_band as alpha_band
from geotorch.trainers.predict_views import close_view as close_view
from geotorch.trainers.predict_views import grid_crs as grid_crs
from geotorch.trainers.predict_views import image_bands as image_bands
from geotorch.trainers.predict_views import open_view as open_view
from geotorch.trainers.predict_views import own_grid as own_grid
from geotorch.trainers.predict_views import warped_grid as warped_grid
from geotorch.trainers.predict_views import wrapped_crs as wrapped_crs
from geotorch.trainers.predict_window import read_window as read_window

if TYPE_CHECKING:
    from geotorch.trainers.predict_grid import Chunk
    from geotorch.trainers.predict_stream import OutputLayout


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
    :func:`.predict_window.read_window`) and are marked in the batch's ``unknown``; :attr:`non_finite` counts them
    per input.

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


def _image_bands_of(
    source: str | None, selected: Sequence[int] | None = None, channels: int | None = None
) -> list[int]:
    """The band numbers of the image in the file ``source`` (see :func:`.predict_views.image_bands`), or ``selected``.

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
