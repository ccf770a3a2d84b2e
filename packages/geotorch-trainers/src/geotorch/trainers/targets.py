"""The classes of a segmentation mask checked against the task's: a value outside them is named, not trained on."""

from __future__ import annotations

import torch
from torch import Tensor


def class_map(mask: Tensor, task: str) -> Tensor:
    """``mask`` as one map per image: a ``(B, 1, H, W)`` mask of a ``binary`` or ``multiclass`` task loses its axis 1.

    Args:
        mask: the batch's ``mask``, ``(B, H, W)``, ``(B, 1, H, W)`` or (``multilabel``) ``(B, L, H, W)``.
        task: ``binary``, ``multiclass`` or ``multilabel``.

    Returns:
        ``mask`` without its single channel axis, or as it is (``multilabel``, or any other shape), of its dtype.
    """
    return mask[:, 0] if task != "multilabel" and mask.ndim == 4 and mask.shape[1] == 1 else mask


def class_values(target: Tensor, task: str, count: int, ignore_index: int | None, owner: str) -> Tensor:
    """``target`` as int64 class numbers, each of the task's classes or ``ignore_index``.

    A ``multiclass`` target holds classes ``0 .. count - 1``; a ``binary`` or ``multilabel`` one 0 and 1.
    ``ignore_index`` may appear anywhere. A value outside would be trained on (a ``binary`` mask of 0 and 255
    read as target 255 by ``bce``) or fail deep in torch ("Target 7 is out of bounds" on the CPU, a device-side
    assert on CUDA). Checking the values costs one wait for the device per batch.

    Args:
        target: the batch's mask, any numeric dtype and shape.
        task: ``binary``, ``multiclass`` or ``multilabel``.
        count: ``num_classes`` (``multiclass``) or ``num_labels`` (``multilabel``); unused for ``binary``.
        ignore_index: the task's ``ignore_index``, or None.
        owner: the task's name, for messages.

    Returns:
        ``target`` as int64, of its shape.

    Raises:
        ValueError: if ``target`` holds values that are not whole numbers (NaN, fractions), or classes outside the
            task's, naming them, ``num_classes`` (``num_labels``, or ``task='binary'``) and ``ignore_index``.
    """
    if target.is_floating_point() and not bool((target == target.round()).all()):
        raise ValueError(f"{owner}: batch['mask'] holds values that are not whole class numbers (NaN or fractions)")
    target = target.long()
    highest = 2 if task != "multiclass" else count
    outside = (target < 0) | (target >= highest)
    if ignore_index is not None:
        outside &= target != ignore_index
    if bool(outside.any()):
        found = torch.unique(target[outside])
        shown = ", ".join(str(value) for value in found[:4].tolist()) + (", ..." if len(found) > 4 else "")
        counted = {"multiclass": f"num_classes={count}", "multilabel": f"num_labels={count}"}
        argument = counted.get(task, "task='binary'")
        raise ValueError(
            f"{owner}: batch['mask'] holds {shown}, outside 0..{highest - 1} of {argument} with "
            f"ignore_index={ignore_index}; raise the class count, or set ignore_index to the value that means "
            "no data"
        )
    return target
