"""Run by test_ddp.py: two CPU processes (gloo) train, validate and predict on the demo area; each records its windows.

Usage: python ddp_run.py OUTPUT_FOLDER
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from lightning.pytorch import Trainer

from geotorch.datamodules import DemoDataModule
from geotorch.trainers import GeoTIFFPredictionWriter, SemanticSegmentationTask


class RecordingTask(SemanticSegmentationTask):
    """Remembers the windows of every training and validation batch, by epoch."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.seen: dict[str, list[list[float]]] = {}

    def _remember(self, stage: str, batch: dict[str, Any]) -> None:
        key = f"{stage}{self.current_epoch}"
        self.seen.setdefault(key, []).extend([list(box)[:4] for box in batch["bounds"]])

    def training_step(self, batch: dict[str, Any], batch_idx: int) -> Any:
        self._remember("train", batch)
        return super().training_step(batch, batch_idx)

    def validation_step(self, batch: dict[str, Any], batch_idx: int) -> None:
        self._remember("val", batch)
        super().validation_step(batch, batch_idx)


def main(output: Path) -> None:
    datamodule = DemoDataModule(batch_size=4, patch_size=32, length=32, num_workers=1, predict_stride=16)
    task = RecordingTask(model="fcn", num_filters=4, in_channels=6, num_classes=6, ignore_index=0)
    writer = GeoTIFFPredictionWriter(output / "predictions")
    trainer = Trainer(accelerator="cpu", devices=2, strategy="ddp", max_epochs=2, logger=False,
                      enable_checkpointing=False, enable_progress_bar=False, enable_model_summary=False,
                      num_sanity_val_steps=0, callbacks=[writer], default_root_dir=output)
    trainer.fit(task, datamodule=datamodule)
    (output / f"rank{trainer.global_rank}.json").write_text(json.dumps(task.seen))
    trainer.predict(task, datamodule=datamodule, return_predictions=False)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
