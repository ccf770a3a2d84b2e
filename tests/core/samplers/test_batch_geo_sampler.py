"""Specification of RandomBatchGeoSampler: reproducible batches of random patches, one file per batch."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
import torch
from torch.utils.data import DataLoader

from geotorch.core import BoundingBox, stack_samples
from geotorch.samplers import RandomBatchGeoSampler

if TYPE_CHECKING:
    from tests.core.samplers.places import MakeTiles, Place

FAR_APART = [("west", 0, 0, 20, 20), ("east", 5000, 0, 20, 20)]


def seeded(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def spatial(box: BoundingBox) -> BoundingBox:
    return BoundingBox(box.minx, box.maxx, box.miny, box.maxy)


def test_batch_sampler_same_seed_same_batches(make_tiles: MakeTiles, utm: Place) -> None:
    dataset = make_tiles(utm, FAR_APART)
    first = list(RandomBatchGeoSampler(dataset, 8, batch_size=4, length=12, generator=seeded(1)))
    second = list(RandomBatchGeoSampler(dataset, 8, batch_size=4, length=12, generator=seeded(1)))
    third = list(RandomBatchGeoSampler(dataset, 8, batch_size=4, length=12, generator=seeded(2)))
    assert first == second
    assert first != third


def test_batch_sampler_draws_each_batch_from_one_file_and_both_files_overall(make_tiles: MakeTiles, utm: Place) -> None:
    dataset = make_tiles(utm, FAR_APART)
    files = [utm.bounds(*spec[1:]) for spec in FAR_APART]
    used = set()
    for batch in RandomBatchGeoSampler(dataset, 8, batch_size=5, length=100, generator=seeded(0)):
        (holding,) = {number for number, bounds in enumerate(files) for patch in batch if spatial(patch) in bounds}
        assert all(spatial(patch) in files[holding] for patch in batch)
        used.add(holding)
    assert used == {0, 1}


def test_batch_sampler_last_batch_holds_the_rest(make_tiles: MakeTiles, utm: Place) -> None:
    dataset = make_tiles(utm, FAR_APART)
    sampler = RandomBatchGeoSampler(dataset, 8, batch_size=4, length=10, generator=seeded(0))
    assert [len(batch) for batch in sampler] == [4, 4, 2]
    assert len(sampler) == 3


def test_batch_sampler_ranks_draw_different_patches(make_tiles: MakeTiles, utm: Place) -> None:
    dataset = make_tiles(utm, FAR_APART)
    ranks = [
        RandomBatchGeoSampler(dataset, 8, batch_size=3, length=12, generator=seeded(0), rank=rank, world_size=2)
        for rank in (0, 1)
    ]
    first, second = ({patch for batch in sampler for patch in batch} for sampler in ranks)
    assert [len(sampler) for sampler in ranks] == [2, 2]
    assert not first & second


def test_batch_sampler_set_epoch_gives_reproducible_different_epochs(make_tiles: MakeTiles, utm: Place) -> None:
    dataset = make_tiles(utm, FAR_APART)
    sampler = RandomBatchGeoSampler(dataset, 8, batch_size=2, length=6, generator=seeded(0))
    sampler.set_epoch(4)
    epoch_four = list(sampler)
    sampler.set_epoch(5)
    assert list(sampler) != epoch_four
    sampler.set_epoch(4)
    assert list(sampler) == epoch_four


@pytest.mark.parametrize("batch_size", [0, -2])
def test_batch_sampler_batch_size_must_be_positive(make_tiles: MakeTiles, utm: Place, batch_size: int) -> None:
    dataset = make_tiles(utm, FAR_APART)
    with pytest.raises(ValueError, match="batch_size="):
        RandomBatchGeoSampler(dataset, 8, batch_size=batch_size)


def test_batch_sampler_size_larger_than_every_file_is_a_value_error(make_tiles: MakeTiles, utm: Place) -> None:
    dataset = make_tiles(utm, FAR_APART)
    with pytest.raises(ValueError, match=r"size=30 .*bounds"):
        RandomBatchGeoSampler(dataset, 30, batch_size=2)


def test_batch_sampler_feeds_a_dataloader_with_stack_samples(make_tiles: MakeTiles, place: Place) -> None:
    dataset = make_tiles(place, FAR_APART)
    sampler = RandomBatchGeoSampler(dataset, (5, 7), batch_size=4, length=8, generator=seeded(0))
    loader = DataLoader(dataset, batch_sampler=sampler, collate_fn=stack_samples)
    assert [batch["image"].shape for batch in loader] == [(4, 1, 5, 7), (4, 1, 5, 7)]
