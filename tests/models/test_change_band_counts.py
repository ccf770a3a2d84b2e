"""FC-Siam models take their band count as every GeoTorch builder does, and refuse one that is no count."""

from __future__ import annotations

import pytest
import torch

from geotorch.core import get_model
from geotorch.models.backbones import resnet18


@pytest.mark.parametrize("builder", ["FCSiamDiff", "FCSiamConc"])
def test_in_chans_builds_an_encoder_of_that_many_bands(builder: str) -> None:
    model = get_model(builder, in_chans=4, classes=2).eval()  # was TypeError: multiple values for 'in_chans'
    with torch.no_grad():
        assert model(torch.rand(1, 2, 4, 64, 64)).shape == (1, 2, 64, 64)


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ({"in_channels": 0}, ValueError, r"in_channels=0 must be 1 or more"),  # built a 0-band encoder
        ({"in_channels": 2.5}, TypeError, r"in_channels=2\.5 must be a whole number"),
        ({"in_chans": 4, "in_channels": 5}, ValueError, r"FCSiamDiff: in_chans=4 and in_channels=5 disagree"),
    ],
)
def test_a_band_count_that_is_none_or_disagrees_is_refused(arguments, error, message) -> None:
    with pytest.raises(error, match=message):
        get_model("FCSiamDiff", **arguments)


def test_weights_for_other_bands_are_adapted_to_in_chans(publish) -> None:
    torch.manual_seed(8)
    weights = publish(resnet18(in_chans=13, num_classes=0), "resnet18")
    with pytest.warns(UserWarning, match="adapted from 13 to 4 bands"):
        model = get_model("FCSiamDiff", weights=weights, in_chans=4)
    assert model.encoder.conv1.weight.shape == (64, 4, 7, 7)
