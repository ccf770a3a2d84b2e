"""What a model tells ``predict_raster`` of itself: its input's normalisation, its band count, its class names."""

from __future__ import annotations

import enum
import os
import warnings
from collections.abc import Callable
from typing import Any

from torch import Tensor, nn

from geotorch.trainers.base import BaseTask
from geotorch.trainers.input_normalization import InputNormalization


def preprocessing_of(model: nn.Module) -> Callable[[Tensor], Tensor] | None:
    """What makes raw pixel values the model's input, as it was in training, or None when unknown.

    A task fit on a GeoTorch datamodule gets the normalisation it recorded then
    (:attr:`~geotorch.trainers.BaseTask.input_normalization`, kept in its checkpoints), which is
    what it learnt on, pretrained weights or not. Else a task built with ``weights=`` a registered
    name (``resnet50.sentinel2_all_moco``) or a weights object (or enum member) whose ``transforms``
    is a callable gets that callable; a checkpoint file, ImageNet weights or none at all give None.

    Raises:
        ValueError: if the task was fit on images changed by more than a normalisation, which cannot be
            repeated, naming what and the fix (``preprocess=``).
    """
    normalization = getattr(model, "input_normalization", None)
    if isinstance(normalization, InputNormalization):
        if normalization.unrepeatable is not None:
            raise ValueError(
                f"predict_raster: {type(model).__name__} was fit on images changed by {normalization.unrepeatable}, "
                "which predict_raster cannot repeat from what the task recorded; give preprocess= a function doing "
                "the same to a (B, C, H, W) float32 batch of raw pixel values"
            )
        return normalization
    hparams: Any = getattr(model, "hparams", None)
    weights = hparams.get("weights") if hasattr(hparams, "get") else None
    if isinstance(weights, enum.Enum):
        weights = weights.value
    if isinstance(weights, str) and not os.path.exists(weights):
        from geotorch.core import get_weight

        try:
            weights = get_weight(weights)
        except KeyError:
            return None
    transforms = getattr(weights, "transforms", None)
    return transforms if callable(transforms) else None


def warn_of_raw_values(model: nn.Module) -> None:
    """Warn that a GeoTorch task holding no record of its input normalisation is given raw pixel values.

    Such a task was loaded from a checkpoint saved without the record (by TorchGeo, a plain script, a fit without
    a GeoTorch datamodule), given a state dict, or never fit: if it learnt on normalised images, raw values
    make its predictions silently wrong. A module that is no GeoTorch task is the user's own, given what they say.
    """
    if not isinstance(model, BaseTask):
        return
    name = type(model).__name__
    origin = model.loaded_without_normalization
    if origin is not None:
        held = (
            f"{name} was loaded from a checkpoint ({origin}) holding no record of how its input was normalised when "
            "fit (one saved by TorchGeo, a plain script or a fit without a GeoTorch datamodule)"
        )
    else:
        held = (
            f"{name} holds no record of how its input was normalised when fit (not fit on a GeoTorch datamodule "
            "here, nor loaded from a checkpoint of such a fit)"
        )
    warnings.warn(
        f"predict_raster: {held}, so the model is given raw "
        "pixel values; if it was fit on normalised images, give preprocess= that normalisation of a (B, C, H, W) "
        "float32 batch (say preprocess=geotorch.transforms.Normalize(mean=0.0, std=10000.0)), or "
        "preprocess=torch.nn.Identity() if it learnt on raw values",
        stacklevel=3,
    )


def input_channels_of(model: nn.Module) -> int | None:
    """How many channels a task's model takes (its ``in_channels`` hyperparameter), or None where it does not say."""
    hparams: Any = getattr(model, "hparams", None)
    channels = hparams.get("in_channels") if hasattr(hparams, "get") else None
    return channels if isinstance(channels, int) and not isinstance(channels, bool) else None


def class_names_of(model: nn.Module) -> list[str]:
    """The task's class names (its ``labels`` hyperparameter, TorchGeo's), or none."""
    hparams = getattr(model, "hparams", None)
    labels = hparams.get("labels") if hparams is not None and hasattr(hparams, "get") else None
    return [str(label) for label in labels] if labels else []
