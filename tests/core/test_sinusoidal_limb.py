"""A MODIS sinusoidal tile reaching past the Earth's edge is indexed where its places lie, not across the globe."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

from geotorch.core import RasterDataset
from geotorch.samplers import RandomGeoSampler
from tests.core.rasters import grid, write_raster

#: MODIS's sinusoidal grid: its sphere, the size of a tile and the top-left corner of tile h00v00, in metres.
MODIS = "+proj=sinu +lon_0=0 +x_0=0 +y_0=0 +R=6371007.181 +units=m +no_defs"
TILE, LEFT, TOP = 1111950.5197665554, -20015109.354, 10007554.677


def _tile(folder: Path, h: int, v: int) -> Path:
    """Tile ``h``, ``v`` of MODIS's grid, 48 x 48 px of 1 (nodata 0)."""
    return write_raster(folder / f"h{h:02d}v{v:02d}.tif", np.ones((1, 48, 48), dtype=np.uint8), MODIS,
                        grid(LEFT + h * TILE, TOP - v * TILE, TILE / 48), nodata=0)


@pytest.mark.parametrize(("h", "v"), [(0, 8), (35, 9)], ids=["h00v08", "h35v09"])
def test_a_tile_past_the_limb_is_indexed_at_its_places(tmp_path: Path, h: int, v: int) -> None:
    # Its corners past the Earth's edge come back from PROJ at the antimeridian's other side (x -20,015 km at
    # 10 N as 177.8 E): h00v08 was indexed at -180..-170 and 177.2..180 degrees, and 12 of 40 windows
    # RandomGeoSampler drew held nothing of it (8 of h35v09's).
    dataset = RasterDataset(_tile(tmp_path, h, v), crs="EPSG:4326", res=0.1)
    boxes = [hit.bounds for hit in dataset.index.intersection(dataset.index.bounds, objects=True)]
    assert sum(right - left for left, right, *_ in boxes) < 11.5
    windows = list(RandomGeoSampler(dataset, 16, length=40, generator=0))
    holding = sum(bool((dataset[window]["image"] > 0).any()) for window in windows)
    assert holding >= 36


def test_a_tile_wholly_past_the_limb_is_skipped_naming_it(tmp_path: Path) -> None:
    # h08v00 lies wholly off the Earth (the sinusoid is 3,475 km wide at 80 N): PROJ's answers for its corners
    # indexed it across every longitude at 80..90 N, or failed the dataset in UTM ('cannot convert float NaN to
    # integer').
    kept = _tile(tmp_path, 17, 0)
    nowhere = _tile(tmp_path, 8, 0)
    for crs in ("EPSG:4326", "EPSG:32601"):
        with pytest.warns(UserWarning, match=rf"skipping {nowhere}: .* PROJ draws none of its places there"):
            dataset = RasterDataset(tmp_path, crs=crs, res=0.1 if crs == "EPSG:4326" else 10_000.0)
        assert {str(hit.object) for hit in dataset.index.intersection(dataset.index.bounds, objects=True)} == {
            str(kept)
        }


def test_a_tile_on_the_earth_is_indexed_as_before(tmp_path: Path) -> None:
    # h18v04 (central Europe) lies wholly on the sinusoid: its box, without a word.
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        dataset = RasterDataset(_tile(tmp_path, 18, 4), crs="EPSG:4326", res=0.01)
    bounds = dataset.bounds
    assert 0.0 <= bounds.minx < bounds.maxx < 21.0
    np.testing.assert_allclose([bounds.miny, bounds.maxy], [40.0, 50.0], atol=1e-6)
