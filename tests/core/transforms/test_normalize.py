"""Per-band normalisation: mean and std, min and max, percentiles."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import rasterio
import rasterio.windows
import torch

from geotorch.transforms import AugmentationSequential, MinMaxNormalize, Normalize, PercentileNormalize


def test_normalize_standardises_each_band_with_its_own_mean_and_std() -> None:
    image = torch.tensor([10.0, 20.0, 30.0]).view(1, 3, 1, 1).expand(2, 3, 2, 2)
    out = Normalize(mean=[8.0, 20.0, 40.0], std=[2.0, 5.0, 5.0])(image)
    torch.testing.assert_close(out, torch.tensor([1.0, 0.0, -2.0]).view(1, 3, 1, 1).expand(2, 3, 2, 2))


def test_normalize_with_one_mean_and_std_applies_them_to_every_band() -> None:
    image = torch.rand(1, 13, 2, 2)
    torch.testing.assert_close(Normalize(mean=0.5, std=0.25)(image), (image - 0.5) / 0.25)


def test_normalize_with_another_band_count_names_both_shapes() -> None:
    with pytest.raises(ValueError, match=r"Normalize: mean has 3 values but the image, shape \(1, 13, 2, 2\), has 13"):
        Normalize(mean=[0.0, 0.0, 0.0], std=[1.0, 1.0, 1.0])(torch.rand(1, 13, 2, 2))


def test_normalize_refuses_a_std_that_is_not_positive() -> None:
    with pytest.raises(ValueError, match="std must be positive"):
        Normalize(mean=[0.0, 0.0], std=[1.0, 0.0])


def test_normalize_refuses_mean_and_std_of_different_lengths() -> None:
    with pytest.raises(ValueError, match="mean has 2 values and std 3"):
        Normalize(mean=[0.0, 0.0], std=[1.0, 1.0, 1.0])


def test_normalize_refuses_an_integer_image() -> None:
    with pytest.raises(ValueError, match=r"dtype torch.uint8 and shape \(1, 2, 2, 2\)"):
        Normalize(mean=0.0, std=1.0)(torch.zeros(1, 2, 2, 2, dtype=torch.uint8))


def test_min_max_normalize_maps_each_band_range_to_zero_one() -> None:
    image = torch.tensor([[0.0, 500.0, 1000.0], [100.0, 150.0, 200.0]]).view(1, 2, 1, 3)
    out = MinMaxNormalize(mins=[0.0, 100.0], maxs=[1000.0, 200.0])(image)
    torch.testing.assert_close(out, torch.tensor([[0.0, 0.5, 1.0], [0.0, 0.5, 1.0]]).view(1, 2, 1, 3))


def test_min_max_normalize_clips_only_when_asked() -> None:
    image = torch.tensor([-100.0, 1100.0]).view(1, 1, 1, 2)
    torch.testing.assert_close(MinMaxNormalize(mins=0.0, maxs=1000.0)(image)[0, 0, 0], torch.tensor([-0.1, 1.1]))
    clipped = MinMaxNormalize(mins=0.0, maxs=1000.0, clip=True)(image)
    torch.testing.assert_close(clipped[0, 0, 0], torch.tensor([0.0, 1.0]))


def test_min_max_normalize_refuses_a_maximum_not_above_its_minimum() -> None:
    with pytest.raises(ValueError, match="greater than its minimum"):
        MinMaxNormalize(mins=[0.0, 5.0], maxs=[1.0, 5.0])


def test_percentile_normalize_stretches_each_image_and_band_between_its_own_percentiles() -> None:
    image = torch.rand(2, 3, 8, 9) * torch.tensor([1.0, 100.0, 1e4]).view(1, 3, 1, 1)
    out = PercentileNormalize(low=2, high=98, clip=False)(image)
    pixels = image.flatten(2).numpy()
    low = torch.from_numpy(np.percentile(pixels, 2, axis=-1)).float()[..., None, None]
    high = torch.from_numpy(np.percentile(pixels, 98, axis=-1)).float()[..., None, None]
    torch.testing.assert_close(out, (image - low) / (high - low))


def test_percentile_normalize_clips_to_zero_one_by_default() -> None:
    image = torch.arange(100.0).view(1, 1, 10, 10)
    out = PercentileNormalize(low=10, high=90)(image)
    assert out.min() == 0.0
    assert out.max() == 1.0
    torch.testing.assert_close(out[0, 0, 5, 0], torch.tensor((50 - 9.9) / (89.1 - 9.9)))


def test_percentile_normalize_maps_a_constant_band_to_zero() -> None:
    out = PercentileNormalize()(torch.full((1, 2, 4, 4), 7.0))
    assert torch.equal(out, torch.zeros(1, 2, 4, 4))


@pytest.mark.parametrize(("low", "high"), [(-1, 98), (2, 101), (50, 50), (98, 2)])
def test_percentile_normalize_refuses_percentiles_out_of_order_or_range(low: float, high: float) -> None:
    with pytest.raises(ValueError, match="0 <= low < high <= 100"):
        PercentileNormalize(low=low, high=high)


def test_normalisation_touches_the_image_but_not_the_mask() -> None:
    mask = torch.randint(0, 5, (2, 4, 4))
    augment = AugmentationSequential(Normalize(mean=0.5, std=0.1), MinMaxNormalize(mins=-5.0, maxs=5.0))
    out = augment({"image": torch.full((2, 3, 4, 4), 0.5), "mask": mask})
    torch.testing.assert_close(out["image"], torch.full((2, 3, 4, 4), 0.5))
    assert torch.equal(out["mask"], mask)


def test_percentile_normalize_leaves_nodata_pixels_out_of_the_percentiles(real_data: Path) -> None:
    # A 64 x 16 window at RGB.byte.tif's west edge: 2166 of its 3 x 1024 pixels are nodata (0), read as NaN.
    with rasterio.open(real_data / "RGB.byte.tif") as src:
        window = rasterio.windows.Window(40, 300, 64, 16)
        pixels = src.read(window=window, masked=True).astype(np.float32).filled(np.nan)
    image = torch.from_numpy(pixels).unsqueeze(0)
    out = PercentileNormalize(low=2, high=98, clip=False)(image)[0]
    low, high = (np.nanpercentile(pixels, q, axis=(1, 2))[:, None, None] for q in (2, 98))
    assert np.isnan(pixels).sum() == 2166
    np.testing.assert_array_equal(torch.isnan(out).numpy(), np.isnan(pixels))
    np.testing.assert_allclose(out.numpy(), (pixels - low) / (high - low), rtol=1e-5, atol=1e-6)


def test_percentile_normalize_keeps_a_band_of_nan_alone_nan() -> None:
    image = torch.stack([torch.full((3, 3), torch.nan), torch.arange(9.0).view(3, 3)]).unsqueeze(0)
    out = PercentileNormalize(low=0, high=100)(image)[0]
    assert torch.isnan(out[0]).all()
    torch.testing.assert_close(out[1], torch.arange(9.0).view(3, 3) / 8)


@pytest.mark.parametrize("statistic", ["mean", "std"])
def test_statistics_computed_over_nodata_nan_pixels_are_refused(real_data: Path, statistic: str) -> None:
    # Band statistics of a window holding nodata read as NaN, computed with numpy's mean and std:
    # NaN, which made every pixel NaN.
    with rasterio.open(real_data / "RGB.byte.tif") as src:
        pixels = (
            src.read(window=rasterio.windows.Window(40, 300, 64, 16), masked=True).astype(np.float32).filled(np.nan)
        )
    statistics = {"mean": pixels.mean(axis=(1, 2)).tolist(), "std": pixels.std(axis=(1, 2)).tolist()}
    statistics["mean" if statistic == "std" else "std"] = np.nanmean(pixels, axis=(1, 2)).tolist()
    with pytest.raises(ValueError, match=rf"{statistic}=\[nan, nan, nan\] must be finite numbers"):
        Normalize(**statistics)


@pytest.mark.parametrize(("mins", "maxs"), [(0.0, float("nan")), (float("-inf"), 255.0), ([0.0, float("nan")], 1.0)])
def test_min_max_normalize_refuses_a_range_that_is_not_finite(mins: object, maxs: object) -> None:
    with pytest.raises(ValueError, match="must be finite numbers"):
        MinMaxNormalize(mins=mins, maxs=maxs)  # type: ignore[arg-type]
