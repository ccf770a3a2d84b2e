"""Spectral indices: the value each appends, its band, and its errors."""

from __future__ import annotations

import pytest
import torch

from geotorch.transforms import (
    AppendBNDVI,
    AppendGBNDVI,
    AppendGNDVI,
    AppendGRNDVI,
    AppendNBR,
    AppendNDBI,
    AppendNDRE,
    AppendNDSI,
    AppendNDVI,
    AppendNDWI,
    AppendNormalizedDifferenceIndex,
    AppendRBNDVI,
    AppendSWI,
    AppendTriBandNormalizedDifferenceIndex,
    AugmentationSequential,
)

# Reflectances of bands 0..4, each band constant over the image.
REFLECTANCES = [0.1, 0.2, 0.3, 0.4, 0.5]


def reflectance_image(batch: int = 2) -> torch.Tensor:
    return torch.tensor(REFLECTANCES).view(1, -1, 1, 1).expand(batch, -1, 3, 4).clone()


def normalized_difference(a: float, b: float) -> float:
    return (a - b) / (a + b)


def tri_band_difference(a: float, b: float, c: float) -> float:
    return (a - (b + c)) / (a + b + c)


INDEX_CASES = [
    (AppendNormalizedDifferenceIndex(index_a=4, index_b=0), normalized_difference(0.5, 0.1)),
    (AppendNDVI(index_nir=3, index_red=2), normalized_difference(0.4, 0.3)),
    (AppendNDWI(index_green=1, index_nir=3), normalized_difference(0.2, 0.4)),
    (AppendNDBI(index_swir=4, index_nir=3), normalized_difference(0.5, 0.4)),
    (AppendNBR(index_nir=3, index_swir=4), normalized_difference(0.4, 0.5)),
    (AppendNDSI(index_green=1, index_swir=4), normalized_difference(0.2, 0.5)),
    (AppendNDRE(index_nir=3, index_vre1=2), normalized_difference(0.4, 0.3)),
    (AppendGNDVI(index_nir=3, index_green=1), normalized_difference(0.4, 0.2)),
    (AppendBNDVI(index_nir=3, index_blue=0), normalized_difference(0.4, 0.1)),
    (AppendSWI(index_vre1=2, index_swir2=4), normalized_difference(0.3, 0.5)),
    (AppendTriBandNormalizedDifferenceIndex(index_a=4, index_b=0, index_c=1), tri_band_difference(0.5, 0.1, 0.2)),
    (AppendGBNDVI(index_nir=3, index_green=1, index_blue=0), tri_band_difference(0.4, 0.2, 0.1)),
    (AppendGRNDVI(index_nir=3, index_green=1, index_red=2), tri_band_difference(0.4, 0.2, 0.3)),
    (AppendRBNDVI(index_nir=3, index_red=2, index_blue=0), tri_band_difference(0.4, 0.3, 0.1)),
]


@pytest.mark.parametrize(("index", "expected"), INDEX_CASES, ids=[type(index).__name__ for index, _ in INDEX_CASES])
def test_index_appends_its_formula_of_the_named_bands(index: AppendNormalizedDifferenceIndex, expected: float) -> None:
    image = reflectance_image()
    out = index(image)
    assert out.shape == (2, 6, 3, 4)
    assert torch.equal(out[:, :5], image)
    torch.testing.assert_close(out[:, 5], torch.full((2, 3, 4), expected))


def test_ndvi_of_known_reflectances() -> None:
    # Healthy vegetation: NIR 0.50, red 0.08 gives NDVI 0.42 / 0.58; bare soil: NIR 0.30, red 0.25 gives 0.05 / 0.55.
    image = torch.tensor([[0.08, 0.25], [0.50, 0.30]]).view(1, 2, 1, 2)
    ndvi = AppendNDVI(index_nir=1, index_red=0)(image)[0, 2, 0]
    torch.testing.assert_close(ndvi, torch.tensor([0.42 / 0.58, 0.05 / 0.55]))


@pytest.mark.parametrize("dtype", [torch.float32, torch.float16, torch.float64])
def test_bands_summing_to_zero_give_zero_not_nan(dtype: torch.dtype) -> None:
    image = torch.zeros(1, 3, 2, 2, dtype=dtype)
    for index in (AppendNDVI(index_nir=1, index_red=0), AppendGBNDVI(index_nir=0, index_green=1, index_blue=2)):
        appended = index(image)[:, 3]
        assert appended.dtype == dtype
        assert torch.equal(appended, torch.zeros(1, 2, 2, dtype=dtype))


def test_indices_chain_each_appending_one_band() -> None:
    image = torch.rand(2, 13, 4, 4)
    out = AppendNDWI(index_green=2, index_nir=7)(AppendNDVI(index_nir=7, index_red=3)(image))
    assert out.shape == (2, 15, 4, 4)
    torch.testing.assert_close(out[:, 13], AppendNDVI(index_nir=7, index_red=3)(image)[:, 13])


def test_single_image_comes_back_as_a_batch_of_one() -> None:
    assert AppendNDVI(index_nir=1, index_red=0)(torch.rand(2, 3, 3)).shape == (1, 3, 3, 3)


def test_index_beyond_the_bands_names_the_argument_and_the_shape() -> None:
    with pytest.raises(ValueError, match=r"AppendNDVI: index_nir=13 .* shape \(1, 13, 4, 4\).* 0 to 12"):
        AppendNDVI(index_nir=13, index_red=3)(torch.rand(1, 13, 4, 4))


def test_negative_band_index_is_refused_at_construction() -> None:
    with pytest.raises(ValueError, match="index_blue=-1"):
        AppendRBNDVI(index_nir=7, index_red=3, index_blue=-1)


def test_integer_image_is_refused_naming_dtype_and_shape() -> None:
    with pytest.raises(ValueError, match=r"image has dtype torch.int16 and shape \(1, 4, 2, 2\).*floating point"):
        AppendNDVI(index_nir=3, index_red=2)(torch.zeros(1, 4, 2, 2, dtype=torch.int16))


def test_index_inside_augmentation_sequential_appends_to_the_image_only() -> None:
    mask = torch.randint(0, 3, (2, 3, 4))
    out = AugmentationSequential(AppendNDVI(index_nir=3, index_red=2))({"image": reflectance_image(), "mask": mask})
    torch.testing.assert_close(out["image"][:, 5], torch.full((2, 3, 4), normalized_difference(0.4, 0.3)))
    assert torch.equal(out["mask"], mask)


def test_index_beyond_the_bands_inside_augmentation_sequential_is_a_value_error() -> None:
    augment = AugmentationSequential(AppendNDVI(index_nir=13, index_red=3))
    with pytest.raises(ValueError, match="index_nir=13"):
        augment({"image": torch.rand(2, 13, 4, 4)})
