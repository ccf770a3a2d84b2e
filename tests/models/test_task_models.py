"""FarSeg, the FCN baseline and Random Convolutional Features on multispectral input."""

from __future__ import annotations

import pytest
import torch

from geotorch.core import get_model
from geotorch.models import FCN, RCF, FarSeg
from geotorch.models.backbones import resnet18


def test_farseg_segments_thirteen_bands() -> None:
    model = get_model("FarSeg", backbone="resnet18", in_channels=13, classes=5).eval()
    with torch.no_grad():
        assert model(torch.randn(2, 13, 64, 64)).shape == (2, 5, 64, 64)


def test_farseg_backbone_loads_weights(publish) -> None:
    backbone = resnet18(in_chans=13, num_classes=0)
    model = FarSeg(backbone="resnet18", in_channels=13, weights=publish(backbone, "resnet18"))
    torch.testing.assert_close(model.backbone.conv1.weight, backbone.conv1.weight)


def test_fcn_keeps_the_image_size() -> None:
    model = get_model("FCN", in_channels=13, classes=3, num_filters=8)
    assert model(torch.randn(2, 13, 32, 32)).shape == (2, 3, 32, 32)
    assert isinstance(model, FCN)


def test_fcn_refuses_another_band_count() -> None:
    with pytest.raises(RuntimeError, match=r"expected input.* to have 13 channels"):
        FCN(in_channels=13, classes=3)(torch.randn(1, 6, 32, 32))


def test_gaussian_rcf_gives_reproducible_features() -> None:
    first = RCF(in_channels=13, features=16, seed=7)
    second = get_model("RCF", in_channels=13, features=16, seed=7)
    image = torch.rand(2, 13, 32, 32)
    assert first(image).shape == (2, 16)
    torch.testing.assert_close(first(image), second(image))
    assert first(image[0]).shape == (16,)


def test_empirical_rcf_draws_whitened_patches_from_a_dataset() -> None:
    dataset = [{"image": torch.rand(13, 16, 16)} for _ in range(4)]
    model = RCF(in_channels=13, features=8, kernel_size=3, seed=0, mode="empirical", dataset=dataset)
    assert model.weights.shape == (4, 13, 3, 3)
    assert model(torch.rand(1, 13, 32, 32)).shape == (1, 8)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"features": 15}, "features must be even"),
        ({"mode": "empirical"}, "needs dataset"),
        ({"mode": "random"}, "unknown mode 'random'"),
        ({"mode": "empirical", "dataset": [{"image": torch.rand(3, 8, 8)}]}, "must have 13 bands"),
    ],
)
def test_rcf_refuses_bad_arguments(kwargs, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        RCF(in_channels=13, **kwargs)
