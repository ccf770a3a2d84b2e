"""DOFA (Xiong et al. 2024) checkpoints: one wavelength-conditioned ViT for any sensor, hosted by TorchGeo."""

from __future__ import annotations

from dataclasses import replace

from geotorch.models.preprocessing import Preprocessing
from geotorch.models.weights import Weights

_TEMPLATE = Weights(
    arch="",
    tag="dofa_mae",
    url="",
    in_chans=None,
    bands=(),
    sensor="any",
    dataset="SatlasPretrain, Five-Billion-Pixels, HySpecNet-11k",
    license="CC-BY-4.0",
    publication="https://arxiv.org/abs/2403.15356",
    repo="https://github.com/zhu-xlab/DOFA",
    ssl_method="mae",
    # DOFA standardises each pretraining sensor with that sensor's own band statistics; the weights fix none.
    preprocessing=Preprocessing(
        input_values="any sensor's bands, each already standardised as (x - mean_b) / std_b with that sensor's "
        "own band statistics (DOFA's normalize_dataset.py: e.g. Satlas 8-bit Sentinel-2 with means 114.1, "
        "114.8, 126.6, ...)",
        source="https://github.com/zhu-xlab/DOFA/blob/059caa4f556848972e52128bf86f12fe02f3592a/normalize_dataset.py",
    ),
    notes="takes any bands given their central wavelengths (micrometres; SAR bands 5.405, as DOFA's publishers give "
    "Sentinel-1's VV and VH); normalise each sensor with its own band statistics, as DOFA's normalize_dataset.py does",
)

WEIGHTS = (
    replace(
        _TEMPLATE,
        arch="dofa_base_patch16_224",
        url="https://hf.co/torchgeo/dofa/resolve/b8db318b64a90b9e085ec04ba8851233c5893666/"
        "dofa_base_patch16_224-a0275954.pth",
    ),
    replace(
        _TEMPLATE,
        arch="dofa_large_patch16_224",
        url="https://hf.co/torchgeo/dofa/resolve/b8db318b64a90b9e085ec04ba8851233c5893666/"
        "dofa_large_patch16_224-0ff904d3.pth",
    ),
)
