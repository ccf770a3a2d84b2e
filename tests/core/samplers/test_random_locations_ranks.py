"""Random locations over time under DDP: every rank of ``RandomGeoSampler @ temporal`` yields as many queries."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from geotorch.samplers import (
    RandomGeoSampler,
    RandomTimestampSampler,
    SequentialTimedeltaSampler,
    SequentialTimestampSampler,
    SpatioTemporalSampler,
)
from tests.core.samplers.places import Place, Tiles
from tests.core.samplers.series import DATES, write_series

UTM = Place("EPSG:32633", 500_000.0, 4_000_000.0, 10.0)
#: The first date alone, which only the west tile holds: locations on the east tile get no window.
FIRST_DAY = (datetime(2020, 1, 5, tzinfo=UTC), datetime(2020, 1, 5, 23, tzinfo=UTC))

Make = Callable[..., SpatioTemporalSampler]
#: Random 4 px patches (10 a pass over all ranks) over the windows there: every window (sequential), or one at
#: random, with locations holding none (the east tile, under a toi of the first date alone).
MAKERS: dict[str, Make] = {
    "random@sequential-timestamps": lambda d, seed, even=True, length=10, **ranks: RandomGeoSampler(
        d, 4, length=length, generator=seed, **ranks
    ) @ SequentialTimestampSampler(d, even=even, **ranks),
    "random@sequential-timedeltas": lambda d, seed, even=True, length=10, **ranks: RandomGeoSampler(
        d, 4, length=length, generator=seed, **ranks
    ) @ SequentialTimedeltaSampler(d, delta=pd.Timedelta(days=30), even=even, **ranks),
    "random@random-timestamps-in-a-toi": lambda d, seed, even=True, length=10, **ranks: RandomGeoSampler(
        d, 4, length=length, generator=seed, **ranks
    ) @ RandomTimestampSampler(d, toi=FIRST_DAY, generator=seed, even=even, **ranks),
}  # fmt: skip


@pytest.fixture
def pair_series(tmp_path: Path) -> Tiles:
    """An 8 x 4 px tile at five dates beside a 4 x 4 px one at three: locations hold 5 or 3 dates."""
    return write_series(
        tmp_path / "pairs", UTM, [(("west", 0, 0, 8, 4), DATES[:5]), (("east", 8, 0, 4, 4), DATES[1:4])]
    )


def windows_of_each_location(sampler: SpatioTemporalSampler) -> int:
    """Queries of the next pass of ``sampler``'s own locations, each with every window there (or one at random)."""
    temporal = sampler.temporal_sampler
    locations = copy.copy(sampler.spatial_sampler)
    counts = [len(temporal.timeline(temporal.intervals_at(location))) for location in locations]
    return sum(counts) if temporal.strategy == "sequential" else sum(count > 0 for count in counts)


@pytest.mark.parametrize("world_size", [2, 3])
@pytest.mark.parametrize("kind", MAKERS)
def test_ranks_of_random_locations_over_time_yield_one_length_whatever_their_seeds(
    pair_series: Tiles, kind: str, world_size: int
) -> None:
    # The share of a reference pass: all ranks' 10 locations, counted over 64 drawn from seed 0 at epoch 0.
    reference = -(-len(MAKERS[kind](pair_series, seed=0, length=64)) * 10 // 64)
    share = -(-reference // world_size)
    for rank in range(world_size):
        # Each rank its own seed, as ranks whose torch generators nobody seeded alike draw.
        sampler = MAKERS[kind](pair_series, seed=10 + rank, rank=rank, world_size=world_size)
        for epoch in (0, 1, 2, None):  # None: a pass after the last without set_epoch
            if epoch is not None:
                sampler.set_epoch(epoch)
            assert len(sampler) == share
            queries = list(sampler)
            # Before: each rank's length followed the dates at its own locations (21 + 25 queries on 2 ranks,
            # 16 + 20 + 18 on 3), and a DDP rank training on the longer share waited on its all-reduce for ever.
            assert len(queries) == share
            for query in queries:
                # A real (location, date) pair: the window holds a date of the tile there.
                assert pair_series[query]["image"].min() > 0


@pytest.mark.parametrize("kind", MAKERS)
def test_one_process_and_uneven_ranks_pair_each_location_with_its_windows_as_before(
    pair_series: Tiles, kind: str
) -> None:
    alone = MAKERS[kind](pair_series, seed=3)
    assert len(alone) == windows_of_each_location(alone) == len(list(alone))
    for rank in (0, 1):
        exact = MAKERS[kind](pair_series, seed=3, even=False, rank=rank, world_size=2)
        assert not exact.even
        assert len(exact) == windows_of_each_location(exact) == len(list(exact))


@pytest.mark.parametrize("world_size", [2, 3])
def test_a_short_pass_gets_a_share_where_seed_0s_first_places_hold_no_window(tmp_path: Path, world_size: int) -> None:
    # The east tile alone holds the toi's date; seed 0's first place lies on the west tile.
    series = write_series(
        tmp_path / "series", UTM, [(("west", 0, 0, 8, 4), DATES[:2]), (("east", 8, 0, 4, 4), DATES[5:])]
    )
    new_year = (datetime(2021, 1, 1, tzinfo=UTC), datetime(2021, 1, 1, 23, tzinfo=UTC))
    for rank in range(world_size):
        sampler = RandomGeoSampler(series, 4, length=1, generator=rank, rank=rank, world_size=world_size) @ (
            RandomTimestampSampler(series, toi=new_year, rank=rank, world_size=world_size)
        )
        queries = list(sampler)
        # Before: a reference of the pass's one place, seed 0's, on the west tile: 0 queries on every rank, and
        # DDP training went on without a step.
        assert len(sampler) == len(queries) == 1
        assert series[queries[0]]["image"].min() == 106  # the east tile's (tile 1) date 6
