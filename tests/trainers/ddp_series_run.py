"""Run by test_geo_datamodule_series.py: two CPU processes (gloo) fit and test a GeoDataModule over a time series.

Usage: python ddp_series_run.py OUTPUT_FOLDER
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import torch
from lightning.pytorch import LightningModule, Trainer

from tests.trainers.test_geo_datamodule_series import SeriesModule, write_tiles


class Recorder(LightningModule):
    """Remembers the window and the number of steps of every sample it trains, validates and tests on."""

    def __init__(self) -> None:
        super().__init__()
        self.weight = torch.nn.Parameter(torch.ones(1))
        self.seen: dict[str, list[list[float]]] = {"train": [], "val": [], "test": []}

    def _record(self, stage: str, batch: dict[str, Any]) -> torch.Tensor:
        steps = batch["image"].shape[1]
        lengths = batch["length"].tolist() if "length" in batch else [steps] * len(batch["bounds"])
        self.seen[stage] += [[*list(box)[:4], length] for box, length in zip(batch["bounds"], lengths, strict=True)]
        return (self.weight * batch["image"].float().mean()).sum()

    def training_step(self, batch: dict[str, Any], batch_idx: int) -> torch.Tensor:
        return self._record("train", batch)

    def validation_step(self, batch: dict[str, Any], batch_idx: int) -> None:
        self.log("val_score", self._record("val", batch), sync_dist=True, batch_size=len(batch["bounds"]))

    def test_step(self, batch: dict[str, Any], batch_idx: int) -> None:
        self.log("test_score", self._record("test", batch), sync_dist=True, batch_size=len(batch["bounds"]))

    def configure_optimizers(self) -> torch.optim.Optimizer:
        return torch.optim.SGD(self.parameters(), lr=0.1)


def main(output: Path) -> None:
    datamodule = SeriesModule(write_tiles(output / "data"), batch_size=2, patch_size=16, length=8)
    task = Recorder()
    trainer = Trainer(accelerator="cpu", devices=2, strategy="ddp", max_epochs=1, logger=False,
                      enable_checkpointing=False, enable_progress_bar=False, enable_model_summary=False,
                      num_sanity_val_steps=0, default_root_dir=output)
    trainer.fit(task, datamodule=datamodule)
    trainer.test(task, datamodule=datamodule)
    (output / f"rank{trainer.global_rank}.json").write_text(json.dumps(task.seen))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
