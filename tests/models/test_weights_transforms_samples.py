"""Weights' transforms as a dataset's ``transforms=``: TorchGeo's ``Dataset(transforms=weights.transforms)``."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import rasterio
import torch
from rasterio.transform import from_origin

from geotorch.core import RasterDataset, get_weight


def _l1c_scene(root: Path, size: int = 32) -> np.ndarray:
    """Write a 13-band Sentinel-2 L1C scene (uint16 DN, UTM 10 m) as one GeoTIFF; return its pixels."""
    pixels = np.random.default_rng(7).integers(0, 12000, (13, size, size), dtype=np.uint16)
    profile = {"driver": "GTiff", "width": size, "height": size, "count": 13, "dtype": "uint16",
               "crs": "EPSG:32631", "transform": from_origin(300000, 5000000, 10, 10)}
    with rasterio.open(root / "S2A_MSIL1C_20200601T104031_T31UDQ.tif", "w", **profile) as dataset:
        dataset.write(pixels)
    return pixels


def test_a_dataset_given_the_weights_transforms_hands_the_model_preprocessed_images(tmp_path) -> None:
    pixels = _l1c_scene(tmp_path)
    weights = get_weight("resnet18.sentinel2_all_moco")
    dataset = RasterDataset(tmp_path, transforms=weights.transforms)
    sample = dataset[dataset.bounds]
    expected = weights.transforms(torch.from_numpy(pixels.astype(np.float32)))
    torch.testing.assert_close(sample["image"], expected, rtol=0, atol=0)
    assert sample["crs"] == dataset.crs and "bounds" in sample


def test_a_sample_without_an_image_is_named() -> None:
    weights = get_weight("resnet18.sentinel2_all_moco")
    with pytest.raises(KeyError, match=r"no 'image' to preprocess \(keys: \['mask'\]\)"):
        weights.transforms({"mask": torch.zeros(1, 4, 4, dtype=torch.long)})
