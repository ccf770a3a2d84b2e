"""Progress bars on stderr for long steps: indexing many files, extracting archives, generating the demo area."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from tqdm import tqdm

#: ``auto`` (default): a bar on a terminal, once the step has run for :data:`DELAY_S` seconds;
#: ``always``: a bar at once, wherever stderr goes; ``never``: no bar.
PROGRESS_VARIABLE = "GEOTORCH_PROGRESS"
#: Seconds a step runs before its bar appears in ``auto`` mode, so that short steps print nothing.
DELAY_S = 2.0
_MODES = {"auto": "auto", "always": "always", "1": "always", "never": "never", "0": "never"}

T = TypeVar("T")


def _mode() -> str:
    value = os.environ.get(PROGRESS_VARIABLE, "auto").strip().lower()
    if value not in _MODES:
        raise ValueError(f"{PROGRESS_VARIABLE}={value!r}: choose auto, always (or 1) or never (or 0)")
    return _MODES[value]


@contextmanager
def progress_bar(total: int, description: str, unit: str = "file") -> Iterator[Callable[[int], object]]:
    """A bar on stderr for a step of ``total`` units; yields ``advance(count)``, to call as units are done.

    Whether a bar is drawn follows ``$GEOTORCH_PROGRESS`` (see :data:`PROGRESS_VARIABLE`): by default
    only on a terminal and only once the step has run for :data:`DELAY_S` seconds, so logs and short
    steps stay quiet; never for a step of nothing.

    Args:
        total: how many units the step has.
        description: what the step does, shown before the bar (``"indexing rasters"``).
        unit: the name of one unit.

    Raises:
        ValueError: if ``$GEOTORCH_PROGRESS`` is none of auto, always (1), never (0).
    """
    mode = _mode()
    if total == 0 or mode == "never" or (mode == "auto" and (sys.stderr is None or not sys.stderr.isatty())):
        yield lambda count: None
        return
    with tqdm(total=total, desc=description, unit=unit, file=sys.stderr,
              delay=DELAY_S if mode == "auto" else 0) as bar:
        yield bar.update


def report_progress(items: Iterable[T], total: int, description: str, unit: str = "file") -> Iterator[T]:
    """``items``, one by one, with a :func:`progress_bar` of ``total`` units advanced after each.

    Args:
        items: what the step goes through.
        total: how many items there are.
        description: what the step does, shown before the bar.
        unit: the name of one item.

    Raises:
        ValueError: if ``$GEOTORCH_PROGRESS`` is none of auto, always (1), never (0).
    """
    with progress_bar(total, description, unit) as advance:
        for item in items:
            yield item
            advance(1)
