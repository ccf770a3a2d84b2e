"""Date-aware time-series models (U-TAE, L-TAE) are given the steps' dates as day numbers, not their indices.

Series are read from Sentinel-2 GeoTIFF exports and label rasters written in the test (two tiles: two dates of the
west tile, three of the east tile), batched by stack_samples as GeoDataModule batches them.
"""

from __future__ import annotations

import functools
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from torch import Tensor

from geotorch.core import BoundingBox, stack_samples
from geotorch.datasets import Sentinel2
from geotorch.models import UTAE, ConvLSTM
from geotorch.trainers import SpatioTemporalSegmentationTask
from geotorch.trainers.series_dates import step_positions
from geotorch.trainers.spatiotemporal_regression import SpatioTemporalPixelwiseRegressionTask
from tests.datasets.fakes.geo import write_raster
from tests.trainers.test_geo_datamodule_series import BANDS, SIZE, TILES, TOP, series, write_tiles

#: Days from PASTIS's reference date, 1 September 2018 (U-TAE's convention), to each datatake's date: 2019-09-01 is
#: day 365, then 30 + 31 + 30 + 31 + 31 + 29 (2020 is a leap year) days to 1 March 2020.
MARCH, APRIL, MAY, JUNE = 547.0, 578.0, 608.0, 639.0


def batch_of_both_tiles(root: Path) -> dict[str, Any]:
    """A 16 px window of each tile, stacked: the west tile's 2 dates padded to the east tile's 3."""
    dataset = series(root)
    bounds = dataset.bounds
    windows = [BoundingBox(left, left + 160, TOP - 160, TOP, bounds.mint, bounds.maxt) for _, left, _ in TILES]
    return stack_samples([dataset[window] for window in windows])


def recorded(monkeypatch: pytest.MonkeyPatch, model: type[torch.nn.Module]) -> list[dict[str, Any]]:
    """The keyword arguments of every call of ``model``'s forward."""
    calls: list[dict[str, Any]] = []
    forward = model.forward

    @functools.wraps(forward)  # its signature, which tasks read
    def recording(self: torch.nn.Module, x: Tensor, **kwargs: Any) -> Tensor:
        calls.append(kwargs)
        return forward(self, x, **kwargs)  # type: ignore[no-any-return]

    monkeypatch.setattr(model, "forward", recording)
    return calls


@pytest.mark.parametrize("task", [
    lambda: SpatioTemporalSegmentationTask(model="utae", in_channels=3, num_classes=5),
    lambda: SpatioTemporalPixelwiseRegressionTask(model="utae", in_channels=3),
])
def test_utae_is_given_the_days_of_the_steps(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, task: Any) -> None:
    batch = batch_of_both_tiles(write_tiles(tmp_path))
    assert batch["length"].tolist() == [2, 3]
    calls = recorded(monkeypatch, UTAE)
    module = task().eval()
    with torch.no_grad():
        module.predict_step(batch, 0)
    # The west tile's March and May (its padded step 0), the east tile's March, April and June (step indices
    # 0, 1, 2 before, the same for both: May and April at one position).
    positions = calls[0]["positions"]
    assert positions.dtype == torch.float32 and positions.shape == (2, 3)
    assert torch.allclose(positions, torch.tensor([[MARCH, MAY, 0.0], [MARCH, APRIL, JUNE]]))
    assert calls[0]["lengths"].tolist() == [2, 3]


def test_the_dates_change_what_utae_sees(tmp_path: Path) -> None:
    batch = batch_of_both_tiles(write_tiles(tmp_path))
    task = SpatioTemporalSegmentationTask(model="utae", in_channels=3, num_classes=5).eval()
    later = {**batch, "time": batch["time"] + 45 * 86400.0}
    with torch.no_grad():
        # The same pixels taken 45 days later are another series (the model's output was the same before).
        assert not torch.allclose(task.predict_step(batch, 0), task.predict_step(later, 0))


def test_a_model_without_positions_is_given_none(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    batch = batch_of_both_tiles(write_tiles(tmp_path))
    calls = recorded(monkeypatch, ConvLSTM)
    with torch.no_grad():
        SpatioTemporalSegmentationTask(in_channels=3, num_classes=5, hidden_dim=4).eval().predict_step(batch, 0)
    assert set(calls[0]) == {"lengths"}


def test_a_series_without_times_counts_its_steps(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    batch = batch_of_both_tiles(write_tiles(tmp_path))
    del batch["time"]
    calls = recorded(monkeypatch, UTAE)
    with torch.no_grad():
        SpatioTemporalSegmentationTask(model="utae", in_channels=3, num_classes=5).eval().predict_step(batch, 0)
    assert "positions" not in calls[0]


def test_an_infinite_time_is_named(tmp_path: Path) -> None:
    batch = batch_of_both_tiles(write_tiles(tmp_path))
    batch["time"][1, 2] = float("inf")
    task = SpatioTemporalSegmentationTask(model="utae", in_channels=3, num_classes=5).eval()
    with pytest.raises(ValueError, match=r"SpatioTemporalSegmentationTask: batch\['time'\] holds inf, no date"):
        task.predict_step(batch, 0)


def test_a_date_has_one_position_whichever_year_its_series_begins_in(tmp_path: Path) -> None:
    # The west tile's series begins on 24 December 2020, the east tile's on 7 January 2021, a date both have.
    dates = {"31TGL": ("20201224T103031", "20210107T103031"), "31TGM": ("20210107T103031", "20210121T103031")}
    for number, (tile, sensed_dates) in enumerate(dates.items()):
        for sensed in sensed_dates:
            for band in BANDS:
                data = np.full((SIZE, SIZE), 1000 + int(sensed[6:8]), "uint16")
                write_raster(tmp_path / f"T{tile}_{sensed}_{band}_10m.tif", data, 32631, 735360.0 + number * SIZE * 10,
                             TOP, 10.0)
    dataset = Sentinel2(tmp_path, bands=list(BANDS), time_series=True)
    bounds = dataset.bounds
    windows = [BoundingBox(left, left + 160, TOP - 160, TOP, bounds.mint, bounds.maxt)
               for left in (735360.0, 735360.0 + SIZE * 10)]
    positions = step_positions(stack_samples([dataset[window] for window in windows]), "task")
    # Before: days since 1 January of each series' first year, so 7 January 2021 was 372 in the west series and 6
    # in the east one.
    assert positions is not None
    since_reference = [(date(2020, 12, 24) - date(2018, 9, 1)).days, (date(2021, 1, 7) - date(2018, 9, 1)).days,
                       (date(2021, 1, 21) - date(2018, 9, 1)).days]
    assert positions.tolist() == [since_reference[:2], since_reference[1:]] == [[845, 859], [859, 873]]


def test_positions_count_from_the_reference_date_given_to_the_task(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    batch = batch_of_both_tiles(write_tiles(tmp_path))
    calls = recorded(monkeypatch, UTAE)
    task = SpatioTemporalSegmentationTask(model="utae", in_channels=3, num_classes=5, reference_date="2020-01-01")
    with torch.no_grad():
        task.eval().predict_step(batch, 0)
    # 2020 is a leap year: 1 March is day 60 of it.
    assert calls[0]["positions"].tolist() == [[60.0, 121.0, 0.0], [60.0, 91.0, 152.0]]
    assert task.hparams["reference_date"] == "2020-01-01"


@pytest.mark.parametrize("reference_date", ["2019-02-29", "1 September 2018", 20180901])
@pytest.mark.parametrize("task", [SpatioTemporalSegmentationTask, SpatioTemporalPixelwiseRegressionTask])
def test_a_reference_date_that_is_no_date_is_refused_naming_it(reference_date: Any, task: Any) -> None:
    with pytest.raises(ValueError, match=rf"{task.__name__}: reference_date={reference_date!r} must be a date as "
                                         r"YYYY-MM-DD"):
        task(model="utae", in_channels=3, reference_date=reference_date)


def test_times_that_do_not_fit_the_steps_are_named(tmp_path: Path) -> None:
    batch = batch_of_both_tiles(write_tiles(tmp_path))
    batch["image"] = batch["image"][:, :2]  # a transform that kept two steps of the image, and its three times
    task = SpatioTemporalSegmentationTask(model="utae", in_channels=3, num_classes=5).eval()
    # Before: the model's "positions must be (B, T) = (2, 2); got (2, 3)", of an argument the user never gave.
    with pytest.raises(ValueError, match=r"batch\['time'\] of shape \(2, 3\) is not one time per step of the series "
                                         r"of shape \(2, 2, 3, 16, 16\), \(B, T\) = \(2, 2\)"):
        task.predict_step(batch, 0)
