"""SpatioTemporalSampler (``spatial @ temporal``) on dated GeoTIFF tiles: pairing rules, lengths, ranks and errors."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import torch

from geotorch.core import BoundingBox, stack_samples
from geotorch.samplers import (
    GridGeoSampler,
    PreChippedGeoSampler,
    RandomGeoSampler,
    RandomPeriodSampler,
    RandomTimedeltaSampler,
    RandomTimestampSampler,
    SequentialPeriodSampler,
    SequentialTimestampSampler,
    SpatioTemporalSampler,
)
from tests.core.samplers.places import Place, Tiles
from tests.core.samplers.series import DATES, day, pixel_value, write_series

UTM = Place("EPSG:32633", 500_000.0, 4_000_000.0, 10.0)
#: Dates of the east tile: two of the west tile's six.
EAST_DATES = ["20200120", "20200415"]


@pytest.fixture
def tiles(tmp_path: Path) -> Tiles:
    """Two 8 x 8 tiles side by side (sharing an edge): west at all six dates, east at two."""
    return write_series(tmp_path, UTM, [(("west", 0, 0, 8, 8), DATES), (("east", 8, 0, 8, 8), EAST_DATES)])


def is_west(query: BoundingBox) -> bool:
    return query.maxx <= UTM.left + 80


def seeded(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def date_of(query: BoundingBox) -> str:
    """The date whose day the query's time bounds are."""
    (date,) = [date for date in DATES if day(date) == pytest.approx((query.mint, query.maxt), abs=1e-5)]
    return date


def test_grid_at_sequential_timestamps_visits_every_location_at_each_of_its_dates(tiles: Tiles) -> None:
    sampler = GridGeoSampler(tiles, 4) @ SequentialTimestampSampler(tiles)
    assert isinstance(sampler, SpatioTemporalSampler)
    queries = list(sampler)
    # 4 windows over west at 6 dates, 4 over east at 2: each location once, though west has six entries.
    assert len(queries) == len(sampler) == 4 * 6 + 4 * 2
    locations = Counter((q.minx, q.maxx, q.miny, q.maxy) for q in queries)
    assert sorted(locations.values()) == [2] * 4 + [6] * 4
    for query in queries:
        dates = DATES if is_west(query) else EAST_DATES
        assert date_of(query) in dates
        image = tiles[query]["image"]
        assert torch.all(image == pixel_value(0 if is_west(query) else 1, date_of(query)))
    west = [date_of(q) for q in queries if (q.minx, q.miny) == (UTM.left, UTM.top - 40)]
    assert west == DATES  # in time order at each location


def test_an_entry_touching_a_location_only_at_its_edge_gives_it_no_dates(tiles: Tiles) -> None:
    # The west windows next to east share its edge at x = 80 m; east's dates are not theirs.
    sampler = GridGeoSampler(tiles, 4) @ SequentialPeriodSampler(tiles, freq="M")
    for query in sampler:
        if is_west(query):
            tiles[query]
        else:
            assert query.mint >= pd.Timestamp("2020-01-01").timestamp() and query.maxt < day("20200501")[0]


def test_temporal_sampler_spelled_as_a_product_is_the_same_sampler(tiles: Tiles) -> None:
    spatial, temporal = GridGeoSampler(tiles, 4), SequentialTimestampSampler(tiles)
    assert list(spatial @ temporal) == list(SpatioTemporalSampler(spatial, temporal))
    assert list(SpatioTemporalSampler(spatial_sampler=spatial, temporal_sampler=temporal)) == list(spatial @ temporal)


def test_random_at_random_gives_each_location_one_of_its_dates(tiles: Tiles) -> None:
    spatial = RandomGeoSampler(tiles, 4, length=60, generator=torch.Generator().manual_seed(1))
    sampler = spatial @ RandomTimestampSampler(tiles, generator=1)
    queries = list(sampler)
    assert len(queries) == len(sampler) == 60
    assert all(date_of(query) in (DATES if is_west(query) else EAST_DATES) for query in queries)
    assert len({date_of(query) for query in queries if is_west(query)}) == 6
    for query in queries[:10]:
        assert tiles[query]["image"].shape == (1, 4, 4)


def test_random_at_sequential_gives_each_location_all_of_its_dates_and_an_exact_length(tiles: Tiles) -> None:
    spatial = RandomGeoSampler(tiles, 4, length=10, generator=torch.Generator().manual_seed(2))
    sampler = spatial @ SequentialTimestampSampler(tiles)
    for _ in range(3):
        expected = len(sampler)
        queries = list(sampler)
        assert len(queries) == expected
        # A location drawn twice gets its dates twice.
        visits = Counter((q.minx, q.maxx, q.miny, q.maxy) for q in queries)
        assert all(count % (6 if is_west(BoundingBox(*extent)) else 2) == 0 for extent, count in visits.items())
        assert [date_of(q) for q in queries if is_west(q)][:6] == DATES


def test_sequential_at_random_draws_the_temporal_length_at_each_location(tiles: Tiles) -> None:
    temporal = RandomTimedeltaSampler(tiles, delta=pd.Timedelta(days=30), length=3, generator=0)
    sampler = GridGeoSampler(tiles, 4) @ temporal
    queries = list(sampler)
    assert len(queries) == len(sampler) == 8 * 3
    for query in queries:
        tiles[query]  # every window holds a date of its location
    periods = GridGeoSampler(tiles, 4) @ RandomPeriodSampler(tiles, freq="M", length=5, generator=0)
    assert len(list(periods)) == len(periods) == 8 * 5


def test_seeds_and_epochs_replay_the_random_windows(tiles: Tiles) -> None:
    def make(seed: int) -> SpatioTemporalSampler:
        spatial = RandomGeoSampler(tiles, 4, length=20, generator=torch.Generator().manual_seed(seed))
        return spatial @ RandomTimestampSampler(tiles, generator=seed)

    assert list(make(3)) == list(make(3))
    assert list(make(3)) != list(make(4))
    sampler = make(3)
    sampler.set_epoch(2)
    replay = list(sampler)
    sampler.set_epoch(2)
    assert list(sampler) == replay


#: Builds a spatiotemporal sampler with ``rank``/``world_size`` keywords given to both samplers (exact split).
PRODUCTS: dict[str, Callable[..., SpatioTemporalSampler]] = {
    "grid@sequential": lambda d, **ranks: GridGeoSampler(d, 4, even=False, **ranks)
    @ SequentialTimestampSampler(d, **ranks),
    "grid@random": lambda d, **ranks: GridGeoSampler(d, 4, even=False, **ranks)
    @ RandomPeriodSampler(d, freq="M", length=3, generator=5, **ranks),
    "prechipped@sequential": lambda d, **ranks: PreChippedGeoSampler(d, shuffle=True, generator=seeded(0),
                                                                     even=False, **ranks)
    @ SequentialPeriodSampler(d, freq="Q", **ranks),
}  # fmt: skip


@pytest.mark.parametrize("world_size", [2, 3])
@pytest.mark.parametrize("kind", PRODUCTS)
def test_ranks_split_the_pairs_of_a_sequential_location_pass_one_by_one(
    tiles: Tiles, kind: str, world_size: int
) -> None:
    whole = list(PRODUCTS[kind](tiles))
    shares = []
    for rank in range(world_size):
        sampler = PRODUCTS[kind](tiles, rank=rank, world_size=world_size)
        shares.append(list(sampler))
        assert len(shares[-1]) == len(sampler)
    assert max(map(len, shares)) - min(map(len, shares)) <= 1
    if kind != "grid@random":  # random windows differ by rank; their locations and counts do not
        assert sorted(tuple(q) for share in shares for q in share) == sorted(tuple(q) for q in whole)
    assert sum(map(len, shares)) == len(whole)


@pytest.mark.parametrize("world_size", [2, 3])
def test_ranks_of_random_locations_yield_equal_lengths(tiles: Tiles, world_size: int) -> None:
    lengths = []
    for rank in range(world_size):
        ranks: dict[str, Any] = {"rank": rank, "world_size": world_size}
        spatial = RandomGeoSampler(tiles, 4, length=10, generator=torch.Generator().manual_seed(0), **ranks)
        sampler = spatial @ RandomTimestampSampler(tiles, generator=0, **ranks)
        assert len(list(sampler)) == len(sampler)
        lengths.append(len(sampler))
    assert lengths == [-(-10 // world_size)] * world_size


def test_a_dataloader_batches_patches_of_one_date_each(tiles: Tiles) -> None:
    sampler = GridGeoSampler(tiles, 4) @ SequentialTimestampSampler(tiles)
    loader = torch.utils.data.DataLoader(tiles, sampler=sampler, batch_size=5, collate_fn=stack_samples)
    images = torch.cat([batch["image"] for batch in loader])
    assert images.shape == (32, 1, 4, 4)
    expected = [pixel_value(0 if is_west(q) else 1, date_of(q)) for q in sampler]
    assert images.flatten(1).unique(dim=1).flatten().tolist() == expected


def test_locations_without_dates_in_toi_yield_nothing(tiles: Tiles) -> None:
    toi = pd.Interval(pd.Timestamp("2020-01-01"), pd.Timestamp("2020-01-10"))
    sampler = GridGeoSampler(tiles, 4) @ SequentialTimestampSampler(tiles, toi=toi)
    queries = list(sampler)
    assert len(queries) == len(sampler) == 4 and all(is_west(q) for q in queries)
    spatial = RandomGeoSampler(tiles, 4, length=30, generator=torch.Generator().manual_seed(0))
    drawn = spatial @ RandomTimestampSampler(tiles, toi=toi, generator=0)
    expected = len(drawn)  # the next pass's: 30 locations, those on east have no date in toi
    queries = list(drawn)
    assert len(queries) == expected < 30 and all(is_west(q) for q in queries)


def test_bad_pairs_are_refused(tiles: Tiles) -> None:
    spatial, temporal = GridGeoSampler(tiles, 4), SequentialTimestampSampler(tiles)
    with pytest.raises(TypeError, match="spatial_sampler must be a SpatialSampler"):
        SpatioTemporalSampler(temporal, temporal)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="temporal_sampler must be a TemporalSampler"):
        SpatioTemporalSampler(spatial, spatial)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="unsupported operand"):
        spatial @ spatial  # type: ignore[operator]
    with pytest.raises(ValueError, match=r"rank 0 of 1.*rank 1 of 2"):
        spatial @ SequentialTimestampSampler(tiles, rank=1, world_size=2)


def test_grid_at_sequential_timestamps_reads_each_date_in_every_crs(tmp_path: Path, place: Place) -> None:
    dataset = write_series(tmp_path, place, [(("west", 0, 0, 8, 8), DATES), (("east", 8, 0, 8, 8), EAST_DATES)])
    sampler = GridGeoSampler(dataset, 4) @ SequentialTimestampSampler(dataset)
    queries = list(sampler)
    assert len(queries) == len(sampler) == 4 * 6 + 4 * 2
    middle = place.left + 8 * place.res
    for query in queries:
        tile = 0 if query.maxx <= middle + place.res / 2 else 1
        assert torch.all(dataset[query]["image"] == pixel_value(tile, date_of(query)))
