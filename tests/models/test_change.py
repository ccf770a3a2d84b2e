"""FC-Siam-diff and FC-Siam-conc take a pair of multispectral images and predict change per pixel."""

from __future__ import annotations

import pytest
import torch

from geotorch.core import get_model
from geotorch.models import FCSiamConc, FCSiamDiff
from geotorch.models.backbones import resnet18


@pytest.mark.parametrize("name", ["FCSiamDiff", "FCSiamConc"])
def test_a_thirteen_band_pair_gives_a_change_map(name: str) -> None:
    model = get_model(name, in_channels=13, classes=2).eval()
    with torch.no_grad():
        assert model(torch.randn(2, 2, 13, 64, 64)).shape == (2, 2, 64, 64)


def test_identical_dates_give_zero_differences_to_the_decoder() -> None:
    model = FCSiamDiff(in_channels=4).eval()
    image = torch.randn(1, 4, 32, 32)
    features = model.encoder(image)
    assert all(torch.count_nonzero(model.fuse(f, f)) == 0 for f in features)


def test_the_shared_encoder_loads_backbone_weights(publish) -> None:
    backbone = resnet18(in_chans=13, num_classes=0)
    model = FCSiamConc(in_channels=13, weights=publish(backbone, "resnet18"))
    torch.testing.assert_close(model.encoder.conv1.weight, backbone.conv1.weight)


def test_a_single_image_is_refused() -> None:
    with pytest.raises(ValueError, match=r"expected a \(B, 2, C, H, W\) pair"):
        FCSiamDiff(in_channels=3)(torch.randn(1, 3, 32, 32))
