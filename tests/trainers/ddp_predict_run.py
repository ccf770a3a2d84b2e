"""Run by test_predict_ddp.py: ``trainer.predict`` on two rasters with 1 process or 2 (DDP, gloo, CPU).

Usage: python ddp_predict_run.py INPUTS STATE OUTPUT DEVICES COLUMN_TILE

The task's weights come from STATE so that both runs predict with the same model; each rank
records the chunks of rows it predicted in OUTPUT/rank<r>.json.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import torch
from lightning.pytorch import Trainer

from geotorch.core import GeoDataset, RasterDataset
from geotorch.datamodules import GeoDataModule
from geotorch.trainers import GeoTIFFPredictionWriter, SemanticSegmentationTask, predict_grid


class Scenes(RasterDataset):
    filename_glob = "*.tif"


class WholeScenes(GeoDataModule):
    """Every stage on all the rasters."""

    mean = (0.0,)
    std = (255.0,)

    def build_splits(self) -> tuple[GeoDataset, GeoDataset, GeoDataset, GeoDataset]:
        dataset = Scenes(paths=self.kwargs["paths"])
        return dataset, dataset, dataset, dataset


def main(inputs: Path, state: Path, output: Path, devices: int) -> None:
    task = SemanticSegmentationTask(model="fcn", in_channels=3, num_classes=4, num_filters=4)
    task.load_state_dict(torch.load(state))
    datamodule = WholeScenes(paths=inputs, batch_size=3, patch_size=32, predict_stride=24)
    writer = GeoTIFFPredictionWriter(output / "predictions", output="classes")
    trainer = Trainer(
        accelerator="cpu",
        devices=devices,
        strategy="ddp" if devices > 1 else "auto",
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        callbacks=[writer],
        default_root_dir=output,
    )
    trainer.predict(task, datamodule=datamodule, return_predictions=False)
    assert writer.sampler is not None
    chunks = [[chunk.output, *chunk.rows, *chunk.columns] for chunk in writer.sampler.mine]
    (output / f"rank{trainer.global_rank}.json").write_text(
        json.dumps({"chunks": chunks, "written": [str(path) for path in writer.written]})
    )


if __name__ == "__main__":
    # Narrow column tiles, so that outputs are cut into several (and the ranks share them).
    predict_grid.COLUMN_TILE = int(sys.argv[5])
    main(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4]))
