"""``predict_raster`` over rasters holding NaN or infinite pixels: those pixels are nodata, their neighbours are not."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np
import pytest
import rasterio
import torch
from torch import nn

from geotorch.trainers.predict import predict_raster
from tests.core.rasters import write_raster
from tests.trainers.test_predict_raster import TRANSFORM, reference


def conv(bands: int = 1, classes: int = 3) -> nn.Module:
    """A 3 x 3 convolution: a NaN it is given reaches the 8 pixels around it."""
    torch.manual_seed(0)
    return nn.Conv2d(bands, classes, 3, padding=1).eval()


def expected_classes(net: nn.Module, image: np.ndarray, size: int, overlap: int) -> np.ndarray:
    """The classes of ``image`` with its non-finite pixels given to the model as 0 and written as nodata (255)."""
    missing = ~np.isfinite(image).all(axis=0)
    filled = np.where(missing, 0.0, image).astype("float32")
    classes = reference(net, filled, size, overlap, probabilities=True).argmax(dim=0).numpy().astype("uint8")
    classes[missing] = 255
    return classes


@pytest.mark.parametrize("num_workers", [0, 2])
def test_nan_and_infinite_pixels_of_a_raster_without_nodata_are_nodata_and_spread_to_no_neighbour(
    tmp_path: Path, num_workers: int
) -> None:
    # An NDVI-like float32 product declaring no nodata: NaN where it was undefined, +-inf where a ratio blew up.
    image = np.random.default_rng(5).uniform(-1, 1, (2, 30, 40)).astype("float32")
    image[0, 5:9, 10:20] = np.nan
    image[1, 20, 3] = np.inf
    image[:, 25, 33] = -np.inf
    path = write_raster(tmp_path / "in" / "ndvi.tif", image, "EPSG:32633", TRANSFORM)
    net = conv(bands=2)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        (written,) = predict_raster(
            net, path, tmp_path / "out", patch_size=16, overlap=4, batch_size=3, num_workers=num_workers
        )
    with rasterio.open(written) as result:
        np.testing.assert_array_equal(result.read(1), expected_classes(net, image, 16, 4))
    said = [str(warning.message) for warning in caught if "NaN or infinite" in str(warning.message)]
    assert said == [
        f"predict_raster: {path} holds NaN or infinite values that are not its nodata at 42 pixels of its output "
        "(its own pixels, or those of its warp onto crs=); they reach the model as pixels without data (each band's "
        "nodata value, else 0) and are nodata in the output"
    ]


def test_a_raster_of_nan_nodata_smaller_than_a_window_is_padded_with_no_nan(tmp_path: Path) -> None:
    image = np.random.default_rng(6).uniform(0, 1, (1, 20, 25)).astype("float32")
    image[0, 3:6, 4:9] = np.nan  # declared nodata: no warning
    path = write_raster(tmp_path / "in" / "small.tif", image, "EPSG:32633", TRANSFORM, nodata=np.nan)
    net = conv()
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=re.escape("predict_raster: ") + ".*NaN or infinite")
        (written,) = predict_raster(net, path, tmp_path / "out", patch_size=32, overlap=8)
    with rasterio.open(written) as result:
        np.testing.assert_array_equal(result.read(1), expected_classes(net, image, 32, 8))
