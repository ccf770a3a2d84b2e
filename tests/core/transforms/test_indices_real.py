"""EVI, SAVI and MNDWI (TorchGeo 0.10's indices) on a real Landsat 7 raster, against values computed by hand."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import rasterio
import torch

from geotorch.transforms import AppendEVI, AppendMNDWI, AppendNDVI, AppendSAVI, AugmentationSequential


def landsat_reflectances(real_data: Path) -> np.ndarray:
    """The first 64 x 64 pixels of RGB.byte.tif's three bands, scaled to [0, 1] as float64, ``3 x 64 x 64``."""
    with rasterio.open(real_data / "RGB.byte.tif") as src:
        window = rasterio.windows.Window(300, 300, 64, 64)
        return src.read(window=window).astype(np.float64) / 255.0


def test_real_window_is_not_flat(real_data: Path) -> None:
    bands = landsat_reflectances(real_data)
    assert all(band.std() > 0 for band in bands), "the window must vary for the comparisons below to mean anything"


def test_evi_matches_the_formula_pixel_by_pixel(real_data: Path) -> None:
    bands = landsat_reflectances(real_data)
    # The three bands stand in for NIR, red and blue: the check is of the arithmetic, not the physics.
    nir, red, blue = bands[0], bands[1], bands[2]
    expected = 2.5 * (nir - red) / (nir + 6.0 * red - 7.5 * blue + 1.0)
    image = torch.from_numpy(bands).unsqueeze(0)
    out = AppendEVI(index_nir=0, index_red=1, index_blue=2)(image)
    assert out.shape == (1, 4, 64, 64)
    torch.testing.assert_close(out[0, :3], image[0])
    np.testing.assert_allclose(out[0, 3].numpy(), expected, rtol=1e-6, atol=1e-8)


def test_savi_matches_the_formula_pixel_by_pixel(real_data: Path) -> None:
    bands = landsat_reflectances(real_data)
    nir, red = bands[2], bands[0]
    expected = 1.5 * (nir - red) / (nir + red + 0.5)
    out = AppendSAVI(index_nir=2, index_red=0)(torch.from_numpy(bands).float().unsqueeze(0))
    assert out.dtype == torch.float32
    np.testing.assert_allclose(out[0, 3].numpy(), expected, rtol=1e-5, atol=1e-6)


def test_mndwi_matches_the_formula_pixel_by_pixel(real_data: Path) -> None:
    bands = landsat_reflectances(real_data)
    green, swir = bands[1], bands[2]
    expected = (green - swir) / (green + swir)
    out = AppendMNDWI(index_green=1, index_swir=2)(torch.from_numpy(bands).unsqueeze(0))
    np.testing.assert_allclose(out[0, 3].numpy(), expected, rtol=1e-6, atol=1e-8)


def test_hand_computed_values_on_one_pixel() -> None:
    # NIR 0.5, red 0.1, blue 0.05: EVI = 2.5 * 0.4 / (0.5 + 0.6 - 0.375 + 1) = 1 / 1.725.
    image = torch.tensor([0.5, 0.1, 0.05], dtype=torch.float64).view(1, 3, 1, 1)
    evi = AppendEVI(index_nir=0, index_red=1, index_blue=2)(image)[0, 3, 0, 0].item()
    assert evi == pytest.approx(1 / 1.725)
    # SAVI = 1.5 * 0.4 / (0.5 + 0.1 + 0.5) = 0.6 / 1.1.
    savi = AppendSAVI(index_nir=0, index_red=1)(image)[0, 3, 0, 0].item()
    assert savi == pytest.approx(0.6 / 1.1)
    # MNDWI with green 0.1 and SWIR 0.5: -0.4 / 0.6.
    mndwi = AppendMNDWI(index_green=1, index_swir=0)(image)[0, 3, 0, 0].item()
    assert mndwi == pytest.approx(-0.4 / 0.6)


def test_indices_append_in_order_inside_augmentation_sequential() -> None:
    image = torch.rand(2, 3, 8, 8)
    pipeline = AugmentationSequential(
        AppendEVI(index_nir=0, index_red=1, index_blue=2),
        AppendSAVI(index_nir=0, index_red=1),
        data_keys=["image"],
    )
    out = pipeline({"image": image})["image"]
    assert out.shape == (2, 5, 8, 8)
    torch.testing.assert_close(out[:, 4], AppendSAVI(index_nir=0, index_red=1)(image)[:, 3])


@pytest.mark.parametrize(
    "make",
    [
        lambda: AppendEVI(index_nir=0, index_red=1, index_blue=5),
        lambda: AppendSAVI(index_nir=5, index_red=0),
        lambda: AppendMNDWI(index_green=0, index_swir=5),
    ],
)
def test_a_band_beyond_the_image_is_refused_by_name(make) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="is beyond the bands of the image"):
        make()(torch.rand(1, 3, 4, 4))


@pytest.mark.parametrize("index", [1.0, True, "1", None])
def test_a_band_index_that_is_no_whole_number_is_refused_naming_it(index: object) -> None:
    # 1.0 raised torch's "only integers, slices ... are valid indices", True (read as band 1 of a
    # one-hot index) "Tensors must have same number of dimensions: got 4 and 6", "1" a comparison error.
    with pytest.raises(TypeError, match=rf"AppendNDVI: index_nir={index!r} must be a whole number"):
        AppendNDVI(index_nir=index, index_red=0)  # type: ignore[arg-type]


def test_numpy_band_indices_append_the_same_index_as_python_ones(real_data: Path) -> None:
    image = torch.from_numpy(landsat_reflectances(real_data)).unsqueeze(0)
    expected = AppendNDVI(index_nir=1, index_red=0)(image)
    torch.testing.assert_close(AppendNDVI(index_nir=np.int64(1), index_red=np.uint8(0))(image), expected)


@pytest.mark.real_data
@pytest.mark.parametrize(
    ("make", "named"),
    [
        (lambda: AppendNDVI(index_nir=2, index_red=2), "index_nir=2 and index_red=2"),
        (lambda: AppendEVI(index_nir=0, index_red=1, index_blue=0), "index_nir=0 and index_blue=0"),
    ],
    ids=["ndvi", "evi"],
)
def test_an_index_of_a_band_against_itself_is_refused(real_data: Path, make: Any, named: str) -> None:
    # NDVI of RGB.byte.tif's band 2 against itself was appended as 0 at every pixel, silently.
    with pytest.raises(ValueError, match=rf"{named} name the same band"):
        make()(torch.from_numpy(landsat_reflectances(real_data)).unsqueeze(0))
