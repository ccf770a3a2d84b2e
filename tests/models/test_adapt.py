"""The first-layer adaptation rule, on its own."""

from __future__ import annotations

from pathlib import Path

import pytest
import rasterio
import torch
from torch.nn.functional import conv2d

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


REAL = Path(__file__).resolve().parents[3] / "shared" / "data" / "real"


def test_one_band_takes_the_sum_of_the_kernels_the_response_to_it_repeated() -> None:
    """ImageNet weights on a grey hillshade: red's kernel times 3 answered otherwise than RGB weights to grey."""
    source = REAL / "shade.tif"
    if not source.is_file():
        pytest.skip(f"real geodata not found at {REAL.resolve()} (the project root's ../shared/data/real)")
    with rasterio.open(source) as dataset:
        grey = torch.from_numpy(dataset.read(1, window=((256, 320), (256, 320))).astype("float32"))[None, None]
    torch.manual_seed(0)
    weight = torch.randn(8, 3, 3, 3)
    adapted = adapt_input_weight(weight, 1)
    assert adapted.shape == (8, 1, 3, 3)
    expected = conv2d(grey.expand(1, 3, 64, 64), weight)
    torch.testing.assert_close(conv2d(grey, adapted), expected, rtol=1e-5, atol=1e-3)
    # By name, the one band chosen keeps its own slice (times S / T).
    torch.testing.assert_close(adapt_input_weight(weight, 1, ["R", "G", "B"], ["G"]), weight[:, [1]] * 3)
