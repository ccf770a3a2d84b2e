"""RCF takes images as they are read: integer pixels, any float precision; wrong bands and sizes are named."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import rasterio
import torch
from rasterio.windows import Window

from geotorch.models import RCF

REAL = Path(__file__).resolve().parents[3] / "shared" / "data" / "real"
needs_real = pytest.mark.skipif(not REAL.is_dir(), reason="../shared/data/real is not here (a fresh clone has none)")


def _chip(size: int = 64) -> torch.Tensor:
    """A ``(1, 3, size, size)`` uint8 chip from the middle of the real Landsat 7 subset, read with rasterio."""
    with rasterio.open(REAL / "RGB.byte.tif") as dataset:
        pixels = dataset.read(window=Window(360, 330, size, size))
    assert pixels.dtype == np.uint8
    return torch.from_numpy(pixels).unsqueeze(0)


@needs_real
@pytest.mark.parametrize("dtype", [torch.uint8, torch.int16, torch.float16, torch.bfloat16, torch.float64], ids=str)
def test_images_of_any_real_dtype_give_the_float32_features(dtype) -> None:
    chip = _chip()
    model = RCF(in_channels=3, features=16, seed=0)
    expected = model(chip.float())
    features = model(chip.to(dtype))
    tolerance = 0.05 if dtype in (torch.float16, torch.bfloat16) else 1e-5
    torch.testing.assert_close(features.float(), expected, rtol=tolerance, atol=tolerance)
    assert features.dtype == (dtype if dtype.is_floating_point else torch.float32)


@needs_real
def test_images_of_another_band_count_are_refused_naming_in_channels() -> None:
    chip = _chip()
    with pytest.raises(ValueError, match=r"RCF: images of 3 bands, but the filters take 4 \(in_channels=4\)"):
        RCF(in_channels=4, features=16, seed=0)(chip)


@needs_real
def test_images_smaller_than_the_filters_are_refused() -> None:
    chip = _chip(size=2)
    with pytest.raises(ValueError, match=r"RCF: images of 2 x 2 px are smaller than the 3 x 3 px filters"):
        RCF(in_channels=3, features=16, seed=0)(chip)
