"""Tasks build registered models through the registry, with weights loaded by geotorch-models' one loader."""

from __future__ import annotations

import types
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import torch
from torch import Tensor, nn

from geotorch.core import Weights, get_model, hookimpl, plugins
from geotorch.trainers import ChangeDetectionTask, ClassificationTask, SemanticSegmentationTask
from tests.trainers.task_fakes import SyntheticDataModule, fast_trainer


@dataclass(frozen=True)
class StrangerWeights:
    """A plugin's own weights class: no geotorch.models import, only what geotorch.core.Weights asks for."""

    arch: str
    state: dict[str, Tensor] = field(repr=False)
    in_chans: int | None = 13
    bands: tuple[str, ...] = ()
    sensor: str | None = "sentinel2"
    product: str | None = None

    @property
    def name(self) -> str:
        return f"{self.arch}.stranger"

    @property
    def meta(self) -> dict[str, Any]:
        return {"model": self.arch}

    def get_state_dict(self, progress: bool = True) -> dict[str, Tensor]:
        return dict(self.state)


class StrangerSegNet(nn.Module):
    """A plugin's segmentation model, taking the task arguments under their own names."""

    def __init__(self, backbone: str = "none", in_channels: int = 3, num_classes: int = 2,
                 weights: object = None) -> None:
        super().__init__()
        self.backbone_name = backbone
        self.encoder = nn.Conv2d(in_channels, 4, 3, padding=1)
        self.decoder = nn.Conv2d(4, num_classes, 1)

    def forward(self, x: Tensor) -> Tensor:
        result: Tensor = self.decoder(self.encoder(x).relu())
        return result


@pytest.fixture
def thirteen_band_resnet18() -> nn.Module:
    torch.manual_seed(5)
    return get_model("resnet18", in_chans=13, num_classes=0)


@pytest.fixture
def stranger(thirteen_band_resnet18: nn.Module) -> Iterator[StrangerWeights]:
    weights = StrangerWeights("resnet18", thirteen_band_resnet18.state_dict())

    def register_models(register: Any) -> None:
        register(StrangerSegNet, name="StrangerSegNet", task="segmentation")

    def register_weights(register: Any) -> None:
        register(weights, name=weights.name, arch=weights.arch)

    plugin = types.SimpleNamespace(register_models=hookimpl(register_models),
                                   register_weights=hookimpl(register_weights))
    plugins.register_plugin(plugin, "stranger-plugin")
    try:
        yield weights
    finally:
        plugins.unregister_plugin("stranger-plugin")


def test_a_plugins_weights_satisfy_the_core_protocol(stranger: StrangerWeights) -> None:
    assert isinstance(stranger, Weights)


def test_a_model_registered_by_a_stranger_can_be_named_as_a_tasks_model(stranger: StrangerWeights) -> None:
    task = SemanticSegmentationTask(model="strangersegnet", backbone="resnet18", in_channels=5, num_classes=3,
                                    freeze_backbone=True)
    assert isinstance(task.model, StrangerSegNet) and task.model.backbone_name == "resnet18"
    assert task(torch.rand(2, 5, 8, 8)).shape == (2, 3, 8, 8)
    assert not any(parameter.requires_grad for parameter in task.model.encoder.parameters())
    fused = ChangeDetectionTask(model="StrangerSegNet", in_channels=5)
    assert fused(torch.rand(2, 2, 5, 8, 8)).shape == (2, 1, 8, 8)


def test_band_adaptation_is_the_same_rule_for_a_builder_and_a_task(stranger: StrangerWeights,
                                                                   thirteen_band_resnet18: nn.Module) -> None:
    with pytest.warns(match="from 13 to 6 bands by position"):
        built = get_model("unet", weights="resnet18.stranger", encoder_name="tu-resnet18", in_chans=6, classes=2)
    with pytest.warns(match="from 13 to 6 bands by position"):
        task = SemanticSegmentationTask(model="unet", backbone="resnet18", weights="resnet18.stranger",
                                        in_channels=6, num_classes=2)
    expected = thirteen_band_resnet18.conv1.weight[:, :6] * 13 / 6
    torch.testing.assert_close(built.encoder.model.conv1.weight, expected)
    torch.testing.assert_close(task.model.encoder.model.conv1.weight, expected)
    with pytest.warns(match="from 13 to 6 bands by position"):
        classifier = ClassificationTask(model="resnet18", weights="resnet18.stranger", in_channels=6, num_classes=2)
    torch.testing.assert_close(classifier.model.conv1.weight, expected)


def test_a_lightning_checkpoint_written_by_a_task_loads_through_weights_path(tmp_path: Path) -> None:
    trained = ClassificationTask(model="resnet18", in_channels=3, num_classes=4)
    trainer = fast_trainer(tmp_path)
    trainer.fit(trained, datamodule=SyntheticDataModule("class"))
    checkpoint = tmp_path / "classifier.ckpt"
    trainer.save_checkpoint(checkpoint)
    fresh = ClassificationTask(model="resnet18", in_channels=3, num_classes=4, weights=str(checkpoint))
    for name, value in trained.model.state_dict().items():
        assert torch.equal(fresh.model.state_dict()[name], value), name
    segmenter = SemanticSegmentationTask(model="unet", backbone="resnet18", in_channels=3, num_classes=2,
                                         weights=str(checkpoint))
    for name, value in trained.model.state_dict().items():
        if not name.startswith("fc."):
            assert torch.equal(segmenter.model.encoder.model.state_dict()[name], value), name


def test_a_checkpoint_with_a_wrong_shaped_key_is_refused_by_a_task_naming_it(tmp_path: Path) -> None:
    state = ClassificationTask(model="resnet18", in_channels=3, num_classes=4).state_dict()
    state["model.layer2.0.conv1.weight"] = torch.zeros(1)
    path = tmp_path / "bad.pth"
    torch.save(state, path)
    with pytest.raises(ValueError, match=r"shapes differ for \['layer2\.0\.conv1\.weight \(1,\)"):
        ClassificationTask(model="resnet18", in_channels=3, num_classes=4, weights=str(path))
