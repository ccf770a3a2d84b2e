"""TorchGeo 0.10's temporal samplers on dated GeoTIFFs: each one's windows, lengths, seeds, toi, ranks and errors."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import rasterio
import torch
from affine import Affine

from geotorch.core import BoundingBox, stack_samples
from geotorch.samplers import (
    GeoSampler,
    GriddedPatchSampler,
    GridGeoSampler,
    PreChippedGeoSampler,
    RandomGeoSampler,
    RandomPatchSampler,
    RandomPeriodSampler,
    RandomTimedeltaSampler,
    RandomTimestampSampler,
    SequentialPeriodSampler,
    SequentialTimedeltaSampler,
    SequentialTimestampSampler,
    SpatialSampler,
    TemporalSampler,
)
from tests.core.samplers.places import Place, Tiles
from tests.core.samplers.series import DATES, day, pixel_value, write_series

UTM = Place("EPSG:32633", 500_000.0, 4_000_000.0, 10.0)
#: A day in microseconds: windows are compared in whole microseconds, the samplers' unit.
DAY = 86_400 * 10**6


@pytest.fixture
def series(tmp_path: Path) -> Tiles:
    """One 8 x 8 tile at the six :data:`DATES`."""
    return write_series(tmp_path / "series", UTM, [(("west", 0, 0, 8, 8), DATES)])


def seconds(text: str) -> float:
    """POSIX seconds of an ISO date or time, in UTC."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()


def micro(text: str) -> int:
    """Whole POSIX microseconds of an ISO date or time, in UTC."""
    return round(seconds(text) * 10**6)


def dated(date: str) -> tuple[int, int]:
    """``(first, last)`` microsecond of a file dated ``YYYYMMDD``: the whole day."""
    first = micro(f"{date[:4]}-{date[4:6]}-{date[6:]}")
    return first, first + DAY - 1


def times(queries: list[BoundingBox]) -> list[tuple[int, int]]:
    """``(mint, maxt)`` of each query in whole microseconds."""
    return [(round(query.mint * 10**6), round(query.maxt * 10**6)) for query in queries]


def test_sequential_timestamps_are_each_acquisition_in_time_order_over_the_whole_extent(series: Tiles) -> None:
    sampler = SequentialTimestampSampler(series)
    queries = list(sampler)
    assert times(queries) == [dated(date) for date in DATES]
    assert len(sampler) == 6
    bounds = series.bounds
    assert all(
        (q.minx, q.maxx, q.miny, q.maxy) == (bounds.minx, bounds.maxx, bounds.miny, bounds.maxy) for q in queries
    )
    for query, date in zip(queries, DATES, strict=True):
        assert torch.all(series[query]["image"] == pixel_value(0, date))


def test_tiles_of_one_date_are_one_acquisition(tmp_path: Path) -> None:
    dataset = write_series(tmp_path, UTM, [(("west", 0, 0, 8, 8), DATES[:3]), (("east", 8, 0, 8, 8), DATES[1:4])])
    assert times(list(SequentialTimestampSampler(dataset))) == [dated(date) for date in DATES[:4]]
    query = list(SequentialTimestampSampler(dataset))[1]
    image = dataset[query]["image"]
    assert torch.all(image[:, :, :8] == pixel_value(0, DATES[1])) and torch.all(
        image[:, :, 8:] == pixel_value(1, DATES[1])
    )


def test_random_timestamps_visit_every_acquisition_once_a_pass_in_a_new_order(series: Tiles) -> None:
    sampler = RandomTimestampSampler(series, generator=3)
    passes = [times(list(sampler)) for _ in range(4)]
    assert all(sorted(one) == [dated(date) for date in DATES] for one in passes)
    assert len(sampler) == 6
    assert len({tuple(one) for one in passes}) > 1


def test_sequential_timedelta_windows_start_at_the_first_date_every_stride_and_skip_gaps(series: Tiles) -> None:
    sampler = SequentialTimedeltaSampler(series, delta=pd.Timedelta(days=30))
    first = micro("2020-01-05")
    # 2020-01-05 + 30 k days; windows 4 to 11 (May to December) hold no date.
    expected = [(first + k * 30 * DAY, first + (k + 1) * 30 * DAY - 1) for k in (0, 1, 2, 3, 12)]
    assert times(list(sampler)) == expected
    assert len(sampler) == 5


def test_sequential_timedelta_stride_longer_than_delta_skips_dates_between_windows(series: Tiles) -> None:
    sampler = SequentialTimedeltaSampler(series, delta=timedelta(days=10), stride=timedelta(days=30))
    first = micro("2020-01-05")
    # Windows [01-05, 01-15), [02-04, 02-14), [12-30, 01-09): 01-20, 04-01 and 04-15 fall between windows.
    expected = [(first + k * 30 * DAY, first + (k * 30 + 10) * DAY - 1) for k in (0, 1, 12)]
    assert times(list(sampler)) == expected
    assert len(sampler) == 3


def test_sequential_windows_that_follow_each_other_never_share_a_date(series: Tiles) -> None:
    queries = list(SequentialTimedeltaSampler(series, delta=pd.Timedelta(days=1)))
    assert times(queries) == [dated(date) for date in DATES]
    for query, date in zip(queries, DATES, strict=True):
        assert torch.all(series[query]["image"] == pixel_value(0, date))


def test_a_delta_longer_than_the_data_gives_one_window_over_all_of_it(series: Tiles) -> None:
    sequential = list(SequentialTimedeltaSampler(series, delta=pd.Timedelta(days=1000)))
    start = micro("2020-01-05")
    assert times(sequential) == [(start, start + 1000 * DAY - 1)]
    first, last = day(DATES[0])[0], day(DATES[-1])[1]
    drawn = list(RandomTimedeltaSampler(series, delta=pd.Timedelta(days=1000), length=20, generator=0))
    assert all(query.mint <= first and query.maxt >= last for query in drawn)
    assert len({query.mint for query in drawn}) == 20


def test_random_timedelta_windows_last_delta_hold_a_date_and_stay_in_the_data(series: Tiles) -> None:
    sampler = RandomTimedeltaSampler(series, delta=pd.Timedelta(days=30), length=300, generator=1)
    days = [dated(date) for date in DATES]
    queries = list(sampler)
    assert len(queries) == len(sampler) == 300
    for query in queries:
        assert query.maxt - query.mint == pytest.approx(30 * 86_400 - 1e-6, abs=1e-6)
        ((mint, maxt),) = times([query])
        assert days[0][0] <= mint and maxt <= days[-1][1]
        assert any(mint <= last and maxt >= first for first, last in days)
        series[query]  # every window reads: it holds a date
    # Starts are uniform over where a window holds a date: May to November is never drawn.
    assert not any(seconds("2020-05-16") < query.mint < seconds("2020-12-02") for query in queries)


def test_random_timedelta_default_length_is_the_number_of_non_overlapping_windows_with_data(series: Tiles) -> None:
    assert len(RandomTimedeltaSampler(series, delta=pd.Timedelta(days=30), generator=0)) == 5
    assert len(RandomTimedeltaSampler(series, delta=pd.Timedelta(days=30), length=7, generator=0)) == 7


@pytest.mark.parametrize(
    ("freq", "periods"),
    [
        ("M", [("2020-01-01", "2020-02-01"), ("2020-02-01", "2020-03-01"), ("2020-04-01", "2020-05-01"),
               ("2021-01-01", "2021-02-01")]),
        ("Q", [("2020-01-01", "2020-04-01"), ("2020-04-01", "2020-07-01"), ("2021-01-01", "2021-04-01")]),
        ("Y", [("2020-01-01", "2021-01-01"), ("2021-01-01", "2022-01-01")]),
        ("2M", [("2020-01-01", "2020-03-01"), ("2020-03-01", "2020-05-01"), ("2021-01-01", "2021-03-01")]),
    ],
)  # fmt: skip
def test_sequential_periods_are_the_whole_periods_that_hold_a_date(
    series: Tiles, freq: str, periods: list[tuple[str, str]]
) -> None:
    sampler = SequentialPeriodSampler(series, freq=freq)
    assert times(list(sampler)) == [(micro(start), micro(stop) - 1) for start, stop in periods]
    assert len(sampler) == len(periods)


def test_random_periods_are_drawn_among_the_periods_that_hold_a_date(series: Tiles) -> None:
    sampler = RandomPeriodSampler(series, freq="M", length=200, generator=4)
    months = {(micro(start), micro(stop) - 1) for start, stop in
              [("2020-01-01", "2020-02-01"), ("2020-02-01", "2020-03-01"), ("2020-04-01", "2020-05-01"),
               ("2021-01-01", "2021-02-01")]}  # fmt: skip
    drawn = times(list(sampler))
    assert len(drawn) == 200
    assert set(drawn) == months
    assert len(RandomPeriodSampler(series, freq="M", generator=4)) == 4


@pytest.mark.parametrize(
    "toi",
    [
        pd.Interval(pd.Timestamp("2020-01-01"), pd.Timestamp("2020-03-01"), closed="left"),
        (datetime(2020, 1, 1), datetime(2020, 2, 29)),
        (seconds("2020-01-01"), seconds("2020-02-11")),
        (np.datetime64("2020-01-01"), np.datetime64("2020-02-29")),
        (np.datetime64("2020-01-01T00:00:00", "ns"), np.datetime64("2020-02-29T00:00:00", "ns")),
    ],
)
def test_toi_keeps_the_dates_inside_it(series: Tiles, toi: Any) -> None:
    assert times(list(SequentialTimestampSampler(series, toi=toi))) == [dated(date) for date in DATES[:3]]
    assert sorted(times(list(RandomTimestampSampler(series, toi=toi, generator=0)))) == [
        dated(date) for date in DATES[:3]
    ]
    assert len(SequentialPeriodSampler(series, freq="M", toi=toi)) == 2


def test_toi_clips_the_acquisitions_it_cuts_and_honours_its_closed_side(series: Tiles) -> None:
    noon = pd.Timestamp("2020-01-20T12:00:00")
    clipped = list(SequentialTimestampSampler(series, toi=pd.Interval(pd.Timestamp("2020-01-01"), noon, "both")))
    assert times(clipped) == [dated("20200105"), (dated("20200120")[0], micro("2020-01-20T12:00:00"))]
    open_end = pd.Interval(pd.Timestamp("2020-01-01"), pd.Timestamp("2020-01-20"), closed="left")
    assert times(list(SequentialTimestampSampler(series, toi=open_end))) == [dated("20200105")]
    closed_end = pd.Interval(pd.Timestamp("2020-01-01"), pd.Timestamp("2020-01-20"), closed="both")
    assert len(SequentialTimestampSampler(series, toi=closed_end)) == 2
    # Windows are laid from the first time inside toi, 04-01 at noon, every 5 days: 04-11 noon holds 04-15.
    toi = (datetime(2020, 4, 1, 12), datetime(2020, 5, 1))
    windows = list(SequentialTimedeltaSampler(series, delta=pd.Timedelta(days=5), toi=toi))
    start = micro("2020-04-01T12:00:00")
    assert times(windows) == [(start, start + 5 * DAY - 1), (start + 10 * DAY, start + 15 * DAY - 1)]


def test_spatial_samplers_take_numpy_datetime64_toi_as_datetimes(series: Tiles) -> None:
    # Refused before: TypeError "toi[0]=np.datetime64('2020-01-01') must be a number", though ds[x, y, t] takes them.
    given = (np.datetime64("2020-01-01"), np.datetime64("2020-02-29T12:00"))
    naive = (datetime(2020, 1, 1), datetime(2020, 2, 29, 12))
    drawn = list(RandomGeoSampler(series, 4, length=5, toi=given, generator=0))
    assert drawn == list(RandomGeoSampler(series, 4, length=5, toi=naive, generator=0))
    assert {(query.mint, query.maxt) for query in drawn} <= {day(date) for date in DATES[:3]}
    assert list(GridGeoSampler(series, 4, toi=given)) == list(GridGeoSampler(series, 4, toi=naive))
    assert list(PreChippedGeoSampler(series, toi=given)) == list(PreChippedGeoSampler(series, toi=naive))


@pytest.mark.parametrize("missing", [pd.NaT, np.datetime64("NaT"), np.datetime64("NaT", "ns")])
def test_a_nat_toi_bound_is_refused_naming_it(series: Tiles, missing: Any) -> None:
    # pd.NaT raised "NaTType does not support timestamp", numpy's NaT TypeError "must be a number".
    for make in (
        lambda: SequentialTimestampSampler(series, toi=(missing, datetime(2020, 3, 1))),
        lambda: RandomGeoSampler(series, 4, toi=(datetime(2020, 1, 1), missing)),
    ):
        with pytest.raises(ValueError, match=r"toi\[[01]\]=.*NaT.* must be a time, not NaT"):
            make()


@pytest.mark.parametrize(
    ("toi", "message"),
    [
        (pd.Interval(pd.Timestamp("2022-01-01"), pd.Timestamp("2023"), "both"), r"toi=.*holds none.*span 2020-01-05"),
        (pd.Interval(pd.Timestamp("2020-03-01"), pd.Timestamp("2020-03-31")), r"toi=.*holds none of the dates"),
        (pd.Interval(pd.Timestamp("2020-01-05"), pd.Timestamp("2020-01-05"), closed="neither"), r"toi=.*is empty"),
        ((seconds("2020-02-01"), seconds("2020-01-01")), r"toi=.*is empty"),
    ],
)  # fmt: skip
def test_a_toi_without_dates_is_refused_naming_toi(series: Tiles, toi: Any, message: str) -> None:
    for make in (
        lambda: SequentialTimestampSampler(series, toi=toi),
        lambda: RandomTimedeltaSampler(series, delta=pd.Timedelta(days=3), toi=toi),
        lambda: SequentialPeriodSampler(series, freq="M", toi=toi),
    ):
        with pytest.raises(ValueError, match=message):
            make()


def test_a_dataset_without_dates_is_refused(tmp_path: Path) -> None:
    profile = {"driver": "GTiff", "count": 1, "height": 4, "width": 4, "dtype": "uint8", "crs": UTM.crs,
               "transform": Affine(10.0, 0.0, UTM.left, 0.0, -10.0, UTM.top)}  # fmt: skip
    with rasterio.open(tmp_path / "tile.tif", "w", **profile) as destination:
        destination.write(np.ones((1, 4, 4), dtype=np.uint8))
    with pytest.raises(ValueError, match=r"has a date.*date group"):
        SequentialTimestampSampler(Tiles(tmp_path))


#: Builds each temporal sampler on a dataset, with extra keywords (``generator``, ``rank``, ``world_size``).
SAMPLERS: dict[str, Callable[..., TemporalSampler]] = {
    "random-timestamp": lambda dataset, **options: RandomTimestampSampler(dataset, **options),
    "sequential-timestamp": lambda dataset, **options: SequentialTimestampSampler(dataset, **options),
    "random-timedelta": lambda dataset, **options: RandomTimedeltaSampler(
        dataset, delta=pd.Timedelta(days=20), length=10, **options
    ),
    "sequential-timedelta": lambda dataset, **options: SequentialTimedeltaSampler(
        dataset, delta=pd.Timedelta(days=20), stride=pd.Timedelta(days=7), **options
    ),
    "random-period": lambda dataset, **options: RandomPeriodSampler(dataset, freq="W", length=10, **options),
    "sequential-period": lambda dataset, **options: SequentialPeriodSampler(dataset, freq="W", **options),
}
RANDOM = [name for name in SAMPLERS if name.startswith("random")]
SEQUENTIAL = [name for name in SAMPLERS if name.startswith("sequential")]


@pytest.mark.parametrize("kind", RANDOM)
@pytest.mark.parametrize(
    "make_generator",
    [
        lambda: 11,
        lambda: np.random.default_rng(11),
        lambda: np.random.PCG64(11),
        lambda: np.random.SeedSequence(11),
        lambda: np.random.RandomState(11),
        lambda: torch.Generator().manual_seed(11),
    ],
    ids=["int", "numpy-generator", "bit-generator", "seed-sequence", "random-state", "torch"],
)
def test_the_same_seed_gives_the_same_passes(series: Tiles, kind: str, make_generator: Callable[[], Any]) -> None:
    first = SAMPLERS[kind](series, generator=make_generator())
    second = SAMPLERS[kind](series, generator=make_generator())
    assert [list(first) for _ in range(2)] == [list(second) for _ in range(2)]
    other = SAMPLERS[kind](series, generator=12)
    assert list(other) != list(SAMPLERS[kind](series, generator=make_generator()))


@pytest.mark.parametrize("kind", RANDOM)
def test_set_epoch_replays_a_pass_and_the_global_seed_is_the_default(series: Tiles, kind: str) -> None:
    sampler = SAMPLERS[kind](series, generator=5)
    sampler.set_epoch(3)
    replay = list(sampler)
    sampler.set_epoch(4)
    assert list(sampler) != replay
    sampler.set_epoch(3)
    assert list(sampler) == replay
    torch.manual_seed(9)
    first = list(SAMPLERS[kind](series))
    torch.manual_seed(9)
    assert list(SAMPLERS[kind](series)) == first


@pytest.mark.parametrize("world_size", [2, 3])
@pytest.mark.parametrize("kind", [*SEQUENTIAL, "random-timestamp"])
def test_ranks_split_a_pass_window_by_window(series: Tiles, kind: str, world_size: int) -> None:
    whole = list(SAMPLERS[kind](series, generator=2) if kind.startswith("random") else SAMPLERS[kind](series))
    shares = []
    for rank in range(world_size):
        options: dict[str, Any] = {"rank": rank, "world_size": world_size, "even": False}
        if kind.startswith("random"):
            options["generator"] = 2
        sampler = SAMPLERS[kind](series, **options)
        share = list(sampler)
        assert len(share) == len(sampler)
        shares.append(share)
    assert sorted(times([query for share in shares for query in share])) == sorted(times(whole))
    assert max(map(len, shares)) - min(map(len, shares)) <= 1
    assert sum(map(len, shares)) == len(whole) > world_size


@pytest.mark.parametrize("world_size", [2, 3])
@pytest.mark.parametrize("kind", ["random-timedelta", "random-period"])
def test_random_draws_give_every_rank_the_same_length_and_its_own_windows(
    series: Tiles, kind: str, world_size: int
) -> None:
    shares = [list(SAMPLERS[kind](series, generator=2, rank=rank, world_size=world_size)) for rank in range(world_size)]
    assert [len(share) for share in shares] == [-(-10 // world_size)] * world_size
    assert len({tuple(times(share)) for share in shares}) == world_size


def test_every_sampler_works_in_a_dataloader(series: Tiles) -> None:
    for kind, make in SAMPLERS.items():
        sampler = make(series)
        loader = torch.utils.data.DataLoader(series, sampler=sampler, batch_size=2, collate_fn=stack_samples)
        batches = list(loader)
        assert sum(len(batch["image"]) for batch in batches) == len(sampler), kind
        assert batches[0]["image"].shape[1:] == (1, 8, 8)


def test_the_samplers_are_temporal_and_the_geo_samplers_spatial(series: Tiles) -> None:
    for make in SAMPLERS.values():
        sampler = make(series)
        assert isinstance(sampler, TemporalSampler) and isinstance(sampler, GeoSampler)
        assert sampler.strategy in ("random", "sequential")
    spatial = [
        RandomGeoSampler(series, 4, length=2),
        GridGeoSampler(series, 4),
        PreChippedGeoSampler(series),
        RandomPatchSampler(series, size=4, length=2),
        GriddedPatchSampler(series, size=4),
    ]
    assert [sampler.strategy for sampler in spatial] == ["random", "sequential", "sequential", "random", "sequential"]
    assert all(isinstance(sampler, SpatialSampler) and isinstance(sampler, GeoSampler) for sampler in spatial)


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda d: RandomTimedeltaSampler(d, delta="30D"), TypeError, r"delta='30D' must be a pandas.Timedelta"),
        (lambda d: RandomTimedeltaSampler(d, delta=30), TypeError, "delta=30"),
        (lambda d: RandomTimedeltaSampler(d, delta=pd.Timedelta(0)), ValueError, "delta=.*at least a millisecond"),
        (lambda d: SequentialTimedeltaSampler(d, delta=timedelta(days=-1)), ValueError, "delta="),
        (lambda d: SequentialTimedeltaSampler(d, delta=timedelta(days=1), stride=timedelta(0)), ValueError, "stride="),
        (lambda d: SequentialTimedeltaSampler(d, delta=pd.NaT), TypeError, "delta=NaT"),
        (lambda d: SequentialTimedeltaSampler(d, delta=timedelta(microseconds=1)), ValueError, "delta="),
        (lambda d: RandomTimedeltaSampler(d, delta=timedelta(days=1), length=0), ValueError, "length=0"),
        (lambda d: RandomPeriodSampler(d, freq="M", length=2.5), ValueError, "length=2.5"),
        (lambda d: RandomPeriodSampler(d, freq="ME"), ValueError, r"freq='ME'.*use 'M'"),
        (lambda d: SequentialPeriodSampler(d, freq="fortnight"), ValueError, "freq='fortnight'"),
        (lambda d: SequentialPeriodSampler(d, freq="0M"), ValueError, "freq='0M'"),
        (lambda d: SequentialPeriodSampler(d, freq=pd.Timedelta(days=1)), TypeError, "freq="),
        (lambda d: RandomTimestampSampler(d, generator="seed"), TypeError, "generator="),
        (lambda d: SequentialTimestampSampler(d, toi="2020"), TypeError, "toi="),
        (lambda d: SequentialTimestampSampler(d, toi=pd.Interval(0.0, np.inf)), ValueError, r"toi\[1\]=inf"),
        (lambda d: SequentialTimestampSampler(d, rank=3, world_size=3), ValueError, "rank=3"),
    ],
)  # fmt: skip
def test_bad_arguments_are_refused_naming_them(
    series: Tiles, make: Callable[[Tiles], object], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        make(series)


@pytest.mark.parametrize("make", [SequentialPeriodSampler, RandomPeriodSampler])
@pytest.mark.parametrize("freq", ["B", "2B"])
def test_business_day_periods_are_refused_since_a_weekend_date_lies_in_none(
    series: Tiles, make: Callable[..., GeoSampler], freq: str
) -> None:
    # 20200105 is a Sunday: pandas puts it in Monday 6 January's business day, whose window does not hold it.
    with pytest.raises(ValueError, match=rf"freq='{freq}' has periods that leave weekends out"):
        make(series, freq=freq)


@pytest.mark.parametrize(
    ("delta", "message"),
    [
        (timedelta(days=999_999), r"delta=datetime.timedelta\(days=999999\) must be at most pandas.Timedelta.max"),
        (timedelta(days=999_999_999), "must be at most pandas.Timedelta.max"),
        (np.timedelta64(2**50, "s"), "must be at most pandas.Timedelta.max"),
        (np.timedelta64(1, "M"), r"delta=np.timedelta64\(1,'M'\) is not a fixed duration"),
        (np.timedelta64(1, "Y"), "is not a fixed duration"),
    ],
)
def test_durations_without_a_fixed_length_or_past_pandas_range_are_refused_naming_them(
    series: Tiles, delta: Any, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        SequentialTimedeltaSampler(series, delta=delta)
    with pytest.raises(ValueError, match=message):
        RandomTimedeltaSampler(series, delta=delta)
    with pytest.raises(ValueError, match=message.replace("delta=", "stride=")):
        SequentialTimedeltaSampler(series, delta=timedelta(days=1), stride=delta)


def test_the_longest_duration_pandas_holds_gives_one_window_over_every_date(series: Tiles) -> None:
    sampler = SequentialTimedeltaSampler(series, delta=pd.Timedelta.max)
    ((first, last),) = times(list(sampler))
    assert first == dated(DATES[0])[0] and last > dated(DATES[-1])[1]
