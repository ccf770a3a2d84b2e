"""Fetching the windows a chip needs from all its remote files at once, into GDAL's block cache.

A chip of a time series reads one window from each of its files (every band and date): read one
after the other, each remote file costs at least one round trip. :func:`prefetch` reads those
windows from a thread pool instead (GDAL releases the GIL while it fetches and decodes), so the
round trips overlap; the mosaic then reads the same blocks from GDAL's block cache, and the pixels
are those of the same reads made one by one. Every file under the chip is fetched, also one a
mosaic skips because earlier files of its date already cover the chip; a block GDAL's cache
dropped meanwhile is fetched again when read.

GDAL's own options were measured against this (bench/cloud.py, 24 dates x 4 bands of COGs over
HTTP with 20 ms per request): ``GDAL_HTTP_MULTIRANGE`` (YES: one multipart request per file; SERIAL),
``GDAL_HTTP_MERGE_CONSECUTIVE_RANGES=NO``, ``VSI_CACHE`` and HTTP/2 change neither the requests per
chip (about one per file and row of tiles) nor the chips per second beyond the noise; GDAL's
defaults are kept. Range reads through obstore were not used: its runtime does not survive a fork,
so a DataLoader worker forked from a process that listed or read through it waits forever.
"""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

import rasterio
from rasterio.io import DatasetReader
from rasterio.windows import Window

from geotorch.core.crs import same_crs
from geotorch.core.errors import RasterReadError, shown_cause
from geotorch.core.grid import Grid
from geotorch.core.remote import is_remote, read_failure
from geotorch.core.wrap import grid_bounds_in

#: Environment variable that sets how many remote files one process reads at once (default 32).
FETCH_THREADS_VARIABLE = "GEOTORCH_REMOTE_THREADS"
#: Source pixels read around the window a grid covers: a warp's kernel reaches past the grid's edge.
MARGIN = 4

_pool: tuple[int, ThreadPoolExecutor] | None = None
_pool_lock = threading.Lock()


def fetch_threads() -> int:
    """How many remote files one process reads at once: ``$GEOTORCH_REMOTE_THREADS``, else 32.

    Raises:
        ValueError: if ``$GEOTORCH_REMOTE_THREADS`` is not a positive integer.
    """
    configured = os.environ.get(FETCH_THREADS_VARIABLE, "32")
    if not configured.isdigit() or int(configured) < 1:
        raise ValueError(f"${FETCH_THREADS_VARIABLE}={configured!r} must be a positive integer")
    return int(configured)


def _threads() -> ThreadPoolExecutor:
    """This process's pool (a DataLoader worker forked from a process that had one makes its own)."""
    global _pool
    with _pool_lock:
        if _pool is None or _pool[0] != os.getpid():
            _pool = (os.getpid(), ThreadPoolExecutor(fetch_threads(), thread_name_prefix="geotorch-fetch"))
        return _pool[1]


def source_window(source: DatasetReader, grid: Grid) -> Window | None:
    """The window of ``source`` under ``grid`` (its box in the file's CRS), widened by :data:`MARGIN` pixels for a warp.

    A file of the grid's CRS and pixel size is copied, not warped: its window gets no margin (which
    could reach one more row of tiles, one more request).

    Returns:
        The window, clipped to the file; None when the grid misses the file or its box cannot be
        projected into the file's CRS.
    """
    try:
        left, bottom, right, top = grid_bounds_in(source.crs, grid)
    except (rasterio.errors.RasterioError, ValueError):
        return None
    if not all(map(math.isfinite, (left, bottom, right, top))):
        return None
    transform = source.transform
    copied = same_crs(source.crs, grid.crs) and (transform.a, transform.e) == (grid.transform.a, grid.transform.e)
    margin = 0 if copied else MARGIN
    inverse = ~transform
    corners = [inverse * (x, y) for x in (left, right) for y in (bottom, top)]
    cols, rows = [col for col, _ in corners], [row for _, row in corners]
    col0, row0 = max(0, math.floor(min(cols)) - margin), max(0, math.floor(min(rows)) - margin)
    col1 = min(source.width, math.ceil(max(cols)) + margin)
    row1 = min(source.height, math.ceil(max(rows)) + margin)
    if col1 <= col0 or row1 <= row0:
        return None
    return Window(col0, row0, col1 - col0, row1 - row0)


def prefetch(open_file: Callable[[str], DatasetReader], paths: Sequence[str], grid: Grid) -> None:
    """Read the window under ``grid`` of every remote file of ``paths`` at once, so later reads find it cached.

    Local files are left alone (their reads cost no round trip). Each file is read by one thread,
    so no open dataset is used by two threads at once.

    Args:
        open_file: opens a path (``FileHandleCache.open``), safe to call from several threads.
        paths: the files a chip reads (every band's and date's).
        grid: the chip's grid.

    Raises:
        RasterReadError: if a file cannot be opened or read, naming it (the first such file).
    """
    remote = list(dict.fromkeys(path for path in paths if is_remote(path)))
    if len(remote) < 2:
        return

    def warm(path: str) -> None:
        source = open_file(path)
        window = source_window(source, grid)
        if window is None:
            return
        try:
            source.read(window=window)
        except rasterio.errors.RasterioError as error:
            raise RasterReadError(
                f"{path}: cannot read window {window}: {read_failure(path, error)}"
            ) from shown_cause(error)

    for future in [_threads().submit(warm, path) for path in remote]:
        future.result()
