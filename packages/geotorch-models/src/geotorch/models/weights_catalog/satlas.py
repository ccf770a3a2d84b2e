"""SatlasPretrain (Bastani et al. 2023) checkpoints: ResNet and Swin-V2 on NAIP, Sentinel-1/2 and Landsat."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from geotorch.models.preprocessing import Preprocessing, Rescale
from geotorch.models.weights import Weights
from geotorch.models.weights_catalog.bands import FROM_UINT8, UINT8_MAX

_SOURCE = "https://github.com/allenai/satlas/blob/149d2719bdc4f3c8b5f4a3c041f15c88c9384fc5/Normalization.md"
# The first three Sentinel-2 channels are ESA's 8-bit true-colour image (the TCI file of an L1C product), not
# B04/B03/B02 reflectance.
_TCI = ("TCI_R", "TCI_G", "TCI_B")
_TCI_VALUES = "the 8-bit true-colour image (TCI_R, TCI_G, TCI_B: the TCI file of a Sentinel-2 L1C product)"
_SENTINEL2_RGB = Preprocessing(steps=(FROM_UINT8,), input_values=_TCI_VALUES, source=_SOURCE, input_max=UINT8_MAX)
_SENTINEL2_MS_BANDS = (*_TCI, "B05", "B06", "B07", "B08", "B11", "B12")
# Normalization.md: TCI / 255; the other bands / 8160 clipped to [0, 1], stored as 8-bit (its example keeps
# clip(DN // 32, 0, 255) as uint8, and 255 * DN / 8160 = DN / 32).
_SENTINEL2_MS = Preprocessing(
    steps=(Rescale(divisor=(255.0,) * 3 + (8160.0,) * 6, clip=(0.0, 1.0), integer_max=255), FROM_UINT8),
    input_max=UINT8_MAX * 3 + (65535.0,) * 6,  # 8-bit TCI, then 16-bit DN
    input_values=f"{_TCI_VALUES}, then Sentinel-2 L1C DN of B05, B06, B07, B08, B11, B12 as in the product's JP2 "
    "files (products of processing baseline 04.00 and later, from 25 January 2022, add 1000 to these DN; "
    "Normalization.md does not say whether Satlas removed it)",
    source=_SOURCE,
)
_LANDSAT = Preprocessing(
    steps=(Rescale(offset=(4000.0,), divisor=(16320.0,), clip=(0.0, 1.0)),),
    input_values="Landsat 8/9 Collection 2 Level-1 DN of B1-B11 (uint16), as the Landsat8/Landsat9 datasets return "
    "Level-1 bands",
    source=_SOURCE,
)
_SENTINEL1 = Preprocessing(
    steps=(Rescale(divisor=(255.0,), clip=(0.0, 1.0)),),
    input_values="Sentinel-1 Level-1 GRD IW 16-bit DN of VH, then VV (10 m pixel spacing), as in the product's "
    "measurement files; not terrain-corrected or dB backscatter",
    source=_SOURCE,
)
_NAIP = Preprocessing(
    steps=(FROM_UINT8,),
    input_max=UINT8_MAX,
    input_values="8-bit red, green, blue of NAIP (or other aerial RGB); NAIP's near-infrared band left out",
    source=_SOURCE,
)

_TEMPLATE = Weights(
    arch="",
    tag="",
    url="",
    in_chans=3,
    bands=_TCI,
    sensor="sentinel2",
    product="TCI",
    resolution=10.0,
    dataset="SatlasPretrain",
    license="ODC-By-1.0",
    publication="https://arxiv.org/abs/2211.15660",
    repo="https://github.com/allenai/satlaspretrain_models",
    preprocessing=_SENTINEL2_RGB,
    img_size=256,
    notes="supervised multi-task pretraining; 'si' is the single-image model, 'mi' the multi-image one",
)
_BASE = "https://hf.co/torchgeo/satlas/resolve/081d6607431bf36bdb59c223777cbb267131b8f2"

#: Each kind of input: its tag, with ``{image}`` for ``si`` (single image) or ``mi`` (multi image), and the
#: facts that differ from the template.
_KINDS: dict[str, tuple[str, dict[str, Any]]] = {
    "sentinel2_rgb": ("sentinel2_{image}_rgb_satlas", {}),
    "sentinel2_ms": (
        "sentinel2_{image}_ms_satlas",
        {"in_chans": 9, "bands": _SENTINEL2_MS_BANDS, "product": "L1C", "preprocessing": _SENTINEL2_MS},
    ),
    "naip_rgb": (
        "naip_rgb_{image}_satlas",
        {"bands": ("R", "G", "B"), "sensor": "naip", "product": None, "resolution": 1.0, "preprocessing": _NAIP},
    ),
    "landsat": (
        "landsat_{image}_satlas",
        {
            "in_chans": 11,
            "bands": tuple(f"B{i}" for i in range(1, 12)),
            "sensor": "landsat_oli",
            "product": "L1",
            "resolution": 30.0,
            "preprocessing": _LANDSAT,
        },
    ),
    "sentinel1": (
        "sentinel1_{image}_satlas",
        {"in_chans": 2, "bands": ("VH", "VV"), "sensor": "sentinel1", "product": "GRD", "preprocessing": _SENTINEL1},
    ),
}


def _entry(arch: str, kind: str, image: str, filename: str) -> Weights:
    """The checkpoint ``filename`` of ``arch`` for input ``kind`` and single (``si``) or multi (``mi``) images."""
    tag, facts = _KINDS[kind]
    repo = "https://github.com/allenai/satlas" if arch.startswith("swin") else _TEMPLATE.repo
    return replace(_TEMPLATE, arch=arch, tag=tag.format(image=image), url=f"{_BASE}/{filename}", repo=repo, **facts)


WEIGHTS = (
    _entry("resnet50", "sentinel2_ms", "mi", "sentinel2_resnet50_mi_ms-da5413d2.pth"),
    _entry("resnet50", "sentinel2_rgb", "mi", "sentinel2_resnet50_mi_rgb-e79bb7fe.pth"),
    _entry("resnet50", "sentinel2_ms", "si", "sentinel2_resnet50_si_ms-1f454cc6.pth"),
    _entry("resnet50", "sentinel2_rgb", "si", "sentinel2_resnet50_si_rgb-45fc6972.pth"),
    _entry("resnet152", "sentinel2_ms", "mi", "sentinel2_resnet152_mi_ms-fd35b4bb.pth"),
    _entry("resnet152", "sentinel2_rgb", "mi", "sentinel2_resnet152_mi_rgb-67563ac5.pth"),
    _entry("resnet152", "sentinel2_ms", "si", "sentinel2_resnet152_si_ms-4500c6cb.pth"),
    _entry("resnet152", "sentinel2_rgb", "si", "sentinel2_resnet152_si_rgb-f4d24c3c.pth"),
    _entry("swin_v2_t", "sentinel2_ms", "mi", "sentinel2_swint_mi_ms-d8c659e3.pth"),
    _entry("swin_v2_t", "sentinel2_rgb", "mi", "sentinel2_swint_mi_rgb-424d91f4.pth"),
    _entry("swin_v2_t", "sentinel2_ms", "si", "sentinel2_swint_si_ms-bc68e396.pth"),
    _entry("swin_v2_t", "sentinel2_rgb", "si", "sentinel2_swint_si_rgb-0c1a96e0.pth"),
    _entry("swin_v2_b", "naip_rgb", "mi", "aerial_swinb_mi-326d69e1.pth"),
    _entry("swin_v2_b", "naip_rgb", "si", "aerial_swinb_si-e4169eb1.pth"),
    _entry("swin_v2_b", "landsat", "mi", "landsat_swinb_mi-6b4a1cda.pth"),
    _entry("swin_v2_b", "landsat", "si", "landsat_swinb_si-4af978f6.pth"),
    _entry("swin_v2_b", "sentinel1", "mi", "sentinel1_swinb_mi-f6c43d97.pth"),
    _entry("swin_v2_b", "sentinel1", "si", "sentinel1_swinb_si-3981c153.pth"),
    _entry("swin_v2_b", "sentinel2_ms", "mi", "sentinel2_swinb_mi_ms-39c86721.pth"),
    _entry("swin_v2_b", "sentinel2_rgb", "mi", "sentinel2_swinb_mi_rgb-4efa210c.pth"),
    _entry("swin_v2_b", "sentinel2_ms", "si", "sentinel2_swinb_si_ms-fe22a12c.pth"),
    _entry("swin_v2_b", "sentinel2_rgb", "si", "sentinel2_swinb_si_rgb-156a98d5.pth"),
)
