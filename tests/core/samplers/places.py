"""Where sampler tests lay their tiles; a module of its own so that test modules and the conftest import it."""

from __future__ import annotations

from dataclasses import dataclass

from geotorch.core import BoundingBox


@dataclass(frozen=True)
class Place:
    """A CRS, a top-left corner in it and a pixel size: where a test lays its tiles."""

    crs: str
    left: float
    top: float
    res: float

    def bounds(self, column: int, row: int, width: int, height: int) -> BoundingBox:
        """Bounds of a tile whose top-left pixel is ``(column, row)`` pixels from the corner."""
        left = self.left + column * self.res
        top = self.top - row * self.res
        return BoundingBox(left, left + width * self.res, top - height * self.res, top)
