"""freeze_backbone and freeze_decoder freeze the part they name, or are refused when the model has no such part."""

from __future__ import annotations

from typing import Any

import pytest

from geotorch.trainers import ChangeDetectionTask, PixelwiseRegressionTask, SemanticSegmentationTask


@pytest.mark.parametrize(
    ("task_class", "arguments"),
    [
        (SemanticSegmentationTask, {"num_classes": 3}),
        (PixelwiseRegressionTask, {}),
        (ChangeDetectionTask, {}),
    ],
    ids=lambda value: getattr(value, "__name__", ""),
)
def test_freeze_decoder_of_a_model_without_a_decoder_is_refused(task_class: type[Any],
                                                                 arguments: dict[str, Any]) -> None:
    owner = task_class.__name__
    message = rf"{owner}: freeze_decoder=True but model='fcn' has no decoder to freeze \(its parts: .*backbone.*\)"
    with pytest.raises(ValueError, match=message):
        task_class(model="fcn", num_filters=4, freeze_decoder=True, **arguments)


def test_freeze_flags_freeze_exactly_the_part_they_name() -> None:
    task = SemanticSegmentationTask(model="unet", backbone="resnet18", num_classes=3, freeze_backbone=True)
    network: Any = task.model
    assert not any(parameter.requires_grad for parameter in network.encoder.parameters())
    assert all(parameter.requires_grad for parameter in network.decoder.parameters())
    fcn = SemanticSegmentationTask(model="fcn", num_filters=4, num_classes=3, freeze_backbone=True)
    fcn_network: Any = fcn.model
    assert not any(parameter.requires_grad for parameter in fcn_network.backbone.parameters())
    assert all(parameter.requires_grad for parameter in fcn_network.last.parameters())
