"""RasterProfile: what indexing needs to know of one raster file (grid, bands, pixel type, nodata)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RasterProfile:
    """What indexing a raster file needs: its grid, band count, dtype and nodata.

    Attributes:
        crs: the file's CRS as WKT.
        bounds: ``(left, bottom, right, top)`` in that CRS: the file's true
            footprint, the box of its four corners, with ``left <= right`` and
            ``bottom <= top`` whichever way its rows and columns run (south-up,
            east-left, rotated grids).
        res: ground pixel size ``(x, y)`` in CRS units, positive: the lengths of
            one column step and one row step (``hypot(a, d)``, ``hypot(b, e)``
            of the geotransform).
        width: columns.
        height: rows.
        count: bands.
        dtype: numpy name of the first band's type.
        nodata: the nodata value, if any.
    """

    crs: str
    bounds: tuple[float, float, float, float]
    res: tuple[float, float]
    width: int
    height: int
    count: int
    dtype: str
    nodata: float | None
