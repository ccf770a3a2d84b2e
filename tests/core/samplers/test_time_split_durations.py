"""time_series_split takes TorchGeo 0.10.1's durations: consecutive intervals from the dataset's first time."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import rasterio

from geotorch.core import GeoDataset, RasterDataset
from geotorch.samplers import time_series_split

#: A real Landsat 7 ETM+ subset (UTM 18N, 300 m, 791 x 718 px; see ../shared/data/real/README.md).
REAL_SCENE = Path(__file__).resolve().parents[3] / ".." / "shared" / "data" / "real" / "RGB.byte.tif"
DAYS = ["20200101", "20200102", "20200103", "20200104", "20200105"]


class DailyScenes(RasterDataset):
    filename_glob = "scene_*.tif"
    filename_regex = r"scene_(?P<date>\d{8})\.tif"


@pytest.fixture
def scenes(tmp_path: Path) -> DailyScenes:
    """The real scene acquired on five days in a row (one file a day, 2020-01-01 to 2020-01-05)."""
    if not REAL_SCENE.is_file():
        pytest.skip(f"real geodata not found at {REAL_SCENE.resolve()} (the project root's ../shared/data/real)")
    with rasterio.open(REAL_SCENE) as scene:
        pixels, profile = scene.read(), scene.profile
    for day in DAYS:
        with rasterio.open(tmp_path / f"scene_{day}.tif", "w", **profile) as destination:
            destination.write(pixels)
    return DailyScenes(tmp_path)


def days_of(view: GeoDataset) -> list[str]:
    hits = view.index.intersection(view.index.bounds, objects=True)
    return sorted(Path(str(hit.object)).stem.removeprefix("scene_") for hit in hits)


@pytest.mark.parametrize("durations", [
    [pd.Timedelta(days=2), pd.Timedelta(days=3)],
    [timedelta(days=2), timedelta(days=3)],
    [np.timedelta64(2, "D"), np.timedelta64(3, "D")],
    # Past the last scene's end: the last interval reaches beyond it.
    [pd.Timedelta(days=2), pd.Timedelta(days=30)],
], ids=["pandas", "datetime", "numpy", "longer"])
def test_durations_cut_consecutive_intervals_from_the_first_time(scenes: DailyScenes, durations: list[Any]) -> None:
    # Before: TypeError "lengths[0]=Timedelta('2 days 00:00:00') must be a (start, end) pair of POSIX seconds, ...".
    views = time_series_split(scenes, durations)
    assert [days_of(view) for view in views] == [DAYS[:2], DAYS[2:]]
    intervals = [(pd.Timestamp("2020-01-01"), pd.Timestamp("2020-01-03")),
                 (pd.Timestamp("2020-01-03"), pd.Timestamp("2020-01-06"))]
    assert [days_of(view) for view in views] == [days_of(view) for view in time_series_split(scenes, intervals)]


@pytest.mark.parametrize(("durations", "error", "message"), [
    ([pd.Timedelta(days=2), pd.Timedelta(days=2)], ValueError,
     r"time_series_split: the durations \[2 days, 2 days\] sum to 4 days, short of the 5 days the data of "
     r"DailyScenes span \(2020-01-01T00:00:00Z to 2020-01-05T23:59:59.999999Z\): the entries after "
     r"2020-01-05T00:00:00Z would fall in no split; lengthen the last"),
    ([pd.Timedelta(days=2), pd.Timedelta(days=-1)], ValueError, r"time_series_split: lengths\[1\]=Timedelta\('-1 days "
     r"\+00:00:00'\) must be a positive duration"),
    ([pd.Timedelta(days=2), np.timedelta64("NaT")], ValueError,
     r"time_series_split: lengths\[1\]=np.timedelta64\('NaT'\) must be a positive duration"),
    ([pd.Timedelta(days=2), 0.5], TypeError, r"time_series_split: give all fractions, all durations or all "
     r"\(start, end\) pairs, got Timedelta\('2 days 00:00:00'\)"),
])
def test_durations_that_leave_data_out_or_are_no_durations_are_refused(
    scenes: DailyScenes, durations: list[Any], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        time_series_split(scenes, durations)


class InstantScenes(RasterDataset):
    filename_glob = "scene_*.tif"
    filename_regex = r"scene_(?P<date>\d{8}T\d{6}\.\d{6})\.tif"
    date_format = "%Y%m%dT%H%M%S.%f"


def test_an_instant_at_the_end_of_durations_summing_to_the_span_falls_in_the_last(tmp_path: Path) -> None:
    if not REAL_SCENE.is_file():
        pytest.skip(f"real geodata not found at {REAL_SCENE.resolve()} (the project root's ../shared/data/real)")
    with rasterio.open(REAL_SCENE) as scene:
        pixels, profile = scene.read(), scene.profile
    for day in DAYS[:3]:
        with rasterio.open(tmp_path / f"scene_{day}T000000.000000.tif", "w", **profile) as destination:
            destination.write(pixels)
    # Acquisitions at midnight of days 1-3 (instants, to the microsecond): the span is 2 days exactly.
    views = time_series_split(InstantScenes(tmp_path), [pd.Timedelta(days=1), pd.Timedelta(days=1)])
    # Without the end included (as a fraction split's last interval includes it), day 3 fell in no split.
    assert [len(view) for view in views] == [1, 2]
