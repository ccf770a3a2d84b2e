"""DOFA's inputs as users give them: a Sentinel-2 GeoTIFF's bands with their wavelengths, in the published weights."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import rasterio
import torch
from rasterio.transform import from_origin

from geotorch.models import DOFA, load_pretrained

#: Red, green, blue and near infrared of Sentinel-2A, as a user stacks them, and their central wavelengths.
BANDS = ("B04", "B03", "B02", "B08")
MICROMETRES = (0.665, 0.560, 0.490, 0.842)


def _tiny() -> DOFA:
    return DOFA(img_size=32, embed_dim=32, depth=1, num_heads=2, num_classes=4).eval()


def _scene(path: Path, size: int = 32) -> torch.Tensor:
    """Write a 4-band Sentinel-2 L2A chip (uint16 reflectance DN, UTM) and read it back as ``(1, 4, H, W)`` floats."""
    pixels = np.random.default_rng(0).integers(200, 4000, (len(BANDS), size, size), dtype=np.uint16)
    profile = {"driver": "GTiff", "width": size, "height": size, "count": len(BANDS), "dtype": "uint16",
               "crs": "EPSG:32633", "transform": from_origin(500000, 4000000, 10, 10)}
    with rasterio.open(path, "w", **profile) as dataset:
        dataset.write(pixels)
        dataset.descriptions = BANDS
    with rasterio.open(path) as dataset:
        return torch.from_numpy(dataset.read().astype(np.float32) / 10000).unsqueeze(0)


@pytest.fixture
def pretrained(publish) -> DOFA:
    """A DOFA whose weights come from a checkpoint served over HTTP, as the published ones are."""
    torch.manual_seed(5)
    weights = publish(_tiny(), "dofa_test", bands=())
    model = _tiny()
    load_pretrained(model, weights, progress=False)
    return model


@pytest.mark.parametrize(
    "wavelengths",
    [[665.0, 560.0, 490.0, 842.0], [0.665, 0.560, 490.0, 0.842]],
    ids=["nanometres", "one-in-nanometres"],
)
def test_wavelengths_in_nanometres_are_refused_saying_the_unit(pretrained, tmp_path, wavelengths) -> None:
    image = _scene(tmp_path / "T33TUM_20240601_10m.tif")
    refused = r"490\.0.*above 16; DOFA takes .* micrometres .* nanometres\? divide them by 1000"
    with pytest.raises(ValueError, match=refused):
        pretrained(image, wavelengths)


@pytest.mark.parametrize("wavelength", [0.0, -0.665, float("nan"), float("inf")])
def test_a_wavelength_that_is_no_positive_number_is_refused(pretrained, tmp_path, wavelength) -> None:
    image = _scene(tmp_path / "T33TUM_20240601_10m.tif")
    with pytest.raises(ValueError, match="positive numbers"):
        pretrained(image, [0.665, 0.560, wavelength, 0.842])


def test_micrometres_of_optical_and_thermal_bands_are_taken(pretrained, tmp_path) -> None:
    image = _scene(tmp_path / "T33TUM_20240601_10m.tif")
    with torch.no_grad():
        assert pretrained(image, MICROMETRES).shape == (1, 4)
        assert pretrained(image, [0.665, 0.560, 10.895, 12.005]).isfinite().all()


@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float16, torch.float64], ids=str)
def test_a_model_cast_to_another_precision_runs_in_it(pretrained, tmp_path, dtype) -> None:
    image = _scene(tmp_path / "T33TUM_20240601_10m.tif")
    with torch.no_grad():
        reference = pretrained(image, MICROMETRES)
        cast = pretrained.to(dtype)(image.to(dtype), MICROMETRES)
    assert cast.dtype == dtype
    torch.testing.assert_close(cast.float(), reference, rtol=0.05, atol=0.05)


@pytest.mark.parametrize(("height", "width"), [(16, 64), (24, 24)], ids=["as-many-patches-as-built-for", "fewer"])
def test_an_image_of_another_size_is_refused_naming_img_size(pretrained, tmp_path, height, width) -> None:
    # Built for 32 x 32 px: 3 x 3 patches (padding 1); 16 x 64 px also gives 9 patches, as 1 x 9 (rows, columns).
    image = _scene(tmp_path / "T33TUM_20240601_10m.tif", size=64)[..., :height, :width]
    message = rf"DOFA was built for 32 x 32 px images \(img_size=32\), got {height} x {width}: build it with img_size="
    with pytest.raises(ValueError, match=message):
        pretrained(image, MICROMETRES)


@pytest.mark.parametrize(
    "wavelengths",
    [[55465.0, 55465.0], [55.465, 55.465]],
    ids=["c-band-in-micrometres", "c-band-in-millimetres"],
)
def test_a_radar_wavelength_is_refused_naming_dofas_convention_for_sar(pretrained, tmp_path, wavelengths) -> None:
    # Sentinel-1's VV and VH, whose C band (5.405 GHz) is 5.55 cm long; DOFA's publishers give it 5.405.
    image = _scene(tmp_path / "S1A_IW_GRDH_20240601_VV_VH.tif")[:, :2]
    with pytest.raises(ValueError, match=r"SAR bands take 5\.405 .*not their radar wavelength"):
        pretrained(image, wavelengths)


def test_sar_bands_given_dofas_value_are_taken(pretrained, tmp_path) -> None:
    image = _scene(tmp_path / "S1A_IW_GRDH_20240601_VV_VH.tif")[:, :2]
    with torch.no_grad():
        assert pretrained(image, [5.405, 5.405]).isfinite().all()
