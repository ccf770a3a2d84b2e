"""TorchGeo 0.10's RandomPatchSampler and GriddedPatchSampler: keyword-only signatures over GeoTorch's samplers."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pytest
import shapely
import torch

from geotorch.core import BoundingBox
from geotorch.samplers import (
    GriddedPatchSampler,
    GridGeoSampler,
    RandomGeoSampler,
    RandomPatchSampler,
    Units,
)

if TYPE_CHECKING:
    from tests.core.samplers.places import MakeTiles, Place

ONE_TILE = [("only", 0, 0, 40, 30)]


def test_random_patch_sampler_is_random_geo_sampler_with_the_same_seed(make_tiles: MakeTiles, place: Place) -> None:
    dataset = make_tiles(place, ONE_TILE)
    patches = list(RandomPatchSampler(dataset, size=8, length=12, generator=5))
    expected = list(RandomGeoSampler(dataset, 8, length=12, generator=torch.Generator().manual_seed(5)))
    assert patches == expected
    assert all(isinstance(patch, BoundingBox) for patch in patches)


@pytest.mark.parametrize(
    "make_generator",
    [
        lambda: 7,
        lambda: np.random.default_rng(7),
        lambda: np.random.PCG64(7),
        lambda: np.random.SeedSequence(7),
        lambda: np.random.RandomState(7),
        lambda: torch.Generator().manual_seed(7),
    ],
    ids=["int", "Generator", "BitGenerator", "SeedSequence", "RandomState", "torch"],
)
def test_random_patch_sampler_takes_torchgeo_s_generators_reproducibly(
    make_tiles: MakeTiles, place: Place, make_generator: object
) -> None:
    dataset = make_tiles(place, ONE_TILE)
    first = list(RandomPatchSampler(dataset, size=(6, 10), length=10, generator=make_generator()))  # type: ignore[operator]
    second = list(RandomPatchSampler(dataset, size=(6, 10), length=10, generator=make_generator()))  # type: ignore[operator]
    assert first == second
    height, width = 6 * place.res, 10 * place.res
    for patch in first:
        assert patch.maxx - patch.minx == pytest.approx(width)
        assert patch.maxy - patch.miny == pytest.approx(height)
        assert patch.minx >= dataset.bounds.minx - 1e-9 and patch.maxx <= dataset.bounds.maxx + 1e-9


def test_random_patch_sampler_keeps_patches_inside_a_polygon_roi(make_tiles: MakeTiles, place: Place) -> None:
    dataset = make_tiles(place, ONE_TILE)
    bounds = dataset.bounds
    roi = shapely.box(bounds.minx, bounds.miny, (bounds.minx + bounds.maxx) / 2, bounds.maxy)
    for patch in RandomPatchSampler(dataset, size=4, length=20, roi=roi, generator=1):
        assert roi.buffer(1e-6 * place.res).contains(shapely.box(patch.minx, patch.miny, patch.maxx, patch.maxy))


def test_random_patch_sampler_refuses_an_unknown_generator(make_tiles: MakeTiles, place: Place) -> None:
    with pytest.raises(TypeError, match="generator='seed'"):
        RandomPatchSampler(make_tiles(place, ONE_TILE), size=4, generator="seed")  # type: ignore[arg-type]


def test_patch_samplers_take_keyword_arguments_only(make_tiles: MakeTiles, place: Place) -> None:
    dataset = make_tiles(place, ONE_TILE)
    with pytest.raises(TypeError):
        RandomPatchSampler(dataset, 4)  # type: ignore[misc]
    with pytest.raises(TypeError):
        GriddedPatchSampler(dataset, 4)  # type: ignore[misc]


def test_gridded_patch_sampler_is_grid_geo_sampler(make_tiles: MakeTiles, place: Place) -> None:
    dataset = make_tiles(place, ONE_TILE)
    windows = list(GriddedPatchSampler(dataset, size=10, stride=8))
    assert windows == list(GridGeoSampler(dataset, 10, 8))
    assert len(windows) == len(GriddedPatchSampler(dataset, size=10, stride=8))
    in_crs = list(GriddedPatchSampler(dataset, size=10 * place.res, units=Units.CRS))
    assert in_crs == list(GriddedPatchSampler(dataset, size=10))
