"""Segmentation models: every architecture takes 13 bands; encoders accept GeoTorch backbone weights."""

from __future__ import annotations

import pytest
import torch

from geotorch.core import get_model
from geotorch.models import BandAdaptationWarning
from geotorch.models.backbones import resnet18
from geotorch.models.segmentation import segmentation_model

ARCHITECTURES = ["unet", "unetplusplus", "deeplabv3plus", "fpn", "pspnet"]


@pytest.mark.parametrize("arch", ARCHITECTURES)
def test_thirteen_bands_go_end_to_end(arch: str) -> None:
    model = get_model(arch, encoder_name="tu-resnet18", in_chans=13, classes=4).eval()
    with torch.no_grad():
        assert model(torch.randn(2, 13, 64, 64)).shape == (2, 4, 64, 64)


@pytest.mark.parametrize("encoder_name", ["tu-resnet18", "resnet18"])
def test_encoder_carries_the_backbone_weights(publish, encoder_name: str) -> None:
    backbone = resnet18(in_chans=13, num_classes=0)
    weights = publish(backbone, "resnet18")
    model = get_model("unet", weights=weights, encoder_name=encoder_name, classes=2)
    encoder = model.encoder.model if encoder_name.startswith("tu-") else model.encoder
    for name, tensor in backbone.state_dict().items():
        torch.testing.assert_close(encoder.state_dict()[name], tensor)


def test_encoder_defaults_to_the_weights_architecture_and_adapts_bands(publish) -> None:
    backbone = resnet18(in_chans=13, num_classes=0)
    weights = publish(backbone, "resnet18")
    with pytest.warns(BandAdaptationWarning):
        model = segmentation_model("fpn", weights=weights, in_chans=6, classes=3).eval()
    torch.testing.assert_close(model.encoder.model.conv1.weight, backbone.conv1.weight[:, :6] * 13 / 6)
    with torch.no_grad():
        assert model(torch.randn(1, 6, 64, 64)).shape == (1, 3, 64, 64)


def test_weights_for_another_encoder_are_refused(publish) -> None:
    weights = publish(resnet18(in_chans=13, num_classes=0), "resnet18")
    with pytest.raises(ValueError, match="not encoder 'tu-resnet50'"):
        segmentation_model("unet", weights=weights, encoder_name="tu-resnet50")


def test_unknown_architecture_is_named() -> None:
    with pytest.raises(KeyError, match="unknown segmentation architecture 'segformer3'"):
        segmentation_model("segformer3")
