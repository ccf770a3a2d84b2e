"""SSL4EO-L (Stewart et al. 2023) checkpoints: Landsat TM, ETM+ and OLI/TIRS, TOA and surface reflectance."""

from __future__ import annotations

from geotorch.models.preprocessing import Preprocessing, stretch
from geotorch.models.weights import Weights
from geotorch.models.weights_catalog.bands import (
    FROM_UINT8,
    LANDSAT_ETM_SR,
    LANDSAT_ETM_TOA,
    LANDSAT_OLI_SR,
    LANDSAT_OLI_TIRS_TOA,
    LANDSAT_TM_TOA,
)

_BASE = "https://hf.co/torchgeo/ssl4eo_landsat/resolve/1c88bb51b6e17a21dde5230738fa38b74bd74f76"

# SSL4EO-L stored every band as 8-bit, floor(255 * clip((x - min) / (max - min), 0, 1)) (compress_dataset.py),
# and the models take those integers / 255 (TorchGeo's transforms). Ranges (the compress_*.sh scripts): reflectance
# 0-0.3 for Level-2 surface reflectance, 0-0.4 for top of atmosphere, brightness temperature 273.15 - 25 to
# 273.15 + 45 K. The Level-2 range is given in product DN through USGS's Collection 2 scaling (reflectance =
# DN * 0.0000275 - 0.2, https://www.usgs.gov/faqs/how-do-i-use-a-scale-factor-landsat-level-2-science-products).
_SSL4EO_L = "https://github.com/microsoft/torchgeo/blob/f7231985f04f2d6c9c8a765e5f3d32345c0f7062/experiments/ssl4eo/"
_SR_SCALE, _SR_OFFSET = 0.0000275, -0.2
_SR_MIN, _SR_MAX = (0.0 - _SR_OFFSET) / _SR_SCALE, (0.3 - _SR_OFFSET) / _SR_SCALE
_TOA_MIN, _TOA_MAX = 0.0, 0.4
# The scripts compute the kelvin bounds with bc (273.15 - 25, 273.15 + 45), which prints 248.15 and 318.15 for
# compress_dataset.py to parse: those decimals, not Python's 273.15 - 25 (248.14999999999998), which moves values
# such as 262.15 K one 8-bit level up.
_BT_MIN, _BT_MAX = 248.15, 318.15
# No top-of-atmosphere reflectance reaches 100 (that would take a sun elevation under one degree) and no thermal band
# reads above 400 K (a saturated OLI/TIRS band 10 is about 368 K): larger values are Level-1 DN, refused.
_TOA_INPUT_MAX, _BT_INPUT_MAX = 100.0, 400.0


def _ssl4eo_l(bands: tuple[str, ...], thermal: frozenset[str]) -> Preprocessing:
    """SSL4EO-L's 8-bit encoding of ``bands`` (``thermal`` among them in kelvin), then ToTensor's / 255."""
    if all(band.startswith("SR_") for band in bands):
        return Preprocessing(
            steps=(stretch((_SR_MIN,), (_SR_MAX,)), FROM_UINT8),
            input_values="Landsat Collection 2 Level-2 surface reflectance DN (SR_B*, uint16; reflectance = "
            "DN * 0.0000275 - 0.2), as USGS delivers it and the Landsat datasets return it",
            source=f"{_SSL4EO_L}compress_dataset.py; {_SSL4EO_L}landsat/compress_*_sr.sh",
        )
    low = tuple(_BT_MIN if band in thermal else _TOA_MIN for band in bands)
    high = tuple(_BT_MAX if band in thermal else _TOA_MAX for band in bands)
    return Preprocessing(
        steps=(stretch(low, high), FROM_UINT8),
        input_max=tuple(_BT_INPUT_MAX if band in thermal else _TOA_INPUT_MAX for band in bands),
        input_values="Landsat Collection 2 Level-1 top-of-atmosphere reflectance (unitless, sun-angle corrected) "
        "and thermal brightness temperature (K), as Google Earth Engine's LANDSAT/*/C02/T1_TOA holds them; "
        "Level-1 DN need the scene's MTL rescaling and sun elevation first",
        source=f"{_SSL4EO_L}compress_dataset.py; {_SSL4EO_L}landsat/compress_*_toa.sh",
    )


#: product -> (bands, thermal bands among them, sensor, Landsat missions whose images were used).
_PRODUCTS = {
    "tm_toa": (LANDSAT_TM_TOA, frozenset({"B6"}), "landsat_tm", "Landsat 4-5"),
    "etm_toa": (LANDSAT_ETM_TOA, frozenset({"B6_VCID_1", "B6_VCID_2"}), "landsat_etm", "Landsat 7"),
    "etm_sr": (LANDSAT_ETM_SR, frozenset(), "landsat_etm", "Landsat 7"),
    "oli_tirs_toa": (LANDSAT_OLI_TIRS_TOA, frozenset({"B10", "B11"}), "landsat_oli", "Landsat 8-9"),
    "oli_sr": (LANDSAT_OLI_SR, frozenset(), "landsat_oli", "Landsat 8-9"),
}

#: The file name prefix of each architecture on the hosting repository.
_FILE_PREFIX = {"resnet18": "resnet18", "resnet50": "resnet50", "vit_small_patch16_224": "vits16"}

#: (architecture, product, SSL method) -> the hash suffix of the published file name.
_HASHES = {
    ("resnet18", "tm_toa", "moco"): "1c691b4f",
    ("resnet18", "tm_toa", "simclr"): "d2d38ace",
    ("resnet18", "etm_toa", "moco"): "bb88689c",
    ("resnet18", "etm_toa", "simclr"): "4d813f79",
    ("resnet18", "etm_sr", "moco"): "4f078acd",
    ("resnet18", "etm_sr", "simclr"): "8e8543b4",
    ("resnet18", "oli_tirs_toa", "moco"): "a3002f51",
    ("resnet18", "oli_tirs_toa", "simclr"): "b0635cc6",
    ("resnet18", "oli_sr", "moco"): "660e82ed",
    ("resnet18", "oli_sr", "simclr"): "7bced5be",
    ("resnet50", "tm_toa", "moco"): "ba1ce753",
    ("resnet50", "tm_toa", "simclr"): "a1c93432",
    ("resnet50", "etm_toa", "moco"): "e9a84d5a",
    ("resnet50", "etm_toa", "simclr"): "70b5575f",
    ("resnet50", "etm_sr", "moco"): "1266cde3",
    ("resnet50", "etm_sr", "simclr"): "e5d185d7",
    ("resnet50", "oli_tirs_toa", "moco"): "de7f5e0f",
    ("resnet50", "oli_tirs_toa", "simclr"): "030cebfe",
    ("resnet50", "oli_sr", "moco"): "ff580dad",
    ("resnet50", "oli_sr", "simclr"): "94f78913",
    ("vit_small_patch16_224", "tm_toa", "moco"): "a1c967d8",
    ("vit_small_patch16_224", "tm_toa", "simclr"): "7c2d9799",
    ("vit_small_patch16_224", "etm_toa", "moco"): "26d19bcf",
    ("vit_small_patch16_224", "etm_toa", "simclr"): "34fb12cb",
    ("vit_small_patch16_224", "etm_sr", "moco"): "eaa4674e",
    ("vit_small_patch16_224", "etm_sr", "simclr"): "a14c466a",
    ("vit_small_patch16_224", "oli_tirs_toa", "moco"): "c7c2cceb",
    ("vit_small_patch16_224", "oli_tirs_toa", "simclr"): "ad43e9a4",
    ("vit_small_patch16_224", "oli_sr", "moco"): "c9b8898d",
    ("vit_small_patch16_224", "oli_sr", "simclr"): "4e8f6102",
}


def _entry(arch: str, product: str, method: str, digest: str) -> Weights:
    bands, thermal, sensor, missions = _PRODUCTS[product]
    return Weights(
        arch=arch,
        tag=f"landsat_{product}_{method}",
        url=f"{_BASE}/{_FILE_PREFIX[arch]}_landsat_{product}_{method}-{digest}.pth",
        in_chans=len(bands),
        bands=bands,
        sensor=sensor,
        product=product.rpartition("_")[2].upper(),
        resolution=30.0,
        dataset="SSL4EO-L",
        license="CC0-1.0",
        publication="https://arxiv.org/abs/2306.09424",
        repo="https://github.com/microsoft/torchgeo",
        ssl_method=method,
        preprocessing=_ssl4eo_l(bands, thermal),
        notes=f"{missions} images, stored as 8-bit by SSL4EO-L",
    )


WEIGHTS = tuple(_entry(arch, product, method, digest) for (arch, product, method), digest in _HASHES.items())
