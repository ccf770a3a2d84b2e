"""Specification of PreChippedGeoSampler: every chip once, in order or shuffled, split across ranks."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
import shapely
import torch

from geotorch.core import BoundingBox
from geotorch.samplers import PreChippedGeoSampler

if TYPE_CHECKING:
    from tests.core.samplers.places import MakeTiles, Place

CHIPS = [(f"chip{number}", 10 * (number % 4), 10 * (number // 4), 10, 10) for number in range(8)]


def seeded(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def chip_bounds(place: Place) -> list[BoundingBox]:
    return [place.bounds(*spec[1:]) for spec in CHIPS]


def spatial(box: BoundingBox) -> BoundingBox:
    return BoundingBox(box.minx, box.maxx, box.miny, box.maxy)


def test_prechipped_sampler_yields_every_chip_once_in_index_order(make_tiles: MakeTiles, place: Place) -> None:
    dataset = make_tiles(place, CHIPS)
    chips = [spatial(chip) for chip in PreChippedGeoSampler(dataset)]
    assert sorted(map(tuple, chips)) == sorted(map(tuple, chip_bounds(place)))
    assert len(chips) == len(set(chips)) == 8


def test_prechipped_sampler_shuffles_reproducibly(make_tiles: MakeTiles, utm: Place) -> None:
    dataset = make_tiles(utm, CHIPS)
    in_order = list(PreChippedGeoSampler(dataset))
    first = list(PreChippedGeoSampler(dataset, shuffle=True, generator=seeded(0)))
    second = list(PreChippedGeoSampler(dataset, shuffle=True, generator=seeded(0)))
    assert first == second
    assert first != in_order
    assert sorted(map(tuple, first)) == sorted(map(tuple, in_order))


def test_prechipped_sampler_epochs_shuffle_differently(make_tiles: MakeTiles, utm: Place) -> None:
    dataset = make_tiles(utm, CHIPS)
    sampler = PreChippedGeoSampler(dataset, shuffle=True, generator=seeded(0))
    sampler.set_epoch(0)
    epoch_zero = list(sampler)
    sampler.set_epoch(1)
    assert list(sampler) != epoch_zero


def test_prechipped_sampler_keeps_chips_fully_inside_the_roi(make_tiles: MakeTiles, utm: Place) -> None:
    dataset = make_tiles(utm, CHIPS)
    roi = utm.bounds(0, 0, 25, 20)
    assert {spatial(chip) for chip in PreChippedGeoSampler(dataset, roi=roi)} == {
        utm.bounds(0, 0, 10, 10),
        utm.bounds(10, 0, 10, 10),
        utm.bounds(0, 10, 10, 10),
        utm.bounds(10, 10, 10, 10),
    }
    polygon = shapely.box(roi.minx, roi.miny, roi.maxx, roi.maxy)
    assert list(PreChippedGeoSampler(dataset, roi=polygon)) == list(PreChippedGeoSampler(dataset, roi=roi))


def test_prechipped_sampler_ranks_partition_a_shuffled_pass(make_tiles: MakeTiles, utm: Place) -> None:
    dataset = make_tiles(utm, CHIPS)
    shares = [
        list(PreChippedGeoSampler(dataset, shuffle=True, generator=seeded(3), rank=rank, world_size=3, even=False))
        for rank in range(3)
    ]
    assert [len(share) for share in shares] == [3, 3, 2]
    visited = sorted(tuple(chip) for share in shares for chip in share)
    assert visited == sorted(tuple(chip) for chip in PreChippedGeoSampler(dataset))


def test_prechipped_sampler_roi_without_a_whole_chip_is_a_value_error(make_tiles: MakeTiles, utm: Place) -> None:
    dataset = make_tiles(utm, CHIPS)
    with pytest.raises(ValueError, match="no entry"):
        PreChippedGeoSampler(dataset, roi=utm.bounds(1, 1, 15, 15))
