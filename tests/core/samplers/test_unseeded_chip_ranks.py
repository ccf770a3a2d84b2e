"""Shuffled chips over time under DDP without a seed: the ranks' shares make up the pass, each pair once."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from geotorch.samplers import PreChippedGeoSampler, SequentialTimestampSampler, SpatioTemporalSampler
from tests.core.samplers.places import Place, Tiles
from tests.core.samplers.series import DATES, write_series

UTM = Place("EPSG:32633", 500_000.0, 4_000_000.0, 10.0)
#: Dates of five 4 x 4 px chips side by side: 11 (chip, date) pairs, an odd number at each of most chips.
DATES_A_CHIP = (3, 2, 1, 2, 3)


@pytest.fixture
def chips_over_time(tmp_path: Path) -> Tiles:
    """Five 4 x 4 px chips in a row, with 3, 2, 1, 2 and 3 dates."""
    tiles = [((f"chip{number}", 4 * number, 0, 4, 4), DATES[:count]) for number, count in enumerate(DATES_A_CHIP)]
    return write_series(tmp_path / "chips", UTM, tiles)


def unseeded_rank(dataset: Tiles, rank: int, world_size: int, *, even: bool) -> SpatioTemporalSampler:
    """Rank ``rank``'s shuffled chips @ dates, built as on a rank whose torch generator nobody seeded alike."""
    torch.manual_seed(1000 + rank)
    chips = PreChippedGeoSampler(dataset, shuffle=True, rank=rank, world_size=world_size, even=even)
    return chips @ SequentialTimestampSampler(dataset, rank=rank, world_size=world_size, even=even)


@pytest.mark.parametrize("world_size", [2, 3])
def test_unseeded_ranks_of_shuffled_chips_over_time_split_one_order(chips_over_time: Tiles, world_size: int) -> None:
    alone = PreChippedGeoSampler(chips_over_time) @ SequentialTimestampSampler(chips_over_time)
    whole = [tuple(query) for query in alone]
    assert len(whole) == len(set(whole)) == sum(DATES_A_CHIP)
    exact = [unseeded_rank(chips_over_time, rank, world_size, even=False) for rank in range(world_size)]
    even = [unseeded_rank(chips_over_time, rank, world_size, even=True) for rank in range(world_size)]
    for epoch in range(3):
        for sampler in exact + even:
            sampler.set_epoch(epoch)
        # Before: each rank shuffled the chips from its own torch seed, though PreChippedGeoSampler alone shares
        # seed 0 between unseeded ranks, and took its pairs by position in its own order: even=False, on 2 ranks
        # 10, 11 and 7 distinct pairs of the 11 in epochs 0-2 (validation scoring some twice and others never), on 3
        # ranks 8, 8 and 9.
        shares = [[tuple(query) for query in sampler] for sampler in exact]
        assert sorted(query for share in shares for query in share) == sorted(whole)
        padded = [[tuple(query) for query in sampler] for sampler in even]
        assert [len(share) for share in padded] == [-(-len(whole) // world_size)] * world_size
        assert {query for share in padded for query in share} == set(whole)
