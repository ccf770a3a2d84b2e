"""Grid: a north-up pixel grid (CRS, affine transform, shape), the target of every read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from affine import Affine

if TYPE_CHECKING:
    from rasterio.crs import CRS

    from geotorch.core.bbox import BoundingBox

#: The most pixels a raster may have along a side (GDAL's limit).
MAX_PIXELS_PER_SIDE = 2**31 - 1


@dataclass(frozen=True, slots=True)
class Grid:
    """A north-up pixel grid: CRS, affine transform and shape.

    Attributes:
        crs: coordinate reference system.
        transform: affine transform of the top-left pixel corner.
        height: number of rows.
        width: number of columns.
    """

    crs: CRS
    transform: Affine
    height: int
    width: int

    def __str__(self) -> str:
        """The grid's extent, shape and CRS in one short line."""
        left, top = self.transform.c, self.transform.f
        right, bottom = left + self.width * self.transform.a, top + self.height * self.transform.e
        return f"x {left}..{right}, y {bottom}..{top} ({self.width} x {self.height} px, {self.crs.to_string()})"

    def part(self, rows: slice, cols: slice) -> Grid:
        """The sub-grid of rows ``rows`` and columns ``cols`` (slices with explicit bounds)."""
        offset = self.transform @ Affine.translation(cols.start, rows.start)
        return Grid(self.crs, offset, rows.stop - rows.start, cols.stop - cols.start)

    @classmethod
    def from_bbox(cls, bbox: BoundingBox, crs: CRS, res: tuple[float, float]) -> Grid:
        """The grid covering ``bbox`` with pixels of size ``res`` anchored at its top-left corner.

        Raises:
            ValueError: if the grid would be wider or taller than GDAL's limit of 2**31 - 1 pixels.
        """
        width = max(1, round((bbox.maxx - bbox.minx) / res[0]))
        height = max(1, round((bbox.maxy - bbox.miny) / res[1]))
        if max(width, height) > MAX_PIXELS_PER_SIDE:
            raise ValueError(
                f"a query of {bbox.maxx - bbox.minx:g} x {bbox.maxy - bbox.miny:g} CRS units at res {res} would be "
                f"{width} x {height} pixels, beyond the {MAX_PIXELS_PER_SIDE} a raster may have per side; "
                f"query a smaller area or choose a coarser res"
            )
        return cls(crs, Affine(res[0], 0.0, bbox.minx, 0.0, -res[1], bbox.maxy), height, width)
