"""Handing work to one background thread, so that the model's next batch runs while the last one is written."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from types import TracebackType
from typing import Generic, TypeVar

Item = TypeVar("Item")

_DONE = object()


class Handoff(Generic[Item]):
    """Runs ``consume`` on each item put, in order, in one background thread; at most ``depth`` items wait.

    Torch and GDAL release the GIL in their loops, so the thread blending and writing one
    batch runs beside the one computing the next. An error of ``consume`` stops the thread,
    and the next :meth:`put` (or leaving the ``with`` block) raises it; leaving the block on an
    error of its own stops the thread without consuming what waits.

    Args:
        consume: what to do with each item.
        depth: items that may wait beyond the one being consumed (each holds its memory); with 0, :meth:`put`
            returns once the thread has taken the item, after it has consumed the previous one.
    """

    def __init__(self, consume: Callable[[Item], None], depth: int = 1) -> None:
        if depth < 0:
            raise ValueError(f"Handoff: depth={depth} must be 0 or more")
        self._consume = consume
        self._depth = depth
        self._queue: queue.Queue[object] = queue.Queue(maxsize=max(depth, 1))
        self._error: BaseException | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="geotorch-predict-writer", daemon=True)

    def __enter__(self) -> Handoff[Item]:
        """Start the thread."""
        self._thread.start()
        return self

    def put(self, item: Item) -> None:
        """Queue ``item`` (waiting while ``depth`` items wait); raises the error that stopped the thread, if any."""
        while True:
            self._raise()
            try:
                self._queue.put(item, timeout=0.1)
                break
            except queue.Full:
                continue
        if self._depth == 0:
            # Nothing waits: the item is taken before the caller makes the next one.
            while self._queue.qsize() and self._thread.is_alive():
                self._raise()
                time.sleep(0.001)
            self._raise()

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        """Wait for every queued item to be consumed (or, on an error, only for the current one); re-raise its error."""
        if kind is not None:
            self._stop.set()
        while self._thread.is_alive():
            try:
                self._queue.put(_DONE, timeout=0.1)
                break
            except queue.Full:
                continue
        self._thread.join()
        if kind is None:
            self._raise()

    def _raise(self) -> None:
        if self._error is not None:
            raise self._error

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is _DONE or self._stop.is_set():
                return
            try:
                self._consume(item)  # type: ignore[arg-type]
            except BaseException as error:  # noqa: BLE001 - handed to the putting thread
                self._error = error
                return
            # Not held while the next item is awaited: it would outlive its consumption by the putter's next item.
            del item
