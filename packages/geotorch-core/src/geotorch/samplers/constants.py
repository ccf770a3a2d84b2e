"""Units in which sampler patch sizes and strides are given, and the limits on what a sampler lays out."""

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


#: Most windows one sampler pass may lay (and most whole-pixel positions along one axis of a random
#: draw, and most patches a random pass may draw): a pass beyond it would never end (at a million
#: windows a second, 2**40 take 13 days) and counts beyond 2**53 are no longer exact in floats.
MAX_WINDOWS = 2**40
