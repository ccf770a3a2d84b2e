"""Segmentation models from segmentation-models-pytorch with any timm encoder, band count and our weights."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import segmentation_models_pytorch as smp
from torch import nn

from geotorch.core import WeightsSpec
from geotorch.models.loading import (
    default_in_chans,
    load_pretrained,
    module_parameters,
    registered_weights,
    resolve_weights,
)
from geotorch.models.sources import CheckpointFile

_SMP_ARCHITECTURES: dict[str, type[nn.Module]] = {
    "unet": smp.Unet,
    "unetplusplus": smp.UnetPlusPlus,
    "deeplabv3plus": smp.DeepLabV3Plus,
    "fpn": smp.FPN,
    "pspnet": smp.PSPNet,
}


def segmentation_model(
    arch: str,
    weights: WeightsSpec = None,
    encoder_name: str | None = None,
    in_chans: int | None = None,
    classes: int = 1,
    bands: Sequence[str] | None = None,
    adapt: bool | None = None,
    strict: bool = True,
    *,
    in_channels: int | None = None,
    **kwargs: Any,
) -> nn.Module:
    """A segmentation-models-pytorch model whose encoder can carry GeoTorch backbone weights.

    Args:
        arch: ``unet``, ``unetplusplus``, ``deeplabv3plus``, ``fpn`` or ``pspnet``.
        weights: weights for the encoder (any form of :mod:`geotorch.models.loading`): registered backbone
            weights (``"resnet50.sentinel2_all_moco"``; the encoder then defaults to ``tu-<their
            architecture>``), a checkpoint file of the encoder or of a whole model or task holding it, or
            ImageNet.
        encoder_name: an smp encoder name, ``tu-<timm name>`` for any timm model; ``tu-resnet50`` by default.
        in_chans: the number of input bands; defaults to ``len(bands)``, else the weights', else 3.
        classes: the number of output channels.
        bands: names of the input bands, to pick pretrained first-layer slices by name.
        adapt: whether weights for other bands may be adapted (see :mod:`geotorch.models.adapt`); None adapts
            weights that state their bands and refuses checkpoint files made for others.
        strict: whether parameters that do not fit are an error (True) or left out with a warning.
        in_channels: smp's (and TorchGeo's) name for ``in_chans``; give one of the two.
        **kwargs: passed to the smp model (``encoder_depth``, ``decoder_channels``, ...).

    Returns:
        The model; it never downloads ImageNet weights (``encoder_weights`` is always None).

    Raises:
        KeyError: if ``arch`` is not one of the five.
        ValueError: if the weights' architecture is not the encoder's, or ``in_chans`` and ``in_channels`` disagree.
        geotorch.core.WeightsMismatchError: if they do not fit (see ``strict``).
    """
    if arch not in _SMP_ARCHITECTURES:
        raise KeyError(f"unknown segmentation architecture {arch!r}; choose from {', '.join(_SMP_ARCHITECTURES)}")
    if in_channels is not None and in_chans is not None and in_channels != in_chans:
        raise ValueError(f"{arch}: in_chans={in_chans} and in_channels={in_channels} disagree; give one of them")
    in_chans = in_chans if in_chans is not None else in_channels
    named = registered_weights(weights)
    if encoder_name is None:
        encoder_name = f"tu-{named.arch}" if named is not None else "tu-resnet50"
    if named is not None and encoder_name.removeprefix("tu-") != named.arch:
        raise ValueError(f"weights {named.name!r} are for {named.arch!r}, not encoder {encoder_name!r}")
    resolved = named or resolve_weights(weights, encoder_name.removeprefix("tu-"))
    model = _SMP_ARCHITECTURES[arch](
        encoder_name=encoder_name,
        encoder_weights=None,
        in_channels=default_in_chans(resolved, in_chans, bands),
        classes=classes,
        **kwargs,
    )
    if resolved is not None:
        encoder: Any = model.encoder
        target = encoder.model if encoder_name.startswith("tu-") else encoder
        load_pretrained(target, resolved, bands, adapt, strict=strict)
        if isinstance(resolved, CheckpointFile):
            _warn_of_decoder(model, resolved)
    return model


def _warn_of_decoder(model: nn.Module, weights: CheckpointFile) -> None:
    """Warn when the checkpoint file also holds ``model``'s decoder and head (a whole trained model), unloaded.

    ``weights=`` loads an encoder, as TorchGeo's builders do; a user giving the checkpoint of a fit would otherwise
    predict with the random decoder and head without a word.
    """
    own = model.state_dict()
    try:
        found = module_parameters(weights.get_state_dict(), list(own), f"weights {weights.name!r}")
    except ValueError:  # two prefixes hold as much of the model: loading the encoder said what it could
        return
    fitting = [key for key, value in found.items()
               if not key.startswith("encoder.") and key in own and own[key].shape == value.shape]
    if fitting:
        warnings.warn(
            f"weights {weights.name!r} also holds this {type(model).__name__}'s decoder and head ({len(fitting)} "
            f"parameters, {fitting[0]} ...); weights= loads the encoder only: to restore the whole trained model, "
            "use its task's load_from_checkpoint (or model.load_state_dict)",
            stacklevel=3,
        )


def unet(weights: WeightsSpec = None, classes: int | None = None, **kwargs: Any) -> nn.Module:
    """U-Net (Ronneberger et al. 2015); arguments as :func:`segmentation_model` (``classes`` second, as TorchGeo's)."""
    if classes is not None:
        kwargs["classes"] = classes
    return segmentation_model("unet", weights, **kwargs)


def unetplusplus(weights: WeightsSpec = None, **kwargs: Any) -> nn.Module:
    """U-Net++ (Zhou et al. 2018); arguments as :func:`segmentation_model`."""
    return segmentation_model("unetplusplus", weights, **kwargs)


def deeplabv3plus(weights: WeightsSpec = None, **kwargs: Any) -> nn.Module:
    """DeepLabV3+ (Chen et al. 2018); arguments as :func:`segmentation_model`."""
    return segmentation_model("deeplabv3plus", weights, **kwargs)


def fpn(weights: WeightsSpec = None, **kwargs: Any) -> nn.Module:
    """Feature Pyramid Network (Lin et al. 2017) for segmentation; arguments as :func:`segmentation_model`."""
    return segmentation_model("fpn", weights, **kwargs)


def pspnet(weights: WeightsSpec = None, **kwargs: Any) -> nn.Module:
    """PSPNet (Zhao et al. 2017); arguments as :func:`segmentation_model`."""
    return segmentation_model("pspnet", weights, **kwargs)
