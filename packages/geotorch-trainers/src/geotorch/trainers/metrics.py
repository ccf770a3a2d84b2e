"""The scores a classification or segmentation task logs, under TorchGeo 0.10.1's names (torchmetrics)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from torchmetrics import Metric, MetricCollection
from torchmetrics.classification import Accuracy, F1Score, JaccardIndex, Precision, Recall
from torchmetrics.wrappers import ClasswiseWrapper

#: The kinds of classification a task's ``task`` argument names (TorchGeo's).
TASK_KINDS = ("binary", "multiclass", "multilabel")

#: The scores, each logged as ``Overall<name>`` (micro average) and ``Average<name>`` (macro average).
SCORES: dict[str, type[Metric]] = {
    "Accuracy": Accuracy,
    "Precision": Precision,
    "Recall": Recall,
    "F1Score": F1Score,
    "JaccardIndex": JaccardIndex,
}


class _Classwise(ClasswiseWrapper):
    """torchmetrics' ``ClasswiseWrapper`` whose update count is its wrapped metric's.

    A ``MetricCollection`` sharing states within a compute group copies the group leader's update count onto
    each member, here onto the wrapper only; the wrapped metric's own count stayed 0 after a ``reset``, and every
    later epoch's ``compute`` warned "called before the update method" although its states were updated.
    """

    def __init__(self, metric: Metric, labels: list[str] | None, prefix: str) -> None:
        super().__init__(metric, labels=labels, prefix=prefix)
        # ClasswiseWrapper counts itself as updated once; the count is now the fresh metric's own, 0.
        metric._update_count = 0

    @property
    def _update_count(self) -> int:
        metric = self._modules.get("metric")  # absent while Metric.__init__ sets the count to 0
        return metric._update_count if isinstance(metric, Metric) else 0

    @_update_count.setter
    def _update_count(self, count: int) -> None:
        metric = self._modules.get("metric")
        if isinstance(metric, Metric):
            metric._update_count = count


def classification_metrics(
    task: str,
    num_classes: int | None,
    num_labels: int | None,
    ignore_index: int | None = None,
    labels: Sequence[str] | None = None,
) -> MetricCollection:
    """Accuracy, precision, recall, F1 and IoU (Jaccard index) of predictions, named as TorchGeo names them.

    For every score ``X`` of :data:`SCORES`: ``OverallX`` (micro average: counted over all pixels or images) and
    ``AverageX`` (macro average: the mean over classes or labels); unless ``task`` is ``binary``, also
    ``ClasswiseX_<label>`` for every class or label (``labels``, else its index). GeoTorch's earlier names stay:
    ``JaccardIndex`` (the mean IoU, as ``AverageJaccardIndex``) and ``F1Score`` (as ``OverallF1Score``).

    Predictions are ``(B, C, ...)`` logits or probabilities (``multiclass``), ``(B, ...)`` probabilities
    (``binary``), or ``(B, L, ...)`` probabilities (``multilabel``); targets are ``(B, ...)`` class indices,
    ``(B, ...)`` 0/1, or ``(B, L, ...)`` 0/1 integers.

    Args:
        task: ``binary``, ``multiclass`` or ``multilabel``.
        num_classes: classes of a ``multiclass`` task.
        num_labels: labels of a ``multilabel`` task.
        ignore_index: a target value left out of every score, or None.
        labels: names of the classes or labels, for the classwise scores.

    Returns:
        The collection, without prefix (clone it with ``prefix="val_"`` per split).

    Raises:
        ValueError: if ``task`` is unknown, or ``labels`` has another length than the classes or labels.
    """
    if task not in TASK_KINDS:
        raise ValueError(f"task={task!r} must be one of {', '.join(TASK_KINDS)}")
    count = num_classes if task == "multiclass" else num_labels if task == "multilabel" else None
    if labels is not None and count is not None and len(labels) != count:
        raise ValueError(f"labels has {len(labels)} names but the task has {count} classes or labels")
    shared: dict[str, Any] = {
        "task": task, "num_classes": num_classes, "num_labels": num_labels, "ignore_index": ignore_index
    }
    metrics: dict[str, Metric | MetricCollection] = {}
    for name, score in SCORES.items():
        metrics[f"Overall{name}"] = score(average="micro", **shared)
        metrics[f"Average{name}"] = score(average="macro", **shared)
        if task != "binary":
            metrics[f"Classwise{name}"] = _Classwise(
                score(average="none", **shared), None if labels is None else list(labels), f"Classwise{name}_",
            )
    metrics["JaccardIndex"] = JaccardIndex(average="macro", **shared)
    metrics["F1Score"] = F1Score(average="micro", **shared)
    return MetricCollection(metrics)
