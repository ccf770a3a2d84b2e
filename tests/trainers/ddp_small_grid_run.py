"""Run by test_ddp_small_grids.py: two CPU processes (gloo) fit and test over a scene whose strips hold one window each.

Usage: python ddp_small_grid_run.py OUTPUT_FOLDER
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import torch
from lightning.pytorch import LightningModule, Trainer

from geotorch.core import RasterDataset
from geotorch.datamodules import GeoDataModule
from tests.datasets.fakes.geo import write_raster


class Recorder(LightningModule):
    """Scores the mean of each batch and remembers the windows of every validation and test batch."""

    def __init__(self) -> None:
        super().__init__()
        self.weight = torch.nn.Parameter(torch.ones(1))
        self.seen: dict[str, list[list[float]]] = {"val": [], "test": []}

    def training_step(self, batch: dict[str, Any], batch_idx: int) -> torch.Tensor:
        return (self.weight * batch["image"].float().mean()).sum()

    def _score(self, stage: str, batch: dict[str, Any]) -> None:
        self.seen[stage] += [list(box)[:4] for box in batch["bounds"]]
        score = (self.weight * batch["image"].float().mean()).sum()
        self.log(f"{stage}_score", score, sync_dist=True, batch_size=len(batch["bounds"]))

    def validation_step(self, batch: dict[str, Any], batch_idx: int) -> None:
        self._score("val", batch)

    def test_step(self, batch: dict[str, Any], batch_idx: int) -> None:
        self._score("test", batch)

    def configure_optimizers(self) -> torch.optim.Optimizer:
        return torch.optim.SGD(self.parameters(), lr=0.1)


def main(output: Path) -> None:
    # 160 x 16 px: the validation and test strips (0.1 each) are 16 px wide, one 16 px window each.
    scene = np.arange(3 * 16 * 160, dtype="uint16").reshape(3, 16, 160) % 250 + 1
    write_raster(output / "data" / "scene.tif", scene.astype("uint8"), 32633, 500_000.0, 4_000_000.0, 10.0)
    datamodule = GeoDataModule(RasterDataset, batch_size=1, patch_size=16, length=4, paths=output / "data")
    task = Recorder()
    trainer = Trainer(accelerator="cpu", devices=2, strategy="ddp", max_epochs=1, logger=False,
                      enable_checkpointing=False, enable_progress_bar=False, enable_model_summary=False,
                      num_sanity_val_steps=0, default_root_dir=output)
    trainer.fit(task, datamodule=datamodule)
    trainer.test(task, datamodule=datamodule)
    (output / f"rank{trainer.global_rank}.json").write_text(json.dumps(task.seen))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
