"""RandomGrayscale for any number of bands."""

from __future__ import annotations

import pytest
import torch

from geotorch.transforms import RandomGrayscale


def test_random_grayscale_replaces_every_band_with_the_average_of_all_bands() -> None:
    image = torch.arange(13.0).view(1, 13, 1, 1).expand(2, 13, 3, 3)
    out = RandomGrayscale(p=1.0)(image)
    assert torch.equal(out, torch.full((2, 13, 3, 3), 6.0))


def test_random_grayscale_weighs_the_bands_as_told() -> None:
    image = torch.tensor([1.0, 2.0, 4.0]).view(1, 3, 1, 1)
    out = RandomGrayscale(weights=[1.0, 0.0, 3.0], p=1.0)(image)
    assert torch.equal(out, torch.full((1, 3, 1, 1), (1.0 + 12.0) / 4.0))


def test_random_grayscale_with_p_zero_leaves_the_image_as_it_was() -> None:
    image = torch.rand(4, 5, 3, 3)
    assert torch.equal(RandomGrayscale(p=0.0)(image), image)


def test_random_grayscale_turns_grey_only_the_images_drawn() -> None:
    torch.manual_seed(0)
    image = torch.rand(64, 3, 2, 2)
    grayscale = RandomGrayscale(p=0.5)
    out = grayscale(image)
    drawn = grayscale._params["batch_prob"] > 0.5
    assert 0 < int(drawn.sum()) < 64
    assert torch.equal(out[~drawn], image[~drawn])
    torch.testing.assert_close(out[drawn], image[drawn].mean(dim=1, keepdim=True).expand(-1, 3, -1, -1))


def test_random_grayscale_keeps_a_single_image_shape_with_keepdim() -> None:
    assert RandomGrayscale(p=1.0, keepdim=True)(torch.rand(13, 4, 4)).shape == (13, 4, 4)


def test_random_grayscale_with_weights_for_another_band_count_names_both_shapes() -> None:
    with pytest.raises(ValueError, match=r"weights has 3 values but the image, shape \(1, 13, 2, 2\), has 13 bands"):
        RandomGrayscale(weights=[1.0, 1.0, 1.0], p=1.0)(torch.rand(1, 13, 2, 2))


@pytest.mark.parametrize("weights", [[1.0, -1.0], [0.0, 0.0]])
def test_random_grayscale_refuses_negative_or_all_zero_weights(weights: list[float]) -> None:
    with pytest.raises(ValueError, match="non-negative and not all zero"):
        RandomGrayscale(weights=weights)
