"""GeoDataModule batches under Lightning's "true" precisions keep their georeferencing and times.

Lightning's loops give every batch to the precision plugin before any hook: under ``16-true``, ``bf16-true`` and
``64-true`` it walked into ``bounds`` (frozen BoundingBox: "A frozen dataclass was passed to apply_to_collection")
and would cast ``time`` (float64 POSIX seconds) to float16. Batches are read from Sentinel-2 GeoTIFF exports of
three datatakes and a label raster written in the test.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import torch
from lightning.pytorch import LightningModule
from torch import Tensor

from geotorch.core import BoundingBox, GeoDataset
from geotorch.datamodules import GeoDataModule
from geotorch.datasets import Sentinel2
from geotorch.trainers import SemanticSegmentationTask
from tests.trainers.task_fakes import fast_trainer
from tests.trainers.test_spatiotemporal_batches import BANDS, SENSED, CropLabels, write_scenes


class SeriesDataModule(GeoDataModule):
    """8 px patches of the three datatakes' series ``&`` their labels, every split the whole area."""

    def __init__(self, root: Path, *, time_series: bool = True) -> None:
        super().__init__(batch_size=2, patch_size=8, length=2)
        self.root, self.time_series = root, time_series

    def build_splits(self) -> tuple[GeoDataset, GeoDataset, GeoDataset, GeoDataset]:
        dataset = Sentinel2(self.root / "s2", bands=list(BANDS), time_series=self.time_series)
        both = dataset & CropLabels(self.root / "labels")
        return both, both, both, both


class Recorder(LightningModule):
    """Keeps the batches its steps see; its loss is a parameter's, in the trainer's precision."""

    def __init__(self) -> None:
        super().__init__()
        self.weight = torch.nn.Parameter(torch.ones(1))
        self.batches: list[dict[str, Any]] = []

    def training_step(self, batch: dict[str, Any], batch_idx: int) -> Tensor:
        self.batches.append(batch)
        return (self.weight * batch["image"].mean()).sum()

    def configure_optimizers(self) -> torch.optim.Optimizer:
        return torch.optim.SGD(self.parameters(), lr=0.1)


@pytest.mark.parametrize(("precision", "dtype"), [("16-true", torch.float16), ("bf16-true", torch.bfloat16),
                                                  ("64-true", torch.float64)])
def test_times_and_bounds_pass_a_true_precision_unchanged(tmp_path: Path, precision: str, dtype: torch.dtype) -> None:
    recorder = Recorder()
    fast_trainer(tmp_path, precision=precision).fit(recorder, datamodule=SeriesDataModule(write_scenes(tmp_path)))
    (batch,) = recorder.batches
    # Each patch holds the three datatakes' steps, oldest first (series_places).
    assert batch["image"].dtype == dtype and batch["image"].shape == (2, 3, 3, 8, 8)
    assert batch["mask"].dtype == torch.int64
    sensed = sorted(datetime.strptime(sensed, "%Y%m%dT%H%M%S").replace(tzinfo=UTC).timestamp() for sensed in SENSED)
    assert batch["time"].dtype == torch.float64 and batch["time"].tolist() == [sensed, sensed]
    assert all(isinstance(box, BoundingBox) for box in batch["bounds"])
    assert [box.maxx - box.minx for box in batch["bounds"]] == [80.0, 80.0]


@pytest.mark.parametrize("precision", ["bf16-true", "64-true"])
def test_a_segmentation_task_trains_and_validates_under_a_true_precision(tmp_path: Path, precision: str) -> None:
    task = SemanticSegmentationTask(model="fcn", in_channels=3, num_classes=5, num_filters=4)
    datamodule = SeriesDataModule(write_scenes(tmp_path), time_series=False)
    trainer = fast_trainer(tmp_path, precision=precision)
    trainer.fit(task, datamodule=datamodule)
    assert torch.isfinite(trainer.callback_metrics["train_loss"])
    assert torch.isfinite(trainer.callback_metrics["val_loss"])
