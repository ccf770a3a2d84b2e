"""freeze_backbone and freeze_decoder freeze the part they name, or are refused when the model has no such part."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import rasterio
import torch
from torch import Tensor, nn
from torch.utils.data import DataLoader

from geotorch.trainers import ChangeDetectionTask, ClassificationTask, PixelwiseRegressionTask, SemanticSegmentationTask
from tests.datasets.fakes.geo import reflectance, write_raster
from tests.trainers.task_fakes import fast_trainer


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


def chips_of_a_geotiff(tmp_path: Path) -> list[dict[str, Tensor]]:
    """Four 32 x 32 chips read from a 3-band uint16 GeoTIFF, each with a mask and a label."""
    path = write_raster(tmp_path / "scene.tif", np.stack([reflectance((64, 64), seed) for seed in range(3)]),
                        32633, 500000.0, 4600000.0, 10.0)
    with rasterio.open(path) as source:
        image = torch.from_numpy(source.read().astype("float32")) / 10000
    chips = [image[:, top:top + 32, left:left + 32] for top in (0, 32) for left in (0, 32)]
    return [{"image": chip, "mask": (chip[0] > 1.35).long(), "label": torch.tensor(index % 2)}
            for index, chip in enumerate(chips)]


def running_statistics(module: nn.Module) -> list[Tensor]:
    return [buffer.clone() for name, buffer in module.named_buffers() if name.endswith(("running_mean", "running_var"))]


@pytest.mark.parametrize(
    ("task", "frozen", "trained"),
    [
        (lambda: SemanticSegmentationTask(model="unet", backbone="resnet18", num_classes=2, freeze_backbone=True,
                                          lr=0.1), "encoder", "decoder"),
        (lambda: ClassificationTask(model="resnet18", num_classes=2, freeze_backbone=True, lr=0.1), "layer4", "fc"),
    ],
    ids=["segmentation", "classification"],
)
def test_a_frozen_part_keeps_its_batch_normalisation_statistics_while_the_rest_trains(
    tmp_path: Path, task: Callable[[], Any], frozen: str, trained: str
) -> None:
    built = task()
    frozen_part: nn.Module = built.model.get_submodule(frozen)
    trained_part: nn.Module = built.model.get_submodule(trained)
    statistics, weights = running_statistics(frozen_part), [p.clone() for p in frozen_part.parameters()]
    head = [parameter.clone() for parameter in trained_part.parameters()]
    chips = chips_of_a_geotiff(tmp_path)
    fast_trainer(tmp_path).fit(built, train_dataloaders=DataLoader(chips[:2], batch_size=2),
                               val_dataloaders=DataLoader(chips[2:], batch_size=2))
    assert statistics, "the frozen part has batch normalisation layers"
    assert all(torch.equal(old, new) for old, new in zip(statistics, running_statistics(frozen_part), strict=True))
    assert all(torch.equal(old, new) for old, new in zip(weights, frozen_part.parameters(), strict=True))
    assert not all(torch.equal(old, new) for old, new in zip(head, trained_part.parameters(), strict=True))
    built.eval().train()
    assert not any(module.training for module in frozen_part.modules() if isinstance(module, nn.BatchNorm2d))
