"""Every task runs a fast_dev_run (fit, test, predict) on small generated chips."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import torch

from geotorch.core import get_task, list_tasks
from geotorch.trainers import (
    ChangeDetectionTask,
    ClassificationTask,
    MultiLabelClassificationTask,
    PixelwiseRegressionTask,
    RegressionTask,
)
from tests.trainers.task_fakes import SyntheticDataModule, fast_trainer

CASES: list[tuple[type[Any], dict[str, Any], str, str]] = [
    (ClassificationTask, {"model": "resnet18", "num_classes": 4}, "class", "val_OverallAccuracy"),
    (MultiLabelClassificationTask, {"model": "resnet18", "num_classes": 4}, "multilabel", "val_F1Score"),
    (RegressionTask, {"model": "resnet18"}, "value", "val_RMSE"),
    (PixelwiseRegressionTask, {"model": "unet", "backbone": "resnet18"}, "pixels", "val_MAE"),
    (ChangeDetectionTask, {"model": "fcsiamdiff", "backbone": "resnet18"}, "change", "val_JaccardIndex"),
    (ChangeDetectionTask, {"model": "unet", "backbone": "resnet18"}, "change", "val_F1Score"),
]


@pytest.mark.parametrize(("task_class", "arguments", "kind", "metric"), CASES,
                         ids=[f"{case[0].__name__}-{case[1]['model']}" for case in CASES])
def test_every_task_fits_tests_and_predicts(tmp_path: Path, task_class: type[Any], arguments: dict[str, Any],
                                            kind: str, metric: str) -> None:
    task = task_class(in_channels=3, **arguments)
    datamodule = SyntheticDataModule(kind)
    trainer = fast_trainer(tmp_path)
    trainer.fit(task, datamodule=datamodule)
    assert torch.isfinite(trainer.callback_metrics["train_loss"])
    assert metric in trainer.callback_metrics
    trainer.test(task, datamodule=datamodule)
    assert metric.replace("val_", "test_") in trainer.callback_metrics
    predictions = trainer.predict(task, datamodule=datamodule)
    assert predictions is not None and torch.isfinite(predictions[0]).all()


def test_every_task_is_registered_and_built_by_name() -> None:
    assert {"SemanticSegmentationTask", "ClassificationTask", "MultiLabelClassificationTask", "RegressionTask",
            "PixelwiseRegressionTask", "ChangeDetectionTask"} <= set(list_tasks())
    task = get_task("ClassificationTask", model="resnet18", num_classes=3)
    assert isinstance(task, ClassificationTask)


def test_classification_accepts_the_older_torchgeo_spelling_and_linear_probing() -> None:
    task = ClassificationTask(classification_model="resnet18", learning_rate=0.01, num_classes=3,
                              freeze_backbone=True)
    assert task.hparams["model"] == "resnet18" and task.hparams["lr"] == 0.01
    trainable = [name for name, parameter in task.model.named_parameters() if parameter.requires_grad]
    assert trainable == ["fc.weight", "fc.bias"]


def test_any_timm_architecture_classifies() -> None:
    task = ClassificationTask(model="mobilenetv3_small_050", in_channels=5, num_classes=3)
    assert task(torch.rand(2, 5, 32, 32)).shape == (2, 3)


def test_an_unknown_change_model_lists_the_known_ones() -> None:
    with pytest.raises(ValueError, match=r"fcsiamconc, fcsiamdiff, deeplabv3plus, deeplabv3\+, .*unet, unetplusplus"):
        ChangeDetectionTask(model="siamese")


@pytest.mark.parametrize("scheduler", ["cosine", "none"])
def test_schedulers_configure(tmp_path: Path, scheduler: str) -> None:
    task = RegressionTask(model="resnet18", scheduler=scheduler)
    fast_trainer(tmp_path).fit(task, datamodule=SyntheticDataModule("value"))


def test_an_unknown_scheduler_is_refused() -> None:
    with pytest.raises(ValueError, match="scheduler='step' must be one of plateau, cosine, none"):
        RegressionTask(model="resnet18", scheduler="step")


def torchgeo_score_names(split: str, classwise: list[str]) -> set[str]:
    """The per-epoch names TorchGeo 0.10.1's classification tasks log for a split."""
    scores = ("Accuracy", "Precision", "Recall", "F1Score", "JaccardIndex")
    names = {f"{split}_{average}{score}" for average in ("Overall", "Average") for score in scores}
    return names | {f"{split}_Classwise{score}_{label}" for score in scores for label in classwise}


@pytest.mark.parametrize("loss", ["bce", "dice"])
def test_binary_classification_trains_and_logs_torchgeos_scores(tmp_path: Path, loss: str) -> None:
    task = ClassificationTask(model="resnet18", in_channels=3, task="binary", loss=loss)
    datamodule = SyntheticDataModule("class", classes=2)
    trainer = fast_trainer(tmp_path)
    trainer.fit(task, datamodule=datamodule)
    assert torchgeo_score_names("val", []) | torchgeo_score_names("train", []) <= set(trainer.callback_metrics)
    predictions = trainer.predict(task, datamodule=datamodule)
    assert predictions is not None and predictions[0].shape == (2,)
    assert predictions[0].min() >= 0 and predictions[0].max() <= 1


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        # torchmetrics' "Expected argument `num_classes` to be an integer larger than 1", naming no task.
        ({"num_classes": 1}, ValueError, r"ClassificationTask: num_classes=1 with task='multiclass', which needs "
                                         r"2 or more; one class per image, present or not, is task='binary'"),
        ({"task": "multilabel", "num_labels": 1}, ValueError, r"num_labels=1 with task='multilabel'"),
        # torch's errors from the head's Linear layer.
        ({"num_classes": 2.5}, ValueError, r"ClassificationTask: num_classes=2.5 must be a whole number"),
        ({"num_classes": -3}, ValueError, r"ClassificationTask: num_classes=-3 must be >= 1"),
        ({"task": "multilabel"}, ValueError, r"task='multilabel' needs num_labels, the labels per image"),
    ],
)
def test_classification_counts_are_checked_as_the_segmentation_tasks_are(
    arguments: dict[str, object], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        ClassificationTask(model="resnet18", in_channels=3, **arguments)  # type: ignore[arg-type]


def test_multilabel_classification_logs_classwise_scores_by_label_name(tmp_path: Path) -> None:
    names = ["water", "forest", "crops", "urban"]
    task = ClassificationTask(model="resnet18", in_channels=3, task="multilabel", num_labels=4, loss="bce",
                              labels=names)
    legacy = MultiLabelClassificationTask(model="resnet18", in_channels=3, num_classes=4)
    assert (legacy.hparams["task"], legacy.hparams["num_labels"], legacy.hparams["loss"]) == ("multilabel", 4, "bce")
    trainer = fast_trainer(tmp_path)
    trainer.fit(task, datamodule=SyntheticDataModule("multilabel"))
    assert torchgeo_score_names("val", names) <= set(trainer.callback_metrics)
