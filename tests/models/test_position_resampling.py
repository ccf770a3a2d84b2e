"""Pretrained ViT position embeddings are resampled onto the grid the model is built for, rectangular ones too."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import rasterio
import torch
from rasterio.transform import from_origin
from timm.layers.pos_embed import resample_abs_pos_embed

from geotorch.models.backbones import vit_small_patch16_224


def _chip(path: Path, height: int, width: int) -> torch.Tensor:
    """Write a 13-band Sentinel-2 L1C chip (uint16 DN, UTM 10 m) and read it as ``(1, 13, H, W)`` reflectance."""
    pixels = np.random.default_rng(4).integers(100, 5000, (13, height, width), dtype=np.uint16)
    profile = {"driver": "GTiff", "width": width, "height": height, "count": 13, "dtype": "uint16",
               "crs": "EPSG:32632", "transform": from_origin(600000, 5200000, 10, 10)}
    with rasterio.open(path, "w", **profile) as dataset:
        dataset.write(pixels)
    with rasterio.open(path) as dataset:
        return torch.from_numpy(dataset.read().astype(np.float32) / 10000).unsqueeze(0)


@pytest.mark.parametrize(("height", "width"), [(32, 128), (48, 80)], ids=["2x8-as-many-tokens", "3x5"])
def test_a_square_checkpoint_is_resampled_onto_a_rectangular_grid(publish, tmp_path, height, width) -> None:
    torch.manual_seed(0)
    trained = vit_small_patch16_224(in_chans=13, img_size=64, num_classes=0)  # a 4 x 4 grid of patches
    weights = publish(trained, "vit_small_patch16_224")
    model = vit_small_patch16_224(weights=weights, img_size=(height, width), num_classes=0).eval()
    grid = [height // 16, width // 16]
    expected = resample_abs_pos_embed(trained.pos_embed.detach(), new_size=grid, old_size=[4, 4], num_prefix_tokens=1)
    torch.testing.assert_close(model.pos_embed.detach(), expected, rtol=0, atol=0)
    torch.testing.assert_close(model.blocks[0].attn.qkv.weight, trained.blocks[0].attn.qkv.weight, rtol=0, atol=0)
    with torch.no_grad():
        assert model(_chip(tmp_path / "T32TMT_20230815.tif", height, width)).shape == (1, 384)


def test_a_square_grid_of_another_size_is_resampled_as_before(publish, tmp_path) -> None:
    torch.manual_seed(0)
    trained = vit_small_patch16_224(in_chans=13, img_size=64, num_classes=0)
    weights = publish(trained, "vit_small_patch16_224")
    model = vit_small_patch16_224(weights=weights, img_size=32, num_classes=0).eval()
    expected = resample_abs_pos_embed(trained.pos_embed.detach(), new_size=[2, 2], old_size=[4, 4], num_prefix_tokens=1)
    torch.testing.assert_close(model.pos_embed.detach(), expected, rtol=0, atol=0)
    with torch.no_grad():
        assert model(_chip(tmp_path / "T32TMT_20230815.tif", 32, 32)).shape == (1, 384)
