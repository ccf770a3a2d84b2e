"""RegressionTask and PixelwiseRegressionTask: real values per image, or per pixel."""

from __future__ import annotations

from typing import Any, ClassVar

from torch import Tensor
from torchmetrics import MeanAbsoluteError, MeanSquaredError, MetricCollection

from geotorch.trainers.base import BaseTask
from geotorch.trainers.classification import freeze_all_but_head, timm_network
from geotorch.trainers.losses import regression_loss, regression_target
from geotorch.trainers.networks import freeze_parts
from geotorch.trainers.segmentation import segmentation_network


class RegressionTask(BaseTask):
    """Regression of ``num_outputs`` values per image (wind speed, biomass, counts).

    Batches hold ``image`` and a float ``label`` ``(B,)`` or ``(B, num_outputs)``. Logs
    ``{split}_loss``, ``{split}_RMSE`` and ``{split}_MAE``; ``predict_step`` returns the values.

    Args:
        model: a registered backbone or any timm name.
        backbone: the encoder of :class:`PixelwiseRegressionTask`'s models (unused here).
        weights: a registered weight name, a checkpoint file, ``"imagenet"`` (downloaded if not cached), or None.
        in_channels: bands of the input images.
        num_outputs: values to predict.
        labels: names of the values (kept in the hyperparameters, as TorchGeo's).
        num_filters: hidden channels of the ``fcn`` model (pixelwise).
        loss: ``mse`` or ``mae``.
        lr: learning rate of AdamW.
        patience: epochs without improvement of ``val_loss`` before the plateau scheduler lowers the rate.
        scheduler: ``plateau``, ``cosine`` or ``none``.
        freeze_backbone: train the head (decoder) only.
        freeze_decoder: train the encoder only (pixelwise).
    """

    #: The batch key of the targets.
    target_key: ClassVar[str] = "label"
    #: What ``geotorch predict`` writes: the blended values.
    prediction_output: ClassVar[str] = "scores"

    def __init__(
        self,
        model: str = "resnet50",
        backbone: str = "resnet50",
        weights: str | bool | None = None,
        in_channels: int = 3,
        num_outputs: int = 1,
        labels: list[str] | None = None,
        num_filters: int = 64,
        loss: str = "mse",
        lr: float = 1e-3,
        patience: int = 10,
        freeze_backbone: bool = False,
        freeze_decoder: bool = False,
        *,
        scheduler: str = "plateau",
    ) -> None:
        super().__init__()
        self.save_hyperparameters()
        self.configure_task()

    def configure_models(self) -> None:
        """The timm model with ``num_outputs`` outputs."""
        hparams = self.hparams
        self.model = timm_network(hparams["model"], hparams["weights"], hparams["in_channels"],
                                  hparams["num_outputs"])
        if hparams["freeze_backbone"]:
            freeze_all_but_head(self.model)

    def configure_losses(self) -> None:
        """Mean squared or absolute error."""
        self.criterion = regression_loss(self.hparams["loss"], type(self).__name__)

    def configure_metrics(self) -> None:
        """Root mean squared and mean absolute error for each split."""
        metrics = MetricCollection({"RMSE": MeanSquaredError(squared=False), "MAE": MeanAbsoluteError()})
        self.configure_split_metrics(metrics)

    def _step(self, batch: dict[str, Any], split: str, metrics: MetricCollection) -> tuple[Tensor, Tensor]:
        image = batch["image"]
        output: Tensor = self(image)
        target = regression_target(batch[self.target_key], output, self.target_key, type(self).__name__)
        loss: Tensor = self.criterion(output, target)
        self.log_step(split, loss, image.shape[0], metrics, output.flatten(), target.flatten())
        return loss, output

    def training_step(self, batch: dict[str, Any], batch_idx: int) -> Tensor:
        """Loss and metrics of a training batch."""
        return self._step(batch, "train", self.train_metrics)[0]

    def validation_step(self, batch: dict[str, Any], batch_idx: int) -> None:
        """Loss and metrics of a validation batch."""
        self._step(batch, "val", self.val_metrics)

    def test_step(self, batch: dict[str, Any], batch_idx: int) -> None:
        """Loss and metrics of a test batch."""
        self._step(batch, "test", self.test_metrics)

    def predict_step(self, batch: dict[str, Any], batch_idx: int, dataloader_idx: int = 0) -> Tensor:
        """The predicted values."""
        output: Tensor = self(batch["image"])
        return output


class PixelwiseRegressionTask(RegressionTask):
    """Regression of ``num_outputs`` values for every pixel (canopy height, elevation).

    Batches hold ``image`` and a float ``mask`` ``(B, H, W)`` or ``(B, num_outputs, H, W)``; the
    model is a segmentation model (``unet`` and the others of :class:`SemanticSegmentationTask`)
    with ``num_outputs`` channels. ``geotorch predict`` writes the blended values as float GeoTIFFs.
    Arguments as :class:`RegressionTask`, in the same order, with ``model="unet"`` by default.
    """

    target_key: ClassVar[str] = "mask"

    def __init__(
        self,
        model: str = "unet",
        backbone: str = "resnet50",
        weights: str | bool | None = None,
        in_channels: int = 3,
        num_outputs: int = 1,
        labels: list[str] | None = None,
        num_filters: int = 64,
        loss: str = "mse",
        lr: float = 1e-3,
        patience: int = 10,
        freeze_backbone: bool = False,
        freeze_decoder: bool = False,
        *,
        scheduler: str = "plateau",
    ) -> None:
        super().__init__(model, backbone, weights, in_channels, num_outputs, labels, num_filters, loss, lr, patience,
                         freeze_backbone, freeze_decoder, scheduler=scheduler)

    def configure_models(self) -> None:
        """A segmentation network with ``num_outputs`` channels."""
        hparams = self.hparams
        self.model = segmentation_network(
            hparams["model"], hparams["backbone"], hparams["weights"], hparams["in_channels"],
            hparams["num_outputs"], hparams["num_filters"],
        )
        freeze_parts(self.model, hparams["model"], type(self).__name__, hparams["freeze_backbone"],
                     hparams["freeze_decoder"])
