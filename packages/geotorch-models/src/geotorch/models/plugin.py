"""The geotorch-models plugin: registers backbones, task models, published weights and two commands."""

from __future__ import annotations

from geotorch.core import hookimpl
from geotorch.core.commands import CommandRegistrar
from geotorch.core.registry import Register

#: name -> (import path, task, library it builds on). Modules are imported only when a model is built.
MODELS = {
    "resnet18": ("geotorch.models.backbones:resnet18", "backbone", "timm"),
    "resnet50": ("geotorch.models.backbones:resnet50", "backbone", "timm"),
    "resnet152": ("geotorch.models.backbones:resnet152", "backbone", "timm"),
    "vit_small_patch16_224": ("geotorch.models.backbones:vit_small_patch16_224", "backbone", "timm"),
    "vit_base_patch16_224": ("geotorch.models.backbones:vit_base_patch16_224", "backbone", "timm"),
    "vit_large_patch16_224": ("geotorch.models.backbones:vit_large_patch16_224", "backbone", "timm"),
    "swin_v2_t": ("geotorch.models.backbones:swin_v2_t", "backbone", "torchvision"),
    "swin_v2_b": ("geotorch.models.backbones:swin_v2_b", "backbone", "torchvision"),
    "timm": ("geotorch.models.backbones:timm_backbone", "backbone", "timm"),
    "dofa_small_patch16_224": ("geotorch.models.dofa:dofa_small_patch16_224", "backbone", "geotorch"),
    "dofa_base_patch16_224": ("geotorch.models.dofa:dofa_base_patch16_224", "backbone", "geotorch"),
    "dofa_large_patch16_224": ("geotorch.models.dofa:dofa_large_patch16_224", "backbone", "geotorch"),
    "scalemae_large_patch16": ("geotorch.models.scale_mae:scalemae_large_patch16", "backbone", "timm"),
    "unet": ("geotorch.models.segmentation:unet", "segmentation", "segmentation-models-pytorch"),
    "unetplusplus": ("geotorch.models.segmentation:unetplusplus", "segmentation", "segmentation-models-pytorch"),
    "deeplabv3plus": ("geotorch.models.segmentation:deeplabv3plus", "segmentation", "segmentation-models-pytorch"),
    "fpn": ("geotorch.models.segmentation:fpn", "segmentation", "segmentation-models-pytorch"),
    "pspnet": ("geotorch.models.segmentation:pspnet", "segmentation", "segmentation-models-pytorch"),
    "FarSeg": ("geotorch.models.farseg:FarSeg", "segmentation", "geotorch"),
    "FCN": ("geotorch.models.fcn:FCN", "segmentation", "geotorch"),
    "FCSiamDiff": ("geotorch.models.change:FCSiamDiff", "change_detection", "geotorch"),
    "FCSiamConc": ("geotorch.models.change:FCSiamConc", "change_detection", "geotorch"),
    "RCF": ("geotorch.models.rcf:RCF", "features", "geotorch"),
    "DOFA": ("geotorch.models.dofa:DOFA", "backbone", "geotorch"),
}


@hookimpl
def register_models(register: Register) -> None:
    """Register every builder in :data:`MODELS` by import path, with its task and library."""
    for name, (target, task, library) in MODELS.items():
        register(target, name=name, task=task, library=library)


@hookimpl
def register_weights(register: Register) -> None:
    """Register every published checkpoint of :mod:`geotorch.models.weights_catalog` as ``arch.tag``."""
    from geotorch.models.weights_catalog import ALL_WEIGHTS

    for weights in ALL_WEIGHTS:
        register(weights, name=weights.name, **weights.registry_metadata())


@hookimpl
def register_commands(cli: CommandRegistrar) -> None:
    """Add ``geotorch models`` and ``geotorch weights``."""
    from geotorch.models.cli import run_models, run_weights

    cli.add("models", run_models, help="list registered models with their task and library")
    cli.add("weights", run_weights, help="list registered pretrained weights with bands, sensor and licence")
