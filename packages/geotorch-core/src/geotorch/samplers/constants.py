"""Units in which sampler patch sizes and strides are given."""

from __future__ import annotations

from enum import Enum, auto


class Units(Enum):
    """How a sampler reads ``size`` and ``stride``.

    Attributes:
        PIXELS: in pixels of the dataset's resolution (a 256-pixel patch of a
            10 m dataset spans 2560 m).
        CRS: in units of the dataset's CRS (metres, degrees, ...).
    """

    PIXELS = auto()
    CRS = auto()
