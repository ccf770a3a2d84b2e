"""What the self-supervised tasks share: a timm backbone, two augmented views, projection heads and EMA copies."""

from __future__ import annotations

import abc
import copy
import warnings
from collections.abc import Mapping
from typing import Any, cast

import kornia.augmentation as K
import torch
from lightning.pytorch.utilities.types import OptimizerLRScheduler
from torch import Tensor, nn
from torch.optim import Optimizer

from geotorch.trainers.base import BaseTask
from geotorch.trainers.classification import timm_network
from geotorch.transforms import AugmentationSequential, RandomGrayscale


def default_augmentations(size: int) -> AugmentationSequential:
    """The two-view augmentations of SimCLR, MoCo and BYOL, for images with any number of bands.

    Random resized crop to ``size``, horizontal and vertical flips, a multiplicative
    intensity jitter (contrast and brightness scale every band alike, so band ratios and
    any band count survive; no RGB-only colour jitter), a grey image (the mean of all bands)
    now and then, and a Gaussian blur of about a tenth of the crop.

    Args:
        size: height and width of the crops.

    Returns:
        An augmentation of batch dicts; call it once per view.
    """
    kernel = max(3, size // 10 | 1)
    return AugmentationSequential(
        K.RandomResizedCrop((size, size), scale=(0.2, 1.0)),
        K.RandomHorizontalFlip(),
        K.RandomVerticalFlip(),
        # Scaling, not shifting: an additive jitter would depend on the data's range (reflectance, DN, z-score).
        K.RandomContrast((0.6, 1.4), clip_output=False, p=0.8),
        K.RandomBrightness((0.6, 1.4), clip_output=False, p=0.8),
        RandomGrayscale(p=0.2),
        K.RandomGaussianBlur((kernel, kernel), (0.1, 2.0), p=0.5),
        data_keys=["image"],
    )


#: The state-dict prefix of a self-supervised task's augmentations.
AUGMENTATIONS = "augmentations."


def without_augmentations(state_dict: Mapping[str, Any]) -> dict[str, Any]:
    """``state_dict`` without the entries of a self-supervised task's augmentations."""
    return {name: value for name, value in state_dict.items() if not name.startswith(AUGMENTATIONS)}


def takes_tensors(augmentations: nn.Module) -> bool:
    """Whether ``augmentations`` augments image tensors rather than batch dicts.

    kornia's augmentations (GeoTorch's transforms among them) and containers take tensors, and so does an
    ``nn.Sequential`` of them; GeoTorch's :class:`~geotorch.transforms.AugmentationSequential` and any other
    module are taken to augment batch dicts.
    """
    if isinstance(augmentations, (K.AugmentationBase2D, K.AugmentationBase3D, K.ImageSequential)):
        return True
    return isinstance(augmentations, nn.Sequential) and len(augmentations) > 0 and all(
        takes_tensors(child) for child in augmentations
    )


def check_finite(owner: str, image: Tensor) -> None:
    """Refuse an image batch holding NaN or infinite values, such as the NaN nodata of float rasters.

    One such pixel makes the loss NaN, and through batch norm every projection of the batch; MoCo's memory
    bank then keeps NaN keys, so later batches' losses are NaN too, for ``memory_bank_size`` keys.

    Raises:
        ValueError: naming how many values and images are not finite, and what to do.
    """
    if not image.is_floating_point():
        return
    finite = image.isfinite()
    if bool(finite.all()):
        return
    images = int((~finite.flatten(1).all(dim=1)).sum())
    raise ValueError(
        f"{owner}: the batch's image holds {int((~finite).sum())} NaN or infinite values, in {images} of its "
        f"{len(image)} images (nodata pixels?); they would make the loss, and with MoCo's memory bank later "
        "losses, NaN: fill them before the task (torch.nan_to_num in the dataset's transforms) or sample where "
        "the rasters hold data"
    )


def projection_head(in_dim: int, hidden_dim: int, output_dim: int, layers: int, batch_norm: bool) -> nn.Module:
    """An MLP of ``layers`` linear layers with ReLU (and batch norm) between them.

    Raises:
        ValueError: if ``layers`` is below one.
    """
    if layers < 1:
        raise ValueError(f"layers={layers} must be at least 1")
    blocks: list[nn.Module] = []
    width = in_dim
    for _ in range(layers - 1):
        blocks.append(nn.Linear(width, hidden_dim, bias=not batch_norm))
        if batch_norm:
            blocks.append(nn.BatchNorm1d(hidden_dim))
        blocks.append(nn.ReLU(inplace=True))
        width = hidden_dim
    blocks.append(nn.Linear(width, output_dim))
    return nn.Sequential(*blocks)


def momentum_copy(module: nn.Module) -> nn.Module:
    """A copy of ``module`` that the optimiser does not train: it only follows ``module`` by EMA."""
    target = copy.deepcopy(module)
    for parameter in target.parameters():
        parameter.requires_grad = False
    return target


@torch.no_grad()
def ema_update(target: nn.Module, online: nn.Module, momentum: float) -> None:
    """Move ``target``'s parameters toward ``online``'s: ``target = m * target + (1 - m) * online``; copy buffers."""
    for kept, new in zip(target.parameters(), online.parameters(), strict=True):
        kept.mul_(momentum).add_(new.detach(), alpha=1 - momentum)
    for kept_buffer, new_buffer in zip(target.buffers(), online.buffers(), strict=True):
        kept_buffer.copy_(new_buffer)


class SelfSupervisedTask(BaseTask):
    """A task that learns a timm backbone from unlabelled images by comparing two views of each.

    Subclasses save their hyperparameters (``model``, ``weights``, ``in_channels``, ``size``,
    ``lr``, ``weight_decay``, ``patience``, ``scheduler``) with ``save_hyperparameters(ignore=["augmentations"])``,
    call :meth:`configure_views` and :meth:`configure_task`, and implement :meth:`pair_loss`.
    ``self.model`` is the backbone: ``forward`` and ``predict_step`` return its pooled features.
    """

    #: The projection head on the backbone's features.
    projection: nn.Module
    #: Whether a training batch of one image was warned of (once a task).
    _warned_of_one: bool = False
    #: EMA copies of the backbone and projection, in the tasks that call :meth:`configure_momentum`.
    momentum_backbone: nn.Module
    momentum_projection: nn.Module

    def configure_views(self, augmentations: nn.Module | None) -> None:
        """Keep the augmentation of each view: ``augmentations``, or :func:`default_augmentations`."""
        self.augmentations = augmentations if augmentations is not None else default_augmentations(self.hparams["size"])

    def configure_backbone(self) -> int:
        """Build ``self.model``, the timm backbone without classifier, and return its feature width."""
        hparams = self.hparams
        self.model = timm_network(hparams["model"], hparams["weights"], hparams["in_channels"], 0)
        width = getattr(self.model, "head_hidden_size", None) or getattr(self.model, "num_features", None)
        if not isinstance(width, int):
            raise ValueError(f"{type(self).__name__}: model={hparams['model']!r} does not say its feature width")
        return width

    def views(self, batch: dict[str, Any]) -> tuple[Tensor, Tensor]:
        """The two views of a batch: ``image`` augmented twice, or the two given views of a ``B x 2 x C x H x W`` image.

        Raises:
            ValueError: if the image's bands are not ``in_channels``, it is 5-D with other than two views, or it
                holds NaN or infinite values.
        """
        image: Tensor = batch["image"]
        bands, wanted = image.shape[-3] if image.ndim >= 3 else -1, self.hparams["in_channels"]
        if image.ndim not in (4, 5) or bands != wanted:
            raise ValueError(
                f"{type(self).__name__} has in_channels={wanted} but got an image of {bands} bands and shape "
                f"{tuple(image.shape)}; it takes B x C x H x W or B x 2 x C x H x W with C={wanted}: set in_channels"
            )
        check_finite(type(self).__name__, image)
        if image.ndim == 5:
            if image.shape[1] != 2:
                raise ValueError(
                    f"{type(self).__name__}: a 5-D image must hold two views (B x 2 x C x H x W), got "
                    f"{tuple(image.shape)}"
                )
            return image[:, 0].float(), image[:, 1].float()
        image = image.float()
        return self.augmented(image), self.augmented(image)

    def augmented(self, image: Tensor) -> Tensor:
        """One view of ``image`` ``(B, C, H, W)``: the augmentations applied once.

        kornia's augmentations and containers (``K.AugmentationSequential``, an ``nn.Sequential`` of kornia
        augmentations), which TorchGeo's tasks take, are given the image tensor; any other module the batch
        dict ``{"image": image}``.

        Raises:
            ValueError: if the augmentations give no ``(B, in_channels, H', W')`` image.
        """
        if takes_tensors(self.augmentations):
            view: Any = self.augmentations(image)
        else:
            view = self.augmentations({"image": image})
            view = view.get("image") if isinstance(view, Mapping) else view
        wanted = self.hparams["in_channels"]
        if not isinstance(view, Tensor) or view.ndim != 4 or view.shape[:2] != image.shape[:2]:
            given = tuple(view.shape) if isinstance(view, Tensor) else type(view).__name__
            raise ValueError(
                f"{type(self).__name__}: its augmentations turned a batch image of shape {tuple(image.shape)} into "
                f"{given}; they must give B x {wanted} x H x W images, in_channels={wanted} bands (a module of "
                "batch dicts as their 'image', a kornia augmentation as a tensor)"
            )
        return view

    def on_save_checkpoint(self, checkpoint: dict[str, Any]) -> None:
        """Keep the augmentations' buffers out of the checkpoint: they are settings, not learnt.

        kornia keeps each augmentation's ranges (brightness, contrast) as buffers, so they were saved
        with the weights, and a checkpoint of a task fit with other augmentations than the loading
        task's (any given ``augmentations``, which are not hyperparameters) was refused as missing and
        unexpected keys.
        """
        super().on_save_checkpoint(checkpoint)
        checkpoint["state_dict"] = without_augmentations(checkpoint["state_dict"])

    def load_state_dict(self, state_dict: Mapping[str, Any], strict: bool = True, assign: bool = False) -> Any:
        """Load the weights of ``state_dict``, keeping this task's own augmentations whatever it holds of others'.

        Arguments and result as :meth:`torch.nn.Module.load_state_dict`.
        """
        own = {f"{AUGMENTATIONS}{name}": value for name, value in self.augmentations.state_dict().items()}
        return super().load_state_dict({**without_augmentations(state_dict), **own}, strict=strict, assign=assign)

    def configure_momentum(self) -> None:
        """EMA copies of ``self.model`` and ``self.projection``: MoCo's momentum encoder, BYOL's target network."""
        self.momentum_backbone = momentum_copy(self.model)
        self.momentum_projection = momentum_copy(self.projection)

    def update_momentum(self) -> None:
        """Move the momentum copies toward the online backbone and projection by EMA with ``moco_momentum``."""
        momentum = self.hparams["moco_momentum"]
        ema_update(self.momentum_backbone, self.model, momentum)
        ema_update(self.momentum_projection, self.projection, momentum)

    @torch.no_grad()
    def momentum_projections(self, images: Tensor) -> Tensor:
        """The momentum copies' projections of ``images``, without gradient."""
        projections: Tensor = self.momentum_projection(self.momentum_backbone(images))
        return projections

    @abc.abstractmethod
    def pair_loss(self, first: Tensor, second: Tensor, training: bool) -> Tensor:
        """The loss of two views of the same images; ``training`` is False in validation (no EMA, no queue)."""

    def contrasts_within_batch(self) -> bool:
        """Whether each image's negatives are the batch's other images (SimCLR; MoCo without memory bank)."""
        return False

    def training_step(self, batch: dict[str, Any], batch_idx: int) -> Tensor:
        """The loss of two views of a batch, logged as ``train_loss``.

        Warns:
            UserWarning: once, at a batch of one image where the negatives come from the batch: its loss is 0.
        """
        first, second = self.views(batch)
        if first.shape[0] == 1 and self.contrasts_within_batch() and not self._warned_of_one:
            self._warned_of_one = True
            warnings.warn(
                f"{type(self).__name__}: a training batch of one image has no other image to contrast its views "
                "with, so its loss is 0 and it trains nothing; use batches of 2 or more images (an odd last batch "
                "of one costs only itself)",
                stacklevel=2,
            )
        loss = self.pair_loss(first, second, training=True)
        self.log_split("train", loss, first.shape[0])
        return loss

    def validation_step(self, batch: dict[str, Any], batch_idx: int) -> None:
        """The same loss on a validation batch, logged as ``val_loss``; no labels are needed."""
        first, second = self.views(batch)
        self.log_split("val", self.pair_loss(first, second, training=False), first.shape[0])

    def forward(self, *args: Any, **kwargs: Any) -> Tensor:
        """The backbone's pooled features ``(B, width)``."""
        features: Tensor = self.model(*args, **kwargs)
        return features

    def predict_step(self, batch: dict[str, Any], batch_idx: int, dataloader_idx: int = 0) -> Tensor:
        """Backbone features ``(B, width)`` of ``image`` (``(B, T, width)`` for a ``B x T x C x H x W`` image)."""
        image: Tensor = batch["image"].float()
        features: Tensor = self(image.flatten(0, 1) if image.ndim == 5 else image)
        return features.reshape(*image.shape[:2], -1) if image.ndim == 5 else features

    def configure_optimizers(self) -> OptimizerLRScheduler:
        """BaseTask's AdamW and scheduler, with the ``weight_decay`` hyperparameter."""
        configured = super().configure_optimizers()
        optimizer = cast(Optimizer, configured["optimizer"] if isinstance(configured, dict) else configured)
        for group in optimizer.param_groups:
            group["weight_decay"] = self.hparams["weight_decay"]
        return configured
