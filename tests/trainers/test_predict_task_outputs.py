"""Outputs a task's channels can give: a ``multilabel`` task's labels and a regression task's values."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import rasterio
import torch
from lightning.pytorch import LightningModule

from geotorch.trainers import (
    GeoTIFFPredictionWriter,
    PixelwiseRegressionTask,
    SemanticSegmentationTask,
    SpatioTemporalPixelwiseRegressionTask,
    SpatioTemporalSegmentationTask,
    TemporalRegressionTask,
)
from geotorch.trainers.predict import predict_raster
from tests.core.rasters import write_raster
from tests.trainers.test_predict_raster import TRANSFORM
from tests.trainers.test_predict_writer_input import files_in, run, scene


def image_file(folder: Path) -> tuple[Path, np.ndarray]:
    """A 3-band float32 GeoTIFF of 24 x 30 px of reflectances, and its pixels."""
    image = np.random.default_rng(3).uniform(0, 1, (3, 24, 30)).astype("float32")
    return write_raster(folder / "scene.tif", image, "EPSG:32633", TRANSFORM), image


def multilabel_task() -> SemanticSegmentationTask:
    torch.manual_seed(0)
    return SemanticSegmentationTask(
        model="fcn", in_channels=3, task="multilabel", num_labels=3, num_filters=8, loss="bce", labels=["a", "b", "c"]
    )


def logits_of(task: LightningModule, image: np.ndarray) -> torch.Tensor:
    """The task's logits ``(K, H, W)`` for the whole image (one window covers it)."""
    task.eval()
    with torch.inference_mode():
        return task(torch.from_numpy(image)[None])[0]


def test_multilabel_probabilities_are_a_sigmoid_per_label_not_a_softmax_across_them(tmp_path: Path) -> None:
    path, image = image_file(tmp_path / "in")
    task = multilabel_task()
    expected = torch.sigmoid(logits_of(task, image)).numpy()
    halves = predict_raster(
        task, path, tmp_path / "half", patch_size=(24, 30), output="probabilities", probability_dtype="float16"
    )[0]
    quantised = predict_raster(task, path, tmp_path / "uint8", patch_size=(24, 30), output="probabilities")[0]
    with rasterio.open(halves) as source:
        written = source.read()
        assert source.descriptions == ("probability of a", "probability of b", "probability of c")
    # Labels are each present or not: their probabilities do not sum to 1 (a softmax's did, 0.22 off here).
    assert abs(float(expected.sum(axis=0).mean()) - 1.0) > 0.3
    np.testing.assert_allclose(written, expected, atol=5e-4)
    with rasterio.open(quantised) as source:
        assert np.abs(source.read().astype(int) - np.round(expected * 254)).max() <= 1


def test_classes_of_a_multilabel_task_are_refused_naming_it_before_anything_is_written(tmp_path: Path) -> None:
    path, _ = image_file(tmp_path / "in")
    with pytest.raises(ValueError, match=r"output='classes'.*task='multilabel'.*'probabilities'"):
        predict_raster(multilabel_task(), path, tmp_path / "out", patch_size=16)
    assert files_in(tmp_path / "out") == []


@pytest.mark.parametrize("output", ["classes", "probabilities"])
def test_classes_or_probabilities_of_a_regression_are_refused_and_scores_are_its_values(
    tmp_path: Path, output: str
) -> None:
    path, image = image_file(tmp_path / "in")
    torch.manual_seed(0)
    task = PixelwiseRegressionTask(model="fcn", in_channels=3, num_filters=8)
    # Before, the default 'classes' wrote class 1 wherever the value passed 0 (every pixel here).
    with pytest.raises(ValueError, match=rf"output='{output}'.*PixelwiseRegressionTask predicts values.*'scores'"):
        predict_raster(task, path, tmp_path / "out", patch_size=(24, 30), output=output)  # type: ignore[arg-type]
    assert files_in(tmp_path / "out") == []
    written = predict_raster(task, path, tmp_path / "scores", patch_size=(24, 30), output="scores")[0]
    with rasterio.open(written) as source:
        np.testing.assert_allclose(source.read(), logits_of(task, image).numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(
    ("task", "output"),
    [
        (lambda: PixelwiseRegressionTask(model="fcn", in_channels=3, num_filters=8), "classes"),
        (lambda: PixelwiseRegressionTask(model="fcn", in_channels=3, num_filters=8), "probabilities"),
        (multilabel_task, "classes"),
    ],
)
def test_the_writer_refuses_outputs_a_task_cannot_give_before_the_model_runs(
    tmp_path: Path, task: object, output: str
) -> None:
    scene(tmp_path / "in")
    module = task()  # type: ignore[operator]
    ran: list[int] = []
    module.register_forward_hook(lambda *_: ran.append(1))
    with pytest.raises(ValueError, match=rf"output='{output}'.*(predicts values|task='multilabel')"):
        run(tmp_path, module, GeoTIFFPredictionWriter(tmp_path / "out", output=output))  # type: ignore[arg-type]
    assert ran == []
    assert files_in(tmp_path / "out") == []


@pytest.mark.parametrize(
    ("task", "takes"),
    [
        (lambda: SpatioTemporalSegmentationTask(model="convlstm", in_channels=3, num_classes=4), "image series"),
        (lambda: SpatioTemporalPixelwiseRegressionTask(model="utae", in_channels=3), "image series"),
        (lambda: TemporalRegressionTask(in_channels=3), "sequences"),
    ],
    ids=["segmentation", "pixelwise regression", "sequences"],
)
def test_a_task_of_series_is_refused_before_anything_is_read_or_written(
    tmp_path: Path, task: Callable[[], LightningModule], takes: str
) -> None:
    # It failed inside the model, after the input was opened and read ("ConvLSTM takes image series ..."), or not.
    path, _ = image_file(tmp_path / "in")
    model = task()
    with pytest.raises(ValueError, match=rf"predict_raster: {type(model).__name__} takes {takes} \(B, T, "):
        predict_raster(model, path, tmp_path / "out", patch_size=16, output="scores")
    assert not (tmp_path / "out").exists()
