"""What every sampler promises: an exact length, reproducible passes, and a valid rank."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest
import torch

from geotorch.samplers import (
    GridGeoSampler,
    PreChippedGeoSampler,
    RandomBatchGeoSampler,
    RandomGeoSampler,
)

if TYPE_CHECKING:
    from tests.core.samplers.places import MakeTiles, Place

TILES = [("west", 0, 0, 23, 17), ("east", 30, 4, 10, 30)]

#: Builds a sampler of each kind on a dataset, with ``rank``/``world_size`` keywords.
SAMPLERS: dict[str, Callable[..., Any]] = {
    "random": lambda dataset, **ranks: RandomGeoSampler(dataset, 6, length=11, **ranks),
    "random-default-length": lambda dataset, **ranks: RandomGeoSampler(dataset, 6, **ranks),
    "grid": lambda dataset, **ranks: GridGeoSampler(dataset, 6, stride=4, **ranks),
    "prechipped": lambda dataset, **ranks: PreChippedGeoSampler(dataset, shuffle=True, **ranks),
    "batch": lambda dataset, **ranks: RandomBatchGeoSampler(dataset, 6, batch_size=4, length=11, **ranks),
}


@pytest.mark.parametrize("world_size", [1, 2, 3])
@pytest.mark.parametrize("kind", SAMPLERS)
def test_len_is_exact(make_tiles: MakeTiles, utm: Place, kind: str, world_size: int) -> None:
    dataset = make_tiles(utm, TILES)
    for rank in range(world_size):
        sampler = SAMPLERS[kind](dataset, rank=rank, world_size=world_size)
        assert len(sampler) == len(list(sampler))


@pytest.mark.parametrize("kind", SAMPLERS)
def test_same_global_seed_same_pass(make_tiles: MakeTiles, utm: Place, kind: str) -> None:
    dataset = make_tiles(utm, TILES)
    torch.manual_seed(0)
    first = list(SAMPLERS[kind](dataset))
    torch.manual_seed(0)
    assert list(SAMPLERS[kind](dataset)) == first


@pytest.mark.parametrize(("rank", "world_size"), [(2, 2), (-1, 2), (0, 0)])
def test_rank_must_lie_in_the_world(make_tiles: MakeTiles, utm: Place, rank: int, world_size: int) -> None:
    dataset = make_tiles(utm, TILES)
    with pytest.raises(ValueError, match=r"rank=|world_size="):
        GridGeoSampler(dataset, 6, rank=rank, world_size=world_size)


def test_set_epoch_refuses_negative_epochs(make_tiles: MakeTiles, utm: Place) -> None:
    sampler = GridGeoSampler(make_tiles(utm, TILES), 6)
    with pytest.raises(ValueError, match="epoch=-1"):
        sampler.set_epoch(-1)


def test_samplers_draw_from_a_dataset_reprojected_on_the_fly(make_tiles: MakeTiles, utm: Place) -> None:
    dataset = make_tiles(utm, TILES, crs="EPSG:3857", res=12.0)
    bounds = dataset.bounds
    for sampler in (RandomGeoSampler(dataset, 6, length=5), GridGeoSampler(dataset, 6)):
        for query in sampler:
            assert query in bounds
            assert dataset[query]["image"].shape == (1, 6, 6)


def test_samplers_draw_only_where_composed_datasets_overlap(make_tiles: MakeTiles, utm: Place) -> None:
    first = make_tiles(utm, [("west", 0, 0, 20, 20)])
    second = make_tiles(utm, [("east", 12, 4, 20, 20)])
    overlap = utm.bounds(12, 4, 8, 16)
    windows = list(GridGeoSampler(first & second, 4))
    assert len(windows) == 2 * 4
    assert all(window in overlap for window in windows)
    assert all(patch in overlap for patch in RandomGeoSampler(first & second, 4, length=10))
