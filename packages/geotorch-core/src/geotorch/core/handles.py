"""A bounded, per-process cache of open raster files."""

from __future__ import annotations

import os
import threading
from collections import OrderedDict

import rasterio
from rasterio.io import DatasetReader

from geotorch.core.errors import RasterReadError

#: Environment variable that sets the default number of files kept open per process.
MAX_OPEN_FILES_VARIABLE = "GEOTORCH_MAX_OPEN_FILES"


class FileHandleCache:
    """Keeps at most ``max_open`` rasterio datasets open, closing the least recently used.

    Handles belong to the process that opened them: after a fork (DataLoader
    workers) the child starts with an empty cache instead of sharing the
    parent's GDAL handles.
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
        if self.max_open < 1:
            raise ValueError(f"max_open={self.max_open} must be at least 1 (check ${MAX_OPEN_FILES_VARIABLE})")
        self._handles: OrderedDict[str, DatasetReader] = OrderedDict()
        self._pid = os.getpid()
        self._lock = threading.Lock()

    def open(self, path: str) -> DatasetReader:
        """Return an open dataset for ``path``, opening it if needed.

        Raises:
            RasterReadError: if the file cannot be opened, naming it.
        """
        with self._lock:
            if self._pid != os.getpid():
                self._handles = OrderedDict()
                self._pid = os.getpid()
            handle = self._handles.get(path)
            if handle is not None:
                self._handles.move_to_end(path)
                return handle
            try:
                handle = rasterio.open(path)
            except rasterio.errors.RasterioError as error:
                raise RasterReadError(f"{path}: cannot open raster: {error}") from error
            self._handles[path] = handle
            while len(self._handles) > self.max_open:
                _, oldest = self._handles.popitem(last=False)
                oldest.close()
            return handle

    def __len__(self) -> int:
        """Number of files open now in this process."""
        return len(self._handles) if self._pid == os.getpid() else 0

    def clear(self) -> None:
        """Close every file this process opened."""
        with self._lock:
            if self._pid == os.getpid():
                for handle in self._handles.values():
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
