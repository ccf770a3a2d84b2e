"""TorchGeo 0.10's RandomPatchSampler and GriddedPatchSampler: keyword-only signatures over GeoTorch's samplers."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import pytest
import shapely
import torch

from geotorch.core import BoundingBox
from geotorch.samplers import (
    GriddedPatchSampler,
    GridGeoSampler,
    PreChippedGeoSampler,
    RandomBatchGeoSampler,
    RandomGeoSampler,
    RandomPatchSampler,
    Units,
)

if TYPE_CHECKING:
    from tests.core.samplers.places import MakeTiles, Place

ONE_TILE = [("only", 0, 0, 40, 30)]
THREE_TILES = [("a", 0, 0, 10, 10), ("b", 10, 0, 20, 10), ("c", 20, 0, 30, 10)]


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


@pytest.mark.parametrize("make_generator", [lambda: 11, lambda: np.random.default_rng(11), lambda: np.random.PCG64(11)])
def test_every_random_sampler_takes_a_seed_or_a_numpy_source_as_generator(
    make_tiles: MakeTiles, place: Place, make_generator: Callable[[], Any]
) -> None:
    """TorchGeo users pass a seed; RandomGeoSampler(generator=0) was a TypeError from torch.randint."""
    dataset = make_tiles(place, ONE_TILE)
    for build in (
        lambda generator: RandomGeoSampler(dataset, 4, length=9, generator=generator),
        lambda generator: PreChippedGeoSampler(make_tiles(place, THREE_TILES), shuffle=True, generator=generator),
        lambda generator: RandomBatchGeoSampler(dataset, 4, batch_size=3, length=9, generator=generator),
    ):
        first, again = list(build(make_generator())), list(build(make_generator()))
        assert first == again and len(first) > 1
    seeded = list(RandomGeoSampler(dataset, 4, length=9, generator=11))
    assert seeded == list(RandomGeoSampler(dataset, 4, length=9, generator=torch.Generator().manual_seed(11)))
    with pytest.raises(TypeError, match="generator='seed'"):
        RandomGeoSampler(dataset, 4, length=9, generator="seed")  # type: ignore[arg-type]


@pytest.mark.parametrize("seed", [np.int64(11), np.uint8(11), np.int32(11), np.uint64(11)])
def test_a_numpy_integer_seed_draws_as_the_python_int(make_tiles: MakeTiles, place: Place, seed: np.integer) -> None:
    # Refused before: TypeError 'generator=np.int64(11); give a seed (int), ...'.
    dataset = make_tiles(place, ONE_TILE)
    assert list(RandomGeoSampler(dataset, 4, length=9, generator=seed)) == list(
        RandomGeoSampler(dataset, 4, length=9, generator=11)
    )


def test_a_seed_of_any_size_numpy_takes_is_taken_each_with_its_own_draws(make_tiles: MakeTiles, place: Place) -> None:
    # Seeds from 2**64 raised torch's ValueError 'Overflow when unpacking long long'; numpy takes any size.
    dataset = make_tiles(place, ONE_TILE)

    def draws(seed: int | np.integer) -> list[BoundingBox]:
        return list(RandomGeoSampler(dataset, 4, length=9, generator=seed))

    assert draws(2**70) == draws(2**70) != draws(2**70 + 1)
    assert draws(2**64) != draws(0), "not wrapped around to torch's seed 0"
    largest = list(RandomGeoSampler(dataset, 4, length=9, generator=torch.Generator().manual_seed(2**64 - 1)))
    assert draws(np.uint64(2**64 - 1)) == draws(2**64 - 1) == largest, "seeds below 2**64 are torch's"


def test_a_list_of_ints_seeds_as_numpy_does(make_tiles: MakeTiles, place: Place) -> None:
    # numpy takes several words of entropy ([run, worker]); it was TypeError 'generator=[1, 2]; give a seed'.
    dataset = make_tiles(place, ONE_TILE)

    def draws(seed: object) -> list[BoundingBox]:
        return list(RandomGeoSampler(dataset, 4, length=9, generator=seed))  # type: ignore[arg-type]

    assert draws([1, 2]) == draws((1, np.int64(2))) == draws(np.random.default_rng([1, 2]))
    assert draws([1, 2]) != draws([2, 1])
    assert draws([1, 2]) != draws(1)


@pytest.mark.parametrize(
    ("seed", "error"),
    [
        ([], ValueError),
        ([1, -2], ValueError),
        ([1, 2.0], TypeError),
        ([True], TypeError),
        (-1, ValueError),
        (-(2**70), ValueError),
        (True, TypeError),
        (np.True_, TypeError),
        (3.0, TypeError),
        (torch.tensor(3), TypeError),
    ],
)
def test_a_negative_or_non_integer_seed_is_refused_naming_generator(
    make_tiles: MakeTiles, place: Place, seed: object, error: type[Exception]
) -> None:
    # -1 was taken as torch's seed 2**64 - 1 (numpy refuses negative seeds), -2**70 overflowed inside torch.
    dataset = make_tiles(place, ONE_TILE)
    for build in (
        lambda: RandomGeoSampler(dataset, 4, length=9, generator=seed),  # type: ignore[arg-type]
        lambda: RandomBatchGeoSampler(dataset, 4, batch_size=3, length=9, generator=seed),  # type: ignore[arg-type]
        lambda: PreChippedGeoSampler(dataset, shuffle=True, generator=seed),  # type: ignore[arg-type]
    ):
        with pytest.raises(error, match=r"^generator="):
            build()
