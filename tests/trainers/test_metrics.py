"""The scores tasks log: classwise scores across epochs (torchmetrics compute groups)."""

from __future__ import annotations

import warnings

import torch
from torchmetrics.classification import MulticlassJaccardIndex, MulticlassRecall

from geotorch.trainers.metrics import classification_metrics


def test_classwise_scores_of_later_epochs_are_counted_and_do_not_warn() -> None:
    """Epochs after a reset: classwise scores equal a lone torchmetrics metric, with no "before update" warning.

    The collection shares states within compute groups; the classwise wrappers' own metrics kept an update count
    of 0 after the first reset, so every later epoch warned that compute ran before update.
    """
    generator = torch.Generator().manual_seed(0)
    metrics = classification_metrics("multiclass", 3, None).clone(prefix="val_")
    for epoch in range(3):
        recall, iou = MulticlassRecall(3, average="none"), MulticlassJaccardIndex(3, average="none")
        for _ in range(2):
            logits = torch.randn(4, 3, 8, 8, generator=generator)
            target = torch.randint(0, 3, (4, 8, 8), generator=generator)
            metrics.update(logits, target)
            recall.update(logits, target)
            iou.update(logits, target)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            scores = metrics.compute()
        metrics.reset()
        assert [str(w.message) for w in caught if "before the ``update``" in str(w.message)] == [], epoch
        classwise_recall = torch.stack([scores[f"val_ClasswiseRecall_{i}"] for i in range(3)])
        torch.testing.assert_close(classwise_recall, recall.compute())
        torch.testing.assert_close(
            torch.stack([scores[f"val_ClasswiseJaccardIndex_{i}"] for i in range(3)]), iou.compute()
        )


def test_classwise_scores_never_updated_still_warn() -> None:
    """A collection computed before any update still gets torchmetrics' warning (the count is not invented)."""
    metrics = classification_metrics("multiclass", 3, None)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        metrics["ClasswiseRecall"].compute()
    assert any("before the ``update``" in str(w.message) for w in caught)
