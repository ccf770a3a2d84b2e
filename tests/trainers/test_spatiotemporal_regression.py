"""SpatioTemporalPixelwiseRegressionTask and TemporalRegressionTask: fast_dev_run on random series, their scores."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import torch

from geotorch.trainers.spatiotemporal_regression import SpatioTemporalPixelwiseRegressionTask, TemporalRegressionTask
from tests.trainers.series_fakes import SyntheticSeriesDataModule
from tests.trainers.task_fakes import fast_trainer

#: Small models of two registered kinds, for 3 bands per step (the segmentation tests run every kind).
MODELS: dict[str, dict[str, Any]] = {
    "convlstm": {"hidden_dim": 4},
    "utae": {"encoder_widths": [4, 8], "decoder_widths": [4, 8], "out_conv": [4], "n_head": 2, "d_model": 8},
}
#: A small L-TAE.
LTAE = {"n_head": 2, "d_k": 4, "d_model": 8, "n_neurons": [8, 4]}


@pytest.mark.parametrize("model", MODELS)
def test_pixelwise_regression_fits_tests_and_predicts_with_torchgeo_scores(tmp_path: Path, model: str) -> None:
    task = SpatioTemporalPixelwiseRegressionTask(model=model, in_channels=3, **MODELS[model])
    datamodule = SyntheticSeriesDataModule("pixels")
    trainer = fast_trainer(tmp_path)
    trainer.fit(task, datamodule=datamodule)
    assert torch.isfinite(trainer.callback_metrics["train_loss"])
    assert {"val_RMSE", "val_MSE", "val_MAE", "val_loss"} <= set(trainer.callback_metrics)
    trainer.test(task, datamodule=datamodule)
    assert "test_RMSE" in trainer.callback_metrics
    (values, *_) = trainer.predict(task, datamodule=datamodule) or []
    assert values.shape == (2, 1, 8, 8) and torch.isfinite(values).all()


def test_pixelwise_regression_scores_each_named_output(tmp_path: Path) -> None:
    task = SpatioTemporalPixelwiseRegressionTask(in_channels=3, num_outputs=2, labels=["ndvi", "ndwi"], hidden_dim=4)
    trainer = fast_trainer(tmp_path)
    trainer.fit(task, datamodule=SyntheticSeriesDataModule("pixels", outputs=2))
    assert {"val_RMSE_ndvi", "val_RMSE_ndwi", "val_MAE_ndwi", "train_MSE_ndvi"} <= set(trainer.callback_metrics)


def test_predictions_undo_the_datamodules_target_scaling(tmp_path: Path) -> None:
    torch.manual_seed(0)
    task = SpatioTemporalPixelwiseRegressionTask(in_channels=3, hidden_dim=4)
    datamodule = SyntheticSeriesDataModule("pixels")
    datamodule.target_mean, datamodule.target_std = 10.0, 2.0
    trainer = fast_trainer(tmp_path)
    (values, *_) = trainer.predict(task, datamodule=datamodule) or []
    batch = datamodule.on_after_batch_transfer(next(iter(datamodule.predict_dataloader())), 0)
    with torch.no_grad():
        raw = task.eval()(batch["image"], lengths=batch["length"])
    torch.testing.assert_close(values, raw * 2 + 10)


def test_a_mask_of_another_shape_is_named() -> None:
    task = SpatioTemporalPixelwiseRegressionTask(in_channels=3, num_outputs=2, hidden_dim=4)
    batch = {"image": torch.rand(2, 3, 3, 8, 8), "mask": torch.rand(2, 8, 8)}
    with pytest.raises(ValueError, match=r"batch\['mask'\] of shape \(2, 8, 8\) does not hold the model's"):
        task.output_and_target(batch)


def test_temporal_regression_forecasts_each_step_and_output(tmp_path: Path) -> None:
    labels = ["red", "green", "blue"]
    task = TemporalRegressionTask(in_channels=3, num_outputs=3, out_steps=2, labels=labels, **LTAE)
    datamodule = SyntheticSeriesDataModule("sequence", out_steps=2)
    trainer = fast_trainer(tmp_path)
    trainer.fit(task, datamodule=datamodule)
    assert torch.isfinite(trainer.callback_metrics["train_loss"])
    assert {"val_RMSE_red", "val_MSE_green", "val_MAE_blue", "val_loss"} <= set(trainer.callback_metrics)
    trainer.test(task, datamodule=datamodule)
    assert "test_MAE_red" in trainer.callback_metrics
    (forecast, *_) = trainer.predict(task, datamodule=datamodule) or []
    assert forecast.shape == (2, 2, 3)


def test_temporal_regression_ignores_steps_padded_beyond_the_lengths() -> None:
    task = TemporalRegressionTask(in_channels=3, num_outputs=1, out_steps=2, **LTAE).eval()
    short = torch.rand(2, 3, 3)
    padded = torch.cat([short, torch.full((2, 4, 3), 9.0)], dim=1)
    with torch.no_grad():
        with_lengths = task.predict_step({"input": padded, "length": torch.tensor([3, 3])}, 0)
        torch.testing.assert_close(with_lengths, task.predict_step({"input": short}, 0))
        assert with_lengths.shape == (2, 2, 1)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: TemporalRegressionTask(model="convlstm"), r"unknown model 'convlstm'; choose from ltae"),
        (lambda: SpatioTemporalPixelwiseRegressionTask(model="ltae"), r"choose from conv3dlstm, convlstm, utae"),
        (lambda: SpatioTemporalPixelwiseRegressionTask(loss="huber"), r"loss='huber' must be one of mse, mae"),
        (lambda: TemporalRegressionTask(num_outputs=2, labels=["a"], **LTAE), "labels has 1 names"),
    ],
)
def test_bad_arguments_are_named(build: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build()
