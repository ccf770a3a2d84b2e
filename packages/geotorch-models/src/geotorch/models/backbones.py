"""Backbones through timm and torchvision with any number of input bands and GeoTorch's pretrained weights."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import timm
import torchvision
from torch import nn

from geotorch.core import WeightsSpec
from geotorch.models.loading import default_in_chans, load_pretrained, resolve_weights


def timm_backbone(
    model_name: str,
    weights: WeightsSpec = None,
    in_chans: int | None = None,
    bands: Sequence[str] | None = None,
    adapt: bool | None = None,
    strict: bool = True,
    **kwargs: Any,
) -> nn.Module:
    """Any timm architecture with ``in_chans`` bands, optionally with GeoTorch weights.

    Args:
        model_name: a timm model name (``"resnet50"``, ``"convnext_tiny"``, ``"swinv2_tiny_window8_256"``).
        weights: registered weights for ``model_name`` (a name, enum member or :class:`Weights`), a checkpoint
            file, or ImageNet (``True``, ``"imagenet"``); see :mod:`geotorch.models.loading`.
        in_chans: the number of input bands; defaults to ``len(bands)``, else the weights', else 3.
        bands: names of the input bands, to pick pretrained first-layer slices by name.
        adapt: whether weights for other bands may be adapted (see :mod:`geotorch.models.adapt`); None adapts
            weights that state their bands and refuses checkpoint files made for others.
        strict: whether parameters that do not fit are an error (True) or left out with a warning.
        **kwargs: passed to :func:`timm.create_model` (``num_classes``, ``img_size``, ...); never downloads,
            ``pretrained`` is always False.

    Returns:
        The model.

    Raises:
        ValueError: if the weights are for another architecture.
        geotorch.core.WeightsMismatchError: if they do not fit and cannot be adapted (see ``strict``).
    """
    resolved = resolve_weights(weights, model_name)
    kwargs["pretrained"] = False
    model: nn.Module = timm.create_model(model_name, in_chans=default_in_chans(resolved, in_chans, bands), **kwargs)
    if resolved is not None:
        load_pretrained(model, resolved, bands, adapt, strict=strict)
    return model


def resnet18(weights: WeightsSpec = None, *args: Any, **kwargs: Any) -> nn.Module:
    """ResNet-18 (He et al. 2016) from timm; arguments as :func:`timm_backbone`."""
    return timm_backbone("resnet18", weights, *args, **kwargs)


def resnet50(weights: WeightsSpec = None, *args: Any, **kwargs: Any) -> nn.Module:
    """ResNet-50 (He et al. 2016) from timm; arguments as :func:`timm_backbone`."""
    return timm_backbone("resnet50", weights, *args, **kwargs)


def resnet152(weights: WeightsSpec = None, *args: Any, **kwargs: Any) -> nn.Module:
    """ResNet-152 (He et al. 2016) from timm; arguments as :func:`timm_backbone`."""
    return timm_backbone("resnet152", weights, *args, **kwargs)


def vit_small_patch16_224(weights: WeightsSpec = None, *args: Any, **kwargs: Any) -> nn.Module:
    """ViT-S/16 (Dosovitskiy et al. 2021) from timm; arguments as :func:`timm_backbone`."""
    return timm_backbone("vit_small_patch16_224", weights, *args, **kwargs)


def vit_base_patch16_224(weights: WeightsSpec = None, *args: Any, **kwargs: Any) -> nn.Module:
    """ViT-B/16 (Dosovitskiy et al. 2021) from timm; arguments as :func:`timm_backbone`."""
    return timm_backbone("vit_base_patch16_224", weights, *args, **kwargs)


def vit_large_patch16_224(weights: WeightsSpec = None, *args: Any, **kwargs: Any) -> nn.Module:
    """ViT-L/16 (Dosovitskiy et al. 2021) from timm; arguments as :func:`timm_backbone`."""
    return timm_backbone("vit_large_patch16_224", weights, *args, **kwargs)


def _torchvision_swin(
    arch: str,
    weights: WeightsSpec,
    in_chans: int | None,
    bands: Sequence[str] | None,
    adapt: bool | None,
    strict: bool,
    **kwargs: Any,
) -> nn.Module:
    resolved = resolve_weights(weights, arch)
    model: Any = getattr(torchvision.models, arch)(weights=None, **kwargs)
    stem: nn.Conv2d = model.features[0][0]
    # SatlasPretrain's layout: the patch embedding takes the sensor's bands (satlaspretrain_models backbones.py).
    model.features[0][0] = nn.Conv2d(
        default_in_chans(resolved, in_chans, bands), stem.out_channels, stem.kernel_size[0], stem.stride[0]
    )
    if resolved is not None:
        load_pretrained(model, resolved, bands, adapt, strict=strict)
    built: nn.Module = model
    return built


def swin_v2_t(
    weights: WeightsSpec = None,
    in_chans: int | None = None,
    bands: Sequence[str] | None = None,
    adapt: bool | None = None,
    strict: bool = True,
    **kwargs: Any,
) -> nn.Module:
    """Swin Transformer V2 Tiny (Liu et al. 2022) in torchvision's layout, the one SatlasPretrain publishes.

    Args:
        weights: registered ``swin_v2_t`` weights, or a checkpoint file.
        in_chans: the number of input bands; defaults to ``len(bands)``, else the weights', else 3.
        bands: names of the input bands, to pick pretrained first-layer slices by name.
        adapt: whether weights for other bands may be adapted (as :func:`timm_backbone`).
        strict: whether parameters that do not fit are an error (True) or left out with a warning.
        **kwargs: passed to :func:`torchvision.models.swin_v2_t` (``num_classes``, ...).

    Returns:
        The model.
    """
    return _torchvision_swin("swin_v2_t", weights, in_chans, bands, adapt, strict, **kwargs)


def swin_v2_b(
    weights: WeightsSpec = None,
    in_chans: int | None = None,
    bands: Sequence[str] | None = None,
    adapt: bool | None = None,
    strict: bool = True,
    **kwargs: Any,
) -> nn.Module:
    """Swin Transformer V2 Base (Liu et al. 2022) in torchvision's layout; arguments as :func:`swin_v2_t`."""
    return _torchvision_swin("swin_v2_b", weights, in_chans, bands, adapt, strict, **kwargs)
