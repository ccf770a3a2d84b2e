"""Every classifying task checks class_weights and pos_weight against its classes when it is built."""

from __future__ import annotations

from typing import Any

import pytest

from geotorch.trainers import (
    ChangeDetectionTask,
    ClassificationTask,
    MultiLabelClassificationTask,
    SemanticSegmentationTask,
)

TASKS: list[tuple[type[Any], dict[str, Any]]] = [
    (ClassificationTask, {"model": "resnet18"}),
    (SemanticSegmentationTask, {"model": "fcn", "num_filters": 4}),
    (ChangeDetectionTask, {"model": "unet", "backbone": "resnet18", "task": "multiclass", "loss": "ce"}),
]

BAD_WEIGHTS = [
    ({"class_weights": [1.0, 2.0]}, r"class_weights of shape \(2,\) must hold 3 weights, one per class"),
    ({"class_weights": [[1.0, 2.0, 3.0]]}, r"class_weights of shape \(1, 3\) must hold 3 weights"),
    ({"class_weights": [1.0, -1.0, 2.0]}, r"class_weights=\[1.0, -1.0, 2.0\] must be finite weights of at least 0"),
    ({"class_weights": [1.0, float("nan"), 2.0]}, r"class_weights=\[1.0, nan, 2.0\] must be finite"),
    ({"class_weights": ["a", "b", "c"]}, r"class_weights=\['a', 'b', 'c'\] must be numbers"),
]


@pytest.mark.parametrize(("task_class", "arguments"), TASKS, ids=lambda value: getattr(value, "__name__", ""))
@pytest.mark.parametrize(("weights", "message"), BAD_WEIGHTS)
def test_class_weights_that_are_not_one_weight_per_class_are_refused_at_construction(
    task_class: type[Any], arguments: dict[str, Any], weights: dict[str, Any], message: str
) -> None:
    owner = task_class.__name__
    with pytest.raises(ValueError, match=f"{owner}: {message}"):
        task_class(**arguments, in_channels=3, num_classes=3, **weights)


@pytest.mark.parametrize(("task_class", "arguments"), TASKS[:2], ids=lambda value: getattr(value, "__name__", ""))
def test_pos_weight_of_another_count_than_the_labels_is_refused_at_construction(
    task_class: type[Any], arguments: dict[str, Any]
) -> None:
    with pytest.raises(ValueError, match=r"pos_weight of shape \(2,\) must hold 3 weights, one per output channel"):
        task_class(**arguments, task="multilabel", num_labels=3, loss="bce", pos_weight=[1.0, 2.0])
    with pytest.raises(ValueError, match=r"pos_weight=\[-2.0\] must be finite weights of at least 0"):
        task_class(**arguments, task="binary", loss="bce", pos_weight=[-2.0])


def test_fitting_weights_are_kept_as_given() -> None:
    task = SemanticSegmentationTask(model="fcn", num_filters=4, num_classes=3, class_weights=[1.0, 0.0, 2.0])
    assert task.criterion.weight.tolist() == [1.0, 0.0, 2.0]
    labels = MultiLabelClassificationTask(model="resnet18", num_classes=3, pos_weight=[1.0, 2.0, 3.0])
    assert labels.criterion.pos_weight.tolist() == [1.0, 2.0, 3.0]
    binary = ClassificationTask(model="resnet18", task="binary", loss="bce", pos_weight=2.0)
    assert float(binary.criterion.pos_weight) == 2.0
