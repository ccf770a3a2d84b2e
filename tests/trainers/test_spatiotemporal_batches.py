"""Batches that do not fit a spatiotemporal task's arguments are refused naming the argument, before the model.

Batches are read from Sentinel-2 GeoTIFF exports of three datatakes and a label raster written in the test, and
reach the tasks through a plain DataLoader (no datamodule declares their band count).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import rasterio
import torch
from torch import Tensor
from torch.utils.data import DataLoader, Dataset

from geotorch.core import RasterDataset, stack_samples
from geotorch.datasets import Sentinel2
from geotorch.trainers import ChangeDetectionTask, SemanticSegmentationTask, SpatioTemporalSegmentationTask
from geotorch.trainers.spatiotemporal_regression import SpatioTemporalPixelwiseRegressionTask, TemporalRegressionTask
from tests.datasets.fakes.geo import write_raster
from tests.trainers.task_fakes import fast_trainer

#: Three datatakes of tile 31TGL, written out of time order.
SENSED = ("20200601T103031", "20200301T103031", "20200401T103031")
BANDS = ("B02", "B03", "B04")
SIZE = 16


class CropLabels(RasterDataset):
    """A class per pixel, 0 to 4."""

    filename_glob = "labels.tif"
    is_image = False


def write_scenes(root: Path) -> Path:
    """Sentinel-2 exports ``T31TGL_{sensed}_{band}_10m.tif`` of B02-B04 and ``labels.tif`` over the same grid."""
    for sensed in SENSED:
        for number, band in enumerate(BANDS):
            data = np.full((SIZE, SIZE), 1000 + 100 * number + int(sensed[4:6]), "uint16")
            write_raster(root / "s2" / f"T31TGL_{sensed}_{band}_10m.tif", data, 32631, 735360.0, 4987360.0, 10.0)
    classes = (np.arange(SIZE * SIZE).reshape(SIZE, SIZE) % 5).astype("uint8")
    write_raster(root / "labels" / "labels.tif", classes, 32631, 735360.0, 4987360.0, 10.0)
    return root


def tensors(samples: list[dict[str, Any]]) -> dict[str, Tensor]:
    """The tensors of ``stack_samples(samples)`` (image, mask, time, transform)."""
    return {key: value for key, value in stack_samples(samples).items() if isinstance(value, Tensor)}


def series_loader(root: Path) -> DataLoader[dict[str, Any]]:
    """Two (3, 3, 16, 16) series of the scenes with their (16, 16) classes, batched by stack_samples."""
    dataset = Sentinel2(root / "s2", bands=list(BANDS), time_series=True) & CropLabels(root / "labels")
    sample = dataset[dataset.bounds]
    assert sample["image"].shape == (3, 3, SIZE, SIZE) and sample["mask"].shape == (SIZE, SIZE)
    return DataLoader([sample, sample], batch_size=2, collate_fn=tensors)


@pytest.mark.parametrize(
    "task",
    [
        lambda: SpatioTemporalSegmentationTask(in_channels=4, num_classes=5, hidden_dim=4),
        lambda: SpatioTemporalPixelwiseRegressionTask(in_channels=4, hidden_dim=4),
    ],
)
def test_series_of_other_bands_than_in_channels_are_named(tmp_path: Path, task: Any) -> None:
    loader = series_loader(write_scenes(tmp_path))
    message = r"batch\['image'\] of shape \(2, 3, 3, 16, 16\) has 3 bands per step .* in_channels=4; set in_channels"
    with pytest.raises(ValueError, match=message):
        fast_trainer(tmp_path).fit(task(), train_dataloaders=loader)
    with pytest.raises(ValueError, match=message):
        fast_trainer(tmp_path).predict(task(), loader)


class CropLabelSeries(RasterDataset):
    """A class per pixel at each datatake: ``labels_{sensed}.tif``, a label time series."""

    filename_glob = "labels_*.tif"
    filename_regex = r"labels_(?P<date>\d{8}T\d{6})\.tif"
    date_format = "%Y%m%dT%H%M%S"
    is_image = False


def test_a_mask_per_step_is_named(tmp_path: Path) -> None:
    root = write_scenes(tmp_path)
    for sensed in SENSED:
        classes = np.full((SIZE, SIZE), int(sensed[5]), "uint8")
        write_raster(root / "label_series" / f"labels_{sensed}.tif", classes, 32631, 735360.0, 4987360.0, 10.0)
    series = Sentinel2(root / "s2", bands=list(BANDS), time_series=True)
    dataset = series & CropLabelSeries(root / "label_series", time_series=True)
    sample = dataset[dataset.bounds]
    assert sample["mask"].shape == (3, SIZE, SIZE)
    loader = DataLoader([sample, sample], batch_size=2, collate_fn=tensors)
    task = SpatioTemporalSegmentationTask(in_channels=3, num_classes=7, hidden_dim=4)
    message = (r"batch\['mask'\] of shape \(2, 3, 16, 16\) is not \(2, 16, 16\), \(B, H, W\) of the series "
               r"\(2, 3, 3, 16, 16\); it holds a mask per step")
    with pytest.raises(ValueError, match=message):
        fast_trainer(tmp_path).fit(task, train_dataloaders=loader)


def test_a_mask_of_another_grid_is_named(tmp_path: Path) -> None:
    batch = next(iter(series_loader(write_scenes(tmp_path))))
    batch["mask"] = batch["mask"][:, :8]
    task = SpatioTemporalSegmentationTask(in_channels=3, num_classes=5, hidden_dim=4)
    with pytest.raises(ValueError, match=r"batch\['mask'\] of shape \(2, 8, 16\) is not \(2, 16, 16\)"):
        task.training_step(batch, 0)


def test_classes_beyond_num_classes_are_named_unless_ignored(tmp_path: Path) -> None:
    loader = series_loader(write_scenes(tmp_path))
    task = SpatioTemporalSegmentationTask(in_channels=3, num_classes=4, hidden_dim=4)
    message = r"batch\['mask'\] holds 4, outside 0..3 of num_classes=4 with ignore_index=None"
    with pytest.raises(ValueError, match=message):
        fast_trainer(tmp_path).fit(task, train_dataloaders=loader)
    ignoring = SpatioTemporalSegmentationTask(in_channels=3, num_classes=4, ignore_index=4, hidden_dim=4)
    trainer = fast_trainer(tmp_path)
    trainer.fit(ignoring, loader, loader)
    assert torch.isfinite(trainer.callback_metrics["train_loss"])
    trainer.test(ignoring, loader, verbose=False)
    assert 0 <= float(trainer.callback_metrics["test_OverallAccuracy"]) <= 1
    binary = SpatioTemporalSegmentationTask(in_channels=3, task="binary", loss="bce", hidden_dim=4)
    with pytest.raises(ValueError, match=r"holds 2, 3, 4, outside 0..1 of task='binary' with ignore_index=None"):
        fast_trainer(tmp_path).fit(binary, train_dataloaders=loader)


def test_masks_of_fractions_are_named(tmp_path: Path) -> None:
    batch = next(iter(series_loader(write_scenes(tmp_path))))
    batch["mask"] = batch["mask"] / 2
    task = SpatioTemporalSegmentationTask(in_channels=3, num_classes=5, hidden_dim=4)
    with pytest.raises(ValueError, match=r"batch\['mask'\] holds values that are not whole class numbers"):
        task.training_step(batch, 0)


def test_regression_targets_in_another_order_are_named_not_reshaped(tmp_path: Path) -> None:
    batch = next(iter(series_loader(write_scenes(tmp_path))))
    values = batch["mask"].float() / 4
    task = SpatioTemporalPixelwiseRegressionTask(in_channels=3, num_outputs=2, hidden_dim=4)
    output, target = task.output_and_target(batch | {"mask": torch.stack([values, 1 - values], dim=1)})
    assert output.shape == target.shape == (2, 2, SIZE, SIZE)
    channels_last = torch.stack([values, 1 - values], dim=-1)
    with pytest.raises(ValueError, match=r"batch\['mask'\] of shape \(2, 16, 16, 2\) does not hold the model's "
                                         r"\(2, 2, 16, 16\) values in that order"):
        task.output_and_target(batch | {"mask": channels_last})
    single = SpatioTemporalPixelwiseRegressionTask(in_channels=3, hidden_dim=4)
    assert single.output_and_target(batch | {"mask": values[:, None]})[1].shape == (2, 1, SIZE, SIZE)
    with pytest.raises(ValueError, match=r"batch\['mask'\] of shape \(2, 8, 32\) does not hold"):
        single.output_and_target(batch | {"mask": values.reshape(2, 8, 32)})


def test_a_dataloader_of_stacked_geo_samples_trains_without_a_datamodule(tmp_path: Path) -> None:
    root = write_scenes(tmp_path)
    dataset = Sentinel2(root / "s2", bands=list(BANDS), time_series=True) & CropLabels(root / "labels")
    sample = dataset[dataset.bounds]
    loader = DataLoader([sample, sample], batch_size=2, collate_fn=stack_samples)
    assert next(iter(loader))["bounds"] == [sample["bounds"]] * 2
    task = SpatioTemporalSegmentationTask(in_channels=3, num_classes=5, hidden_dim=4)
    trainer = fast_trainer(tmp_path)
    trainer.fit(task, loader, loader)
    assert torch.isfinite(trainer.callback_metrics["train_loss"])
    (probabilities, *_) = trainer.predict(task, loader) or []
    assert probabilities.shape == (2, 5, SIZE, SIZE)


def test_a_fit_without_validation_keeps_the_rate_with_a_warning(tmp_path: Path) -> None:
    loader = series_loader(write_scenes(tmp_path))
    task = SpatioTemporalSegmentationTask(in_channels=3, num_classes=5, hidden_dim=4)
    trainer = fast_trainer(tmp_path, fast_dev_run=False, max_epochs=2, limit_val_batches=0)
    with pytest.warns(RuntimeWarning, match="ReduceLROnPlateau conditioned on metric val_loss which is not available"):
        trainer.fit(task, train_dataloaders=loader)
    assert trainer.current_epoch == 2 and torch.isfinite(trainer.callback_metrics["train_loss"])
    assert trainer.optimizers[0].param_groups[0]["lr"] == task.hparams["lr"]


@pytest.mark.parametrize(
    ("build", "error", "message"),
    [
        (lambda: SpatioTemporalSegmentationTask(in_channels=0), ValueError, r"in_channels=0 must be >= 1"),
        (lambda: SpatioTemporalSegmentationTask(in_channels="10"), TypeError, r"in_channels='10' must be a number"),
        (lambda: SpatioTemporalSegmentationTask(num_classes=-2), ValueError, r"num_classes=-2 must be >= 2"),
        (lambda: SpatioTemporalSegmentationTask(num_classes=1), ValueError, r"num_classes=1 must be >= 2"),
        (lambda: SpatioTemporalSegmentationTask(num_classes="20"), TypeError, r"num_classes='20' must be a number"),
        (lambda: SpatioTemporalSegmentationTask(task="multilabel", loss="bce", num_labels=0), ValueError,
         r"num_labels=0 must be >= 1"),
        (lambda: SpatioTemporalSegmentationTask(ignore_index="19"), TypeError, r"ignore_index='19' must be a whole"),
        (lambda: SpatioTemporalSegmentationTask(model=None), TypeError,
         r"model=None must be a model's name; choose from conv3dlstm, convlstm, utae"),
        (lambda: SpatioTemporalPixelwiseRegressionTask(num_outputs=-1), ValueError, r"num_outputs=-1 must be >= 1"),
        (lambda: TemporalRegressionTask(out_steps=0), ValueError, r"TemporalRegressionTask: out_steps=0 must be >= 1"),
        (lambda: TemporalRegressionTask(in_channels=-3), ValueError, r"in_channels=-3 must be >= 1"),
    ],
)
def test_counts_that_build_no_model_are_named(build: Any, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        build()


def test_counts_of_numpy_and_whole_floats_are_saved_as_ints() -> None:
    task = SpatioTemporalSegmentationTask(in_channels=np.int64(3), num_classes=5.0, hidden_dim=4)  # type: ignore[arg-type]
    assert task.hparams["in_channels"] == 3 and type(task.hparams["in_channels"]) is int
    assert type(task.hparams["num_classes"]) is int


def test_temporal_regression_names_image_series_given_as_input(tmp_path: Path) -> None:
    batch = next(iter(series_loader(write_scenes(tmp_path))))
    task = TemporalRegressionTask(in_channels=3, out_steps=2, n_head=2, d_k=4, d_model=8, n_neurons=[8, 4])
    sequences = batch["image"].mean(dim=(3, 4))
    assert task.predict_step({"input": sequences}, 0).shape == (2, 2, 1)
    with pytest.raises(ValueError, match=r"batch\['input'\] of shape \(2, 3, 3, 16, 16\) is not \(B, T, C\) "
                                         r"sequences; regress image series with SpatioTemporalPixelwiseRegression"):
        task.training_step({"input": batch["image"], "target": torch.rand(2, 2, 1)}, 0)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"class_weights": [1.0, 2.0]}, r"class_weights of shape \(2,\) must hold 3 weights, one per class"),
        ({"class_weights": [[1.0, 2.0, 3.0]]}, r"class_weights of shape \(1, 3\) must hold 3 weights"),
        ({"class_weights": [1.0, -1.0, 2.0]}, r"class_weights=\[1.0, -1.0, 2.0\] must be finite weights of at least 0"),
        ({"task": "multilabel", "loss": "bce", "pos_weight": [1.0, 2.0]},
         r"pos_weight of shape \(2,\) must hold 3 weights, one per output channel \(or one number\)"),
        ({"task": "binary", "loss": "bce", "pos_weight": float("nan")}, r"pos_weight=nan must be finite"),
    ],
)
def test_loss_weights_that_do_not_fit_the_classes_are_named(arguments: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        SpatioTemporalSegmentationTask(in_channels=3, num_classes=3, hidden_dim=4, **arguments)
    SpatioTemporalSegmentationTask(in_channels=3, num_classes=3, class_weights=[1.0, 0.0, 2.0], hidden_dim=4)


def test_another_models_arguments_are_named_with_those_the_model_takes() -> None:
    message = r"SpatioTemporalSegmentationTask: model 'utae' takes no hidden_dim \(another model's arguments\?\); " \
              r"it takes T, agg_mode, .*encoder_widths"
    with pytest.raises(TypeError, match=message):
        SpatioTemporalSegmentationTask(model="utae", in_channels=3, hidden_dim=4)
    with pytest.raises(TypeError, match=r"TemporalRegressionTask: model 'ltae' takes no num_layers"):
        TemporalRegressionTask(in_channels=3, num_layers=2)  # type: ignore[call-arg]


def test_an_image_task_names_a_series_batch(tmp_path: Path) -> None:
    loader = series_loader(write_scenes(tmp_path))
    task = SemanticSegmentationTask(model="unet", backbone="resnet18", in_channels=3, num_classes=5)
    message = (r"SemanticSegmentationTask: batch\['image'\] of shape \(2, 3, 3, 16, 16\) is an image series "
               r"\(B, T, C, H, W\), and the task takes \(B, C, H, W\) images; train SpatioTemporalSegmentationTask")
    with pytest.raises(ValueError, match=message):
        fast_trainer(tmp_path).fit(task, train_dataloaders=loader)
    with pytest.raises(ValueError, match=message):
        fast_trainer(tmp_path).predict(task, loader)


class RawSeries(Dataset[dict[str, Tensor]]):
    """A user's dataset: the Sentinel-2 exports read with rasterio as they are stored, uint16 ``(T, C, H, W)``."""

    def __init__(self, root: Path) -> None:
        steps = []
        for sensed in sorted(SENSED):
            bands = [rasterio.open(root / "s2" / f"T31TGL_{sensed}_{band}_10m.tif").read(1) for band in BANDS]
            steps.append(np.stack(bands))
        self.image = torch.from_numpy(np.stack(steps).astype("int32")).to(torch.uint16)
        self.mask = torch.from_numpy(rasterio.open(root / "labels" / "labels.tif").read(1).astype("int64"))

    def __len__(self) -> int:
        return 2

    def __getitem__(self, index: int) -> dict[str, Tensor]:
        return {"image": self.image, "mask": self.mask}


@pytest.mark.parametrize("model", ["conv3dlstm", "utae"])
def test_integer_series_of_a_users_dataset_reach_every_model_as_floats(tmp_path: Path, model: str) -> None:
    loader = DataLoader(RawSeries(write_scenes(tmp_path)), batch_size=2)
    assert next(iter(loader))["image"].dtype == torch.uint16
    arguments = {"conv3dlstm": {"conv3d_dim": 4, "hidden_dim": 4},
                 "utae": {"encoder_widths": [4, 8], "decoder_widths": [4, 8], "out_conv": [4], "n_head": 2,
                          "d_model": 8}}[model]  # fmt: skip
    task = SpatioTemporalSegmentationTask(model=model, in_channels=3, num_classes=5, **arguments)
    trainer = fast_trainer(tmp_path)
    trainer.fit(task, loader, loader)
    assert torch.isfinite(trainer.callback_metrics["train_loss"])
    (probabilities, *_) = trainer.predict(task, loader) or []
    assert probabilities.dtype == torch.float32 and probabilities.shape == (2, 5, SIZE, SIZE)


def test_the_change_task_takes_pairs_and_names_other_series(tmp_path: Path) -> None:
    """Its (B, 2, C, H, W) pairs are series of two steps: they are taken (test_tasks), three steps are named."""
    loader = series_loader(write_scenes(tmp_path))
    task = ChangeDetectionTask(model="unet", backbone="resnet18", in_channels=3)
    message = (r"ChangeDetectionTask: batch\['image'\] of shape \(2, 3, 3, 16, 16\) is not pairs of images "
               r"\(B, 2, C, H, W\)")
    with pytest.raises(ValueError, match=message):
        fast_trainer(tmp_path).fit(task, train_dataloaders=loader)
