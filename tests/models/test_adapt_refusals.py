"""adapt=False refuses first layers it would have to change, saying what differs and what would fit."""

from __future__ import annotations

import pytest
import torch

from geotorch.core import WeightsMismatchError, get_model
from geotorch.models.backbones import resnet18
from geotorch.models.weights_catalog.bands import SENTINEL2_ALL


@pytest.fixture
def published(publish):
    torch.manual_seed(9)
    return publish(resnet18(in_chans=13, num_classes=0), "resnet18")


def test_the_weights_bands_in_another_order_are_named_as_such(published) -> None:
    reordered = list(reversed(SENTINEL2_ALL))
    # was: '... trained on 13 bands [...], the model takes 13; build it with in_chans=13, or allow adapt=True'
    with pytest.raises(WeightsMismatchError, match=r"the model takes them in another order, \['B12', 'B11'.*\]; "
                                                   r"give bands in the weights' order, or allow adapt=True$"):
        get_model("resnet18", weights=published, bands=reordered, adapt=False)


def test_another_band_count_still_says_the_count_to_build_with(published) -> None:
    with pytest.raises(WeightsMismatchError, match=r"the model takes 3; build it with in_chans=13, or allow adapt"):
        get_model("resnet18", weights=published, bands=["B04", "B03", "B02"], adapt=False)


def test_reordered_bands_with_adapt_take_each_its_own_kernel(published) -> None:
    reordered = list(reversed(SENTINEL2_ALL))
    with pytest.warns(UserWarning, match="adapted"):
        model = get_model("resnet18", weights=published, bands=reordered, num_classes=0)
    torch.manual_seed(9)
    saved = resnet18(in_chans=13, num_classes=0)
    assert torch.equal(model.conv1.weight, saved.conv1.weight.flip(1))
