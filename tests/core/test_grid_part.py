"""Grid.part: the sub-grid of a window of rows and columns."""

import warnings

from affine import Affine
from rasterio.crs import CRS

from geotorch.core.grid import Grid


def test_part_is_the_window_of_the_grid_without_warnings() -> None:
    grid = Grid(CRS.from_epsg(32616), Affine(30.0, 0.0, 500_000.0, 0.0, -30.0, 4_000_000.0), 256, 256)
    with warnings.catch_warnings():
        # affine's `*` between two transforms warns (PendingDeprecationWarning) on every later file of a mosaic.
        warnings.simplefilter("error")
        part = grid.part(slice(10, 250), slice(3, 200))
    assert part == Grid(grid.crs, Affine(30.0, 0.0, 500_090.0, 0.0, -30.0, 3_999_700.0), 240, 197)
