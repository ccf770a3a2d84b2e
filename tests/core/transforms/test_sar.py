"""LeeFilter: Lee's speckle filter keeps flat images, reduces speckle, keeps edges, and checks its arguments."""

from __future__ import annotations

import pytest
import torch

from geotorch.transforms import AugmentationSequential, LeeFilter


def speckled(signal: torch.Tensor, looks: int, seed: int = 0) -> torch.Tensor:
    """``signal`` times L-look intensity speckle: the mean of ``looks`` unit-mean exponential draws per pixel."""
    generator = torch.Generator().manual_seed(seed)
    draws = torch.empty((looks, *signal.shape)).exponential_(1.0, generator=generator)
    return signal * draws.mean(dim=0)


def test_a_constant_image_is_returned_unchanged() -> None:
    image = torch.full((2, 3, 32, 40), 0.25)
    out = LeeFilter(window_size=7, num_looks=1.0)(image)
    assert out.shape == image.shape
    torch.testing.assert_close(out, image)


def test_speckle_variance_drops_and_the_mean_is_kept() -> None:
    signal = torch.full((1, 1, 96, 96), 2.0)
    noisy = speckled(signal, looks=4)
    out = LeeFilter(window_size=7, num_looks=4.0)(noisy)
    assert out.var().item() < noisy.var().item() / 5
    assert out.mean().item() == pytest.approx(noisy.mean().item(), rel=0.02)


def test_an_edge_between_two_flat_areas_stays_sharp() -> None:
    # Left half 1, right half 100, little speckle (50 looks): windows straddling the edge hold far more
    # variance than speckle explains, so the gain is near 1 there and the step survives (a mean filter
    # of 5 pixels would leave a step of 99 / 5 between neighbouring columns).
    image = torch.ones(1, 1, 32, 32)
    image[..., 16:] = 100.0
    out = LeeFilter(window_size=5, num_looks=50.0)(image)
    step = out[..., 16] - out[..., 15]
    assert bool((step > 0.9 * 99).all())
    torch.testing.assert_close(out[..., :13], image[..., :13])
    torch.testing.assert_close(out[..., 19:], image[..., 19:])


def test_each_band_is_filtered_on_its_own() -> None:
    image = torch.stack([speckled(torch.full((24, 24), 1.0), 1, seed=1), torch.full((24, 24), 7.0)]).unsqueeze(0)
    out = LeeFilter(window_size=3)(image)
    torch.testing.assert_close(out[0, 1], image[0, 1])
    torch.testing.assert_close(out[0, :1], LeeFilter(window_size=3)(image[:, :1])[0])


def test_images_smaller_than_the_window_are_filtered() -> None:
    out = LeeFilter(window_size=7)(torch.full((1, 1, 2, 3), 5.0))
    torch.testing.assert_close(out, torch.full((1, 1, 2, 3), 5.0))


def test_masks_pass_through_augmentation_sequential_untouched() -> None:
    batch = {"image": speckled(torch.full((2, 1, 16, 16), 3.0), 1), "mask": torch.randint(0, 4, (2, 16, 16))}
    out = AugmentationSequential(LeeFilter(window_size=3), data_keys=["image", "mask"])(dict(batch))
    assert torch.equal(out["mask"], batch["mask"])
    assert out["image"].var() < batch["image"].var()


def test_float16_images_keep_their_dtype() -> None:
    out = LeeFilter(window_size=3)(torch.full((1, 1, 8, 8), 0.5, dtype=torch.float16))
    assert out.dtype == torch.float16


@pytest.mark.parametrize("window_size", [0, 4, -3, 2.0])
def test_window_size_must_be_a_positive_odd_number(window_size: object) -> None:
    with pytest.raises(ValueError, match="window_size"):
        LeeFilter(window_size=window_size)  # type: ignore[arg-type]


@pytest.mark.parametrize("num_looks", [0, -1.0, float("nan")])
def test_num_looks_must_be_positive(num_looks: float) -> None:
    with pytest.raises(ValueError, match="num_looks"):
        LeeFilter(num_looks=num_looks)
