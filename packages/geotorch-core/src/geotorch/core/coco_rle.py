"""COCO's run-length encoded object masks (``{"size": [h, w], "counts": ...}``) decoded to arrays."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np


def rle_mask(rle: Mapping[str, Any], height: int, width: int) -> np.ndarray:
    """The ``(height, width)`` uint8 mask of a COCO run-length encoding.

    COCO counts alternate runs of 0 and 1, starting with 0, down the columns (column-major order);
    ``counts`` is a list of run lengths, or their compressed string (each length as a difference
    from the one two before, from the third on, in 5-bit groups offset by 48 in ASCII, the sixth bit
    meaning another group follows).

    Args:
        rle: ``size`` ``[height, width]`` and ``counts``.
        height: the image's height in pixels.
        width: the image's width in pixels.

    Returns:
        The mask, 1 on the object.

    Raises:
        ValueError: if ``size`` is not the image's, or the runs do not cover the image exactly.
    """
    size = [int(side) for side in rle.get("size", ())]
    if size != [height, width]:
        raise ValueError(f"a run-length encoded mask of size {rle.get('size')} lies on an image of {height} x {width}")
    counts = rle.get("counts")
    runs = _compressed_runs(counts) if isinstance(counts, (str, bytes)) else [int(run) for run in counts or ()]
    if any(run < 0 for run in runs) or sum(runs) != height * width:
        raise ValueError(
            f"a run-length encoded mask's runs {runs[:6]}{'...' if len(runs) > 6 else ''} are not lengths that "
            f"cover the {height} x {width} = {height * width} pixels of its image"
        )
    values = np.arange(len(runs)) % 2
    return np.repeat(values.astype(np.uint8), runs).reshape(width, height).T.copy()


def _compressed_runs(counts: str | bytes) -> list[int]:
    """The run lengths of COCO's compressed ``counts`` string."""
    codes: Sequence[int] = counts.encode("ascii") if isinstance(counts, str) else counts
    runs: list[int] = []
    position = 0
    while position < len(codes):
        value, shift, more = 0, 0, True
        while more:
            group = codes[position] - 48
            value |= (group & 0x1F) << shift
            more = bool(group & 0x20)
            position += 1
            shift += 5
            if not more and group & 0x10:
                value -= 1 << shift  # the last group's fifth bit is the sign
        if len(runs) > 2:
            value += runs[-2]
        runs.append(value)
    return runs
