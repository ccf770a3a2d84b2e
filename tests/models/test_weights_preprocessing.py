"""Every published weight's preprocessing turns raw product values into what its publisher fed the model.

Each formula below is the publisher's, rewritten here from the cited source in numpy (float64, the publishers'
own arithmetic) without using the catalog's numbers, and compared with ``weights.transforms`` on a few raw
values chosen around each range's ends.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import torch

from geotorch.core import get_weight, list_weights
from geotorch.core.plugins import registry
from geotorch.models import Preprocessing, Rescale, Weights
from geotorch.models.weights_catalog.ssl4eo_s12 import MAE_WEIGHTS

Formula = Callable[[np.ndarray], np.ndarray]

NAMES = [name for name in list_weights() if registry("weight")[name].distribution == "geotorch-models"]
IMAGENET_MEAN = np.array([0.485, 0.456, 0.406])[:, None, None]
IMAGENET_STD = np.array([0.229, 0.224, 0.225])[:, None, None]


def to_uint8(values: np.ndarray) -> np.ndarray:
    """numpy's ``clip(values, 0, 255).astype(np.uint8)``, which the publishers use to store 8-bit images."""
    return np.clip(values, 0, 255).astype(np.uint8).astype(np.float64)


# --- SSL4EO-S12 (zhu-xlab/SSL4EO-S12, src/benchmark/pretrain_ssl/datasets/SSL4EO/ssl4eo_dataset.py, get_array
# with dtype uint8, as every pretraining script passes --dtype uint8): Sentinel-2 L1C DN as
# (img / 10000.0 * 255.0).astype('uint8'), then cvtorchvision ToTensor divides by 255. The publisher's cast wraps
# DN above 10000; GeoTorch saturates them at 255, the value they were meant to have.
def ssl4eo_s12_s2(dn: np.ndarray) -> np.ndarray:
    return to_uint8(dn / 10000.0 * 255.0) / 255.0


# The same file's normalize(), used for Sentinel-1 dB (always, with dtype uint8) and, by DeCUR, for both
# modalities (zhu-xlab/DeCUR, src/pretrain/datasets/SSL4EO/readme.md and ssl4eo_dataset.py).
def mean_two_std(mean: list[float], std: list[float]) -> Formula:
    def normalize(img: np.ndarray) -> np.ndarray:
        m, s = np.array(mean)[:, None, None], np.array(std)[:, None, None]
        min_value, max_value = m - 2 * s, m + 2 * s
        return to_uint8((img - min_value) / (max_value - min_value) * 255.0) / 255.0

    return normalize


S1_MEAN = [-12.54847273, -20.19237134]
S1_STD = [5.25697717, 5.91150917]
S2C_MEAN = [1605.57504906, 1390.78157673, 1314.8729939, 1363.52445545, 1549.44374991, 2091.74883118, 2371.7172463,
            2299.90463006, 2560.29504086, 830.06605044, 22.10351321, 2177.07172323, 1524.06546312]
S2C_STD = [786.78685367, 850.34818441, 875.06484736, 1138.84957046, 1122.17775652, 1161.59187054, 1274.39184232,
           1248.42891965, 1345.52684884, 577.31607053, 51.15431158, 1336.09932639, 1136.53823676]


# --- SeCo (ServiceNow/seasonal-contrast): datasets/seco_downloader.py get_patch exports Sentinel-2 L2A
# (COPERNICUS/S2_SR) as rescale_intensity(DN / 10000, in_range=(0, 1), out_range=uint8); datasets/seco_dataset.py
# reads RGB_BANDS = B4, B3, B2 and stretches each by QUANTILES[band] to uint8; ToTensor; imagenet_normalization.
SECO_QUANTILES = {"min_q": {"B2": 3.0, "B3": 2.0, "B4": 0.0}, "max_q": {"B2": 88.0, "B3": 103.0, "B4": 129.0}}


def seco(dn: np.ndarray) -> np.ndarray:
    exported = to_uint8(np.clip(dn / 10000.0, 0.0, 1.0) * 255.0)
    channels = []
    for channel, band in zip(exported, ("B4", "B3", "B2"), strict=True):
        low, high = SECO_QUANTILES["min_q"][band], SECO_QUANTILES["max_q"][band]
        channels.append(to_uint8((channel - low) / (high - low) * 255.0))
    return (np.stack(channels) / 255.0 - IMAGENET_MEAN) / IMAGENET_STD


# --- SSL4EO-L (microsoft/torchgeo experiments/ssl4eo/compress_dataset.py and landsat/compress_*.sh): each band
# becomes np.clip((x - min) / (max - min) * 255, 0, 255).astype(np.uint8); TorchGeo's transforms divide by 255.
# Level-2 bounds are DN: (0 + 0.2) / 0.0000275 and (0.3 + 0.2) / 0.0000275. TOA: reflectance 0 to 0.4, brightness
# temperature 273.15 - 25 to 273.15 + 45 K.
def ssl4eo_l(minimum: list[float], maximum: list[float]) -> Formula:
    def compress(x: np.ndarray) -> np.ndarray:
        low, high = np.array(minimum)[:, None, None], np.array(maximum)[:, None, None]
        return to_uint8((x - low) / (high - low) * 255) / 255.0

    return compress


def ssl4eo_l_toa(thermal: set[int], bands: int) -> Formula:
    minimum = [273.15 - 25 if band in thermal else 0.0 for band in range(bands)]
    maximum = [273.15 + 45 if band in thermal else 0.4 for band in range(bands)]
    return ssl4eo_l(minimum, maximum)


SR_MIN, SR_MAX = (0 + 0.2) / 0.0000275, (0.3 + 0.2) / 0.0000275


# --- Satlas (allenai/satlas Normalization.md): TCI / 255; other Sentinel-2 bands clip(DN // 32, 0, 255) as
# uint8 (the document's example; "divide by 8160 and clip to 0-1"), / 255; Landsat clip((N - 4000) / 16320, 0, 1);
# Sentinel-1 clip(N / 255, 0, 1); NAIP / 255.
def satlas_ms(x: np.ndarray) -> np.ndarray:
    out = x.copy()
    out[3:] = np.clip(x[3:] // 32, 0, 255).astype(np.uint8)
    return out / 255.0


# --- fMoW RGB, GASSL (geography-aware-ssl moco_fmow/main_moco_geo+tp.py) and Scale-MAE (scale-mae
# mae/config/fmow.yaml): ToTensor, then ImageNet mean and std.
def imagenet(x: np.ndarray) -> np.ndarray:
    return (x / 255.0 - IMAGENET_MEAN) / IMAGENET_STD


# Raw test values, by the units of the input product, around each formula's range ends.
SENTINEL2_DN = [0, 1, 500, 1234, 2000, 4567, 9999, 10000, 12000]
SENTINEL2_L2A_DN = [0, 40, 117, 118, 1500, 3000, 5059, 5060, 10000, 11000]
SENTINEL1_DB = [-45.0, -30.0, -22.0, -12.5, -5.0, 0.0, 12.0]
EIGHT_BIT = [0, 1, 2, 3, 64, 128, 200, 254, 255]
LANDSAT_SR_DN = [0, 7272, 7273, 8000, 12345, 18181, 18182, 30000, 43636]
REFLECTANCE = [-0.01, 0.0, 0.05, 0.1234, 0.3, 0.39999, 0.4, 0.55]
KELVIN = [230.0, 248.15, 250.0, 273.15, 300.0, 318.15, 330.0]
SATLAS_S2_DN = [0, 31, 32, 1000, 8159, 8160, 9000, 20000]
LANDSAT_L1_DN = [0, 3999, 4000, 5000, 20320, 30000, 65535]
SATLAS_S1_DN = [0, 100, 254, 255, 300, 4000]


def image(per_band: list[list[float]]) -> np.ndarray:
    """A ``(C, 1, N)`` float64 image whose band ``c`` holds ``per_band[c]`` (bands padded by repetition)."""
    width = max(len(values) for values in per_band)
    return np.array([np.resize(values, width) for values in per_band], dtype=np.float64)[:, None, :]


def same(values: list[float], bands: int) -> np.ndarray:
    return image([values] * bands)


#: (name pattern, raw values for a weight with that many bands, the publisher's formula), first match wins.
CASES: list[tuple[str, Callable[[int], np.ndarray], Callable[[int], Formula]]] = [
    ("*.sentinel2_*_decur", lambda c: same(SENTINEL2_DN, c), lambda c: mean_two_std(S2C_MEAN, S2C_STD)),
    ("*.sentinel1_grd_decur", lambda c: same(SENTINEL1_DB, c), lambda c: mean_two_std(S1_MEAN, S1_STD)),
    ("*.sentinel2_*_moco", lambda c: same(SENTINEL2_DN, c), lambda c: ssl4eo_s12_s2),
    ("*.sentinel2_all_dino", lambda c: same(SENTINEL2_DN, c), lambda c: ssl4eo_s12_s2),
    ("*.sentinel2_all_*mae", lambda c: same(SENTINEL2_DN, c), lambda c: ssl4eo_s12_s2),
    ("*.sentinel1_grd_*", lambda c: same(SENTINEL1_DB, c), lambda c: mean_two_std(S1_MEAN, S1_STD)),
    ("*.sentinel2_rgb_seco", lambda c: same(SENTINEL2_L2A_DN, c), lambda c: seco),
    ("*.landsat_*_sr_*", lambda c: same(LANDSAT_SR_DN, c), lambda c: ssl4eo_l([SR_MIN] * c, [SR_MAX] * c)),
    ("*.landsat_tm_toa_*", lambda c: image([KELVIN if b == 5 else REFLECTANCE for b in range(c)]),
     lambda c: ssl4eo_l_toa({5}, c)),
    ("*.landsat_etm_toa_*", lambda c: image([KELVIN if b in (5, 6) else REFLECTANCE for b in range(c)]),
     lambda c: ssl4eo_l_toa({5, 6}, c)),
    ("*.landsat_oli_tirs_toa_*", lambda c: image([KELVIN if b in (9, 10) else REFLECTANCE for b in range(c)]),
     lambda c: ssl4eo_l_toa({9, 10}, c)),
    ("*.sentinel2_*_rgb_satlas", lambda c: same(EIGHT_BIT, c), lambda c: lambda x: x / 255.0),
    ("*.sentinel2_*_ms_satlas", lambda c: image([EIGHT_BIT] * 3 + [SATLAS_S2_DN] * 6), lambda c: satlas_ms),
    ("*.landsat_*_satlas", lambda c: same(LANDSAT_L1_DN, c),
     lambda c: lambda x: np.clip((x - 4000) / 16320, 0.0, 1.0)),
    ("*.sentinel1_*_satlas", lambda c: same(SATLAS_S1_DN, c), lambda c: lambda x: np.clip(x / 255, 0.0, 1.0)),
    ("*.naip_rgb_*_satlas", lambda c: same(EIGHT_BIT, c), lambda c: lambda x: x / 255.0),
    ("*.fmow_rgb_*", lambda c: same(EIGHT_BIT, c), lambda c: imagenet),
    # DOFA (zhu-xlab/DOFA normalize_dataset.py) standardises each sensor by its own band statistics, which the
    # user applies: the weights' own preprocessing passes values through.
    ("*.dofa_mae", lambda c: same([-3.0, -0.5, 0.0, 0.25, 4.0], c), lambda c: lambda x: x),
]


def case_of(weights: Weights) -> tuple[np.ndarray, Formula]:
    matches = [(raw, formula) for pattern, raw, formula in CASES if fnmatch.fnmatch(weights.name, pattern)]
    assert matches, f"no publisher formula in this test for {weights.name}"
    raw, formula = matches[0]
    bands = weights.in_chans or 4
    return raw(bands), formula(bands)


ALL = [get_weight(name) for name in NAMES] + [weights for weights in MAE_WEIGHTS if weights.name not in NAMES]


@pytest.mark.parametrize("weights", ALL, ids=lambda weights: weights.name)
def test_transforms_equal_the_publishers_formula_on_raw_product_values(weights: Weights) -> None:
    raw, formula = case_of(weights)
    expected = formula(raw)
    got = weights.transforms(torch.from_numpy(raw))
    assert got.dtype == torch.float32 and got.shape == raw.shape
    np.testing.assert_allclose(got.numpy(), expected, rtol=0, atol=2e-6)
    # A batch is preprocessed band by band in the same way, from an integer dtype too where the product has one.
    batch = torch.from_numpy(np.stack([raw, raw]))
    if np.array_equal(raw, np.round(raw)) and raw.min() >= 0:
        batch = batch.to(torch.int32)
    np.testing.assert_allclose(weights.transforms(batch).numpy(), np.stack([expected, expected]), rtol=0, atol=2e-6)


@pytest.mark.parametrize("weights", ALL, ids=lambda weights: weights.name)
def test_every_weight_names_its_input_values_and_their_source(weights: Weights) -> None:
    preprocessing = weights.preprocessing
    assert preprocessing.input_values, "the raw values the arithmetic starts from must be stated"
    assert preprocessing.source.startswith("https://")


def test_seco_stretches_red_by_b4_and_blue_by_b2_quantiles() -> None:
    # An L2A DN of 5060 exports as 8-bit 129: B4's maximum (white in red) but above B2's 88 (saturated blue too),
    # 118 exports as 3: B2's minimum (black in blue) but a little red.
    weights = get_weight("resnet18.sentinel2_rgb_seco")
    out = weights.transforms(torch.tensor([5060.0, 118.0, 118.0]).view(3, 1, 1)).flatten()
    assert out[0] == pytest.approx((1.0 - 0.485) / 0.229, abs=1e-6)
    assert out[2] == pytest.approx((0.0 - 0.406) / 0.225, abs=1e-6)


def test_ssl4eo_s12_saturates_above_reflectance_one_and_steps_in_8_bit_levels() -> None:
    weights = get_weight("resnet50.sentinel2_all_moco")
    out = weights.transforms(torch.tensor([12000.0, 10000.0, 2000.0, 39.0, 40.0]).view(5, 1, 1)).flatten()
    assert out.tolist() == pytest.approx([1.0, 1.0, 51 / 255, 0.0, 1 / 255], abs=1e-7)


def test_ssl4eo_l_surface_reflectance_is_the_8_bit_stretch_of_usgs_reflectance() -> None:
    # USGS: Collection 2 Level-2 reflectance = DN * 0.0000275 - 0.2 (Landsat FAQ "How do I use a scale factor
    # with Landsat Level-2 science products?"); SSL4EO-L maps reflectance 0-0.3 onto 0-255.
    dn = np.array([0.0, 9000.0, 12345.0, 16000.0, 40000.0])
    reflectance = dn * 0.0000275 - 0.2
    expected = np.floor(np.clip(reflectance / 0.3, 0, 1) * 255) / 255
    weights = get_weight("resnet50.landsat_oli_sr_moco")
    got = weights.transforms(torch.from_numpy(np.tile(dn, (7, 1))[:, None, :])).numpy()
    np.testing.assert_allclose(got[:, 0], np.tile(expected, (7, 1)), atol=1e-6)
    # DN 8000 is reflectance 0.02, level 17 in exact arithmetic; the publisher's float64 arithmetic (bounds that
    # binary floats cannot hold exactly) stored 16, which float32 arithmetic would not reproduce.
    assert weights.transforms(torch.full((7, 1, 1), 8000.0)).flatten().tolist() == pytest.approx([16 / 255] * 7)
    assert ssl4eo_l([SR_MIN], [SR_MAX])(np.full((1, 1, 1), 8000.0)).item() == 16 / 255


def test_ssl4eo_l_transforms_accept_landsat8_level2_bands_as_the_dataset_reads_them(tmp_path: Path) -> None:
    datasets = pytest.importorskip("geotorch.datasets")
    rasterio = pytest.importorskip("rasterio")
    from rasterio.transform import from_origin

    scene = "LC08_L2SP_023032_20230615_20230620_02_T1"
    values = np.array([[0, 7273, 8000, 12345], [18181, 18182, 30000, 43636]], dtype=np.uint16)
    for offset, band in enumerate(datasets.Landsat8.default_bands):
        profile = {"driver": "GTiff", "width": 4, "height": 2, "count": 1, "dtype": "uint16", "crs": "EPSG:32616",
                   "transform": from_origin(500000, 4430000, 30, 30)}
        with rasterio.open(tmp_path / f"{scene}_{band}.TIF", "w", **profile) as dst:
            dst.write(values + offset, 1)
    dataset = datasets.Landsat8(root=tmp_path)
    sample = dataset[dataset.bounds]
    raw = sample["image"].numpy().astype(np.float64)
    assert raw.shape == (7, 2, 4) and raw[3].tolist() == (values + 3).tolist()
    weights = get_weight("resnet18.landsat_oli_sr_simclr")
    assert weights.bands == tuple(dataset.bands)
    np.testing.assert_allclose(weights.transforms(sample["image"]).numpy(),
                               ssl4eo_l([SR_MIN] * 7, [SR_MAX] * 7)(raw), atol=1e-6)


def test_satlas_sentinel2_inputs_start_with_the_true_colour_image_not_reflectance() -> None:
    for name in list_weights("*sentinel2_*_satlas"):
        weights = get_weight(name)
        assert weights.bands[:3] == ("TCI_R", "TCI_G", "TCI_B")
        assert "B04" not in weights.bands and "TCI" in weights.preprocessing.input_values


def test_scale_mae_uses_the_checkpoint_torchgeo_0_10_1_points_at() -> None:
    # torchgeo 0.10.1, torchgeo/models/scale_mae.py: ScaleMAELarge16_Weights.FMOW_RGB.
    weights = get_weight("scalemae_large_patch16.fmow_rgb_scalemae")
    assert weights.url == (
        "https://hf.co/isaaccorley/vit_large_patch16_224_fmow_rgb_scalemae/resolve/"
        "75650aaca720ef9c6638d16f5b4375f0022c56c9/vit_large_patch16_224_fmow_rgb_scalemae-386989c9.pth"
    )
    assert weights.hash_prefix == "386989c9"


def test_preprocess_refuses_an_image_with_another_band_count() -> None:
    preprocessing = Preprocessing(steps=(Rescale(divisor=(1.0, 2.0, 3.0)),), input_values="x", source="https://x")
    with pytest.raises(ValueError, match=r"3 step0.divisor values but the image has 2 bands"):
        preprocessing.module()(torch.zeros(2, 4, 4))
