"""LeeFilter: Lee's speckle filter keeps flat images, reduces speckle, keeps edges, and checks its arguments."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest
import rasterio
import torch
from numpy.lib.stride_tricks import sliding_window_view

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


def nan_lee_reference(pixels: np.ndarray, window_size: int, num_looks: float) -> np.ndarray:
    """Lee's filter of one ``H x W`` band by numpy, each window's statistics over its non-NaN pixels."""
    half = window_size // 2
    windows = sliding_window_view(np.pad(pixels, half, mode="reflect"), (window_size, window_size))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # windows of NaN alone: their pixel is NaN anyway
        mean = np.nanmean(windows, axis=(-2, -1))
        variance = np.maximum(np.nanmean(windows**2, axis=(-2, -1)) - mean**2, 0)
    speckle = mean**2 / num_looks
    signal = np.maximum(variance - speckle, 0)
    gain = signal / (signal + speckle + 1e-8)
    return np.where(np.isnan(pixels), np.nan, mean + gain * (pixels - mean))


@pytest.mark.real_data
def test_nodata_nan_pixels_are_left_out_of_the_windows_and_stay_nan(real_data: Path) -> None:
    # float_raster_with_nodata.tif: 12 x 13 values from 0 to 0.25, 58 pixels nodata (read as NaN). Each NaN
    # pixel blanked the windows holding it: 33 of the 98 valid pixels came out NaN (91 NaN in all).
    with rasterio.open(real_data / "float_raster_with_nodata.tif") as src:
        pixels = src.read(1, masked=True).astype(np.float64).filled(np.nan)
    assert np.isnan(pixels).sum() == 58
    out = LeeFilter(window_size=3, num_looks=4)(torch.from_numpy(pixels)[None, None])[0, 0].numpy()
    np.testing.assert_array_equal(np.isnan(out), np.isnan(pixels))
    np.testing.assert_allclose(out, nan_lee_reference(pixels, 3, 4), rtol=1e-9, atol=1e-12)
