"""What a spatiotemporal task checks in a batch before its model sees it, so that a mismatch names its argument."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from torch import Tensor, nn

from geotorch.trainers.networks import input_dtype_of
from geotorch.trainers.targets import class_map, class_values


def checked_series(batch: Mapping[str, Any], in_channels: int, owner: str, model: nn.Module) -> Tensor:
    """``batch["image"]``, a ``(B, T, C, H, W)`` series whose C is ``in_channels``, in the model's dtype.

    A tensor of another rank goes to the model as it is: the time-series models name the shape they take. Integer
    series (a DataLoader of raw uint16 rasters) and floats of another precision are converted, as GeoTorch's
    datamodules convert them, so that every model takes them (ConvLSTM alone took some before).

    Args:
        batch: the batch, with ``image``.
        in_channels: the task's bands per step.
        owner: the task's name, for messages.
        model: the task's model, whose floating parameters give the dtype (float32 if it has none).

    Returns:
        ``batch["image"]`` in the model's dtype.

    Raises:
        ValueError: if the series has another band count per step than ``in_channels``, naming both.
    """
    image: Tensor = batch["image"]
    if image.ndim == 5 and image.shape[2] != in_channels:
        raise ValueError(
            f"{owner}: batch['image'] of shape {tuple(image.shape)} has {image.shape[2]} bands per step (the C of "
            f"(B, T, C, H, W)) but the task has in_channels={in_channels}; set in_channels to {image.shape[2]}"
        )
    return image.to(input_dtype_of(model))


def class_target(
    mask: Tensor, image: Tensor, task: str, count: int, ignore_index: int | None, owner: str
) -> Tensor:
    """The batch's ``mask`` as the loss and the scores take it, checked against the series and the task.

    ``multiclass`` and ``binary`` masks are one map per series, ``(B, H, W)`` or ``(B, 1, H, W)``, of whole class
    indices below ``count`` (0 or 1 for ``binary``); ``multilabel`` masks are ``(B, count, H, W)`` of 0 and 1.
    ``ignore_index`` may appear anywhere (the values are checked by :func:`.targets.class_values`).

    Args:
        mask: the batch's ``mask``, any numeric dtype.
        image: the batch's ``(B, T, C, H, W)`` series (its B, T, H and W are checked).
        task: ``binary``, ``multiclass`` or ``multilabel``.
        count: ``num_classes`` (``multiclass``), ``num_labels`` (``multilabel``); 2 for ``binary``.
        ignore_index: the task's ``ignore_index``, or None.
        owner: the task's name, for messages.

    Returns:
        An int64 ``(B, H, W)`` class map, or ``(B, count, H, W)`` for ``multilabel``.

    Raises:
        ValueError: if the mask has another shape (a mask per step among them), values that are not whole numbers,
            or classes outside the task's, naming ``num_classes`` or ``num_labels`` and ``ignore_index``.
    """
    batch, steps, height, width = image.shape[0], image.shape[1], image.shape[-2], image.shape[-1]
    labels = task == "multilabel"
    wanted = (batch, count, height, width) if labels else (batch, height, width)
    target = class_map(mask, task)
    if tuple(target.shape) != wanted:
        per_step = target.ndim == 4 and target.shape[1] == steps and steps > 1 and not labels
        hint = "; it holds a mask per step, and the task takes one map per series" if per_step else ""
        raise ValueError(
            f"{owner}: batch['mask'] of shape {tuple(mask.shape)} is not {wanted}, "
            f"{'(B, num_labels, H, W)' if labels else '(B, H, W)'} of the series {tuple(image.shape)}{hint}"
        )
    return class_values(target, task, count, ignore_index, owner)
