"""Unions and intersections number their entries in their operands' file order, whatever the R-tree's order.

R-trees are packed in one pass since 44c94f1, so a tree lists its entries by place, not by insertion: of four
tiles f0-f3 laid east to west, the union's and intersection's entries came out f3 first, and a grid over
them started at f3.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import rasterio
from rasterio.transform import from_origin

from geotorch.core import GeoDataset, RasterDataset
from geotorch.samplers import GridGeoSampler


def write_tiles(folder: Path) -> RasterDataset:
    """Four overlapping 10 x 10 px uint8 tiles f0-f3 in UTM 31N, each 20 m west of the one before, holding i + 1."""
    folder.mkdir()
    for number in range(4):
        profile = {"driver": "GTiff", "width": 10, "height": 10, "count": 1, "dtype": "uint8", "crs": "EPSG:32631",
                   "transform": from_origin(600.0 - 20.0 * number, 1000.0, 10.0, 10.0)}
        with rasterio.open(folder / f"f{number}.tif", "w", **profile) as file:
            file.write(np.full((1, 10, 10), number + 1, "uint8"))
    return RasterDataset(folder)


def test_a_union_and_an_intersection_visit_entries_in_file_order(tmp_path: Path) -> None:
    tiles = write_tiles(tmp_path / "tiles")
    union, intersection = tiles | tiles, tiles & tiles
    # The union lists the first operand's tiles, then the second's; the intersection each tile's overlaps together.
    assert names(union) == ["f0.tif", "f1.tif", "f2.tif", "f3.tif"] * 2
    assert names(intersection) == sorted(names(intersection)) and len(names(intersection)) == 16
    for combined in (union, intersection):
        # A grid visits the entries in that order: its first window is f0's top-left corner.
        first = next(iter(GridGeoSampler(combined, size=10, stride=10)))
        assert (first.minx, first.maxy) == (600.0, 1000.0)


def names(dataset: GeoDataset) -> list[str]:
    """The file names of ``dataset``'s index entries, by entry id."""
    hits = sorted(dataset.index.intersection(dataset.index.bounds, objects=True), key=lambda hit: hit.id)
    return [Path(str(hit.object)).name for hit in hits]
