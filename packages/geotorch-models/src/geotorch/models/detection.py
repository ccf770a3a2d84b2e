"""torchvision's detectors (Faster R-CNN, FCOS, RetinaNet, Mask R-CNN) on a ResNet-FPN of any band count."""

from __future__ import annotations

from typing import Any

from torch import nn

from geotorch.core import WeightsSpec
from geotorch.models.loading import load_pretrained, resolve_weights

#: torchvision ResNets a detector's ``backbone`` may name.
BACKBONES = (
    "resnet18",
    "resnet34",
    "resnet50",
    "resnet101",
    "resnet152",
    "resnext50_32x4d",
    "resnext101_32x8d",
    "wide_resnet50_2",
    "wide_resnet101_2",
)


def detector(
    model: str,
    backbone: str = "resnet50",
    weights: WeightsSpec = None,
    in_channels: int = 3,
    num_classes: int = 91,
    trainable_layers: int = 3,
    min_size: int = 800,
    max_size: int = 1333,
    adapt: bool | None = None,
    strict: bool = True,
) -> nn.Module:
    """A torchvision detector on a ResNet-FPN backbone whose first layer takes ``in_channels`` bands.

    The detector's own normalisation is the identity (mean 0, standard deviation 1 per band): GeoTorch's
    datamodules normalise the images. Batch norms are frozen when there are weights, as in torchvision's own
    builders.

    Args:
        model: ``faster-rcnn``, ``fcos``, ``retinanet`` or ``mask-rcnn``.
        backbone: a torchvision ResNet (:data:`BACKBONES`).
        weights: weights for the ResNet (any form of :mod:`geotorch.models.loading`: a checkpoint file of it or
            of a model holding it, ImageNet, registered weights of its architecture).
        in_channels: bands of the input images.
        num_classes: classes, the background 0 included.
        trainable_layers: ResNet stages trained, counted from the last (0 to 5).
        min_size: side the shorter image side is resized to inside the model.
        max_size: longest the longer side may become.
        adapt: whether weights for other bands may be adapted (as :func:`geotorch.models.load_pretrained`).
        strict: whether parameters that do not fit are an error (True) or left out with a warning.

    Returns:
        The detector.

    Raises:
        ValueError: if ``model`` or ``backbone`` is not one it can build.
        geotorch.core.WeightsMismatchError: if the weights do not fit (see ``strict``).
    """
    from torchvision.models.detection import FCOS, FasterRCNN, MaskRCNN, RetinaNet
    from torchvision.models.detection.backbone_utils import resnet_fpn_backbone
    from torchvision.ops import FrozenBatchNorm2d
    from torchvision.ops.feature_pyramid_network import LastLevelP6P7

    builders: dict[str, Any] = {"faster-rcnn": FasterRCNN, "fcos": FCOS, "retinanet": RetinaNet, "mask-rcnn": MaskRCNN}
    if model not in builders:
        raise ValueError(f"model={model!r} is not a detector; choose one of {', '.join(builders)}")
    if backbone not in BACKBONES:
        raise ValueError(
            f"backbone={backbone!r} is not a ResNet the detectors take; choose one of {', '.join(BACKBONES)}"
        )
    resolved = resolve_weights(weights, backbone)
    single_stage = model in ("fcos", "retinanet")
    features = resnet_fpn_backbone(
        backbone_name=backbone,
        weights=None,
        trainable_layers=trainable_layers,
        norm_layer=FrozenBatchNorm2d if resolved is not None else nn.BatchNorm2d,
        returned_layers=[2, 3, 4] if single_stage else None,
        extra_blocks=LastLevelP6P7(256, 256) if single_stage else None,
    )
    body: Any = features.body
    first: nn.Conv2d = body.conv1
    # ResNet's stem: a 7 x 7 convolution of stride 2, now over ``in_channels`` bands.
    body.conv1 = nn.Conv2d(in_channels, first.out_channels, kernel_size=7, stride=2, padding=3, bias=False)
    body.conv1.requires_grad_(first.weight.requires_grad)
    if resolved is not None:
        load_pretrained(body, resolved, adapt=adapt, strict=strict)
    options: dict[str, Any] = {
        "min_size": min_size,
        "max_size": max_size,
        "image_mean": [0.0] * in_channels,
        "image_std": [1.0] * in_channels,
    }
    network: nn.Module = builders[model](features, num_classes=num_classes, **options)
    return network


def faster_rcnn(**kwargs: Any) -> nn.Module:
    """Faster R-CNN (Ren et al. 2015); arguments as :func:`detector`."""
    return detector("faster-rcnn", **kwargs)


def fcos(**kwargs: Any) -> nn.Module:
    """FCOS (Tian et al. 2019); arguments as :func:`detector`."""
    return detector("fcos", **kwargs)


def retinanet(**kwargs: Any) -> nn.Module:
    """RetinaNet (Lin et al. 2017); arguments as :func:`detector`."""
    return detector("retinanet", **kwargs)


def mask_rcnn(**kwargs: Any) -> nn.Module:
    """Mask R-CNN (He et al. 2017); arguments as :func:`detector`."""
    return detector("mask-rcnn", **kwargs)
