"""Regression from time series: values per pixel of an image series, or per step ahead of a sequence."""

from __future__ import annotations

import abc
from typing import Any, ClassVar, Unpack

from torch import Tensor
from torchmetrics import MetricCollection

from geotorch.samplers import as_count
from geotorch.trainers.base import ScoredTask
from geotorch.trainers.losses import regression_loss, regression_target
from geotorch.trainers.networks import input_dtype_of
from geotorch.trainers.series_dates import REFERENCE_DATE, reference_seconds
from geotorch.trainers.spatiotemporal import (
    SEQUENCE_REGRESSION,
    SERIES_SEGMENTATION,
    SequenceModelArguments,
    SeriesModelArguments,
    denormalised,
    regression_metrics,
    series_inputs,
    series_network,
)
from geotorch.trainers.spatiotemporal_batch import checked_series


class _SeriesRegression(ScoredTask):
    """Loss, TorchGeo's regression scores and the steps of both regression tasks.

    A subclass gives the model's output and the batch's target in the same shape, with the ``num_outputs`` values
    along one axis (:meth:`output_and_target`) and says which axis (:attr:`value_axis`).
    """

    #: The axis of the outputs holding the ``num_outputs`` values.
    value_axis: ClassVar[int]
    #: What ``geotorch predict`` writes: the blended values.
    prediction_output: ClassVar[str] = "scores"

    def configure_losses(self) -> None:
        """Mean squared (``mse``) or absolute (``mae``) error, of the values as the batch gives them."""
        self.criterion = regression_loss(self.hparams["loss"], type(self).__name__)

    def configure_metrics(self) -> None:
        """``RMSE``, ``MSE`` and ``MAE`` (per output ``RMSE_<label>``, ... with several), for each split."""
        self.configure_split_metrics(regression_metrics(self.hparams["num_outputs"], self.hparams["labels"]))

    @abc.abstractmethod
    def output_and_target(self, batch: dict[str, Any]) -> tuple[Tensor, Tensor]:
        """The model's output for the batch and the batch's float target, in one shape."""

    def values(self, output: Tensor) -> Tensor:
        """``output`` in the targets' units: the datamodule's ``target_std`` and ``target_mean`` undone, if any."""
        return denormalised(self, output.movedim(self.value_axis, -1)).movedim(-1, self.value_axis)

    def series_inputs(self, batch: dict[str, Any]) -> dict[str, Tensor]:
        """The model's ``lengths`` and ``positions`` for the batch (see :func:`~.spatiotemporal.series_inputs`)."""
        return series_inputs(batch, self.model, type(self).__name__, self.hparams["reference_date"])

    def _step(self, batch: dict[str, Any], split: str, metrics: MetricCollection) -> Tensor:
        output, target = self.output_and_target(batch)
        loss: Tensor = self.criterion(output, target)
        outputs = self.hparams["num_outputs"]

        def scored(values: Tensor) -> Tensor:
            rows = denormalised(self, values.movedim(self.value_axis, -1).reshape(-1, outputs))
            return rows.flatten() if outputs == 1 else rows

        self.score_step(split, loss, output.shape[0], metrics, scored(output.detach()), scored(target))
        return loss

    def training_step(self, batch: dict[str, Any], batch_idx: int) -> Tensor:
        """Loss of a training batch; its values join the epoch's scores."""
        return self._step(batch, "train", self.train_metrics)

    def validation_step(self, batch: dict[str, Any], batch_idx: int) -> None:
        """Loss and scores of a validation batch."""
        self._step(batch, "val", self.val_metrics)

    def test_step(self, batch: dict[str, Any], batch_idx: int) -> None:
        """Loss and scores of a test batch."""
        self._step(batch, "test", self.test_metrics)


class SpatioTemporalPixelwiseRegressionTask(_SeriesRegression):
    """Regression of values per pixel from image time series (TorchGeo 0.10.1's ``SpatioTemporalPixelwiseRegression``).

    Batches hold ``image`` ``(B, T, C, H, W)`` float32, a float ``mask`` ``(B, H, W)`` or ``(B, num_outputs, H, W)``
    and optionally ``length`` ``(B,)``, each sample's valid steps (given to the model as ``lengths``). The loss
    compares the model's ``(B, num_outputs, H, W)`` output with the mask as given; scores and predictions undo the
    datamodule's ``target_mean`` and ``target_std`` (TorchGeo's convention) when it has them. Logs
    ``{split}_loss`` per step and, per epoch, ``{split}_RMSE``, ``_MSE`` and ``_MAE`` (``_RMSE_<label>``, ... with
    several outputs). ``predict_step`` returns the values ``(B, num_outputs, H, W)``.

    Args:
        model: ``convlstm``, ``conv3dlstm``, ``utae``, or any model a plugin registers with
            ``task="spatiotemporal_segmentation"`` (see :mod:`geotorch.trainers.spatiotemporal`).
        in_channels: channels per time step (the C of ``(B, T, C, H, W)``).
        num_outputs: values per pixel.
        labels: names of the values, in the per-output scores' names (their indices if None).
        loss: ``mse`` or ``mae``.
        lr: learning rate of AdamW.
        patience: epochs without improvement of ``val_loss`` before the plateau scheduler lowers the rate.
        reference_date: the ISO date (``YYYY-MM-DD``) from which a date-encoding model's ``positions`` count
            days; the default is PASTIS's, which U-TAE's published weights were trained with (see
            :func:`~geotorch.trainers.series_dates.step_positions`).
        **kwargs: passed to the model (see :class:`~geotorch.trainers.spatiotemporal.SeriesModelArguments`).

    Raises:
        TypeError: if ``in_channels`` or ``num_outputs`` is not a whole number (a string, a bool).
        ValueError: if ``in_channels`` or ``num_outputs`` is below 1, ``model`` is not a registered spatiotemporal
            segmentation model, ``loss`` is unknown, ``labels`` does not name every output, or ``reference_date``
            is no ISO date.
    """

    value_axis = 1

    def __init__(
        self,
        model: str = "convlstm",
        in_channels: int = 3,
        num_outputs: int = 1,
        labels: list[str] | None = None,
        loss: str = "mse",
        lr: float = 1e-3,
        patience: int = 10,
        *,
        reference_date: str = REFERENCE_DATE,
        **kwargs: Unpack[SeriesModelArguments],
    ) -> None:
        owner = type(self).__name__
        reference_seconds(reference_date, owner)
        in_channels = as_count(in_channels, "in_channels", owner)
        num_outputs = as_count(num_outputs, "num_outputs", owner)
        super().__init__()
        self.model_kwargs = dict(kwargs)
        self.save_hyperparameters()
        self.configure_task()

    def configure_models(self) -> None:
        """Build the registered time-series model with ``in_channels`` per step and ``num_outputs`` channels."""
        hparams = self.hparams
        self.model = series_network(
            hparams["model"], SERIES_SEGMENTATION, hparams["in_channels"], hparams["num_outputs"],
            type(self).__name__, **self.model_kwargs,
        )  # fmt: skip

    def output_and_target(self, batch: dict[str, Any]) -> tuple[Tensor, Tensor]:
        """The model's ``(B, num_outputs, H, W)`` output and the batch's mask in that shape.

        Raises:
            ValueError: if the mask does not hold one finite value per output and pixel.
        """
        output = self.estimate(batch)
        return output, regression_target(batch["mask"], output, "mask", type(self).__name__)

    def estimate(self, batch: dict[str, Any]) -> Tensor:
        """The model's ``(B, num_outputs, H, W)`` values for the batch's series, as the targets are scaled.

        Raises:
            ValueError: if the series has another band count per step than ``in_channels``.
        """
        series = checked_series(batch, self.hparams["in_channels"], type(self).__name__, self.model)
        output: Tensor = self(series, **self.series_inputs(batch))
        return output

    def predict_step(self, batch: dict[str, Any], batch_idx: int, dataloader_idx: int = 0) -> Tensor:
        """The values ``(B, num_outputs, H, W)``, in the targets' units."""
        return self.values(self.estimate(batch))


class TemporalRegressionTask(_SeriesRegression):
    """Regression of the next steps of a sequence (TorchGeo 0.10.1's ``TemporalRegression``).

    Batches hold ``input`` ``(B, T, in_channels)`` float32 sequences, a float ``target``
    ``(B, out_steps, num_outputs)`` and optionally ``length`` ``(B,)``, each sample's valid steps (given to the
    model as ``lengths``). The model gives ``out_steps * num_outputs`` values per sequence, read as
    ``(B, out_steps, num_outputs)``. Scores and predictions undo the datamodule's ``target_mean`` and ``target_std``
    (per output) when it has them. Logs ``{split}_loss`` per step and, per epoch, ``{split}_RMSE``, ``_MSE`` and
    ``_MAE`` over every step ahead (``_RMSE_<label>``, ... with several outputs). ``predict_step`` returns
    ``(B, out_steps, num_outputs)``.

    Args:
        model: ``ltae``, or any model a plugin registers with ``task="temporal_regression"``.
        in_channels: features per time step (the C of ``(B, T, C)``).
        num_outputs: values per step ahead.
        labels: names of the values, in the per-output scores' names (their indices if None).
        out_steps: steps ahead to predict.
        loss: ``mse`` or ``mae``.
        lr: learning rate of AdamW.
        patience: epochs without improvement of ``val_loss`` before the plateau scheduler lowers the rate.
        reference_date: the ISO date (``YYYY-MM-DD``) from which a date-encoding model's ``positions`` count
            days; the default is PASTIS's, which U-TAE's published weights were trained with (see
            :func:`~geotorch.trainers.series_dates.step_positions`).
        **kwargs: passed to the model (see :class:`~geotorch.trainers.spatiotemporal.SequenceModelArguments`).

    Raises:
        TypeError: if ``in_channels``, ``num_outputs`` or ``out_steps`` is not a whole number (a string, a bool).
        ValueError: if one of them is below 1, ``model`` is not a registered temporal regression model, ``loss`` is
            unknown, ``labels`` does not name every output, or ``reference_date`` is no ISO date.
    """

    value_axis = 2

    def __init__(
        self,
        model: str = "ltae",
        in_channels: int = 1,
        num_outputs: int = 1,
        labels: list[str] | None = None,
        out_steps: int = 1,
        loss: str = "mse",
        lr: float = 1e-3,
        patience: int = 10,
        *,
        reference_date: str = REFERENCE_DATE,
        **kwargs: Unpack[SequenceModelArguments],
    ) -> None:
        owner = type(self).__name__
        reference_seconds(reference_date, owner)
        in_channels = as_count(in_channels, "in_channels", owner)
        num_outputs = as_count(num_outputs, "num_outputs", owner)
        out_steps = as_count(out_steps, "out_steps", owner)
        super().__init__()
        self.model_kwargs = dict(kwargs)
        self.save_hyperparameters()
        self.configure_task()

    def configure_models(self) -> None:
        """Build the registered sequence model with ``in_channels`` per step and ``out_steps * num_outputs`` outputs."""
        hparams = self.hparams
        outputs = hparams["out_steps"] * hparams["num_outputs"]
        self.model = series_network(
            hparams["model"], SEQUENCE_REGRESSION, hparams["in_channels"], outputs, type(self).__name__,
            **self.model_kwargs,
        )  # fmt: skip

    def forecast(self, batch: dict[str, Any]) -> Tensor:
        """The model's ``(B, out_steps, num_outputs)`` values for the batch's ``input``, as the targets are scaled.

        Integer sequences and floats of another precision are converted to the model's dtype, as image series are.

        Raises:
            ValueError: if ``input`` is not ``(B, T, C)`` (an image series among them, which L-TAE would turn
                into maps).
        """
        sequences: Tensor = batch["input"]
        if sequences.ndim != 3:
            hint = "; regress image series with SpatioTemporalPixelwiseRegressionTask" if sequences.ndim == 5 else ""
            raise ValueError(
                f"{type(self).__name__}: batch['input'] of shape {tuple(sequences.shape)} is not (B, T, C) "
                f"sequences{hint}"
            )
        output: Tensor = self(sequences.to(input_dtype_of(self.model)), **self.series_inputs(batch))
        return output.reshape(output.shape[0], self.hparams["out_steps"], self.hparams["num_outputs"])

    def output_and_target(self, batch: dict[str, Any]) -> tuple[Tensor, Tensor]:
        """:meth:`forecast` and the batch's ``target`` in its shape.

        Raises:
            ValueError: if the target does not hold ``out_steps * num_outputs`` finite values per sequence.
        """
        output = self.forecast(batch)
        return output, regression_target(batch["target"], output, "target", type(self).__name__)

    def predict_step(self, batch: dict[str, Any], batch_idx: int, dataloader_idx: int = 0) -> Tensor:
        """The values ``(B, out_steps, num_outputs)``, in the targets' units."""
        return self.values(self.forecast(batch))
