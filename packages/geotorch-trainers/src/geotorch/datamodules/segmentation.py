"""Datamodules of the segmentation benchmarks: LoveDA, LandCover.ai, Inria, DeepGlobe Land Cover, ETCI 2021."""

from __future__ import annotations

from typing import Any

import kornia.augmentation as K

from geotorch.core import Sample
from geotorch.datamodules.crops import refuse_padding
from geotorch.datamodules.nongeo import NonGeoDataModule
from geotorch.samplers import as_count
from geotorch.transforms import AugmentationSequential, Normalize


class _RGBSegmentationDataModule(NonGeoDataModule):
    """An 8-bit RGB segmentation benchmark: scaled to [0, 1], random ``patch_size`` crops for training."""

    #: The registered name of the dataset, set by subclasses.
    dataset_name = ""
    mean = (0.0,)
    std = (255.0,)
    num_channels = 3

    def __init__(self, batch_size: int = 16, patch_size: int | None = 256, num_workers: int = 0,
                 **kwargs: Any) -> None:
        """Keep the settings; ``kwargs`` (``root``, ``download``) go to the dataset.

        Args:
            batch_size: chips per batch.
            patch_size: side of the random crop each training chip is cut to on the device (None: whole chips);
                at most the chips' side.
            num_workers: DataLoader worker processes.
            **kwargs: passed to the dataset.

        Raises:
            TypeError, ValueError: if ``patch_size`` is not None or a whole number of at least 1.
        """
        super().__init__(self.dataset_name, batch_size, num_workers, **kwargs)
        if patch_size is not None:
            patch_size = as_count(patch_size, "patch_size", type(self).__name__)
        self.patch_size = patch_size
        crop = [K.RandomCrop((patch_size, patch_size), pad_if_needed=True)] if patch_size else []
        self.train_aug = AugmentationSequential(
            Normalize(mean=self.mean, std=self.std), *crop, K.RandomHorizontalFlip(), K.RandomVerticalFlip()
        )

    def on_after_batch_transfer(self, batch: Any, dataloader_idx: int) -> Any:
        """Augment the batch as :class:`~geotorch.datamodules.BaseDataModule` does, once its chips fit the crop.

        Raises:
            ValueError: if a training batch's chips are smaller than ``patch_size``: the crop would pad them with
                pixels of image 0 and mask 0, a class of most of these benchmarks (LandCover.ai's background,
                DeepGlobe's urban land), which the task would learn as data.
        """
        if self.trainer is not None and self.trainer.training and self.patch_size:
            size = (self.patch_size, self.patch_size)
            refuse_padding(type(self).__name__, self.patch_size, size, batch, "training chips")
        return super().on_after_batch_transfer(batch, dataloader_idx)


class LoveDADataModule(_RGBSegmentationDataModule):
    """LoveDA (7 land-cover classes + no data 0, 1024 x 1024 chips) with its published train/val/test splits.

    Its ``test`` split has no labels: test on ``val``, predict on ``test``.
    """

    dataset_name = "LoveDA"
    split_names = ("train", "val", "val")
    predict_split = "test"

    def __init__(self, batch_size: int = 16, num_workers: int = 0, *, patch_size: int | None = 256,
                 **kwargs: Any) -> None:
        """TorchGeo 0.10.1's order (``batch_size``, ``num_workers``); ``patch_size`` is keyword-only."""
        super().__init__(batch_size, patch_size, num_workers, **kwargs)


class LandCoverAIDataModule(_RGBSegmentationDataModule):
    """LandCover.ai (5 classes, 512 x 512 chips) with its published train/val/test splits."""

    dataset_name = "LandCoverAI"

    def __init__(self, batch_size: int = 16, num_workers: int = 0, *, patch_size: int | None = 256,
                 **kwargs: Any) -> None:
        """TorchGeo 0.10.1's order (``batch_size``, ``num_workers``); ``patch_size`` is keyword-only."""
        super().__init__(batch_size, patch_size, num_workers, **kwargs)


class InriaAerialImageLabelingDataModule(_RGBSegmentationDataModule):
    """Inria Aerial Image Labeling (buildings, 5000 x 5000 tiles at 0.3 m).

    Splits: tiles 6-36 of every training town train, tiles 1-5 validate (the publisher's
    suggestion); the unlabelled ``test`` towns are for prediction, so testing uses ``val``.
    Training batches are random ``patch_size`` crops of whole tiles.
    """

    dataset_name = "InriaAerialImageLabeling"
    split_names = ("train", "val", "val")
    predict_split = "test"


class DeepGlobeLandCoverDataModule(_RGBSegmentationDataModule):
    """DeepGlobe Land Cover (7 classes, 2448 x 2448 chips at 0.5 m): its ``train`` and ``test`` splits.

    The challenge published labels for its training chips alone; ``val_split_pct`` (default 0.2)
    of them validate, drawn with a fixed seed. Training batches are random ``patch_size`` crops.
    """

    dataset_name = "DeepGlobeLandCover"
    split_names = ("train", None, "test")

    def __init__(self, batch_size: int = 16, patch_size: int | None = 256, val_split_pct: float = 0.2,
                 num_workers: int = 0, **kwargs: Any) -> None:
        """Keep the settings in TorchGeo 0.10.1's order; ``kwargs`` (``root``, ``download``) go to the dataset."""
        super().__init__(batch_size, patch_size, num_workers, val_split_pct=val_split_pct, **kwargs)


def flood_target(sample: Sample) -> Sample:
    """An ETCI 2021 sample whose ``mask`` is the flood label alone ``(H, W)``; without one, no mask."""
    mask = sample["mask"]
    rest = {key: value for key, value in sample.items() if key != "mask"}
    return {**rest, "mask": mask[1]} if mask.shape[0] == 2 else rest


class ETCI2021DataModule(NonGeoDataModule):
    """ETCI 2021 flood detection: VV and VH Sentinel-1 chips (6 channels), the flood label as target.

    Splits: ``val_split_pct`` (default 0.2) of the competition's training chips validate, its
    validation chips (labelled) test, its unlabelled test chips are for prediction. Masks are the
    flood label (0 / 1); the water-body reference layer is left out. Images are normalised with
    the competition data's channel statistics.
    """

    mean = (128.02253931, 128.02253931, 128.02253931, 128.11221701, 128.11221701, 128.11221701)
    std = (89.8145088, 89.8145088, 89.8145088, 95.2797861, 95.2797861, 95.2797861)
    num_channels = 6
    split_names = ("train", None, "val")
    predict_split = "test"

    def __init__(self, batch_size: int = 64, num_workers: int = 0, val_split_pct: float = 0.2,
                 **kwargs: Any) -> None:
        """Keep the settings; ``kwargs`` (``root``, ``download``, ``checksum``) go to the dataset."""
        super().__init__("ETCI2021", batch_size, num_workers, val_split_pct=val_split_pct, transforms=flood_target,
                         **kwargs)

    def plot(self, sample: Sample) -> Any:
        """VV, the flood mask and the prediction.

        Returns:
            A matplotlib Figure.
        """
        from geotorch.core import plot_sample

        return plot_sample(sample, rgb_indices=[0], num_classes=2)
