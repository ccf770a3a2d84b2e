"""in_chans that is no number of bands is refused naming it, before any model is built or weights are read."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from geotorch.core import get_model
from geotorch.models.backbones import resnet18


@pytest.fixture
def published(publish):
    """Sentinel-2 weights (13 bands) of resnet18, served over HTTP as published weights are."""
    torch.manual_seed(4)
    return publish(resnet18(in_chans=13, num_classes=0), "resnet18")


@pytest.mark.parametrize(
    ("in_chans", "error", "message"),
    [
        (0, ValueError, r"in_chans=0 must be 1 or more"),  # ZeroDivisionError in the band adaptation
        (-1, ValueError, r"in_chans=-1 must be 1 or more"),  # torch's 'negative dimension -1: \[64, -1, 7, 7\]'
        (2.0, TypeError, r"in_chans=2\.0 must be a whole number"),  # torch's 'type must be tuple of ints'
        (True, TypeError, r"in_chans=True must be a whole number"),  # built with 1 band, silently
        ("3", TypeError, r"in_chans='3' must be a whole number"),  # 'not all arguments converted ...'
    ],
)
@pytest.mark.parametrize("builder", ["resnet18", "unet", "swin_v2_t"])
def test_in_chans_that_is_no_band_count_is_refused_naming_it(published, builder, in_chans, error, message) -> None:
    weights = published if builder != "swin_v2_t" else None
    with pytest.raises(error, match=message):
        get_model(builder, weights=weights, in_chans=in_chans)


def test_a_numpy_band_count_is_taken(published) -> None:
    with pytest.warns(UserWarning, match="adapted from 13 to 4 bands"):
        model = get_model("resnet18", weights=published, in_chans=np.int64(4), num_classes=0)
    assert model.conv1.weight.shape == (64, 4, 7, 7)


@pytest.mark.parametrize(
    ("in_chans", "error"), [(0, ValueError), (True, TypeError), (2.0, TypeError)]
)
def test_scale_mae_refuses_in_chans_that_is_no_band_count(in_chans, error) -> None:
    # in_chans=0 built a patch embedding of no band, silently; True one band
    with pytest.raises(error, match=rf"in_chans={in_chans!r} must be"):
        get_model("scalemae_large_patch16", in_chans=in_chans, img_size=32, depth=1)
