"""Seasonal Contrast (SeCo, Mañas et al. 2021) checkpoints: Sentinel-2 RGB, hosted by TorchGeo."""

from __future__ import annotations

from dataclasses import replace

from geotorch.models.preprocessing import Preprocessing, Rescale
from geotorch.models.weights import Weights
from geotorch.models.weights_catalog.bands import FROM_UINT8, IMAGENET_MEAN, IMAGENET_STD, SENTINEL2_RGB

_SECO_REPO = "https://github.com/ServiceNow/seasonal-contrast/blob/8285173ec205b64bc3e53b880344dd6c3f79fa7a/datasets/"

# SeCo's patches are Sentinel-2 L2A reflectance (DN / 10000) stored as 8-bit; each band is then stretched between
# its published 8-bit quantiles, stored as 8-bit again, and ImageNet-normalised. The quantiles are published per
# band name (B2: 3-88, B3: 2-103, B4: 0-129), so in SENTINEL2_RGB's order (B4, B3, B2) they read red first.
_SECO = Preprocessing(
    steps=(
        Rescale(divisor=(10000.0,), clip=(0.0, 1.0), integer_max=255),
        Rescale(offset=(0.0, 2.0, 3.0), divisor=(129.0, 101.0, 85.0), clip=(0.0, 1.0), integer_max=255),
        FROM_UINT8,
    ),
    mean=IMAGENET_MEAN,
    std=IMAGENET_STD,
    input_values="Sentinel-2 L2A bottom-of-atmosphere reflectance DN (reflectance x 10000) of B4, B3, B2, as "
    "products of processing baseline < 04.00 (SeCo's 2020-2021 downloads of Google Earth Engine's COPERNICUS/S2_SR) "
    "hold them; products of baseline 04.00 and later (from 25 January 2022) add 1000 (BOA_ADD_OFFSET -1000), to "
    "subtract first",
    source=f"{_SECO_REPO}seco_downloader.py (get_patch: image / 10000, rescale_intensity (0, 1) to uint8); "
    f"{_SECO_REPO}seco_dataset.py (QUANTILES, normalize, RGB_BANDS); ToTensor and imagenet_normalization",
)

_TEMPLATE = Weights(
    arch="",
    tag="sentinel2_rgb_seco",
    url="",
    in_chans=3,
    bands=SENTINEL2_RGB,
    sensor="sentinel2",
    product="L2A",
    resolution=10.0,
    dataset="SeCo",
    license="Apache-2.0",
    publication="https://arxiv.org/abs/2103.16607",
    repo="https://github.com/ServiceNow/seasonal-contrast",
    ssl_method="seco",
    preprocessing=_SECO,
    notes="pretrained on SeCo's 8-bit exports of Sentinel-2 L2A (COPERNICUS/S2_SR); the per-band 8-bit bounds "
    "(B4 0-129, B3 2-103, B2 3-88) are SeCo's published quantiles",
)

WEIGHTS = (
    replace(
        _TEMPLATE,
        arch="resnet18",
        url="https://hf.co/torchgeo/resnet18_sentinel2_rgb_seco/resolve/f8dcee692cf7142163b55a5c197d981fe0e717a0/"
        "resnet18_sentinel2_rgb_seco-cefca942.pth",
    ),
    replace(
        _TEMPLATE,
        arch="resnet50",
        url="https://hf.co/torchgeo/resnet50_sentinel2_rgb_seco/resolve/fbd07b02a8edb8fc1035f7957160deed4321c145/"
        "resnet50_sentinel2_rgb_seco-018bf397.pth",
    ),
)
