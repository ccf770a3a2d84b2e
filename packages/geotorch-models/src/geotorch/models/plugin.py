"""The geotorch-models plugin: registers backbones, task models, published weights and two commands."""

from __future__ import annotations

from typing import Any

from geotorch.core import CommandRegistrar, Register, export_targets, hookimpl

#: Exported name (in geotorch.models' name table) -> (task, library it builds on) of every registered model.
#: The import paths come from the name table; modules are imported only when a model is built.
MODELS = {
    "resnet18": ("backbone", "timm"),
    "resnet50": ("backbone", "timm"),
    "resnet152": ("backbone", "timm"),
    "vit_small_patch16_224": ("backbone", "timm"),
    "vit_base_patch16_224": ("backbone", "timm"),
    "vit_large_patch16_224": ("backbone", "timm"),
    "swin_v2_t": ("backbone", "torchvision"),
    "swin_v2_b": ("backbone", "torchvision"),
    "timm_backbone": ("backbone", "timm"),
    "dofa_small_patch16_224": ("backbone", "geotorch"),
    "dofa_base_patch16_224": ("backbone", "geotorch"),
    "dofa_large_patch16_224": ("backbone", "geotorch"),
    "scalemae_large_patch16": ("backbone", "timm"),
    "unet": ("segmentation", "segmentation-models-pytorch"),
    "unetplusplus": ("segmentation", "segmentation-models-pytorch"),
    "deeplabv3plus": ("segmentation", "segmentation-models-pytorch"),
    "fpn": ("segmentation", "segmentation-models-pytorch"),
    "pspnet": ("segmentation", "segmentation-models-pytorch"),
    "FarSeg": ("segmentation", "geotorch"),
    "FCN": ("segmentation", "geotorch"),
    "FCSiamDiff": ("change_detection", "geotorch"),
    "FCSiamConc": ("change_detection", "geotorch"),
    "RCF": ("features", "geotorch"),
    "DOFA": ("backbone", "geotorch"),
    "faster_rcnn": ("object_detection", "torchvision"),
    "fcos": ("object_detection", "torchvision"),
    "retinanet": ("object_detection", "torchvision"),
    "mask_rcnn": ("instance_segmentation", "torchvision"),
    "ConvLSTM": ("spatiotemporal_segmentation", "geotorch"),
    "Conv3dLSTM": ("spatiotemporal_segmentation", "geotorch"),
    "UTAE": ("spatiotemporal_segmentation", "geotorch"),
    "LTAE": ("temporal_regression", "geotorch"),
}

#: Registered names that differ from the exported one: ``get_model("timm", model_name=...)`` builds any timm model.
REGISTERED_AS = {
    "timm_backbone": "timm",
    "faster_rcnn": "faster-rcnn",
    "mask_rcnn": "mask-rcnn",
}

#: The task arguments (geotorch.trainers) each builder takes, under its own keyword names.
_SMP = {"weights": "weights", "backbone": "encoder_name", "in_channels": "in_chans", "num_classes": "classes"}
_SIAMESE = {"weights": "weights", "backbone": "encoder_name", "in_channels": "in_channels", "num_classes": "classes"}
_FARSEG = {"weights": "weights", "backbone": "backbone", "in_channels": "in_channels", "num_classes": "classes"}
_FCN = {"in_channels": "in_channels", "num_classes": "classes", "num_filters": "num_filters"}
_DETECTOR = {name: name for name in (*_FARSEG, "trainable_layers", "min_size", "max_size")}
_SERIES = {"in_channels": "input_dim", "num_classes": "num_classes"}
#: How tasks build a model (see geotorch.trainers' task docstrings): the builder's keyword for each task argument
#: (``arguments``), a prefix its backbone names take (``backbone_prefix``), and other names tasks accept (``aliases``).
TASK_METADATA: dict[str, dict[str, Any]] = {
    "unet": {"arguments": _SMP, "backbone_prefix": "tu-"},
    "unetplusplus": {"arguments": _SMP, "backbone_prefix": "tu-", "aliases": ["unet++"]},
    "deeplabv3plus": {"arguments": _SMP, "backbone_prefix": "tu-", "aliases": ["deeplabv3+"]},
    "fpn": {"arguments": _SMP, "backbone_prefix": "tu-"},
    "pspnet": {"arguments": _SMP, "backbone_prefix": "tu-"},
    "FarSeg": {"arguments": _FARSEG},
    "FCN": {"arguments": _FCN},
    "FCSiamDiff": {"arguments": _SIAMESE},
    "FCSiamConc": {"arguments": _SIAMESE},
    "faster_rcnn": {"arguments": _DETECTOR},
    "fcos": {"arguments": _DETECTOR},
    "retinanet": {"arguments": _DETECTOR},
    "mask_rcnn": {"arguments": _DETECTOR},
    "ConvLSTM": {"arguments": _SERIES},
    "Conv3dLSTM": {"arguments": {"in_channels": "input_dim", "num_classes": "num_outputs"}},
    "UTAE": {"arguments": _SERIES},
    "LTAE": {"arguments": {"in_channels": "in_channels", "num_classes": "num_classes"}},
}


@hookimpl
def register_models(register: Register) -> None:
    """Register every builder in :data:`MODELS` by import path, with its task and library."""
    targets = export_targets("geotorch.models")
    for name, (task, library) in MODELS.items():
        register(
            targets[name], name=REGISTERED_AS.get(name, name), task=task, library=library, **TASK_METADATA.get(name, {})
        )


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
