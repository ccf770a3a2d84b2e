"""Seasonal Contrast (SeCo, Mañas et al. 2021) checkpoints: Sentinel-2 RGB, hosted by TorchGeo."""

from __future__ import annotations

from dataclasses import replace

from geotorch.models.weights import Preprocessing, Weights
from geotorch.models.weights_catalog.bands import IMAGENET_MEAN, IMAGENET_STD, SENTINEL2_RGB

# SeCo's RGB patches are 8-bit; each band is stretched between these published bounds, then ImageNet-normalised.
_SECO = Preprocessing(
    offset=(3.0, 2.0, 0.0),
    divisor=(85.0, 101.0, 129.0),
    clip=(0.0, 1.0),
    mean=IMAGENET_MEAN,
    std=IMAGENET_STD,
    source="https://github.com/ServiceNow/seasonal-contrast/blob/8285173ec205b64bc3e53b880344dd6c3f79fa7a/"
    "datasets/seco_dataset.py",
)

_TEMPLATE = Weights(
    arch="",
    tag="sentinel2_rgb_seco",
    url="",
    in_chans=3,
    bands=SENTINEL2_RGB,
    sensor="sentinel2",
    product="L1C",
    resolution=10.0,
    dataset="SeCo",
    license="Apache-2.0",
    publication="https://arxiv.org/abs/2103.16607",
    repo="https://github.com/ServiceNow/seasonal-contrast",
    ssl_method="seco",
    preprocessing=_SECO,
    notes="band bounds (min 3, 2, 0; max 88, 103, 129) are SeCo's published 8-bit RGB quantiles",
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
