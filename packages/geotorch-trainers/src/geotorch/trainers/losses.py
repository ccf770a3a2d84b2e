"""Loss functions a task's ``loss`` argument names."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor, nn

#: Losses of the classification and segmentation tasks.
CLASSIFICATION_LOSSES = ("ce", "jaccard", "focal")


def classification_loss(
    loss: str, class_weights: Sequence[float] | None, ignore_index: int | None, owner: str
) -> nn.Module:
    """The multiclass loss ``loss`` names, for logits ``(B, C, ...)`` and targets ``(B, ...)``.

    Args:
        loss: ``ce`` (cross-entropy), ``jaccard`` (soft IoU) or ``focal``.
        class_weights: weight of each class in the cross-entropy, or None.
        ignore_index: a target value that adds nothing to the loss, or None.
        owner: the task's name, for messages.

    Returns:
        The loss module.

    Raises:
        ValueError: if ``loss`` is unknown, or ``class_weights`` go with a loss other than ``ce``.
    """
    if loss not in CLASSIFICATION_LOSSES:
        raise ValueError(f"{owner}: loss={loss!r} must be one of {', '.join(CLASSIFICATION_LOSSES)}")
    if class_weights is not None and loss != "ce":
        raise ValueError(f"{owner}: class_weights only apply to loss='ce', not {loss!r}")
    if loss == "ce":
        weight = None if class_weights is None else torch.tensor(list(class_weights), dtype=torch.float32)
        return nn.CrossEntropyLoss(weight=weight, ignore_index=-1000 if ignore_index is None else ignore_index)
    import segmentation_models_pytorch as smp

    if loss == "jaccard":
        return _Jaccard(ignore_index)
    focal: nn.Module = smp.losses.FocalLoss("multiclass", ignore_index=ignore_index)
    return focal


class _Jaccard(nn.Module):
    """Soft multiclass Jaccard loss over the classes present, with ignored pixels left out."""

    def __init__(self, ignore_index: int | None) -> None:
        super().__init__()
        self.ignore_index = ignore_index

    def forward(self, logits: Tensor, target: Tensor) -> Tensor:
        """``1 - soft IoU`` averaged over classes."""
        classes = logits.shape[1]
        probabilities = logits.softmax(dim=1)
        valid = torch.ones_like(target, dtype=torch.bool) if self.ignore_index is None else target != self.ignore_index
        one_hot = nn.functional.one_hot(target.clamp(0, classes - 1), classes).movedim(-1, 1).to(probabilities.dtype)
        mask = valid.unsqueeze(1).to(probabilities.dtype)
        dims = [0, *range(2, logits.ndim)]
        intersection = (probabilities * one_hot * mask).sum(dims)
        union = ((probabilities + one_hot - probabilities * one_hot) * mask).sum(dims)
        present = one_hot.mul(mask).sum(dims) > 0
        iou = (intersection + 1e-6) / (union + 1e-6)
        return 1 - iou[present].mean() if present.any() else logits.sum() * 0


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
