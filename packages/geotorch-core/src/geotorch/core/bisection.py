"""Bisection along segments: the last points of a property on the way from where it holds to where it fails."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

#: A test of many points at once: x and y in, a boolean array of the same shape out (True where it holds).
PointTest = Callable[[NDArray[np.float64], NDArray[np.float64]], NDArray[np.bool_]]


def last_holding(
    holds: PointTest,
    inside_x: NDArray[np.float64],
    inside_y: NDArray[np.float64],
    outside_x: NDArray[np.float64],
    outside_y: NDArray[np.float64],
    steps: int,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The x and y, segment by segment, of the last points where ``holds`` is True from ``inside`` to ``outside``.

    Each segment runs from a point where the test holds to one where it fails (arrays of one shape, in the
    test's units); ``steps`` halvings leave each answer within ``1 / 2**steps`` of the segment's length of
    the change, on its holding side. A test that changes more than once along a segment gives one of its changes.
    """
    for _ in range(steps):
        middle_x, middle_y = (inside_x + outside_x) / 2, (inside_y + outside_y) / 2
        kept = holds(middle_x, middle_y)
        inside_x, outside_x = np.where(kept, middle_x, inside_x), np.where(kept, outside_x, middle_x)
        inside_y, outside_y = np.where(kept, middle_y, inside_y), np.where(kept, outside_y, middle_y)
    return inside_x, inside_y
