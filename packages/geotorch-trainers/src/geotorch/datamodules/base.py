"""BaseDataModule: batch augmentation on the device after transfer, plotting, and the band count."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import kornia.augmentation as K
import torch
from lightning.pytorch import LightningDataModule, Trainer
from lightning.pytorch.plugins.precision import Precision
from torch import Tensor, nn

from geotorch.core import Sample
from geotorch.samplers import as_count
from geotorch.transforms import AugmentationSequential, Normalize

#: The key of a sample's acquisition times (float64 POSIX seconds), as core's time-series datasets give them.
TIME_KEY = "time"
#: Batch keys that Lightning's input conversion under a "true" precision must leave as they are: georeferencing
#: (lists of CRS and frozen BoundingBox, which it refuses; the affine transforms) and the steps' times (float16
#: holds at most 65504, bfloat16 rounds POSIX seconds to months).
KEPT_KEYS = frozenset({"crs", "bounds", "transform", TIME_KEY})


def keep_georeferencing(plugin: Precision) -> None:
    """Make ``plugin.convert_input`` convert a batch dict but for its :data:`KEPT_KEYS`.

    Lightning's loops give every batch to the trainer's precision plugin before any hook of a module or
    datamodule: under ``16-true``, ``bf16-true`` or ``64-true`` it casts every floating-point tensor, walking
    into lists of BoundingBox (a frozen dataclass: "A frozen dataclass was passed to apply_to_collection")
    and casting ``time``. Done once per plugin; batches that are not dicts are converted as before.
    """
    convert = plugin.convert_input
    if getattr(convert, "keeps_georeferencing", False):
        return

    def convert_input(data: Any) -> Any:
        if not isinstance(data, dict):
            return convert(data)
        converted = convert({key: value for key, value in data.items() if key not in KEPT_KEYS})
        return {key: data[key] if key in KEPT_KEYS else converted[key] for key in data}

    convert_input.keeps_georeferencing = True  # type: ignore[attr-defined]
    plugin.convert_input = convert_input  # type: ignore[method-assign]


class BaseDataModule(LightningDataModule):
    """Shared by GeoDataModule and NonGeoDataModule: augmentations run on whole batches on the device.

    After a batch reaches the device, :meth:`on_after_batch_transfer` applies
    ``train_aug`` while training, ``val_aug`` while validating, ``test_aug`` while
    testing and ``predict_aug`` while predicting, each falling back to ``aug``
    (normalisation with the class's band ``mean`` and ``std``).

    Attributes:
        mean: per-band mean (or one value) of the raw images, subtracted before training.
        std: per-band standard deviation (or one value), divided by.
        num_channels: bands of the images, when known; tasks check their ``in_channels`` against it.
    """

    mean: Sequence[float] = (0.0,)
    std: Sequence[float] = (255.0,)
    num_channels: int | None = None

    def __init__(self, batch_size: int = 1, num_workers: int = 0, **kwargs: Any) -> None:
        """Keep the loader settings and the dataset's arguments.

        Args:
            batch_size: samples per batch.
            num_workers: DataLoader worker processes.
            **kwargs: passed to the dataset class (``root=...``, ``bands=...``).

        Raises:
            TypeError: if ``batch_size`` or ``num_workers`` is not a number.
            ValueError: if ``batch_size`` is not a whole number of at least 1, or ``num_workers`` of at least 0.
        """
        super().__init__()
        self.batch_size = as_count(batch_size, "batch_size", type(self).__name__)
        self.num_workers = as_count(num_workers, "num_workers", type(self).__name__, minimum=0)
        self.kwargs = kwargs
        self.aug: nn.Module = AugmentationSequential(Normalize(mean=self.mean, std=self.std))
        self.train_aug: nn.Module | None = None
        self.val_aug: nn.Module | None = None
        self.test_aug: nn.Module | None = None
        self.predict_aug: nn.Module | None = None

    def flips(self) -> nn.Module:
        """Normalisation then random horizontal and vertical flips: the default training augmentation."""
        return AugmentationSequential(
            Normalize(mean=self.mean, std=self.std), K.RandomHorizontalFlip(), K.RandomVerticalFlip()
        )

    @property
    def trainer(self) -> Trainer | None:
        """The Trainer this datamodule is attached to (None before); attaching applies :func:`keep_georeferencing`."""
        return self._attached_trainer

    @trainer.setter
    def trainer(self, trainer: Trainer | None) -> None:
        if trainer is not None:
            keep_georeferencing(trainer.precision_plugin)
        self._attached_trainer = trainer

    def transfer_batch_to_device(self, batch: Any, device: torch.device, dataloader_idx: int) -> Any:
        """Move a sample dict's tensors to ``device``; ``crs`` and ``bounds`` stay as they are.

        Lightning's default walks into dataclasses and refuses frozen ones such as BoundingBox.
        """
        if isinstance(batch, dict):
            return {key: value.to(device) if isinstance(value, Tensor) else value for key, value in batch.items()}
        return super().transfer_batch_to_device(batch, device, dataloader_idx)

    def stage_augmentation(self) -> nn.Module:
        """The augmentation of the trainer's current stage (``train_aug``, ...), else ``aug``."""
        state = self.trainer
        stage = None
        if state is not None:
            if state.training:
                stage = self.train_aug
            elif state.validating or state.sanity_checking:
                stage = self.val_aug
            elif state.testing:
                stage = self.test_aug
            elif state.predicting:
                stage = self.predict_aug
        return stage or self.aug

    def on_after_batch_transfer(self, batch: Any, dataloader_idx: int) -> Any:
        """Apply the current stage's augmentation to a batch already on the device.

        The image is augmented as float32; the augmented batch then takes the trainer's precision as Lightning
        gives it before this hook (``16-true``, ``bf16-true``: float16 or bfloat16; ``64-true``: float64), so
        that it meets a model of that dtype; but for its steps' ``time``, float64 POSIX seconds, which
        keep their dtype.
        """
        if not isinstance(batch, dict) or "image" not in batch:
            return batch
        batch["image"] = batch["image"].float()
        augmented = self.stage_augmentation()(batch)
        if self.trainer is None:
            return augmented
        return self.trainer.precision_plugin.convert_input(augmented)

    def plot(self, sample: Sample) -> Any:
        """A figure of ``sample`` by the dataset's ``plot`` if it has one, else by GeoTorch's default.

        Returns:
            A matplotlib Figure.
        """
        from geotorch.core import plot_sample

        dataset = next((getattr(self, name) for name in ("val_dataset", "train_dataset", "test_dataset")
                        if getattr(self, name, None) is not None), None)
        drawing = getattr(dataset, "plot", None)
        if drawing is not None:
            return drawing(sample)
        return plot_sample(sample)
