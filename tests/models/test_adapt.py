"""The first-layer adaptation rule, on its own."""

from __future__ import annotations

import pytest
import torch

from geotorch.models import adapt_input_weight
from geotorch.models.weights_catalog.bands import SENTINEL2_ALL


def test_fewer_bands_keep_the_first_slices_scaled_by_the_band_ratio() -> None:
    weight = torch.randn(8, 13, 3, 3)
    adapted = adapt_input_weight(weight, 6)
    torch.testing.assert_close(adapted, weight[:, :6] * 13 / 6)


def test_more_bands_repeat_the_pretrained_slices_cyclically() -> None:
    weight = torch.randn(8, 3, 3, 3)
    adapted = adapt_input_weight(weight, 7)
    torch.testing.assert_close(adapted, weight[:, [0, 1, 2, 0, 1, 2, 0]] * 3 / 7)


def test_an_input_of_equal_bands_keeps_its_response_when_the_count_is_a_multiple() -> None:
    weight = torch.randn(4, 3, 1, 1)
    adapted = adapt_input_weight(weight, 12)
    torch.testing.assert_close(adapted.sum(dim=1), weight.sum(dim=1))


def test_named_bands_select_the_matching_slices() -> None:
    weight = torch.randn(8, 13, 3, 3)
    adapted = adapt_input_weight(weight, 3, SENTINEL2_ALL, ["B4", "B3", "B2"])
    torch.testing.assert_close(adapted, weight[:, [3, 2, 1]] * 13 / 3)


def test_same_bands_in_the_same_order_are_left_alone() -> None:
    weight = torch.randn(8, 13, 3, 3)
    assert adapt_input_weight(weight, 13) is weight


def test_a_band_the_weights_lack_is_refused() -> None:
    with pytest.raises(ValueError, match=r"\['SWIR3'\] are not among the pretrained bands"):
        adapt_input_weight(torch.randn(8, 13, 3, 3), 2, SENTINEL2_ALL, ["B4", "SWIR3"])


def test_band_names_must_match_in_chans() -> None:
    with pytest.raises(ValueError, match="bands lists 2 names but in_chans is 3"):
        adapt_input_weight(torch.randn(8, 13, 3, 3), 3, SENTINEL2_ALL, ["B4", "B3"])
