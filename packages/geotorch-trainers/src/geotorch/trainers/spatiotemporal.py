"""What the spatiotemporal tasks share: their registered models, the series inputs of a batch, regression scores.

A spatiotemporal task names a model registered (by any plugin) with its kind as ``task`` metadata:
``spatiotemporal_segmentation`` (``ConvLSTM``, ``Conv3dLSTM``, ``UTAE``: ``(B, T, C, H, W)`` series to
``(B, K, H, W)`` maps, for segmentation and pixelwise regression) or ``temporal_regression`` (``LTAE``: ``(B, T, C)``
sequences to ``(B, K)``). The registration's ``arguments`` metadata names the builder's keywords for the task's
``in_channels`` (channels per step) and ``num_classes`` (outputs); the task's other keyword arguments go to the
builder as they are (``hidden_dim=32``, ``encoder_widths=[...]``). :class:`SeriesModelArguments` and
:class:`SequenceModelArguments` type those of geotorch-models' builders, so that a YAML config (LightningCLI reads
the types) may set them as TorchGeo's configs do; in Python a plugin's model takes any keyword.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping, Sequence
from typing import Any, Literal, TypedDict

from lightning.pytorch import LightningModule
from torch import Tensor, nn
from torchmetrics import MeanAbsoluteError, MeanSquaredError, Metric, MetricCollection
from torchmetrics.wrappers import ClasswiseWrapper

from geotorch.core import get_entry
from geotorch.trainers.networks import build, find_model, model_choices
from geotorch.trainers.series_dates import REFERENCE_DATE, step_positions, takes_positions


class SeriesModelArguments(TypedDict, total=False):
    """Keyword arguments of geotorch-models' ``ConvLSTM``, ``Conv3dLSTM`` and ``UTAE`` (see each for its own)."""

    hidden_dim: int | list[int]
    kernel_size: int | tuple[int, int] | list[int | tuple[int, int]]
    num_layers: int
    bias: bool
    return_all_layers: bool
    head_kernel_size: int
    conv3d_dim: int
    conv3d_kernel_size: int | tuple[int, int, int]
    output_mode: Literal["pixel", "chip"]
    return_sequence: bool
    pooling: Literal["avg", "max"]
    encoder_widths: list[int]
    decoder_widths: list[int]
    out_conv: list[int]
    str_conv_k: int
    str_conv_s: int
    str_conv_p: int
    agg_mode: Literal["att_group", "att_mean", "mean"]
    encoder_norm: Literal["group", "batch", "instance"]
    n_head: int
    d_model: int
    d_k: int
    dropout: float
    T: int
    len_max_seq: int
    padding_mode: Literal["zeros", "reflect", "replicate", "circular"]


class SequenceModelArguments(TypedDict, total=False):
    """Keyword arguments of geotorch-models' ``LTAE``."""

    n_head: int
    d_k: int
    n_neurons: list[int]
    dropout: float
    d_model: int | None
    T: int
    len_max_seq: int
    positions: list[int] | None


#: Kinds of spatiotemporal models (their ``task`` metadata).
SERIES_SEGMENTATION = "spatiotemporal_segmentation"
SEQUENCE_REGRESSION = "temporal_regression"


def series_network(model: str, kind: str, in_channels: int, outputs: int, owner: str, **kwargs: Any) -> nn.Module:
    """Build the registered model ``model`` of ``kind`` with ``in_channels`` per step and ``outputs`` outputs.

    Args:
        model: a registered model of ``kind`` or one of its aliases, in any case (``convlstm``, ``utae``).
        kind: :data:`SERIES_SEGMENTATION` or :data:`SEQUENCE_REGRESSION`.
        in_channels: channels per time step.
        outputs: output channels (classes, labels or values).
        owner: the task's name, for messages.
        **kwargs: further builder arguments, passed as they are.

    Returns:
        The model.

    Raises:
        TypeError: if ``model`` is not a string (None), or ``kwargs`` name arguments its builder does not take.
        ValueError: if no model of ``kind`` has that name (the message lists those that do), or ``kwargs`` repeat
            the channel or output count under the builder's own names.
    """
    if not isinstance(model, str):
        choices = ", ".join(model_choices(kind))
        raise TypeError(f"{owner}: model={model!r} must be a model's name; choose from {choices}")
    name = find_model(model, kind)
    if name is None:
        raise ValueError(f"{owner}: unknown model {model!r}; choose from {', '.join(model_choices(kind))}")
    entry = get_entry("model", name)
    takes: Mapping[str, str] = entry.metadata.get("arguments") or {}
    keywords = {takes.get("in_channels", "in_channels"): in_channels, takes.get("num_classes", "num_classes"): outputs}
    repeated = sorted(set(keywords) & set(kwargs))
    if repeated:
        raise ValueError(
            f"{owner}: {', '.join(repeated)} of model {model!r} come from the task's in_channels and outputs; "
            "set those instead"
        )
    parameters = inspect.signature(entry.load()).parameters
    if all(parameter.kind != parameter.VAR_KEYWORD for parameter in parameters.values()):
        unknown = sorted(set(kwargs) - set(parameters))
        if unknown:
            accepted = ", ".join(sorted(set(parameters) - set(keywords)))
            raise TypeError(f"{owner}: model {model!r} takes no {', '.join(unknown)} (another model's arguments?); "
                            f"it takes {accepted}")
    return build(name, **keywords, **kwargs)


def series_inputs(
    batch: Mapping[str, Any], model: nn.Module, owner: str, reference_date: str = REFERENCE_DATE
) -> dict[str, Tensor]:
    """The model's keyword arguments from a batch: ``lengths`` and, for a model that takes them, ``positions``.

    ``lengths`` is ``batch["length"]`` (valid steps, ``(B,)``). A model whose ``forward`` takes ``positions``
    (U-TAE, L-TAE: a positional encoding of dates) gets the steps' dates, ``batch["time"]``, as days since
    ``reference_date`` (see :func:`~geotorch.trainers.series_dates.step_positions`); without ``time`` it counts
    steps by their index.

    Raises:
        ValueError: if ``time`` holds an infinite value, or ``reference_date`` is no ISO date.
    """
    inputs: dict[str, Tensor] = {}
    length = batch.get("length")
    if length is not None:
        inputs["lengths"] = length
    positions = step_positions(batch, owner, reference_date) if takes_positions(model) else None
    if positions is not None:
        inputs["positions"] = positions
    return inputs


def denormalised(task: LightningModule, values: Tensor) -> Tensor:
    """``values * target_std + target_mean`` of the task's datamodule (TorchGeo's convention), else ``values``.

    A datamodule that standardises its targets says so with ``target_mean`` and ``target_std`` attributes
    (numbers or tensors broadcasting against ``values``); scores and predictions are then in the targets' units.
    """
    datamodule = getattr(task._trainer, "datamodule", None) if task._trainer is not None else None
    mean, std = getattr(datamodule, "target_mean", None), getattr(datamodule, "target_std", None)
    if mean is None or std is None:
        return values
    scaled: Tensor = values * std + mean
    return scaled


def regression_metrics(num_outputs: int, labels: Sequence[str] | None) -> MetricCollection:
    """TorchGeo 0.10.1's regression scores: ``RMSE``, ``MSE`` and ``MAE``, per output when there are several.

    With ``num_outputs > 1`` each score is logged per output as ``RMSE_<label>`` (``labels``, else the output's
    index); scores take ``(N,)`` or ``(N, num_outputs)`` predictions and targets.

    Raises:
        ValueError: if ``labels`` has another length than ``num_outputs``.
    """
    if labels is not None and len(labels) != num_outputs:
        raise ValueError(f"labels has {len(labels)} names but the task has num_outputs={num_outputs}")
    scores: dict[str, Metric] = {
        "RMSE": MeanSquaredError(squared=False, num_outputs=num_outputs),
        "MSE": MeanSquaredError(squared=True, num_outputs=num_outputs),
        "MAE": MeanAbsoluteError(num_outputs=num_outputs),
    }
    if num_outputs == 1:
        return MetricCollection(dict(scores))
    names = None if labels is None else list(labels)
    return MetricCollection(
        {name: ClasswiseWrapper(score, labels=names, prefix=f"{name}_") for name, score in scores.items()}
    )
