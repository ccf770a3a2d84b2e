"""Loss functions a task's ``loss`` argument names."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor, nn
from torch.nn import functional

#: Losses of the classification and segmentation tasks, each with the ``task`` kinds it serves.
CLASSIFICATION_LOSSES: dict[str, tuple[str, ...]] = {
    "ce": ("multiclass",),
    "bce": ("binary", "multilabel"),
    "jaccard": ("binary", "multiclass", "multilabel"),
    "focal": ("binary", "multiclass", "multilabel"),
    "dice": ("binary", "multiclass", "multilabel"),
}


def check_loss_weights(
    class_weights: object, pos_weight: object, task: str, outputs: int, owner: str
) -> None:
    """Refuse loss weights that do not fit a task of ``outputs`` output channels, before any batch.

    torch's cross-entropy refuses a weight count other than the class count only at the first step, and takes
    negative or NaN weights without a word (a negative weight rewards the wrong class); a ``pos_weight`` of
    another count than the labels fails at the first step with a broadcast error that names neither.

    Args:
        class_weights: the task's ``class_weights`` (one weight per class of a ``multiclass`` task), or None.
        pos_weight: the task's ``pos_weight`` (one number, or one per output channel), or None.
        task: ``binary``, ``multiclass`` or ``multilabel``.
        outputs: output channels of the model (classes, labels, or 1 for ``binary``).
        owner: the task's name, for messages.

    Raises:
        ValueError: if ``class_weights`` is not one weight per class, ``pos_weight`` neither one number nor one
            per output channel, or a weight is negative or not finite, naming the argument.
    """
    if task == "multiclass":  # other kinds take no class_weights (classification_loss says so)
        _check_weights(class_weights, "class_weights", outputs, owner)
    _check_weights(pos_weight, "pos_weight", outputs, owner, number=True)


def _check_weights(weights: object, name: str, count: int, owner: str, number: bool = False) -> None:
    """Refuse ``weights`` (None passes) other than ``count`` finite weights of at least 0 (or one, if ``number``)."""
    if weights is None:
        return
    try:
        values = torch.as_tensor(weights, dtype=torch.float64)
    except (TypeError, ValueError, RuntimeError) as error:
        raise ValueError(f"{owner}: {name}={weights!r} must be numbers: {error}") from error
    if tuple(values.shape) != (count,) and not (number and values.ndim == 0):
        raise ValueError(f"{owner}: {name} of shape {tuple(values.shape)} must hold {count} weights, one per "
                         f"{'class' if name == 'class_weights' else 'output channel'}{' (or one number)' * number}")
    if not bool((values.isfinite() & (values >= 0)).all()):
        raise ValueError(f"{owner}: {name}={values.tolist()} must be finite weights of at least 0")


def classification_loss(
    loss: str,
    class_weights: Sequence[float] | Tensor | None,
    ignore_index: int | None,
    owner: str,
    task: str = "multiclass",
    pos_weight: Sequence[float] | Tensor | float | None = None,
) -> nn.Module:
    """The loss ``loss`` names, segmentation-models-pytorch's but for ``ce``, as TorchGeo 0.10.1 builds it.

    Logits and targets by ``task``: ``multiclass``, logits ``(B, C, ...)`` and class indices ``(B, ...)``;
    ``binary``, logits ``(B, ...)`` and 0/1 targets ``(B, ...)``; ``multilabel``, logits ``(B, L, ...)`` and
    0/1 targets ``(B, L, ...)``. ``bce`` wants float targets. ``ce`` (:class:`CountedCrossEntropyLoss`) and
    ``focal`` with ``ignore_index`` (:class:`CountedFocalLoss`) give 0 for a batch without a counted target.

    Args:
        loss: ``ce`` (cross-entropy, ``multiclass``), ``bce`` (binary cross-entropy of each pixel or label,
            ``binary`` and ``multilabel``), ``jaccard`` (soft IoU), ``focal`` (normalised focal loss) or ``dice``.
        class_weights: weight of each class in the cross-entropy, or None.
        ignore_index: a target value that adds nothing to the loss, or None.
        owner: the task's name, for messages.
        task: ``binary``, ``multiclass`` or ``multilabel``.
        pos_weight: weight of the positive targets in ``bce`` (one number, or one per label), or None.

    Returns:
        The loss module.

    Raises:
        ValueError: if ``loss`` is unknown or does not serve ``task``, ``class_weights`` go with a loss other than
            ``ce``, or ``pos_weight`` with a loss other than ``bce``.
    """
    if loss not in CLASSIFICATION_LOSSES:
        raise ValueError(f"{owner}: loss={loss!r} must be one of {', '.join(CLASSIFICATION_LOSSES)}")
    if task not in CLASSIFICATION_LOSSES[loss]:
        serving = [name for name, kinds in CLASSIFICATION_LOSSES.items() if task in kinds]
        raise ValueError(f"{owner}: loss={loss!r} is not for task={task!r}; choose one of {', '.join(serving)}")
    if class_weights is not None and loss != "ce":
        raise ValueError(f"{owner}: class_weights only apply to loss='ce', not {loss!r}")
    if pos_weight is not None and loss != "bce":
        raise ValueError(f"{owner}: pos_weight only applies to loss='bce', not {loss!r}")
    if loss == "ce":
        weight = None if class_weights is None else torch.as_tensor(class_weights, dtype=torch.float32)
        return CountedCrossEntropyLoss(weight=weight, ignore_index=-1000 if ignore_index is None else ignore_index)
    import segmentation_models_pytorch as smp

    criterion: nn.Module
    if loss == "bce":
        positive = None if pos_weight is None else torch.as_tensor(pos_weight, dtype=torch.float32)
        criterion = smp.losses.SoftBCEWithLogitsLoss(ignore_index=ignore_index, pos_weight=positive)
    elif loss == "jaccard":
        criterion = smp.losses.JaccardLoss(task, ignore_index=ignore_index)
    elif loss == "focal" and ignore_index is not None:
        binary = smp.losses.FocalLoss("binary", ignore_index=ignore_index, normalized=True)
        criterion = CountedFocalLoss(binary, task, ignore_index)
    elif loss == "focal":
        criterion = smp.losses.FocalLoss(task, normalized=True)
    else:
        criterion = smp.losses.DiceLoss(task, ignore_index=ignore_index)
    return criterion


class CountedCrossEntropyLoss(nn.CrossEntropyLoss):
    """Cross-entropy of class indices, averaged over the weight of the targets that count; 0 where none counts.

    torch's mean divides by that weight, so a batch whose every target is ``ignore_index`` (a chip of no data)
    or of a class weighted 0 gave a NaN loss, which turned the epoch's mean ``val_loss`` (and what watches it:
    the plateau scheduler, checkpoints) into NaN. Here such a batch adds 0 and no gradient; others are unchanged.
    """

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        """The mean loss of ``(B, C, ...)`` logits against ``(B, ...)`` class indices, 0 when no target counts."""
        losses = functional.cross_entropy(
            input, target, self.weight, ignore_index=self.ignore_index, reduction="none",
            label_smoothing=self.label_smoothing,
        )  # fmt: skip
        counted = target != self.ignore_index
        weights = counted.to(losses.dtype)
        if self.weight is not None:
            weights = weights * self.weight.to(losses.dtype)[target.where(counted, 0)]
        total = weights.sum()
        mean: Tensor = losses.sum() / total.where(total > 0, 1.0)
        return mean


class CountedFocalLoss(nn.Module):
    """A binary focal loss of each output channel that ignores ``ignore_index``, averaged over the channels it counts.

    segmentation-models-pytorch's ``FocalLoss`` with ``ignore_index`` raised ``IndexError: too many indices`` on
    every ``multilabel`` batch (it filtered each label's ``(B, H, W)`` targets with the ``(B, L, H, W)`` mask),
    and gave NaN (a mean of nothing) for a batch whose targets are all ``ignore_index``. Here each channel is its
    binary focal loss over its counted targets (a ``multiclass`` channel: its class against the others, as
    segmentation-models-pytorch computes it); channels without any count nothing, and a batch without any gives 0.

    Args:
        binary: segmentation-models-pytorch's ``FocalLoss("binary", ignore_index=ignore_index, ...)``.
        task: ``binary`` (logits and targets ``(B, ...)``), ``multiclass`` (logits ``(B, C, ...)``, class indices
            ``(B, ...)``) or ``multilabel`` (logits and 0/1 targets ``(B, L, ...)``).
        ignore_index: the target value that adds nothing to the loss.
    """

    def __init__(self, binary: nn.Module, task: str, ignore_index: int) -> None:
        super().__init__()
        self.binary = binary
        self.task = task
        self.ignore_index = ignore_index

    def forward(self, logits: Tensor, target: Tensor) -> Tensor:
        """The mean of the channels' focal losses, over the channels with a counted target (0 if none)."""
        if self.task == "binary":
            channels = [(logits, target)]
        elif self.task == "multilabel":
            channels = [(logits[:, label], target[:, label]) for label in range(logits.shape[1])]
        else:
            ignored = target == self.ignore_index
            channels = [
                (logits[:, index], (target == index).long().masked_fill(ignored, self.ignore_index))
                for index in range(logits.shape[1])
            ]
        losses, counted = [], []
        for channel_logits, channel_target in channels:
            counts = (channel_target != self.ignore_index).any()
            # The loss of no target is NaN; where() keeps it out of the value and of the gradient.
            losses.append(torch.where(counts, self.binary(channel_logits, channel_target), 0.0))
            counted.append(counts)
        mean: Tensor = torch.stack(losses).sum() / torch.stack(counted).sum().clamp_min(1)
        return mean


#: Losses of the regression tasks.
REGRESSION_LOSSES = ("mse", "mae")


def regression_loss(loss: str, owner: str) -> nn.Module:
    """``mse`` or ``mae``.

    Raises:
        ValueError: if ``loss`` is another name.
    """
    if loss == "mse":
        return nn.MSELoss()
    if loss == "mae":
        return nn.L1Loss()
    raise ValueError(f"{owner}: loss={loss!r} must be one of {', '.join(REGRESSION_LOSSES)}")


def regression_target(target: Tensor, output: Tensor, key: str, owner: str) -> Tensor:
    """``target`` as float in ``output``'s shape, which it must have but for axes of size 1 (the batch's aside).

    A flat or transposed target of as many values is refused rather than read in another order, and one holding
    NaN or infinity (no data) rather than trained on: the loss and the gradient of every weight would be NaN.
    Checking the values costs one wait for the device per batch.

    Raises:
        ValueError: if the shapes differ, or the target holds a value that is not finite, naming ``key``.
    """
    if target.ndim == 0 or unit_axes_dropped(target) != unit_axes_dropped(output):
        raise ValueError(
            f"{owner}: batch[{key!r}] of shape {tuple(target.shape)} does not hold the model's "
            f"{tuple(output.shape)} values in that order (axes of size 1 may be left out)"
        )
    values = target.float()
    missing = int((~values.isfinite()).sum())
    if missing:
        raise ValueError(
            f"{owner}: batch[{key!r}] holds {missing} NaN or infinite value(s) of {values.numel()} (no data?); "
            "the loss would be NaN and one step would turn every weight NaN: fill them, or leave those chips out"
        )
    return values.reshape(output.shape)


def unit_axes_dropped(values: Tensor) -> tuple[int, ...]:
    """The shape of ``values`` without its axes of size 1, the first (the batch's) kept."""
    return (values.shape[0], *(size for size in values.shape[1:] if size != 1))
