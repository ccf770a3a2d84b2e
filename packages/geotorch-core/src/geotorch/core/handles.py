"""A bounded, per-process cache of open raster files, opened for multi-threaded tile decoding."""

from __future__ import annotations

import math
import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path

import rasterio
from rasterio.io import DatasetReader

from geotorch.core.errors import RasterReadError
from geotorch.core.grid import Grid
from geotorch.core.prefetch import prefetch
from geotorch.core.remote import is_remote, open_raster
from geotorch.core.remote_versions import pinned
from geotorch.core.sidecars import sidecar_stamp

#: Environment variable that sets the default number of files kept open per process.
MAX_OPEN_FILES_VARIABLE = "GEOTORCH_MAX_OPEN_FILES"
#: Environment variable that sets how many remote files are kept open per process (default 1024).
MAX_OPEN_REMOTE_VARIABLE = "GEOTORCH_MAX_OPEN_REMOTE_FILES"
#: Environment variable that sets how many threads decode the tiles of one read, per process.
DECODE_THREADS_VARIABLE = "GEOTORCH_DECODE_THREADS"
#: Blocks of fewer pixels (a 128 px tile's) are decoded on one thread: GDAL hands each block to its
#: pool as a job, and a job per strip of one row (1389 px, 7 bands) costs more than decoding it.
#: A 256 px window of 1-row DEFLATE strips cost 15-16 ms of CPU on one thread, 37-49 ms on two (and
#: more wall time); of 4-row strips 12-14 and 19 ms; of 16-row strips the same on either.
MIN_THREADED_BLOCK_PIXELS = 128 * 128


#: The process that opened files for multi-threaded decoding, which starts GDAL's thread pool.
_pool_owner: int | None = None
#: Where Linux control groups state a CPU quota: v2's ``cpu.max``, then v1's quota and period.
CPU_QUOTA_FILES = (Path("/sys/fs/cgroup/cpu.max"), Path("/sys/fs/cgroup/cpu/cpu.cfs_quota_us"))


def available_cpus() -> int:
    """The CPUs this process may use: those it may run on, fewer under a control group's CPU quota.

    A container limited to 2 CPUs' time on a 64-CPU host still sees 64 CPUs it may run on;
    threads sized by that count would queue for the quota.
    """
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    version2, version1 = CPU_QUOTA_FILES
    try:
        if version2.exists():
            quota, period = version2.read_text().split()[:2]
        else:
            quota = version1.read_text().strip()
            period = (version1.parent / "cpu.cfs_period_us").read_text().strip()
    except (OSError, ValueError):
        return cpus
    if quota in ("max", "-1") or not quota.isdigit() or not period.isdigit() or int(period) == 0:
        return cpus
    return max(1, min(cpus, math.ceil(int(quota) / int(period))))


def decode_threads() -> int:
    """How many threads GDAL may use to decode the compressed tiles one read touches, in this process.

    ``$GEOTORCH_DECODE_THREADS`` when set; otherwise the CPUs this process may use (see
    :func:`available_cpus`), divided among the DataLoader workers when it is one of them (so
    that workers do not oversubscribe the machine: with as many workers as CPUs, each decodes
    on its own thread). Always 1 in a
    process forked from one that decoded on several threads: GDAL's thread pool does not survive
    a fork (its threads stay behind in the parent), and work given to it would wait forever.

    Raises:
        ValueError: if ``$GEOTORCH_DECODE_THREADS`` is not a positive integer.
    """
    if _pool_owner is not None and _pool_owner != os.getpid():
        return 1
    configured = os.environ.get(DECODE_THREADS_VARIABLE)
    if configured:
        if not configured.isdigit() or int(configured) < 1:
            raise ValueError(f"${DECODE_THREADS_VARIABLE}={configured!r} must be a positive integer")
        return int(configured)
    cpus = available_cpus()
    from torch.utils.data import get_worker_info

    worker = get_worker_info()
    return max(1, cpus // worker.num_workers) if worker is not None else cpus


def _identity(path: str) -> tuple[int | str, ...] | None:
    """What changes when a local file, or a sidecar GDAL reads with it, is replaced, rewritten, added or removed.

    Sidecars are ``.aux.xml``, ``.msk``, world files... (see :func:`geotorch.core.sidecars.sidecar_stamp`).
    A remote file's is the version it is pinned to (:func:`geotorch.core.remote_versions.pinned`), which
    a new listing of a replaced file changes. None for missing files and unpinned remote ones.
    """
    if is_remote(path):
        version = pinned(path)
        return None if version is None else (version,)
    try:
        status = os.stat(path)
    except OSError:
        return None
    return status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns, *sidecar_stamp(path)


class FileHandleCache:
    """Keeps at most ``max_open`` local and ``max_open_remote`` remote datasets open, closing the least recently used.

    Remote files (URLs and GDAL virtual paths) have their own bound, ``$GEOTORCH_MAX_OPEN_REMOTE_FILES``
    or 1024: their headers are parsed once per process instead of being fetched again whenever a
    chip of a long time series (one file per band and date) pushes them out. They are opened
    without holding the cache's lock, so that :meth:`prefetch` opens a chip's files at once.

    Handles belong to the process that opened them: after a fork (DataLoader
    workers) the child starts with an empty cache instead of sharing the
    parent's GDAL handles. Files are opened with GDAL's ``GDAL_NUM_THREADS`` set
    to :func:`decode_threads`, so that a window spanning several compressed tiles
    decodes them in parallel (same pixels, about 1.7x faster on two CPUs); files of small blocks
    (see :data:`MIN_THREADED_BLOCK_PIXELS`: strips of a row or a few) and remote files are decoded on
    the reading thread.
    """

    def __init__(self, max_open: int | None = None) -> None:
        """Create an empty cache.

        Args:
            max_open: how many files to keep open; defaults to
                ``$GEOTORCH_MAX_OPEN_FILES`` or 64.

        Raises:
            ValueError: if ``max_open`` is not positive.
        """
        self.max_open = max_open or int(os.environ.get(MAX_OPEN_FILES_VARIABLE, "64"))
        self.max_open_remote = int(os.environ.get(MAX_OPEN_REMOTE_VARIABLE, "1024"))
        if self.max_open < 1:
            raise ValueError(f"max_open={self.max_open} must be at least 1 (check ${MAX_OPEN_FILES_VARIABLE})")
        #: Path -> the open file, its identity when opened (see :func:`_identity`) and its decode threads.
        self._handles: OrderedDict[str, tuple[DatasetReader, tuple[int | str, ...] | None, int]] = OrderedDict()
        self._pid = os.getpid()
        self._lock = threading.Lock()

    def open(self, path: str) -> DatasetReader:
        """Return an open dataset for ``path``, opening it if needed.

        A local file replaced or rewritten since it was opened (another inode, size or
        modification time), or one whose sidecars changed, is opened again, so reads never
        serve the old file's pixels or georeferencing.

        Raises:
            RasterReadError: if the file cannot be opened, naming it.
        """
        with self._lock:
            if self._pid != os.getpid():
                self._handles = OrderedDict()
                self._pid = os.getpid()
            identity = _identity(path)
            cached = self._handles.get(path)
            if cached is not None:
                if cached[1] == identity:
                    self._handles.move_to_end(path)
                    return cached[0]
                del self._handles[path]
                cached[0].close()
            if not is_remote(path):
                handle, threads = self._open_local(path)
                self._keep(path, handle, identity, threads)
                return handle
        # Opened outside the lock: a remote open waits for the network, and a chip's files open at once.
        return self._open_remote(path, identity)

    def _open_local(self, path: str) -> tuple[DatasetReader, int]:
        """Open a local file, for decoding on :func:`decode_threads` threads where its blocks are large enough."""
        try:
            threads = decode_threads()
            if threads > 1:
                with rasterio.Env(GDAL_NUM_THREADS=str(threads)):
                    handle = open_raster(path)
                rows, cols = handle.block_shapes[0] if handle.count else (0, 0)
                if rows * cols >= MIN_THREADED_BLOCK_PIXELS:
                    global _pool_owner
                    _pool_owner = os.getpid()
                    return handle, threads
                # GDAL reads the thread count when it opens a file: open it again without.
                handle.close()
            return open_raster(path), 1
        except rasterio.errors.RasterioError as error:
            raise RasterReadError(f"{path}: cannot open raster: {error}") from error

    def _open_remote(self, path: str, identity: tuple[int | str, ...] | None) -> DatasetReader:
        """Open a remote file without holding the lock; the first of several threads opening it is kept."""
        handle = open_raster(path)
        with self._lock:
            cached = self._handles.get(path)
            if cached is not None and self._pid == os.getpid():
                handle.close()
                return cached[0]
            # Remote reads decode on the reading thread (see geotorch.core.remote.gdal_options).
            self._keep(path, handle, identity, 1)
            return handle

    def _keep(self, path: str, handle: DatasetReader, identity: tuple[int | str, ...] | None, threads: int) -> None:
        """Remember ``handle`` and its decode ``threads``; close the least recently used past the bound (held lock)."""
        self._handles[path] = (handle, identity, threads)
        # Remote files count against their own, larger bound: reopening one costs round trips, and a
        # chip of a time series reads one per band and date.
        remote = [name for name in self._handles if is_remote(name)]
        for kind, bound in (
            (remote, self.max_open_remote),
            ([name for name in self._handles if not is_remote(name)], self.max_open),
        ):
            for name in kind[: max(0, len(kind) - bound)]:
                oldest = self._handles.pop(name)[0]
                oldest.close()

    def prefetch(self, paths: Sequence[str], grid: Grid) -> None:
        """Read the windows ``grid`` needs of all remote ``paths`` at once (:func:`geotorch.core.prefetch.prefetch`).

        Raises:
            RasterReadError: if a remote file cannot be opened or read, naming it.
        """
        prefetch(self.open, paths, grid)

    def decode_threads_of(self, path: str) -> int:
        """How many threads decode the blocks of ``path``, opened in this process (1 when it is not open).

        :func:`decode_threads` for a local file whose blocks hold at least
        :data:`MIN_THREADED_BLOCK_PIXELS` pixels, else 1.
        """
        with self._lock:
            cached = self._handles.get(path) if self._pid == os.getpid() else None
            return 1 if cached is None else cached[2]

    def __len__(self) -> int:
        """Number of files open now in this process."""
        return len(self._handles) if self._pid == os.getpid() else 0

    def clear(self) -> None:
        """Close every file this process opened."""
        with self._lock:
            if self._pid == os.getpid():
                for handle, _, _ in self._handles.values():
                    handle.close()
            self._handles = OrderedDict()
            self._pid = os.getpid()


#: The cache every RasterDataset of this process reads through.
open_files = FileHandleCache()


def set_max_open_files(count: int) -> None:
    """Bound how many raster files each process keeps open (default 64).

    Raises:
        ValueError: if ``count`` is not positive.
    """
    if count < 1:
        raise ValueError(f"set_max_open_files: count={count} must be at least 1")
    open_files.max_open = count
