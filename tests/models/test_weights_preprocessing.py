"""Every published weight's preprocessing turns raw product values into what its publisher fed the model.

Each formula below is the publisher's, rewritten here from the cited source in numpy (float64, the publishers'
own arithmetic) without using the catalog's numbers, and compared with ``weights.transforms`` on every value an
integer product can hold (all 65536 16-bit DN, all 256 8-bit values) and on dense grids of the float products
(dB, reflectance, kelvin). Each case also names the bands, in order, and the input product its formula is written
for, so an entry whose metadata disagrees with its numbers fails too; every entry must match exactly one case.
"""

from __future__ import annotations

import fnmatch
import functools
from collections.abc import Callable
from dataclasses import dataclass
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

SSL4EO_S12 = "https://github.com/zhu-xlab/SSL4EO-S12/blob/1dc0c8310ca8c2bf4c6f8d67f168eab568a10a9d/src/benchmark/"
DECUR = "https://github.com/zhu-xlab/DeCUR/blob/b3fa020051824cb312814ddd0ee54d7270d8ca44/src/pretrain/datasets/SSL4EO/"
SECO = "https://github.com/ServiceNow/seasonal-contrast/blob/8285173ec205b64bc3e53b880344dd6c3f79fa7a/datasets/"
SSL4EO_L = "https://github.com/microsoft/torchgeo/blob/f7231985f04f2d6c9c8a765e5f3d32345c0f7062/experiments/ssl4eo/"
SATLAS = "https://github.com/allenai/satlas/blob/149d2719bdc4f3c8b5f4a3c041f15c88c9384fc5/Normalization.md"


def to_uint8(values: np.ndarray) -> np.ndarray:
    """numpy's ``clip(values, 0, 255).astype(np.uint8)``, which the publishers use to store 8-bit images."""
    return np.clip(values, 0, 255).astype(np.uint8).astype(np.float64)


# --- SSL4EO-S12 Sentinel-2 (MoCo, DINO, MAE): {SSL4EO_S12}pretrain_ssl/datasets/SSL4EO/ssl4eo_dataset.py, get_array
# with dtype uint8 and no --normalize: L1C DN as (img / 10000.0 * 255.0).astype('uint8'); every pretraining script
# reads that export (e.g. {SSL4EO_S12}pretrain_ssl/scripts/pretrain/srun_train_moco_rn50_s2c.sh: --dtype uint8,
# ssl4eo_250k_s2c_uint8.lmdb) and ends with cvtorchvision's ToTensor, which divides uint8 by 255. The publisher's cast
# wraps DN above 10000; GeoTorch saturates them at 255, the value they were meant to have.
def ssl4eo_s12_s2(dn: np.ndarray) -> np.ndarray:
    return to_uint8(dn / 10000.0 * 255.0) / 255.0


# The same file's normalize() (mean - 2 std .. mean + 2 std to uint8), applied to Sentinel-1 dB whenever dtype is
# uint8, and by DeCUR to both modalities ({DECUR}readme.md: --normalize --dtype uint8; {DECUR}ssl4eo_dataset.py).
def mean_two_std(mean: list[float], std: list[float]) -> Formula:
    def normalize(img: np.ndarray) -> np.ndarray:
        m, s = np.array(mean)[:, None, None], np.array(std)[:, None, None]
        min_value, max_value = m - 2 * s, m + 2 * s
        return to_uint8((img - min_value) / (max_value - min_value) * 255.0) / 255.0

    return normalize


# {SSL4EO_S12}pretrain_ssl/datasets/SSL4EO/ssl4eo_dataset.py (S1_MEAN, S1_STD, S2C_MEAN, S2C_STD), repeated in
# {DECUR}ssl4eo_dataset.py.
S1_MEAN = [-12.54847273, -20.19237134]
S1_STD = [5.25697717, 5.91150917]
S2C_MEAN = [
    1605.57504906,
    1390.78157673,
    1314.8729939,
    1363.52445545,
    1549.44374991,
    2091.74883118,
    2371.7172463,
    2299.90463006,
    2560.29504086,
    830.06605044,
    22.10351321,
    2177.07172323,
    1524.06546312,
]
S2C_STD = [
    786.78685367,
    850.34818441,
    875.06484736,
    1138.84957046,
    1122.17775652,
    1161.59187054,
    1274.39184232,
    1248.42891965,
    1345.52684884,
    577.31607053,
    51.15431158,
    1336.09932639,
    1136.53823676,
]


# --- SeCo: {SECO}seco_downloader.py get_collection reads COPERNICUS/S2_SR (L2A) and get_patch exports
# rescale_intensity(DN / 10000, in_range=(0, 1), out_range=np.uint8); {SECO}seco_dataset.py reads RGB_BANDS = B4, B3,
# B2 and stretches each between QUANTILES[band] to uint8 (normalize, clipped); ToTensor; imagenet_normalization.
SECO_QUANTILES = {"min_q": {"B2": 3.0, "B3": 2.0, "B4": 0.0}, "max_q": {"B2": 88.0, "B3": 103.0, "B4": 129.0}}


def seco(dn: np.ndarray) -> np.ndarray:
    exported = np.floor(np.clip(dn / 10000.0, 0.0, 1.0) * 255.0)
    channels = []
    for channel, band in zip(exported, ("B4", "B3", "B2"), strict=True):
        low, high = SECO_QUANTILES["min_q"][band], SECO_QUANTILES["max_q"][band]
        channels.append(to_uint8((channel - low) / (high - low) * 255.0))
    return (np.stack(channels) / 255.0 - IMAGENET_MEAN) / IMAGENET_STD


# --- SSL4EO-L: {SSL4EO_L}compress_dataset.py stores np.clip((x - min) / (max - min) * 255, 0, 255).astype(np.uint8);
# TorchGeo's weights transforms divide by 255. Bounds, {SSL4EO_L}landsat/compress_{tm,etm,oli_tirs}_toa.sh: reflectance
# 0 to 0.4, thermal bands 273.15 - 25 to 273.15 + 45 K; compress_{etm,oli}_sr.sh: DN (0 + 0.2) / 0.0000275 to
# (0.3 + 0.2) / 0.0000275 (bc -l), i.e. Level-2 reflectance 0 to 0.3.
def ssl4eo_l(minimum: list[float], maximum: list[float]) -> Formula:
    def compress(x: np.ndarray) -> np.ndarray:
        low, high = np.array(minimum)[:, None, None], np.array(maximum)[:, None, None]
        return to_uint8((x - low) / (high - low) * 255) / 255.0

    return compress


def ssl4eo_l_toa(thermal: set[int], bands: int) -> Formula:
    minimum = [float("248.15") if band in thermal else 0.0 for band in range(bands)]
    maximum = [float("318.15") if band in thermal else 0.4 for band in range(bands)]
    return ssl4eo_l(minimum, maximum)


SR_MIN, SR_MAX = float("7272.72727272727272727272"), float("18181.81818181818181818181")  # bc -l's output


# --- Satlas ({SATLAS}): TCI / 255; the other Sentinel-2 bands "divide by 8160, clip to 0-1", stored as the example's
# np.clip(DN // 32, 0, 255) uint8, / 255; Landsat clip((N - 4000) / 16320, 0, 1); Sentinel-1 clip(N / 255, 0, 1);
# NAIP and other aerial RGB / 255.
def satlas_ms(x: np.ndarray) -> np.ndarray:
    out = x.copy()
    out[3:] = np.clip(x[3:] // 32, 0, 255).astype(np.uint8)
    return out / 255.0


# --- fMoW RGB: GASSL (https://github.com/sustainlab-group/geography-aware-ssl/blob/9aef64b9fb6c0bcd14af3bb714e997548d1f416f/
# moco_fmow/main_moco_geo%2Btp.py: ToTensor, then Normalize with ImageNet's mean and std) and Scale-MAE
# (https://github.com/bair-climate-initiative/scale-mae/blob/1117537eb179ffa99c50b2db8b577819adde995b/mae/config/fmow.yaml:
# ImageNet's mean and std, "imagenet numbers work a bit better").
def imagenet(x: np.ndarray) -> np.ndarray:
    return (x / 255.0 - IMAGENET_MEAN) / IMAGENET_STD


# Raw test values: every value an integer product holds, dense grids of float products (with each range's ends).
UINT16 = np.arange(65536, dtype=np.float64)
UINT8 = np.arange(256, dtype=np.float64)
# Every hundredth of a dB, ten-thousandth of reflectance and hundredth of a kelvin (the decimals people write, where a
# bound computed another way than the publisher's lands a value on the other side of an 8-bit level).
SENTINEL1_DB = np.concatenate(
    [np.arange(-6000, 3001) / 100, np.array(S1_MEAN) - 2 * np.array(S1_STD), np.array(S1_MEAN) + 2 * np.array(S1_STD)]
)
REFLECTANCE = np.concatenate([np.arange(-1000, 6001) / 10000, np.float32([0.4, 0.1, 0.3]).astype(np.float64)])
KELVIN = np.arange(23000, 33001) / 100
DOFA_STANDARDISED = np.linspace(-5.0, 5.0, 1001)


def image(per_band: list[np.ndarray]) -> np.ndarray:
    """A ``(C, 1, N)`` float64 image whose band ``c`` holds ``per_band[c]`` (shorter bands padded by repetition)."""
    width = max(len(values) for values in per_band)
    return np.array([np.resize(values, width) for values in per_band], dtype=np.float64)[:, None, :]


def same(values: np.ndarray, bands: int) -> np.ndarray:
    return image([values] * bands)


S2_L1C = ("B1", "B2", "B3", "B4", "B5", "B6", "B7", "B8", "B8A", "B9", "B10", "B11", "B12")
S2_RGB = ("B4", "B3", "B2")
S1 = ("VV", "VH")
TM_TOA = ("B1", "B2", "B3", "B4", "B5", "B6", "B7")
ETM_TOA = ("B1", "B2", "B3", "B4", "B5", "B6_VCID_1", "B6_VCID_2", "B7", "B8")
OLI_TIRS_TOA = ("B1", "B2", "B3", "B4", "B5", "B6", "B7", "B8", "B9", "B10", "B11")
ETM_SR = ("SR_B1", "SR_B2", "SR_B3", "SR_B4", "SR_B5", "SR_B7")
OLI_SR = ("SR_B1", "SR_B2", "SR_B3", "SR_B4", "SR_B5", "SR_B6", "SR_B7")
SATLAS_MS = ("TCI_R", "TCI_G", "TCI_B", "B05", "B06", "B07", "B08", "B11", "B12")
RGB = ("R", "G", "B")


@dataclass(frozen=True, eq=False)
class Case:
    """The publisher's formula for the weights named by ``pattern``: their bands, in order, and input product."""

    pattern: str
    bands: tuple[str, ...]
    product: str | None
    raw: np.ndarray
    formula: Formula


def thermal_image(bands: tuple[str, ...], thermal: set[str]) -> np.ndarray:
    return image([KELVIN if band in thermal else REFLECTANCE for band in bands])


def toa(bands: tuple[str, ...], thermal: set[str]) -> Formula:
    return ssl4eo_l_toa({index for index, band in enumerate(bands) if band in thermal}, len(bands))


CASES = [
    Case("*.sentinel2_all_moco", S2_L1C, "L1C", same(UINT16, 13), ssl4eo_s12_s2),
    Case("*.sentinel2_all_dino", S2_L1C, "L1C", same(UINT16, 13), ssl4eo_s12_s2),
    Case("*.sentinel2_all_*mae", S2_L1C, "L1C", same(UINT16, 13), ssl4eo_s12_s2),
    Case("*.sentinel2_rgb_moco", S2_RGB, "L1C", same(UINT16, 3), ssl4eo_s12_s2),
    Case("*.sentinel2_all_decur", S2_L1C, "L1C", same(UINT16, 13), mean_two_std(S2C_MEAN, S2C_STD)),
    Case("*.sentinel1_grd_decur", S1, "GRD", same(SENTINEL1_DB, 2), mean_two_std(S1_MEAN, S1_STD)),
    Case("*.sentinel1_grd_moco", S1, "GRD", same(SENTINEL1_DB, 2), mean_two_std(S1_MEAN, S1_STD)),
    Case("*.sentinel1_grd_*mae", S1, "GRD", same(SENTINEL1_DB, 2), mean_two_std(S1_MEAN, S1_STD)),
    Case("*.sentinel2_rgb_seco", S2_RGB, "L2A", same(UINT16, 3), seco),
    Case("*.landsat_etm_sr_*", ETM_SR, "SR", same(UINT16, 6), ssl4eo_l([SR_MIN] * 6, [SR_MAX] * 6)),
    Case("*.landsat_oli_sr_*", OLI_SR, "SR", same(UINT16, 7), ssl4eo_l([SR_MIN] * 7, [SR_MAX] * 7)),
    Case("*.landsat_tm_toa_*", TM_TOA, "TOA", thermal_image(TM_TOA, {"B6"}), toa(TM_TOA, {"B6"})),
    Case(
        "*.landsat_etm_toa_*",
        ETM_TOA,
        "TOA",
        thermal_image(ETM_TOA, {"B6_VCID_1", "B6_VCID_2"}),
        toa(ETM_TOA, {"B6_VCID_1", "B6_VCID_2"}),
    ),
    Case(
        "*.landsat_oli_tirs_toa_*",
        OLI_TIRS_TOA,
        "TOA",
        thermal_image(OLI_TIRS_TOA, {"B10", "B11"}),
        toa(OLI_TIRS_TOA, {"B10", "B11"}),
    ),
    Case("*.sentinel2_*_rgb_satlas", SATLAS_MS[:3], "TCI", same(UINT8, 3), lambda x: x / 255.0),
    Case("*.sentinel2_*_ms_satlas", SATLAS_MS, "L1C", image([UINT8] * 3 + [UINT16] * 6), satlas_ms),
    Case(
        "*.landsat_*i_satlas",
        tuple(f"B{band}" for band in range(1, 12)),
        "L1",
        same(UINT16, 11),
        lambda x: np.clip((x - 4000) / 16320, 0.0, 1.0),
    ),
    Case("*.sentinel1_*i_satlas", ("VH", "VV"), "GRD", same(UINT16, 2), lambda x: np.clip(x / 255, 0.0, 1.0)),
    Case("*.naip_rgb_*_satlas", RGB, None, same(UINT8, 3), lambda x: x / 255.0),
    Case("*.fmow_rgb_*", RGB, None, same(UINT8, 3), imagenet),
    # DOFA (https://github.com/zhu-xlab/DOFA/blob/059caa4f556848972e52128bf86f12fe02f3592a/normalize_dataset.py)
    # standardises each sensor by its own band statistics, which the user applies: the weights pass values through.
    Case("*.dofa_mae", (), None, same(DOFA_STANDARDISED, 4), lambda x: x),
]


@functools.cache
def expected_of(case: Case) -> np.ndarray:
    """The publisher's values for ``case.raw``, computed once for every weight the case checks."""
    return case.formula(case.raw)


def case_of(weights: Weights) -> Case:
    matches = [case for case in CASES if fnmatch.fnmatch(weights.name, case.pattern)]
    assert len(matches) == 1, f"{weights.name} needs exactly one publisher formula here, has {len(matches)}"
    return matches[0]


ALL = [get_weight(name) for name in NAMES] + [weights for weights in MAE_WEIGHTS if weights.name not in NAMES]


def test_every_case_checks_some_weight() -> None:
    for case in CASES:
        assert any(fnmatch.fnmatch(weights.name, case.pattern) for weights in ALL), case.pattern


@pytest.mark.parametrize("weights", ALL, ids=lambda weights: weights.name)
def test_bands_and_product_are_those_the_publishers_formula_is_written_for(weights: Weights) -> None:
    case = case_of(weights)
    assert weights.bands == case.bands
    assert weights.product == case.product


@pytest.mark.parametrize("weights", ALL, ids=lambda weights: weights.name)
def test_transforms_equal_the_publishers_formula_on_raw_product_values(weights: Weights) -> None:
    case = case_of(weights)
    raw, expected = case.raw, expected_of(case)
    got = weights.transforms(torch.from_numpy(raw))
    assert got.dtype == torch.float32 and got.shape == raw.shape
    np.testing.assert_allclose(got.numpy(), expected, rtol=0, atol=2e-6)
    # A batch is preprocessed band by band in the same way, from an integer dtype too where the product has one.
    some, some_expected = raw[..., ::97], expected[..., ::97]
    batch = torch.from_numpy(np.stack([some, some]))
    if np.array_equal(some, np.round(some)) and some.min() >= 0:
        batch = batch.to(torch.int32)
    got_batch = weights.transforms(batch).numpy()
    np.testing.assert_allclose(got_batch, np.stack([some_expected, some_expected]), rtol=0, atol=2e-6)


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
        profile = {
            "driver": "GTiff",
            "width": 4,
            "height": 2,
            "count": 1,
            "dtype": "uint16",
            "crs": "EPSG:32616",
            "transform": from_origin(500000, 4430000, 30, 30),
        }
        with rasterio.open(tmp_path / f"{scene}_{band}.TIF", "w", **profile) as dst:
            dst.write(values + offset, 1)
    dataset = datasets.Landsat8(root=tmp_path)
    sample = dataset[dataset.bounds]
    raw = sample["image"].numpy().astype(np.float64)
    assert raw.shape == (7, 2, 4) and raw[3].tolist() == (values + 3).tolist()
    weights = get_weight("resnet18.landsat_oli_sr_simclr")
    assert weights.bands == tuple(dataset.bands)
    np.testing.assert_allclose(
        weights.transforms(sample["image"]).numpy(), ssl4eo_l([SR_MIN] * 7, [SR_MAX] * 7)(raw), atol=1e-6
    )


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


BOUNDED = [weights for weights in ALL if weights.preprocessing.input_max]


def test_inputs_with_a_largest_value_are_bounded() -> None:
    # 8-bit images (Satlas TCI and NAIP, fMoW RGB) and top-of-atmosphere reflectance and kelvin (SSL4EO-L TOA) have a
    # largest value; another product's values above it (16-bit DN) must be refused rather than scaled past 1.
    patterns = [
        "*.sentinel2_*_rgb_satlas",
        "*.sentinel2_*_ms_satlas",
        "*.naip_rgb_*_satlas",
        "*.fmow_rgb_*",
        "*.landsat_*_toa_*",
    ]
    expected = {weights.name for weights in ALL if any(fnmatch.fnmatch(weights.name, p) for p in patterns)}
    assert {weights.name for weights in BOUNDED} == expected


@pytest.mark.parametrize("weights", BOUNDED, ids=lambda weights: weights.name)
def test_values_up_to_the_inputs_largest_are_taken_and_one_above_is_refused(weights: Weights) -> None:
    bands = weights.in_chans or 1
    largest = np.resize(np.array(weights.preprocessing.input_max), bands)
    image = torch.from_numpy(np.stack([np.full((2, 2), value) for value in largest]))
    image[0, 0, 0] = torch.nan  # missing values are no evidence of another product
    weights.transforms(image)
    for band in range(bands):
        above = image.clone()
        above[band, 1, 1] = np.nextafter(largest[band], np.inf)
        with pytest.raises(ValueError, match=rf"band {band} of the image holds .*, above {largest[band]:g}"):
            weights.transforms(above)


@pytest.mark.parametrize("name", ["resnet50.sentinel2_si_rgb_satlas", "swin_v2_b.sentinel2_mi_ms_satlas"])
def test_satlas_refuses_red_reflectance_dn_where_the_true_colour_image_belongs(name: str) -> None:
    # Sentinel-2 B04 DN (reflectance x 10000) in the TCI's red channel: dividing by 255 would give about 5.
    weights = get_weight(name)
    image = torch.full((weights.in_chans or 3, 2, 2), 90.0)
    image[0] = 1234.0
    with pytest.raises(ValueError, match=r"band 0 of the image holds 1234, above 255.*true-colour image"):
        weights.transforms(image)


def test_ssl4eo_l_toa_refuses_level1_dn_as_the_landsat_dataset_reads_them(tmp_path: Path) -> None:
    # GeoTorch's Landsat8 dataset reads Level-1 bands (B1-B11) as their DN; SSL4EO-L's TOA models took reflectance and
    # kelvin that need each scene's MTL rescaling and sun elevation, which no fixed preprocessing knows.
    datasets = pytest.importorskip("geotorch.datasets")
    rasterio = pytest.importorskip("rasterio")
    from rasterio.transform import from_origin

    scene = "LC08_L1TP_023032_20230615_20230620_02_T1"
    bands = datasets.Landsat8.level1_bands
    for offset, band in enumerate(bands):
        profile = {
            "driver": "GTiff",
            "width": 4,
            "height": 2,
            "count": 1,
            "dtype": "uint16",
            "crs": "EPSG:32616",
            "transform": from_origin(500000, 4430000, 30, 30),
        }
        with rasterio.open(tmp_path / f"{scene}_{band}.TIF", "w", **profile) as dst:
            dst.write(np.full((2, 4), 7000 + offset, dtype=np.uint16), 1)
    dataset = datasets.Landsat8(root=tmp_path, bands=list(bands))
    sample = dataset[dataset.bounds]
    weights = get_weight("resnet50.landsat_oli_tirs_toa_moco")
    assert weights.bands == tuple(dataset.bands)
    with pytest.raises(ValueError, match=r"band 0 of the image holds 7000, above 100.*top-of-atmosphere"):
        weights.transforms(sample["image"])
