"""``&`` and ``|`` of time series read from GeoTIFFs: single-band label series, series of different dates."""

from __future__ import annotations

import re
from collections.abc import Hashable
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from geotorch.core import RasterDataset, concat_samples
from geotorch.core.remote import Location
from geotorch.samplers import GridGeoSampler, SequentialTimestampSampler
from geotorch.transforms import TemporalComposite
from tests.core.rasters import grid, write_raster

#: Every tile: 8 x 8 pixels of 10 m in EPSG:32631, here; EAST lies just east of it.
LEFT, TOP, EAST = 500000.0, 4000000.0, 500080.0
DAYS = ("20200101", "20200201", "20200301")


class Images(RasterDataset):
    filename_glob = "*.tif"
    filename_regex = r"^(?P<tile>[A-Z])_(?P<date>\d{8})\.tif$"


class Labels(Images):
    is_image = False


class Elevation(RasterDataset):
    filename_glob = "*.tif"


class Crops(Elevation):
    is_image = False


def seconds(day: str) -> float:
    return datetime.strptime(day, "%Y%m%d").replace(tzinfo=UTC).timestamp()


def write_dates(folder: Path, tile: str, values: dict[str, int | np.ndarray], left: float = LEFT) -> Path:
    """``<tile>_<date>.tif`` for each date, every pixel holding its value (or the given ``(8, 8)`` pixels)."""
    for day, value in values.items():
        pixels = np.full((8, 8), value, "uint8") if isinstance(value, int) else value
        write_raster(folder / f"{tile}_{day}.tif", pixels, 32631, grid(left, TOP, 10.0))
    return folder


def label_series(folder: Path, tile: str, first: int) -> Labels:
    """Single-band labels of ``tile`` on each of :data:`DAYS`: ``first``, ``first + 1``, ... everywhere."""
    return Labels(write_dates(folder, tile, {day: first + step for step, day in enumerate(DAYS)}), time_series=True)


def test_a_label_series_and_a_single_date_label_join_as_two_channels_per_step(tmp_path: Path) -> None:
    clouds = label_series(tmp_path / "clouds", "C", 1)
    crops = Crops(write_raster(tmp_path / "crops.tif", np.full((8, 8), 4, "uint8"), 32631, grid(LEFT, TOP, 10.0)))
    for both, order in ((clouds & crops, (0, 1)), (crops & clouds, (1, 0))):
        sample = both[clouds.bounds]
        assert sample["time"].tolist() == [seconds(day) for day in DAYS]
        assert sample["mask"].shape == (3, 2, 8, 8), "one step per date, the label repeated beside each"
        assert [sample["mask"][step, order[0]].unique().tolist() for step in range(3)] == [[1], [2], [3]]
        assert sample["mask"][:, order[1]].unique().tolist() == [4]


def test_two_label_series_of_one_date_each_step_join_as_two_channels_per_step(tmp_path: Path) -> None:
    clouds, snow = label_series(tmp_path / "clouds", "C", 1), label_series(tmp_path / "snow", "S", 10)
    sample = (clouds & snow)[clouds.bounds]
    assert sample["mask"].shape == (3, 2, 8, 8)
    assert sample["mask"][:, :, 0, 0].tolist() == [[1, 10], [2, 11], [3, 12]]


def test_a_union_of_label_series_fills_each_step_from_the_other_where_that_step_is_empty(tmp_path: Path) -> None:
    # West has no label (0) on the first date and 5 on the second; east, under the same pixels, 7 on both.
    west = Labels(write_dates(tmp_path / "west", "W", {DAYS[0]: 0, DAYS[1]: 5}), time_series=True)
    east = Labels(write_dates(tmp_path / "east", "E", {DAYS[0]: 7, DAYS[1]: 7}), time_series=True)
    sample = (west | east)[west.bounds]
    assert sample["mask"].shape == (2, 8, 8)
    assert [sample["mask"][step].unique().tolist() for step in range(2)] == [[7], [5]]


def test_a_union_of_a_series_and_a_single_image_is_refused_at_construction_naming_both(tmp_path: Path) -> None:
    series = Images(write_dates(tmp_path / "series", "A", {day: 1 for day in DAYS}), time_series=True)
    single = Images(write_dates(tmp_path / "single", "B", {DAYS[0]: 2}, left=EAST))
    for first, second in ((series, single), (single, series)):
        with pytest.raises(ValueError, match=r"Images is a time series \(time_series=True.*but Images is not"):
            first | second


@pytest.mark.parametrize("flag", ["False", 1, 0, None])
def test_time_series_that_is_no_bool_is_refused_naming_it(tmp_path: Path, flag: object) -> None:
    # "False" is true: it made a series that & and | then took for a single image (they take only True).
    with pytest.raises(TypeError, match=rf"Images: time_series={flag!r} \(\w+\) must be True or False"):
        Images(write_dates(tmp_path, "A", {day: 1 for day in DAYS}), time_series=flag)  # type: ignore[arg-type]


def test_a_numpy_bool_is_a_bool(tmp_path: Path) -> None:
    series = Images(write_dates(tmp_path, "A", {day: 1 for day in DAYS}), time_series=np.True_)  # type: ignore[arg-type]
    assert series.time_series is True and (series & series).time_series
    assert series[series.bounds]["image"].shape == (3, 1, 8, 8)


def test_an_unhashable_acquisition_key_is_refused_at_construction_naming_the_file(tmp_path: Path) -> None:
    # It was TypeError "unhashable type: 'list'" at the first read, naming nothing.
    class ByDay(Images):
        def acquisition_key(self, path: Location, match: re.Match[str]) -> Hashable:
            return [match["date"]]  # type: ignore[return-value]

    with pytest.raises(TypeError, match=r"acquisition key of .*A_20200101.tif is \[.20200101.\], which is not hash"):
        ByDay(write_dates(tmp_path, "A", {day: 1 for day in DAYS}), time_series=True)


def test_an_intersection_of_series_without_a_common_date_is_refused_at_construction(tmp_path: Path) -> None:
    # Built before, then every read failed: concat_samples' 'time series of different times', or (a query at
    # one of the first's dates) the second's IndexError 'outside the data'.
    optical = Images(write_dates(tmp_path / "optical", "O", {DAYS[0]: 1, DAYS[2]: 3}), time_series=True)
    radar = Images(write_dates(tmp_path / "radar", "R", {DAYS[1]: 2}), time_series=True)
    with pytest.raises(ValueError, match=r"Images and Images are both time series, .* no date of one starts when"):
        optical & radar
    shared = Images(write_dates(tmp_path / "shared", "S", {DAYS[2]: 9}), time_series=True)
    sample = (optical & shared)[optical.bounds.minx : optical.bounds.maxx, optical.bounds.miny : optical.bounds.maxy,
                                seconds(DAYS[2]) : seconds(DAYS[2])]
    assert sample["image"][:, :, 0, 0].tolist() == [[3.0, 9.0]], "a date in common joins as before"


def test_a_composited_series_beside_a_dem_joins_as_channels(tmp_path: Path) -> None:
    # TemporalComposite keeps the steps' time beside its (C, H, W) image: that image has no time axis.
    series = Images(write_dates(tmp_path / "series", "A", {day: step + 1 for step, day in enumerate(DAYS[:2])}),
                    time_series=True, transforms=TemporalComposite("mean"))
    dem = Elevation(write_raster(tmp_path / "dem.tif", np.full((8, 8), 7, "uint8"), 32631, grid(LEFT, TOP, 10.0)))
    sample = (series & dem)[series.bounds]
    assert sample["image"].shape == (2, 8, 8)
    assert sample["image"][:, 0, 0].tolist() == [1.5, 7.0]


def test_an_intersection_of_series_is_sampled_at_the_dates_both_have(tmp_path: Path) -> None:
    # The first's other dates were indexed too: a temporal sampler gave 1 January, where the second has no
    # step, and reading it raised the second's IndexError 'outside the data'.
    optical = Images(write_dates(tmp_path / "optical", "O", {DAYS[0]: 1, DAYS[2]: 3}), time_series=True)
    shared = Images(write_dates(tmp_path / "shared", "S", {DAYS[2]: 9}), time_series=True)
    both = optical & shared
    assert (both.bounds.mint, both.bounds.maxt) == (shared.bounds.mint, shared.bounds.maxt)
    queries = list(GridGeoSampler(both, size=8) @ SequentialTimestampSampler(both))
    assert [both[query]["image"][:, :, 0, 0].tolist() for query in queries] == [[[3.0, 9.0]]]


def test_an_intersection_of_series_read_over_dates_only_one_has_joins_the_dates_both_have(tmp_path: Path) -> None:
    # Reading January to March raised concat_samples' ValueError 'time series of different times
    # [1 Jan, 1 Mar] and [1 Feb, 1 Mar] cannot be joined step by step', though the index holds 1 March.
    optical = Images(write_dates(tmp_path / "optical", "O", {DAYS[0]: 1, DAYS[2]: 3}), time_series=True)
    radar = Images(write_dates(tmp_path / "radar", "R", {DAYS[1]: 5, DAYS[2]: 7}), time_series=True)
    shared = Images(write_dates(tmp_path / "shared", "S", {DAYS[2]: 9}), time_series=True)
    x, y = slice(LEFT, LEFT + 80), slice(TOP - 80, TOP)
    for both, values in (
        (optical & radar, [[3.0, 7.0]]),
        (radar & optical, [[7.0, 3.0]]),
        (optical & shared, [[3.0, 9.0]]),
    ):
        sample = both[x, y, datetime(2020, 1, 1) : datetime(2020, 3, 31)]
        assert sample["time"].tolist() == [seconds(DAYS[2])]
        assert sample["image"][:, :, 0, 0].tolist() == values


def test_series_that_share_no_time_are_refused_naming_their_times(tmp_path: Path) -> None:
    optical = Images(write_dates(tmp_path / "optical", "O", {DAYS[0]: 1}), time_series=True)
    radar = Images(write_dates(tmp_path / "radar", "R", {DAYS[1]: 5}), time_series=True)
    times = rf"\[{seconds(DAYS[0])}\] and \[{seconds(DAYS[1])}\] share no time"
    with pytest.raises(ValueError, match=rf"concat_samples: time series of times {times}"):
        concat_samples([optical[optical.bounds], radar[radar.bounds]])


class Monthly(Images):
    filename_regex = r"^(?P<tile>[A-Z])_(?P<date>\d{6})\.tif$"
    date_format = "%Y%m"


def test_an_intersection_of_series_indexes_the_steps_that_start_together(tmp_path: Path) -> None:
    # Steps join at equal start times (concat_samples), but the index took overlapping intervals as shared:
    # daily & monthly indexed 15 March, inside March, and reading it raised concat_samples' 'share no time'.
    daily = Images(write_dates(tmp_path / "daily", "D", {"20200301": 1, "20200315": 2}), time_series=True)
    monthly = Monthly(write_dates(tmp_path / "monthly", "M", {"202003": 5}), time_series=True)
    for both, values in ((daily & monthly, [[[1.0, 5.0]]]), (monthly & daily, [[[5.0, 1.0]]])):
        queries = list(GridGeoSampler(both, size=8) @ SequentialTimestampSampler(both))
        assert [both[query]["time"].tolist() for query in queries] == [[seconds("20200301")]]
        assert [both[query]["image"][:, :, 0, 0].tolist() for query in queries] == values
    mid_month = Images(write_dates(tmp_path / "mid", "X", {"20200315": 2}), time_series=True)
    message = r"Images and Monthly are both time series, .* no date of one starts .*"
    dates = r"\(dates starting 2020-03-15T00:00:00Z and 2020-03-01T00:00:00Z\)"
    with pytest.raises(ValueError, match=message + dates):
        mid_month & monthly
