"""Scale-MAE codes each patch by its row and column on any grid: rectangular chips and dynamic image sizes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import rasterio
import torch
from rasterio.transform import from_origin

from geotorch.models import ScaleMAE

SMALL = {"patch_size": 16, "embed_dim": 32, "depth": 1, "num_heads": 2, "num_classes": 0}


def _strip(path: Path, height: int = 64, width: int = 256) -> torch.Tensor:
    """Write an 8-bit RGB strip (a road corridor's chip, 0.6 m, Web Mercator) and read it as ``(1, 3, H, W)``."""
    pixels = np.random.default_rng(2).integers(0, 256, (3, height, width), dtype=np.uint8)
    profile = {"driver": "GTiff", "width": width, "height": height, "count": 3, "dtype": "uint8",
               "crs": "EPSG:3857", "transform": from_origin(-8237000, 4970000, 0.6, 0.6), "photometric": "RGB"}
    with rasterio.open(path, "w", **profile) as dataset:
        dataset.write(pixels)
    with rasterio.open(path) as dataset:
        return torch.from_numpy(dataset.read().astype(np.float32) / 255).unsqueeze(0)


def _codes(model: ScaleMAE, rows: int, cols: int) -> torch.Tensor:
    """The position code the model adds to a ``rows`` x ``cols`` grid of zero patch tokens, ``(rows, cols, D)``."""
    with torch.no_grad():
        tokens = model._pos_embed(torch.zeros(1, rows * cols, model.embed_dim))
    return tokens[0, model.num_prefix_tokens :].reshape(rows, cols, -1)


def test_a_rectangular_grid_codes_each_patch_by_its_row_and_column(tmp_path) -> None:
    torch.manual_seed(0)
    strip = ScaleMAE(img_size=(64, 256), res=2.0, **SMALL).eval()
    square = ScaleMAE(img_size=256, res=2.0, **SMALL).eval()
    # Patch (r, c) of the 4 x 16 strip is where patch (r, c) of the 16 x 16 square is.
    torch.testing.assert_close(_codes(strip, 4, 16), _codes(square, 16, 16)[:4], rtol=0, atol=1e-6)
    with torch.no_grad():
        assert strip(_strip(tmp_path / "corridor.tif")).shape == (1, 32)


def test_dynamic_image_sizes_give_what_a_model_built_for_the_size_gives(tmp_path) -> None:
    torch.manual_seed(0)
    built = ScaleMAE(img_size=(64, 256), res=0.5, **SMALL).eval()
    dynamic = ScaleMAE(img_size=224, res=0.5, dynamic_img_size=True, **SMALL).eval()
    dynamic.load_state_dict({key: value for key, value in built.state_dict().items() if key != "pos_embed"},
                            strict=False)
    image = _strip(tmp_path / "corridor.tif")
    with torch.no_grad():
        torch.testing.assert_close(dynamic(image), built(image))
        assert dynamic(image[..., :48, :80]).shape == (1, 32)


@pytest.mark.parametrize("res", [0.0, -0.6, float("nan"), float("inf")])
def test_a_resolution_that_is_no_positive_number_is_refused(tmp_path, res) -> None:
    with pytest.raises(ValueError, match=rf"ScaleMAE: res={res} must be a positive number"):
        ScaleMAE(img_size=(64, 256), res=res, **SMALL)
    model = ScaleMAE(img_size=(64, 256), res=0.6, **SMALL).eval()
    model.res = res  # set later, as a loop over resolutions does
    with pytest.raises(ValueError, match=rf"ScaleMAE: res={res} must be a positive number"):
        model(_strip(tmp_path / "corridor.tif"))


def test_res_is_documented_as_the_publishers_unitless_scale_not_metres() -> None:
    # The publisher's code multiplies positions by base_resolution x a crop's ratio (pretraining) and by
    # 1.0 x 512 / image size (evaluation): a ratio of pixel sizes. A GSD in metres (10 for Sentinel-2) would put
    # every patch far outside the positions the model was trained on.
    from geotorch.core import get_weight

    notes = get_weight("scalemae_large_patch16.fmow_rgb_scalemae").meta["notes"]
    assert "res=" in notes and "(metres)" not in notes and "unitless" in notes
    assert "unitless" in (ScaleMAE.__doc__ or "") and "not metres per pixel" in (ScaleMAE.__doc__ or "")
