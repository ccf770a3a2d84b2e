"""RGBBandsMissingError: TorchGeo's error for a plot whose red, green and blue bands are not all in the image."""

from __future__ import annotations

import pickle

import pytest
import torch

from geotorch.core import RGBBandsMissingError, plot_sample


def test_it_is_a_value_error_with_torchgeo_s_message() -> None:
    error = RGBBandsMissingError()
    assert isinstance(error, ValueError)
    assert str(error) == "Dataset does not contain some of the RGB bands"
    assert str(RGBBandsMissingError("B03 missing")) == "Dataset does not contain some of the RGB bands: B03 missing"


def test_it_pickles_with_its_detail() -> None:
    error = pickle.loads(pickle.dumps(RGBBandsMissingError("B03 missing")))
    assert isinstance(error, RGBBandsMissingError)
    assert error.detail == "B03 missing"
    assert str(error) == str(RGBBandsMissingError("B03 missing"))


def test_plot_sample_raises_it_for_rgb_indices_beyond_the_image() -> None:
    with pytest.raises(RGBBandsMissingError, match=r"rgb_indices \[3, 2, 1\] exceed the image's 2 channels"):
        plot_sample({"image": torch.rand(2, 4, 4)}, rgb_indices=[3, 2, 1])
