"""SpatioTemporalSegmentationTask: fast_dev_run on random (B, T, C, H, W) batches, TorchGeo's scores, CLI, errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import torch
import yaml

from geotorch.core.cli import main
from geotorch.trainers.spatiotemporal_segmentation import SpatioTemporalSegmentationTask
from tests.trainers.series_fakes import SyntheticSeriesDataModule
from tests.trainers.task_fakes import fast_trainer

#: Small models of every registered kind, for 3 bands per step.
MODELS: dict[str, dict[str, Any]] = {
    "convlstm": {"hidden_dim": 4},
    "conv3dlstm": {"conv3d_dim": 4, "hidden_dim": 4},
    "utae": {"encoder_widths": [4, 8], "decoder_widths": [4, 8], "out_conv": [4], "n_head": 2, "d_model": 8},
}


@pytest.mark.parametrize("model", MODELS)
def test_each_model_fits_tests_and_predicts_with_torchgeo_scores(tmp_path: Path, model: str) -> None:
    task = SpatioTemporalSegmentationTask(model=model, in_channels=3, num_classes=3, labels=["low", "mid", "high"],
                                          **MODELS[model])  # fmt: skip
    datamodule = SyntheticSeriesDataModule("classes")
    trainer = fast_trainer(tmp_path)
    trainer.fit(task, datamodule=datamodule)
    scores = trainer.callback_metrics
    assert torch.isfinite(scores["train_loss"])
    for name in ("val_OverallAccuracy", "val_AverageJaccardIndex", "val_ClasswiseJaccardIndex_mid", "val_loss"):
        assert name in scores
    trainer.test(task, datamodule=datamodule)
    assert "test_AverageF1Score" in trainer.callback_metrics
    (probabilities, *_) = trainer.predict(task, datamodule=datamodule) or []
    assert probabilities.shape == (2, 3, 8, 8)
    torch.testing.assert_close(probabilities.sum(dim=1), torch.ones(2, 8, 8))


def test_the_batch_lengths_reach_the_model() -> None:
    task = SpatioTemporalSegmentationTask(model="convlstm", in_channels=3, num_classes=3, hidden_dim=4).eval()
    short = torch.rand(1, 2, 3, 8, 8)
    padded = torch.cat([short, torch.full((1, 3, 3, 8, 8), 50.0)], dim=1)
    batch = {"image": padded, "length": torch.tensor([2])}
    with torch.no_grad():
        torch.testing.assert_close(task.predict_step(batch, 0), task.predict_step({"image": short}, 0))
        assert not torch.allclose(task.predict_step({"image": padded}, 0), task.predict_step({"image": short}, 0))


def test_binary_segmentation_with_bce_fits(tmp_path: Path) -> None:
    task = SpatioTemporalSegmentationTask(model="convlstm", in_channels=3, task="binary", loss="bce", hidden_dim=4)
    assert task.model.head.out_channels == 1
    trainer = fast_trainer(tmp_path)
    trainer.fit(task, datamodule=SyntheticSeriesDataModule("binary"))
    assert torch.isfinite(trainer.callback_metrics["train_loss"])
    assert "val_OverallJaccardIndex" in trainer.callback_metrics


def test_model_arguments_go_to_the_model_and_into_the_checkpoint(tmp_path: Path) -> None:
    task = SpatioTemporalSegmentationTask(model="ConvLSTM", in_channels=3, num_classes=4, hidden_dim=[4, 5],
                                          num_layers=2)  # fmt: skip
    assert task.model.hidden_dim == [4, 5] and task.model.head.out_channels == 4
    trainer = fast_trainer(tmp_path, fast_dev_run=False, max_steps=1, limit_val_batches=0, enable_checkpointing=True)
    trainer.fit(task, datamodule=SyntheticSeriesDataModule("classes"))
    trainer.save_checkpoint(tmp_path / "task.ckpt")
    restored = SpatioTemporalSegmentationTask.load_from_checkpoint(tmp_path / "task.ckpt")
    assert restored.model.hidden_dim == [4, 5]
    torch.testing.assert_close(restored.model.head.weight, task.model.head.weight)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"model": "lstm"}, r"unknown model 'lstm'; choose from conv3dlstm, convlstm, utae"),
        ({"model": "convlstm", "input_dim": 3}, "input_dim of model 'convlstm' come from the task's in_channels"),
        ({"task": "regression"}, "task='regression' must be one of"),
        ({"task": "multilabel"}, "needs num_labels"),
        ({"task": "binary", "loss": "ce"}, "loss='ce' is not for task='binary'"),
    ],
)
def test_bad_arguments_are_named(arguments: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        SpatioTemporalSegmentationTask(in_channels=3, **arguments)


def test_a_yaml_config_trains_through_the_cli(tmp_path: Path) -> None:
    config = {
        "model": {
            "class_path": "geotorch.trainers.spatiotemporal_segmentation.SpatioTemporalSegmentationTask",
            "init_args": {"model": "utae", "in_channels": 3, "num_classes": 3, **MODELS["utae"]},
        },
        "data": {
            "class_path": "tests.trainers.series_fakes.SyntheticSeriesDataModule",
            "init_args": {"kind": "classes", "batch_size": 2},
        },
        "trainer": {
            "accelerator": "cpu",
            "logger": False,
            "enable_progress_bar": False,
            "default_root_dir": str(tmp_path),
        },
    }
    path = tmp_path / "series.yaml"
    path.write_text(yaml.safe_dump(config))
    assert main(["fit", "--config", str(path), "--trainer.fast_dev_run=true"]) == 0
