"""Classes of the pixels one window alone covers, chosen from its logits; probabilities only where windows overlap.

A class output's pixel covered by one window is that window's most probable class: blending it
is dividing its weighted probabilities by their weight again. Its class is chosen here from the
logits (the largest; no softmax, no sums), and only the pixels of several windows (a window's
frame) get probabilities, weighted, to blend. The classes are those the blend gives, bit for bit:
the softmax and weighting are monotone, so the largest logit's class is the blend's unless a
pixel's two largest logits lie within :data:`CLASS_MARGIN` of each other, where probabilities
rounding alike could tie (the first class wins a tie); those few pixels are computed as the blend
computes them. Pixels whose softmax is NaN (a NaN or infinite largest logit) have no class.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import Tensor

from geotorch.trainers.predict_cog import CLASS_NODATA, first_argmax
from geotorch.trainers.probabilities import softmax

#: Pixels whose largest logit passes the second by this much have the largest logit's class in the blend.
#: The blend's probabilities of such a pixel differ by a factor exp(-1e-4), far beyond the few float32
#: roundings (each at most 6e-8 of a value) between its logits and its blended values.
CLASS_MARGIN = 1e-4

#: Pixels :func:`interior_classes` compares at a time (its running maxima, float32, stay in the CPU's cache).
CLASS_PIXELS = 32768

#: Columns that torch's CPU sum across channels takes as one vector step: a window's pixels are summed so only
#: in runs of this many (a run's tail takes another order). Widths of the probabilities computed here are kept to
#: multiples of it, so that each pixel's softmax is the same bits as in its whole window's.
SUM_COLUMNS = 64


def one_window_span(starts: Sequence[int], index: int, size: int, length: int) -> tuple[int, int]:
    """The pixels ``[first, stop)`` along an axis covered by the window ``index`` alone (output coordinates).

    Args:
        starts: the axis's window starts, strictly increasing (see ``window_starts``).
        index: the window's position among them.
        size: window size in pixels.
        length: the axis's pixels (the output's).

    Returns:
        The span (``first >= stop`` where the window covers no pixel alone).
    """
    start = starts[index]
    first = max(start, starts[index - 1] + size if index > 0 else start, 0)
    stop = min(start + size, starts[index + 1] if index + 1 < len(starts) else start + size, length)
    return first, stop


def fits(size: tuple[int, int], channels: int, device: torch.device) -> bool:
    """Whether classes of windows of ``size`` and ``channels`` logits on ``device`` can be chosen here.

    Softmax classes of 2 to 255 channels (``uint8`` outputs), on the CPU, windows a multiple of
    :data:`SUM_COLUMNS` wide (whose every pixel torch sums in one order).
    """
    return device.type == "cpu" and 2 <= channels < CLASS_NODATA and size[1] % SUM_COLUMNS == 0


def weigh_frames(values: Tensor, interiors: Sequence[tuple[int, int, int, int]], weights: Tensor) -> None:
    """Write each window's frame over with its softmax times ``weights``; the logits inside its interior stay.

    The frame's values are those of :func:`~geotorch.trainers.predict_logits.weighted_logits` of the
    window's probabilities, bit for bit; :func:`window_classes` then chooses the interior's classes.

    Args:
        values: ``(B, channels, height, width)`` float32 logits, a tensor of their own, written over in place.
        interiors: each window's rows ``[r0, r1)`` and columns ``[c0, c1)`` that it alone covers (see
            :meth:`~geotorch.trainers.predict_stream.OutputLayout.interior`).
        weights: ``(height, width)`` float32 blending weights.
    """
    for window, interior in zip(values, interiors, strict=True):
        r0, r1, c0, c1 = interior
        for rows, columns in frame_rectangles(window.shape[-2:], interior):
            frame = window[:, rows[0] : rows[1], columns[0] : columns[1]]
            weight = weights[rows[0] : rows[1], columns[0] : columns[1]]
            if not (r0 <= rows[0] and rows[1] <= r1 and r0 < r1 and c0 < c1):
                # Rows above or below the interior, whole: one run of each channel, done in place.
                softmax(frame, dim=0, inplace=True).mul_(weight)
                continue
            # Columns beside the interior, widened into it: computed in a copy (torch's reductions over narrow
            # strided rows take a third longer than the copies), and only the frame's columns copied back.
            probabilities = softmax(frame.contiguous(), dim=0, inplace=True).mul_(weight)
            for begin, end in ((columns[0], min(columns[1], c0)), (max(columns[0], c1), columns[1])):
                if begin < end:
                    part = probabilities[:, :, begin - columns[0] : end - columns[0]]
                    window[:, rows[0] : rows[1], begin:end].copy_(part)


def window_classes(values: Tensor, interior: tuple[int, int, int, int], weights: Tensor) -> np.ndarray:
    """The classes of a window's pixels it alone covers, from its logits there (see :func:`weigh_frames`).

    Args:
        values: ``(channels, height, width)`` float32; logits inside ``interior`` (NaN at pixels of non-finite
            input: no class).
        interior: the window's rows ``[r0, r1)`` and columns ``[c0, c1)`` that it alone covers.
        weights: ``(height, width)`` float32 blending weights.

    Returns:
        ``(r1 - r0, c1 - c0)`` uint8 classes, :data:`CLASS_NODATA` where there is none.
    """
    r0, r1, c0, c1 = interior
    return interior_classes(values[:, r0:r1, c0:c1], weights[r0:r1, c0:c1])


def frame_rectangles(
    size: tuple[int, int] | torch.Size, interior: tuple[int, int, int, int]
) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """Rectangles ``((r0, r1), (c0, c1))`` covering a window's pixels outside ``interior``, top row first.

    The rows above and below the interior, whole; beside it, columns widened inwards to multiples
    of :data:`SUM_COLUMNS` (they may reach into the interior; one rectangle where they would meet).
    Empty ones are left out.
    """
    height, width = size
    r0, r1, c0, c1 = interior
    if r0 >= r1 or c0 >= c1:
        return [((0, height), (0, width))]
    rectangles = [((0, r0), (0, width))]
    left = -(-c0 // SUM_COLUMNS) * SUM_COLUMNS
    right = width - -(-(width - c1) // SUM_COLUMNS) * SUM_COLUMNS
    if left >= right:
        rectangles.append(((r0, r1), (0, width)))
    else:
        rectangles += [((r0, r1), (0, left)), ((r0, r1), (right, width))]
    rectangles.append(((r1, height), (0, width)))
    return [(rows, columns) for rows, columns in rectangles if rows[0] < rows[1] and columns[0] < columns[1]]


def interior_classes(logits: Tensor, weights: Tensor) -> np.ndarray:
    """The class the blend gives each pixel that ``logits`` ``(channels, h, w)`` float32 alone cover.

    The first channel of the largest logit, but where the second largest lies within
    :data:`CLASS_MARGIN`: there the softmax times ``weights`` ``(h, w)``, divided by them (a lone
    window's blend) decides, first channel first. :data:`CLASS_NODATA` where the largest logit is
    NaN or infinite (NaN probabilities) or every one is ``-inf``.
    """
    pixels = logits.numpy()
    height, width = pixels.shape[1:]
    labels = np.zeros((height, width), dtype=np.uint8)
    close = np.zeros((height, width), dtype=bool)
    finite = np.zeros((height, width), dtype=bool)
    # A few rows at a time: the running maxima stay in the CPU's cache.
    step = max(1, CLASS_PIXELS // max(1, width))
    shape = (min(step, height), width)
    best, second, lower = (np.empty(shape, dtype=np.float32) for _ in range(3))
    above = np.empty(shape, dtype=bool)
    index = np.empty(shape, dtype=np.uint8)
    with np.errstate(invalid="ignore"):
        for top in range(0, height, step):
            stop = min(top + step, height)
            rows = stop - top
            first, runner_up, smaller, larger = best[:rows], second[:rows], lower[:rows], above[:rows]
            found = labels[top:stop]
            np.copyto(first, pixels[0, top:stop])
            runner_up.fill(-np.inf)
            for channel in range(1, pixels.shape[0]):
                values = pixels[channel, top:stop]
                np.greater(values, first, out=larger)
                np.minimum(values, first, out=smaller)
                np.maximum(runner_up, smaller, out=runner_up)
                # Channels come in increasing order: a larger value's channel is above every label so far, so
                # the label is the larger of the two (no masked copy, many times slower).
                np.multiply(larger.view(np.uint8), np.uint8(channel), out=index[:rows])
                np.maximum(found, index[:rows], out=found)
                np.maximum(first, values, out=first)
            np.isfinite(first, out=finite[top:stop])
            np.subtract(first, runner_up, out=smaller)
            np.greater_equal(smaller, CLASS_MARGIN, out=larger)
            close[top:stop] = finite[top:stop] & ~larger
    labels[~finite] = CLASS_NODATA
    if close.any():
        rows, columns = np.nonzero(close)
        labels[rows, columns] = _blended_classes(logits, weights, rows, columns)
    return labels


def _blended_classes(logits: Tensor, weights: Tensor, rows: np.ndarray, columns: np.ndarray) -> np.ndarray:
    """Classes of the pixels ``(rows, columns)`` of ``logits`` as a lone window's blend chooses them."""
    count = len(rows)
    padded = -(-count // SUM_COLUMNS) * SUM_COLUMNS
    picked = torch.zeros((logits.shape[0], padded), dtype=torch.float32)
    where = (torch.from_numpy(rows), torch.from_numpy(columns))
    picked[:, :count] = logits[:, where[0], where[1]]
    weight = weights[where]
    probabilities = softmax(picked, dim=0, inplace=True)[:, :count]
    # The blender's sum of one window (weighted values + 0.0) divided by its weight.
    blended = probabilities.mul_(weight).add_(0.0).div_(weight)
    return np.asarray(first_argmax(blended[:, None].contiguous()).numpy()[0])
