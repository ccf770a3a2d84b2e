"""Where sampler tests lay their tiles and what they lay: helpers of the sampler tests and of their conftest."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from geotorch.core import BoundingBox, RasterDataset


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


class Tiles(RasterDataset):
    """Single-band tiles named ``<name>.tif`` or ``<name>_<YYYYMMDD>.tif``."""

    filename_glob = "*.tif"
    filename_regex = r"^[a-z]+[0-9]*(_(?P<date>\d{8}))?\.tif$"


#: ``(name, column, row, width, height)``: a tile's file name and pixel box from the place's corner.
TileSpec = tuple[str, int, int, int, int]
MakeTiles = Callable[..., Tiles]
