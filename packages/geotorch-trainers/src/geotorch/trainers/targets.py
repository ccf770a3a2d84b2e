"""The classes of a mask or label batch checked against the task's: a value outside them is named, not trained on."""

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


def class_values(
    target: Tensor, task: str, count: int, ignore_index: int | None, owner: str, key: str = "mask"
) -> Tensor:
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
        key: the batch key ``target`` came from (``mask``, ``label``), for messages.

    Returns:
        ``target`` as int64, of its shape.

    Raises:
        ValueError: if ``target`` holds values that are not whole numbers (NaN, fractions), or classes outside the
            task's, naming them, ``num_classes`` (``num_labels``, or ``task='binary'``) and ``ignore_index``.
    """
    if target.is_floating_point() and not bool((target == target.round()).all()):
        raise ValueError(f"{owner}: batch[{key!r}] holds values that are not whole class numbers (NaN or fractions)")
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
            f"{owner}: batch[{key!r}] holds {shown}, outside 0..{highest - 1} of {argument} with "
            f"ignore_index={ignore_index}; raise the class count, or set ignore_index to the value that means "
            "no data"
        )
    return target


def image_labels(label: Tensor, images: int, task: str, count: int, ignore_index: int | None, owner: str) -> Tensor:
    """A batch's image labels as int64 targets: ``(B,)`` classes (``multiclass``, ``binary``) or ``(B, L)`` 0/1.

    A label of another shape failed deep in torch (a one-hot ``(B, C)`` label of a ``multiclass`` task read as
    ``B * C`` targets: "Expected input batch_size (4) to match target batch_size (40)"), a class outside the task's
    with torch's "Target 10 is out of bounds", and a fractional label (a regression target given to a
    classifier) was truncated to a class and trained on.

    Args:
        label: the batch's ``label``, any numeric dtype: ``(B,)`` or ``(B, 1)`` (``multiclass``, ``binary``),
            ``(B, L)`` (``multilabel``).
        images: the batch's image count ``B``.
        task: ``binary``, ``multiclass`` or ``multilabel``.
        count: ``num_classes`` (``multiclass``) or ``num_labels`` (``multilabel``); unused for ``binary``.
        ignore_index: the task's ``ignore_index``, or None.
        owner: the task's name, for messages.

    Returns:
        ``(B,)`` int64 classes, or ``(B, L)`` int64 0/1 (``multilabel``).

    Raises:
        ValueError: if ``label`` is not of that shape, or holds values :func:`class_values` refuses, naming the
            shape expected or the values.
    """
    shape = tuple(label.shape)
    if task == "multilabel":
        if shape != (images, count):
            raise ValueError(
                f"{owner}: batch['label'] of shape {shape} must be ({images}, {count}): one 0/1 value per image and "
                f"label of num_labels={count}"
            )
    elif label.numel() != images or label.ndim > 2:
        hint = "; a one-hot label? give class indices" if shape == (images, count) and task == "multiclass" else ""
        raise ValueError(
            f"{owner}: batch['label'] of shape {shape} must be ({images},): one class per image for "
            f"task={task!r}{hint}, or task='multilabel' for several labels per image"
        )
    target = label if task == "multilabel" else label.reshape(images)
    return class_values(target, task, count, ignore_index, owner, key="label")
