"""Temporal and spatiotemporal samplers under DDP: every rank as many queries (``even``), or each query once."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from geotorch.samplers import (
    GeoSampler,
    GridGeoSampler,
    PreChippedGeoSampler,
    RandomPeriodSampler,
    RandomTimestampSampler,
    SequentialPeriodSampler,
    SequentialTimedeltaSampler,
    SequentialTimestampSampler,
)
from tests.core.samplers.places import Place, Tiles
from tests.core.samplers.series import DATES, write_series

UTM = Place("EPSG:32633", 500_000.0, 4_000_000.0, 10.0)

#: Temporal samplers that split a pass window by window, over five dates: an odd number, none of 2 or 3 ranks.
TEMPORAL: dict[str, Callable[..., GeoSampler]] = {
    "sequential-timestamp": lambda d, **options: SequentialTimestampSampler(d, **options),
    "sequential-timedelta": lambda d, **options: SequentialTimedeltaSampler(d, delta=pd.Timedelta(days=1), **options),
    "sequential-period": lambda d, **options: SequentialPeriodSampler(d, freq="D", **options),
    "random-timestamp": lambda d, **options: RandomTimestampSampler(d, generator=4, **options),
}

#: Spatiotemporal samplers over a sequential pass of locations, and the (location, date) pairs of a pass: the grid's
#: 2 x 5 + 1 x 3 = 13 windows' and dates, the two chips' (the files: 8 x 4 and 4 x 4 px) 5 + 3.
PAIRS = {"grid@timestamps": 13, "prechipped@periods": 8}
SPATIOTEMPORAL: dict[str, Callable[..., GeoSampler]] = {
    "grid@timestamps": lambda d, even=True, temporal_even=True, **ranks: GridGeoSampler(d, 4, even=even, **ranks)
    @ SequentialTimestampSampler(d, even=temporal_even, **ranks),
    "prechipped@periods": lambda d, even=True, temporal_even=True, **ranks: PreChippedGeoSampler(
        d, shuffle=True, generator=2, even=even, **ranks
    ) @ SequentialPeriodSampler(d, freq="D", even=temporal_even, **ranks),
}  # fmt: skip


@pytest.fixture
def five_dates(tmp_path: Path) -> Tiles:
    """One 8 x 8 tile at the first five :data:`DATES`."""
    return write_series(tmp_path / "series", UTM, [(("west", 0, 0, 8, 8), DATES[:5])])


@pytest.fixture
def pair_series(tmp_path: Path) -> Tiles:
    """An 8 x 4 px tile at five dates beside a 4 x 4 px one at three."""
    return write_series(
        tmp_path / "pairs", UTM, [(("west", 0, 0, 8, 4), DATES[:5]), (("east", 8, 0, 4, 4), DATES[1:4])]
    )


def shares(make: Callable[..., GeoSampler], dataset: Tiles, world_size: int, **options: Any) -> list[list[Any]]:
    """What each of ``world_size`` ranks yields, checked against the length it gives."""
    result = []
    for rank in range(world_size):
        sampler = make(dataset, rank=rank, world_size=world_size, **options)
        share = [tuple(query) for query in sampler]
        assert len(share) == len(sampler)
        result.append(share)
    return result


@pytest.mark.parametrize("world_size", [2, 3])
@pytest.mark.parametrize("kind", TEMPORAL)
def test_temporal_ranks_of_an_odd_pass_yield_one_length_each_window_at_least_once(
    five_dates: Tiles, kind: str, world_size: int
) -> None:
    whole = [tuple(query) for query in TEMPORAL[kind](five_dates)]
    assert len(whole) == 5
    # Before: 3 + 2 on 2 ranks, 2 + 2 + 1 on 3, and a DDP rank training on the longer share waited forever.
    even = shares(TEMPORAL[kind], five_dates, world_size)
    assert [len(share) for share in even] == [-(-5 // world_size)] * world_size
    assert {query for share in even for query in share} == set(whole)
    exact = shares(TEMPORAL[kind], five_dates, world_size, even=False)
    assert sorted(query for share in exact for query in share) == sorted(whole)


@pytest.mark.parametrize("world_size", [2, 3])
@pytest.mark.parametrize("kind", SPATIOTEMPORAL)
def test_spatiotemporal_ranks_of_an_odd_pass_yield_one_length_each_pair_at_least_once(
    pair_series: Tiles, kind: str, world_size: int
) -> None:
    whole = [tuple(query) for query in SPATIOTEMPORAL[kind](pair_series)]
    assert len(whole) == len(set(whole)) == PAIRS[kind]
    even = shares(SPATIOTEMPORAL[kind], pair_series, world_size)
    assert [len(share) for share in even] == [-(-PAIRS[kind] // world_size)] * world_size
    assert {query for share in even for query in share} == set(whole)
    # Either part given even=False: each pair once over the ranks.
    for part in ({"even": False}, {"temporal_even": False}):
        exact = shares(SPATIOTEMPORAL[kind], pair_series, world_size, **part)
        assert sorted(query for share in exact for query in share) == sorted(whole)


def test_grid_at_random_periods_pads_a_rank_with_a_window_of_a_location_of_the_pass(pair_series: Tiles) -> None:
    # 3 locations x 3 random periods = 9 pairs over 2 ranks: 5 + 5, the padding at the pass's first location.
    ranks = [
        GridGeoSampler(pair_series, 4, rank=rank, world_size=2)
        @ RandomPeriodSampler(pair_series, freq="D", length=3, generator=1, rank=rank, world_size=2)
        for rank in (0, 1)
    ]
    queries = [list(sampler) for sampler in ranks]
    assert [len(share) for share in queries] == [len(sampler) for sampler in ranks] == [5, 5]
    first = next(iter(GridGeoSampler(pair_series, 4)))
    padded = queries[1][-1]
    assert (padded.minx, padded.maxx, padded.miny, padded.maxy) == (first.minx, first.maxx, first.miny, first.maxy)
    assert pair_series[padded]["image"].shape == (1, 4, 4)  # a date is present there


@pytest.mark.parametrize("even", ["no", 0, None])
def test_an_even_that_is_no_flag_is_refused_naming_the_sampler(five_dates: Tiles, even: object) -> None:
    with pytest.raises(TypeError, match=rf"SequentialPeriodSampler: even={even!r} must be True or False"):
        SequentialPeriodSampler(five_dates, freq="D", even=even)  # type: ignore[arg-type]


@pytest.mark.parametrize("seed", range(4))
def test_padded_ranks_of_shuffled_chips_cover_every_pair_in_every_pass(pair_series: Tiles, seed: int) -> None:
    # 8 (chip, date) pairs over 3 ranks: 3 + 3 + 3, rank 2 padded. Before, the padding walked the shuffled chips
    # again, so rank 2's next pass (no set_epoch, as a plain training loop) shuffled them unlike ranks 0 and 1; and
    # len() walked them once, so a rank asked its length shuffled unlike the others.
    ranks = [
        PreChippedGeoSampler(pair_series, shuffle=True, generator=seed, rank=rank, world_size=3)
        @ SequentialTimestampSampler(pair_series, rank=rank, world_size=3)
        for rank in range(3)
    ]
    pairs = {tuple(query) for query in PreChippedGeoSampler(pair_series) @ SequentialTimestampSampler(pair_series)}
    assert len(ranks[0]) == 3  # counting the pairs of rank 0 alone must not shuffle its next pass unlike the others
    for _ in range(3):
        shares = [[tuple(query) for query in sampler] for sampler in ranks]
        assert [len(share) for share in shares] == [3, 3, 3]
        assert {query for share in shares for query in share} == pairs
