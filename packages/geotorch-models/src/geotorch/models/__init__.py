"""GeoTorch models: multispectral backbones, task heads and pretrained weights.

Names are imported on first use, so that loading the plugin does not import timm or
segmentation-models-pytorch.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from geotorch.models.adapt import BandAdaptationWarning, adapt_input_weight
    from geotorch.models.backbones import (
        resnet18,
        resnet50,
        resnet152,
        swin_v2_b,
        swin_v2_t,
        timm_backbone,
        vit_base_patch16_224,
        vit_large_patch16_224,
        vit_small_patch16_224,
    )
    from geotorch.models.change import FCSiamConc, FCSiamDiff
    from geotorch.models.dofa import DOFA, dofa_base_patch16_224, dofa_large_patch16_224, dofa_small_patch16_224
    from geotorch.models.farseg import FarSeg
    from geotorch.models.fcn import FCN
    from geotorch.models.hub import (
        UnsafeCheckpointError,
        download_weights,
        load_checkpoint,
        load_state_dict,
        timm_overlay,
    )
    from geotorch.models.loading import load_pretrained
    from geotorch.models.preprocessing import Preprocess, Preprocessing, Rescale
    from geotorch.models.rcf import RCF
    from geotorch.models.scale_mae import ScaleMAE, scalemae_large_patch16
    from geotorch.models.segmentation import deeplabv3plus, fpn, pspnet, segmentation_model, unet, unetplusplus
    from geotorch.models.weights import Weights

#: public name -> the module that defines it.
_EXPORTS = {
    "BandAdaptationWarning": "adapt",
    "adapt_input_weight": "adapt",
    "resnet18": "backbones",
    "resnet50": "backbones",
    "resnet152": "backbones",
    "swin_v2_b": "backbones",
    "swin_v2_t": "backbones",
    "timm_backbone": "backbones",
    "vit_base_patch16_224": "backbones",
    "vit_large_patch16_224": "backbones",
    "vit_small_patch16_224": "backbones",
    "FCSiamConc": "change",
    "FCSiamDiff": "change",
    "DOFA": "dofa",
    "dofa_base_patch16_224": "dofa",
    "dofa_large_patch16_224": "dofa",
    "dofa_small_patch16_224": "dofa",
    "FarSeg": "farseg",
    "FCN": "fcn",
    "UnsafeCheckpointError": "hub",
    "download_weights": "hub",
    "load_checkpoint": "hub",
    "load_state_dict": "hub",
    "timm_overlay": "hub",
    "load_pretrained": "loading",
    "RCF": "rcf",
    "ScaleMAE": "scale_mae",
    "scalemae_large_patch16": "scale_mae",
    "deeplabv3plus": "segmentation",
    "fpn": "segmentation",
    "pspnet": "segmentation",
    "segmentation_model": "segmentation",
    "unet": "segmentation",
    "unetplusplus": "segmentation",
    "Preprocess": "preprocessing",
    "Preprocessing": "preprocessing",
    "Rescale": "preprocessing",
    "Weights": "weights",
}

__all__ = [
    "DOFA",
    "FCN",
    "RCF",
    "BandAdaptationWarning",
    "FCSiamConc",
    "FCSiamDiff",
    "FarSeg",
    "Preprocess",
    "Preprocessing",
    "Rescale",
    "ScaleMAE",
    "UnsafeCheckpointError",
    "Weights",
    "adapt_input_weight",
    "deeplabv3plus",
    "dofa_base_patch16_224",
    "dofa_large_patch16_224",
    "dofa_small_patch16_224",
    "download_weights",
    "fpn",
    "load_checkpoint",
    "load_pretrained",
    "load_state_dict",
    "pspnet",
    "resnet18",
    "resnet50",
    "resnet152",
    "scalemae_large_patch16",
    "segmentation_model",
    "swin_v2_b",
    "swin_v2_t",
    "timm_backbone",
    "timm_overlay",
    "unet",
    "unetplusplus",
    "vit_base_patch16_224",
    "vit_large_patch16_224",
    "vit_small_patch16_224",
]


def __getattr__(name: str) -> Any:
    """Import the module defining ``name`` on first access."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'geotorch.models' has no attribute {name!r}")
    return getattr(importlib.import_module(f"geotorch.models.{module}"), name)
