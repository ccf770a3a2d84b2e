"""BaseTask: what every GeoTorch LightningModule shares (models, losses, metrics, optimiser, checks)."""

from __future__ import annotations

import abc
import copy
import inspect
import types
import warnings
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, Self, cast

import torch
from lightning.pytorch import LightningModule
from lightning.pytorch.utilities import parsing
from lightning.pytorch.utilities.types import OptimizerLRScheduler
from torch import Tensor, nn
from torchmetrics import MetricCollection

from geotorch.trainers.input_normalization import CHECKPOINT_KEY, InputNormalization, fitted_normalization
from geotorch.transforms import (
    AppendEVI,
    AppendNormalizedDifferenceIndex,
    AppendSAVI,
    AppendTriBandNormalizedDifferenceIndex,
    Rearrange,
)

#: Schedulers a task's ``scheduler`` argument may name.
SCHEDULERS = ("plateau", "cosine", "none")

#: Normalisation layers that keep running statistics, which a forward pass in training mode updates.
RUNNING_STATISTICS = (nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d, nn.SyncBatchNorm)

#: Augmentations that append one band (a spectral index) to the images they are given.
INDEX_BANDS = (AppendNormalizedDifferenceIndex, AppendTriBandNormalizedDifferenceIndex, AppendSAVI, AppendEVI)

#: The datamodule's augmentation each stage's batches go through (each falling back to ``aug``).
STAGE_AUGMENTATIONS = {"fit": "train_aug", "validate": "val_aug", "test": "test_aug", "predict": "predict_aug"}

#: Sample keys whose values stay where they are when a batch moves to the device: places, not tensors.
PLACE_KEYS = ("crs", "bounds")

#: TorchGeo 0.2-0.4 spellings of task arguments, and today's names for them.
LEGACY_NAMES = {
    "segmentation_model": "model",
    "classification_model": "model",
    "encoder_name": "backbone",
    "encoder_weights": "weights",
    "learning_rate": "lr",
    "learning_rate_schedule_patience": "patience",
}


def rename_legacy(owner: str, legacy: dict[str, Any]) -> dict[str, Any]:
    """Today's names for TorchGeo's older argument names (``segmentation_model`` -> ``model``, ...).

    Args:
        owner: the task's name, for messages.
        legacy: the keyword arguments the task did not recognise.

    Returns:
        The same values under today's names.

    Raises:
        TypeError: if an argument is neither today's nor an older name.
    """
    unknown = sorted(set(legacy) - set(LEGACY_NAMES))
    if unknown:
        raise TypeError(f"{owner} got unexpected arguments {unknown}")
    return {LEGACY_NAMES[name]: value for name, value in legacy.items()}


class BaseTask(LightningModule, abc.ABC):
    """A LightningModule built from its hyperparameters: model, loss, metrics, AdamW and a scheduler.

    Subclasses save their arguments with ``save_hyperparameters()`` and then call
    :meth:`configure_task`, which calls :meth:`configure_models`, :meth:`configure_losses`
    and :meth:`configure_metrics` in that order. The hyperparameters every task reads
    here are ``lr``, ``patience`` (epochs without improvement before the plateau scheduler
    lowers the rate), ``scheduler`` (``plateau``, ``cosine`` or ``none``) and ``in_channels``.
    """

    #: The logged value the plateau scheduler and checkpoints follow, and whether lower is better.
    monitor: ClassVar[str] = "val_loss"
    mode: ClassVar[str] = "min"

    model: nn.Module

    #: How raw pixels were normalised into the task's input when it was last fit on a GeoTorch datamodule (its
    #: ``predict_aug``, else ``aug``), kept in its checkpoints; :func:`~geotorch.trainers.predict_raster` repeats it.
    #: None when unknown: never fit, fit on a plain DataLoader or another datamodule, or from an older checkpoint.
    input_normalization: InputNormalization | None = None

    #: The checkpoint the task was last loaded from where it held no :attr:`input_normalization` (one saved by
    #: TorchGeo, a plain script, or a fit without a GeoTorch datamodule), as ``epoch 3, step 120``; else None.
    loaded_without_normalization: str | None = None

    def save_hyperparameters(
        self,
        *args: Any,
        ignore: Sequence[str] | str | None = None,
        frame: types.FrameType | None = None,
        logger: bool = True,
    ) -> None:
        """Save the arguments as ``__init__`` resolved them, also when LightningCLI (``geotorch fit``) builds the task.

        LightningCLI hands Lightning the configuration's values, which it saves in place of the ``__init__``
        frame's: an argument resolved before saving (``model=None`` to the default detector, MoCo's and
        SimCLR's ``layers=None`` to their version's, TorchGeo's ``learning_rate`` to ``lr``) was saved, and the
        task built, as the configuration had it. The frame's values are saved here, with the ``_class_path``
        and ``_instantiator`` entries LightningCLI adds (checkpoints keep them). Arguments as Lightning's.
        """
        caller = frame or cast(types.FrameType, inspect.currentframe()).f_back
        super().save_hyperparameters(*args, ignore=ignore, frame=caller, logger=logger)
        given = {name: value for name, value in self.hparams.items() if name.startswith("_")}
        if given:
            self.hparams.clear()
            parsing.save_hyperparameters(self, *args, ignore=ignore, frame=caller)
            self.hparams.update(given)
            self._hparams_initial = copy.deepcopy(self._hparams)

    def configure_task(self) -> None:
        """Build the model, the loss and the metrics from the hyperparameters."""
        scheduler = self.hparams.get("scheduler", "plateau")
        if scheduler not in SCHEDULERS:
            raise ValueError(f"{type(self).__name__}: scheduler={scheduler!r} must be one of {', '.join(SCHEDULERS)}")
        self.configure_models()
        # Lightning's fit never calls train(): frozen normalisation layers are put in evaluation mode here.
        self.train(self.training)
        self.configure_losses()
        self.configure_metrics()

    @abc.abstractmethod
    def configure_models(self) -> None:
        """Build ``self.model`` (and freeze what the freeze flags ask)."""

    def configure_losses(self) -> None:
        """Build ``self.criterion``; tasks whose model computes its own loss leave this empty."""

    def configure_metrics(self) -> None:
        """Build the torchmetrics collections logged per split."""

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """Run the model."""
        return self.model(*args, **kwargs)

    def train(self, mode: bool = True) -> Self:
        """Set training mode, but keep frozen batch normalisation layers in evaluation mode.

        A layer frozen by ``freeze_backbone`` or ``freeze_decoder`` (its parameters not trainable) would otherwise
        still move its running mean and variance towards every training batch's statistics, so the frozen part's
        output changed during training (a linear probe over drifting features); frozen, it keeps the statistics
        it was given.
        """
        super().train(mode)
        if mode:
            for module in self.modules():
                parameters = list(module.parameters())
                if isinstance(module, RUNNING_STATISTICS) and parameters and not any(
                    parameter.requires_grad for parameter in parameters
                ):
                    module.eval()
        return self

    def configure_optimizers(self) -> OptimizerLRScheduler:
        """AdamW over the trainable parameters, with the scheduler the ``scheduler`` hyperparameter names.

        The plateau scheduler follows :attr:`monitor` (``val_loss``); without validation it keeps the rate, with
        Lightning's warning that the value is not available.
        """
        parameters = [parameter for parameter in self.parameters() if parameter.requires_grad]
        optimizer = torch.optim.AdamW(parameters, lr=self.hparams["lr"])
        scheduler = self.hparams.get("scheduler", "plateau")
        if scheduler == "none":
            return optimizer
        if scheduler == "cosine":
            epochs = max(1, int(self.trainer.max_epochs or 1)) if self._trainer is not None else 1
            cosine = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs)
            return {"optimizer": optimizer, "lr_scheduler": {"scheduler": cosine}}
        plateau = torch.optim.lr_scheduler.ReduceLROnPlateau(
            optimizer, mode="min" if self.mode == "min" else "max", patience=self.hparams["patience"]
        )
        # Not strict: a fit without validation batches (a DataLoader of training batches only) would otherwise end
        # at its first epoch's end; Lightning warns that val_loss is missing and keeps the rate instead.
        return {
            "optimizer": optimizer,
            "lr_scheduler": {"scheduler": plateau, "monitor": self.monitor, "strict": False},
        }

    def transfer_batch_to_device(self, batch: Any, device: torch.device, dataloader_idx: int) -> Any:
        """Move a batch to ``device`` as Lightning does, but for a sample dict's ``crs`` and ``bounds``, kept as given.

        A DataLoader batching GeoDataset samples with ``stack_samples`` and no GeoTorch datamodule gives lists of
        CRS and frozen BoundingBox, which Lightning's default refuses ("A frozen dataclass was passed").
        """
        move = super().transfer_batch_to_device
        if isinstance(batch, dict):
            return {key: value if key in PLACE_KEYS else move(value, device, dataloader_idx)
                    for key, value in batch.items()}
        return move(batch, device, dataloader_idx)

    def setup(self, stage: str) -> None:
        """Check, before any step, that the datamodule's images have the task's band count.

        The count is the datamodule's ``num_channels`` and the spectral indices its augmentation for
        ``stage`` appends (``AppendNDVI``, ...); an augmentation that rearranges the bands
        (``Rearrange``) leaves the count unknown, and unchecked.

        Raises:
            ValueError: if the datamodule gives images of another band count than ``in_channels``.
        """
        datamodule = getattr(self._trainer, "datamodule", None) if self._trainer is not None else None
        bands = getattr(datamodule, "num_channels", None)
        wanted = self.hparams.get("in_channels")
        if not isinstance(bands, int) or not isinstance(wanted, int):
            return
        augmentation = getattr(datamodule, STAGE_AUGMENTATIONS.get(stage, "aug"), None) or getattr(
            datamodule, "aug", None
        )
        modules = list(augmentation.modules()) if isinstance(augmentation, nn.Module) else []
        if any(isinstance(module, Rearrange) for module in modules):
            return
        appended = sum(isinstance(module, INDEX_BANDS) for module in modules)
        if bands + appended != wanted:
            indices = f" and {appended} its augmentation appends" if appended else ""
            raise ValueError(
                f"{type(datamodule).__name__} gives images of {bands} bands{indices} but {type(self).__name__} has "
                f"in_channels={wanted}; set the task's in_channels to {bands + appended}"
            )

    def on_fit_start(self) -> None:
        """Record how the datamodule normalises images (:attr:`input_normalization`), for predictions without it."""
        self.input_normalization = fitted_normalization(getattr(self.trainer, "datamodule", None))

    def on_predict_start(self) -> None:
        """Warn when the datamodule normalises images otherwise than the one the task was fit on.

        Its predictions would then be of inputs it never learnt on, and differ from
        :func:`~geotorch.trainers.predict_raster`'s, which repeats the recorded normalisation.
        """
        datamodule = getattr(self.trainer, "datamodule", None)
        recorded, current = self.input_normalization, fitted_normalization(datamodule)
        if recorded is None or current is None or recorded.same_as(current):
            return
        warnings.warn(
            f"{type(self).__name__} was fit on images normalised as {recorded}, and {type(datamodule).__name__} "
            f"normalises them as {current}: the predictions are of inputs it never learnt on (and differ from "
            "predict_raster's); give the datamodule the mean and std it was fit with",
            stacklevel=2,
        )

    def on_save_checkpoint(self, checkpoint: dict[str, Any]) -> None:
        """Keep :attr:`input_normalization` in the checkpoint, when known."""
        if self.input_normalization is not None:
            checkpoint[CHECKPOINT_KEY] = self.input_normalization.to_checkpoint()

    def on_load_checkpoint(self, checkpoint: dict[str, Any]) -> None:
        """Take :attr:`input_normalization` from the checkpoint (None from one that holds none).

        Raises:
            ValueError: if the checkpoint's record is not one GeoTorch wrote.
        """
        record = checkpoint.get(CHECKPOINT_KEY)
        self.input_normalization = InputNormalization.from_checkpoint(record)
        self.loaded_without_normalization = (
            f"epoch {checkpoint.get('epoch')}, step {checkpoint.get('global_step')}" if record is None else None
        )

    def log_split(self, split: str, loss: Tensor, batch_size: int) -> None:
        """Log ``{split}_loss``, on the progress bar and per epoch."""
        self.log(f"{split}_loss", loss, batch_size=batch_size, prog_bar=True, on_step=split == "train",
                 on_epoch=True, sync_dist=split != "train")

    def configure_split_metrics(self, metrics: MetricCollection) -> None:
        """Keep a copy of ``metrics`` per split: ``train_metrics``, ``val_metrics`` and ``test_metrics``."""
        self.train_metrics = metrics.clone(prefix="train_")
        self.val_metrics = metrics.clone(prefix="val_")
        self.test_metrics = metrics.clone(prefix="test_")

    def log_step(
        self, split: str, loss: Tensor, batch_size: int, metrics: MetricCollection, output: Tensor, target: Tensor
    ) -> None:
        """Log ``{split}_loss``, update ``metrics`` with ``output`` and ``target``, and log them per epoch."""
        self.log_split(split, loss, batch_size)
        metrics(output, target)
        self.log_dict(metrics, batch_size=batch_size, on_step=False, on_epoch=True)

    def log_figure(self, batch: Mapping[str, Any], batch_idx: int, prediction: Tensor, key: str = "prediction") -> None:
        """Draw the first sample of an early validation batch with its prediction, if the logger takes figures.

        Only loggers with ``experiment.add_figure`` (TensorBoard) get figures, and only
        when the datamodule can plot; figures of the first two batches are logged.
        """
        if batch_idx >= 2 or self._trainer is None or self.logger is None:
            return
        datamodule = getattr(self.trainer, "datamodule", None)
        add_figure = getattr(getattr(self.logger, "experiment", None), "add_figure", None)
        if datamodule is None or not hasattr(datamodule, "plot") or add_figure is None:
            return
        sample = {name: value[0].detach().cpu() for name, value in batch.items() if isinstance(value, Tensor)}
        sample[key] = prediction[0].detach().cpu()
        try:
            figure = datamodule.plot(sample)
        except (ValueError, KeyError, TypeError, IndexError):
            # A dataset whose plot cannot draw this sample (normalised, other keys) just gets no figure.
            return
        if figure is not None:
            add_figure(f"image/{batch_idx}", figure, global_step=self.global_step)


class ScoredTask(BaseTask):
    """A task whose scores are counted over each epoch and logged at its end, as TorchGeo's classification tasks.

    Scores may give several values (classwise ones), which Lightning cannot log step by step. A subclass calls
    :meth:`configure_split_metrics` in ``configure_metrics`` and :meth:`score_step` in its steps; the epoch-end
    hooks log ``train_metrics``, ``val_metrics`` and ``test_metrics`` with :meth:`log_epoch_scores`.
    """

    train_metrics: MetricCollection
    val_metrics: MetricCollection
    test_metrics: MetricCollection

    def score_step(self, split: str, loss: Tensor, batch_size: int, metrics: MetricCollection, *scored: Tensor) -> None:
        """Log ``{split}_loss`` and count ``scored`` (predictions, targets) into the epoch's ``metrics``."""
        self.log_split(split, loss, batch_size)
        metrics.update(*scored)

    def log_epoch_scores(self, metrics: MetricCollection) -> None:
        """Log the epoch's scores of ``metrics`` (their names carry the split) and start counting anew."""
        self.log_dict(metrics.compute())
        metrics.reset()

    def on_train_epoch_end(self) -> None:
        """Log the training scores."""
        self.log_epoch_scores(self.train_metrics)

    def on_validation_epoch_end(self) -> None:
        """Log the validation scores."""
        self.log_epoch_scores(self.val_metrics)

    def on_test_epoch_end(self) -> None:
        """Log the test scores."""
        self.log_epoch_scores(self.test_metrics)
