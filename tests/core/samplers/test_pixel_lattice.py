"""Every window of every sampler lines up with its entry's pixels, whatever the roi, size and stride.

Random datasets (tiles of any size on one or several pixel lattices, square
or not, dated or not), rois (boxes on or off the grid, thinner than a pixel,
partly outside the data; polygons), sizes and strides (in pixels or CRS
units, multiples of the res or not): the windows' edges are whole pixels from
their entry's top-left corner, every pixel of the roi is covered when
``stride <= size``, each window is yielded once, and the lazily laid grid is
the brute-force one.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pytest
import rasterio
import shapely
import torch
from affine import Affine

from geotorch.core import BoundingBox, RasterDataset
from geotorch.samplers import (
    GridGeoSampler,
    PreChippedGeoSampler,
    RandomBatchGeoSampler,
    RandomGeoSampler,
    Units,
    get_random_bounding_box,
)

Made = TypeVar("Made")

#: Share of a pixel within which an edge counts as on the lattice.
SLACK = 1e-6


class Tiles(RasterDataset):
    filename_glob = "*.tif"
    filename_regex = r"^[a-z]+[0-9]*(_(?P<date>\d{8}))?\.tif$"


@dataclass(frozen=True)
class Tile:
    """A GeoTIFF's name, top-left corner, size in pixels and values."""

    name: str
    left: float
    top: float
    width: int
    height: int

    def bounds(self, res: tuple[float, float]) -> BoundingBox:
        return BoundingBox(self.left, self.left + self.width * res[0], self.top - self.height * res[1], self.top)


def write_tiles(folder: Path, tiles: list[Tile], res: tuple[float, float]) -> Tiles:
    """Single-band uint16 tiles whose pixel ``(row, column)`` holds ``row * width + column + 1``."""
    folder.mkdir()
    for tile in tiles:
        values = np.arange(1, tile.width * tile.height + 1, dtype=np.uint16).reshape(1, tile.height, tile.width)
        profile = {
            "driver": "GTiff",
            "count": 1,
            "width": tile.width,
            "height": tile.height,
            "dtype": "uint16",
            "crs": "EPSG:32633",
            "transform": Affine(res[0], 0.0, tile.left, 0.0, -res[1], tile.top),
            "nodata": 0,
        }
        with rasterio.open(folder / f"{tile.name}.tif", "w", **profile) as destination:
            destination.write(values)
    return Tiles(folder)


def random_case(seed: int, folder: Path) -> tuple[Tiles, list[Tile], dict[str, Any]]:
    """A dataset of 1 to 3 tiles and the arguments of a GridGeoSampler over it, drawn from ``seed``."""
    draw = random.Random(seed)
    res_x = draw.choice([1.0, 10.0, 0.3, 2.5, 30.0])
    res = (res_x, res_x if draw.random() < 0.7 else draw.choice([1.0, 10.0, 0.3]))
    left, top = draw.choice([500_000.0, 123.45, -77.7, 0.1]), 4_000_000.0
    tiles = []
    for number in range(draw.randint(1, 3)):
        # Same lattice (whole pixels apart) or another one (a fraction of a pixel off), overlapping or apart.
        shift = 0.0 if draw.random() < 0.6 else draw.choice([0.25, 0.5, 0.77])
        column, row = draw.randint(-10, 30) + shift, draw.randint(-10, 30) + shift
        date = draw.choice(["", "", "_20200101", "_20210101"])
        tiles.append(
            Tile(
                f"t{number}{date}",
                left + column * res[0],
                top - row * res[1],
                draw.randint(1, 40),
                draw.randint(1, 40),
            )
        )
    dataset = write_tiles(folder, tiles, res)
    size: Any = draw.choice([1, 3, 8, 16, 50, (5, 12), (12, 5)])
    stride: Any = draw.choice([None, 1, 2, 5, 8, (3, 7), 60])
    units = Units.PIXELS
    if draw.random() < 0.25:
        # CRS units, a whole or a fractional number of pixels.
        units = Units.CRS
        size = draw.choice([4, 7.4, 12.5]) * max(res)
        stride = None if draw.random() < 0.5 else draw.choice([2, 3.3]) * max(res)
    roi: Any = None
    bounds = dataset.bounds
    if draw.random() < 0.6:
        width, height = bounds.maxx - bounds.minx, bounds.maxy - bounds.miny
        if draw.random() < 0.25:
            # Thinner than two pixels along one or both axes: it may hold no whole pixel.
            minx = draw.uniform(bounds.minx, bounds.maxx - res[0])
            miny = draw.uniform(bounds.miny, bounds.maxy - res[1])
            roi = BoundingBox(minx, minx + draw.uniform(0.1, 2) * res[0], miny, miny + draw.uniform(0.1, 30) * res[1])
        else:
            minx = draw.uniform(bounds.minx - 0.3 * width, bounds.maxx - res[0])
            miny = draw.uniform(bounds.miny - 0.3 * height, bounds.maxy - res[1])
            roi = BoundingBox(
                minx,
                draw.uniform(minx + res[0], bounds.maxx + 0.3 * width),
                miny,
                draw.uniform(miny + res[1], bounds.maxy + 0.3 * height),
            )
        if draw.random() < 0.4:
            roi = shapely.Polygon(
                [(roi.minx, roi.miny), (roi.maxx, roi.miny), (roi.minx + 0.3 * (roi.maxx - roi.minx), roi.maxy)]
            )
    return dataset, tiles, {"size": size, "stride": stride, "units": units, "roi": roi}


def attempt(make: Callable[[], Made]) -> Made | str:
    """What ``make`` returns, or the message of the ValueError or RuntimeError it raises."""
    try:
        return make()
    except (ValueError, RuntimeError) as error:
        return str(error)


def on_lattice(value: float, origin: float, res: float) -> bool:
    pixels = (value - origin) / res
    return abs(pixels - round(pixels)) < SLACK


def lattice_of(window: BoundingBox, tiles: list[Tile], res: tuple[float, float]) -> list[Tile]:
    """The tiles on whose pixel lattice ``window``'s corners lie."""
    return [
        tile
        for tile in tiles
        if all(on_lattice(x, tile.left, res[0]) for x in (window.minx, window.maxx))
        and all(on_lattice(y, tile.top, res[1]) for y in (window.miny, window.maxy))
    ]


def wanted_pixels(tile: Tile, res: tuple[float, float], roi: Any, dataset: Tiles) -> set[tuple[int, int]]:
    """``(row, column)`` of the tile's pixels a grid over ``roi`` must cover (see GridGeoSampler's docstring).

    A box roi asks for the whole pixels inside it; along an axis where the roi,
    within the data, holds no whole pixel of the tile's lattice, for the pixels
    it shares some length with. A polygon roi asks for the pixels wholly inside it.
    """
    if roi is not None and not isinstance(roi, BoundingBox):
        cells = itertools.product(range(tile.height), range(tile.width))
        return {cell for cell in cells if roi.covers(pixel_box(tile, res, *cell))}
    box = dataset.bounds if roi is None else roi
    if not box.intersects(dataset.bounds):
        return set()
    limits = box & dataset.bounds
    axes = []
    # Along each axis, lengths from the tile's top-left corner inwards: rows downwards, columns rightwards.
    for low, high, limit_low, limit_high, step, count in (
        (tile.top - box.maxy, tile.top - box.miny, tile.top - limits.maxy, tile.top - limits.miny, res[1], tile.height),
        (
            box.minx - tile.left,
            box.maxx - tile.left,
            limits.minx - tile.left,
            limits.maxx - tile.left,
            res[0],
            tile.width,
        ),
    ):
        if math.floor(limit_high / step + SLACK) - math.ceil(limit_low / step - SLACK) >= 1:
            axes.append(
                [i for i in range(count) if i * step >= low - SLACK * step and (i + 1) * step <= high + SLACK * step]
            )
        else:
            axes.append(
                [i for i in range(count) if i * step < high - SLACK * step and (i + 1) * step > low + SLACK * step]
            )
    rows, columns = axes
    return set(itertools.product(rows, columns))


def pixel_box(tile: Tile, res: tuple[float, float], row: int, column: int) -> shapely.Polygon:
    left, top = tile.left + column * res[0], tile.top - row * res[1]
    return shapely.box(left, top - res[1], left + res[0], top)


def covered(tile: Tile, res: tuple[float, float], windows: list[BoundingBox]) -> set[tuple[int, int]]:
    """``(row, column)`` of the tile's pixels inside some window laid on the tile's lattice."""
    cells: set[tuple[int, int]] = set()
    for window in windows:
        if tile not in lattice_of(window, [tile], res):
            continue
        first_column = round((window.minx - tile.left) / res[0])
        first_row = round((tile.top - window.maxy) / res[1])
        columns = range(max(first_column, 0), min(round((window.maxx - tile.left) / res[0]), tile.width))
        rows = range(max(first_row, 0), min(round((tile.top - window.miny) / res[1]), tile.height))
        cells.update(itertools.product(rows, columns))
    return cells


def brute_force(sampler: GridGeoSampler) -> list[tuple[float, ...]]:
    """Every window of every block of the sampler's grid, identical ones once, filtered by the polygons."""
    grid = sampler.grid
    height, width = grid.size
    res_x, res_y = grid.res
    seen: dict[tuple[float, ...], None] = {}
    for block in grid.blocks:
        left_edge, top_edge = block.origin
        for row, column in itertools.product(range(block.rows.count), range(block.columns.count)):
            top, left = block.rows[row], block.columns[column]
            window = (
                left_edge + left * res_x,
                left_edge + (left + width) * res_x,
                top_edge - (top + height) * res_y,
                top_edge - top * res_y,
                *block.times,
            )
            seen.setdefault(window)
    windows = list(seen)
    polygon = sampler.region.polygon
    if polygon is not None:
        windows = [w for w in windows if polygon.intersection(shapely.box(w[0], w[2], w[1], w[3])).area > 0]
    return windows


@pytest.mark.parametrize("seed", range(60))
def test_grid_windows_line_up_with_their_entry_and_cover_the_roi(tmp_path: Path, seed: int) -> None:
    dataset, tiles, arguments = random_case(seed, tmp_path / "tiles")
    sampler = attempt(lambda: GridGeoSampler(dataset, **arguments))
    if isinstance(sampler, str):
        # Only an roi that misses the data (or holds no pixel of it) may be refused.
        assert any(reason in sampler for reason in ("does not intersect", "no whole pixel", "shares area"))
        return
    windows = list(sampler)
    assert len(windows) == len(sampler)
    assert len(set(windows)) == len(windows), "each window once"
    assert [tuple(window) for window in windows] == brute_force(sampler)
    height, width = sampler.grid.size
    for window in windows:
        assert lattice_of(window, tiles, dataset.res), f"{window} is on no tile's pixel lattice"
        assert window.maxx - window.minx == pytest.approx(width * dataset.res[0])
        assert window.maxy - window.miny == pytest.approx(height * dataset.res[1])
    stride = sampler.grid.blocks[0].rows.step, sampler.grid.blocks[0].columns.step
    if stride[0] <= height and stride[1] <= width:
        for tile in tiles:
            missing = wanted_pixels(tile, dataset.res, arguments["roi"], dataset) - covered(tile, dataset.res, windows)
            assert not missing, f"{tile.name}: pixels {sorted(missing)[:5]} of the roi are in no window"
    shares = [list(GridGeoSampler(dataset, **arguments, rank=rank, world_size=3, even=False)) for rank in range(3)]
    assert sorted(tuple(w) for share in shares for w in share) == sorted(tuple(w) for w in windows)


@pytest.mark.parametrize("seed", range(20))
def test_random_patches_line_up_with_their_entry(tmp_path: Path, seed: int) -> None:
    dataset, tiles, arguments = random_case(seed, tmp_path / "tiles")
    roi, size, units = arguments["roi"], arguments["size"], arguments["units"]
    generator = torch.Generator().manual_seed(seed)
    for make in (
        lambda: list(RandomGeoSampler(dataset, size, length=30, roi=roi, units=units, generator=generator)),
        lambda: [
            box
            for batch in RandomBatchGeoSampler(dataset, size, 4, length=30, roi=roi, units=units, generator=generator)
            for box in batch
        ],
    ):
        patches = attempt(make)
        if isinstance(patches, str):
            # Refusals the random samplers document: no room for a patch in the roi or its polygon.
            reasons = ("larger than every area", "does not intersect", "no whole pixel", "too narrow")
            assert any(reason in patches for reason in reasons)
            continue
        for patch in patches:
            assert lattice_of(patch, tiles, dataset.res), f"{patch} is on no tile's pixel lattice"


def test_prechipped_chips_are_their_entries(tmp_path: Path) -> None:
    dataset, tiles, _ = random_case(3, tmp_path / "tiles")
    chips = {tuple(chip)[:4] for chip in PreChippedGeoSampler(dataset)}
    assert chips == {tuple(tile.bounds(dataset.res))[:4] for tile in tiles}


def test_random_bounding_box_of_whole_pixels_lies_on_the_grid_of_its_bounds() -> None:
    bounds = BoundingBox(123.45, 323.45, 17.3, 157.3)
    generator = torch.Generator().manual_seed(0)
    for _ in range(50):
        box = get_random_bounding_box(bounds, (3 * 2.5, 7 * 10.0), (10.0, 2.5), generator)
        assert on_lattice(box.minx, bounds.minx, 10.0) and on_lattice(box.maxx, bounds.minx, 10.0)
        assert on_lattice(box.maxy, bounds.maxy, 2.5) and on_lattice(box.miny, bounds.maxy, 2.5)
