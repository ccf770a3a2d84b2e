"""Small real GeoTIFF datasets for the sampler and splitter tests."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import rasterio
from affine import Affine

from tests.core.samplers.places import MakeTiles, Place, Tiles, TileSpec

#: Each test that takes ``place`` runs in a projected, a geographic and a web-mercator CRS.
PLACES = [
    Place("EPSG:32633", 500_000.0, 4_000_000.0, 10.0),
    Place("EPSG:4326", 12.0, 45.0, 0.001),
    Place("EPSG:3857", 1_300_000.0, 5_600_000.0, 20.0),
]


@pytest.fixture(params=PLACES, ids=[place.crs for place in PLACES])
def place(request: pytest.FixtureRequest) -> Place:
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
def make_tiles(tmp_path: Path) -> MakeTiles:
    """Write tiles (``TileSpec`` list) of ``place`` into a new folder and open them as one dataset.

    Keyword arguments (``crs``, ``res``) go to the dataset.
    """
    folders = itertools.count()

    def make(place: Place, tiles: Sequence[TileSpec], **options: Any) -> Tiles:
        folder = tmp_path / f"tiles{next(folders)}"
        folder.mkdir()
        for name, column, row, width, height in tiles:
            bounds = place.bounds(column, row, width, height)
            values = (np.arange(width * height, dtype=np.uint16).reshape(1, height, width) % 250) + 1
            profile = {
                "driver": "GTiff",
                "count": 1,
                "height": height,
                "width": width,
                "dtype": "uint16",
                "crs": place.crs,
                "transform": Affine(place.res, 0.0, bounds.minx, 0.0, -place.res, bounds.maxy),
            }
            with rasterio.open(folder / f"{name}.tif", "w", **profile) as destination:
                destination.write(values)
        return Tiles(folder, **options)

    return make


@pytest.fixture
def utm() -> Place:
    """The projected place, for tests that need only one CRS."""
    return PLACES[0]
