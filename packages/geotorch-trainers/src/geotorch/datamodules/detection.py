"""Datamodules of object detection benchmarks: batches of listed images and targets (VHR10)."""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor, nn
from torch.nn.functional import interpolate
from torch.utils.data import DataLoader, Dataset, random_split

from geotorch.core import Sample, collate_detection
from geotorch.datamodules.crops import patch_shape
from geotorch.datamodules.nongeo import NonGeoDataModule, split_share


class NonGeoDetectionDataModule(NonGeoDataModule):
    """A NonGeoDataModule whose batches keep one tensor per sample, as torchvision's detectors take them.

    Images of detection benchmarks differ in size and in object count, so batches are made by
    :func:`geotorch.core.collate_detection`: every key holds the list of the samples'
    values. On the device each image goes, as one sample with its ``boxes`` and instance ``masks``,
    through the stage's augmentation (``train_aug``, ``val_aug``, ``test_aug``, ``predict_aug``, else
    ``aug``: by default normalisation with the class's ``mean`` and ``std``), a
    :class:`~geotorch.transforms.AugmentationSequential` that moves boxes and masks with the image;
    objects it moves wholly out of the image are dropped with their labels and masks.
    """

    #: ``(height, width)`` every image is resized to on the device, its boxes and masks with it (None: kept).
    resize_to: tuple[int, int] | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """Keep the settings as :class:`NonGeoDataModule` does; no augmentation but normalisation by default."""
        super().__init__(*args, **kwargs)
        self.train_aug = None

    def _loader(self, dataset: Dataset[Sample] | None, stage: str, shuffle: bool) -> DataLoader[Sample]:
        if dataset is None:
            self.setup(stage)
            dataset = {"fit": self.train_dataset, "validate": self.val_dataset, "test": self.test_dataset,
                       "predict": self.predict_dataset}[stage]
        assert dataset is not None
        return DataLoader(dataset, batch_size=self.batch_size, shuffle=shuffle, num_workers=self.num_workers,
                          collate_fn=collate_detection)

    def transfer_batch_to_device(self, batch: Any, device: torch.device, dataloader_idx: int) -> Any:
        """Move a batch's tensors, listed or not, to ``device``."""
        if isinstance(batch, dict):
            return {key: _to(value, device) for key, value in batch.items()}
        return super().transfer_batch_to_device(batch, device, dataloader_idx)

    def on_after_batch_transfer(self, batch: Any, dataloader_idx: int) -> Any:
        """Augment every image of a batch already on the device with its objects, and resize it to :attr:`resize_to`."""
        if not isinstance(batch, dict) or "image" not in batch:
            return batch
        batch = augmented_objects(self.stage_augmentation(), batch)
        if self.resize_to is not None:
            batch = resized(batch, self.resize_to)
        return batch


#: The batch keys of each image's objects, GeoTorch's name first, then TorchGeo's.
OBJECT_KEYS = {"boxes": ("boxes", "bbox_xyxy"), "labels": ("labels", "label"), "masks": ("masks", "mask")}


def augmented_objects(augment: nn.Module, batch: dict[str, Any]) -> dict[str, Any]:
    """``batch`` with each image, and its boxes and instance masks, through ``augment`` as one sample.

    Objects whose boxes keep no area inside their image (a crop cut them away) are dropped, with their
    labels and masks.

    Args:
        augment: an augmentation of sample dicts (``image`` ``(C, H, W)``, ``boxes`` ``(N, 4)``, ``mask``
            ``(N, H, W)``), such as :class:`~geotorch.transforms.AugmentationSequential`.
        batch: a batch of listed images and objects, as :func:`geotorch.core.collate_detection` makes it.

    Returns:
        A new batch of the augmented images (float) and objects, under the batch's own keys.
    """
    keys = {kind: next((key for key in names if key in batch), None) for kind, names in OBJECT_KEYS.items()}
    out = dict(batch)
    lists: dict[str, list[Tensor]] = {"image": [], **{kind: [] for kind, key in keys.items() if key is not None}}
    for index, image in enumerate(batch["image"]):
        sample: dict[str, Tensor] = {"image": image.float()}
        if keys["boxes"] is not None:
            sample["boxes"] = batch[keys["boxes"]][index].float()
        if keys["masks"] is not None:
            sample["mask"] = batch[keys["masks"]][index]
        result = augment(sample)
        view: Tensor = result["image"]
        single = view.ndim == 4
        lists["image"].append(view[0] if single else view)
        kept = None
        if keys["boxes"] is not None:
            boxes: Tensor = result["boxes"][0] if single else result["boxes"]
            height, width = view.shape[-2:]
            inside_x = (boxes[:, 2].clamp(0, width) - boxes[:, 0].clamp(0, width)) > 0
            inside_y = (boxes[:, 3].clamp(0, height) - boxes[:, 1].clamp(0, height)) > 0
            kept = inside_x & inside_y
            lists["boxes"].append(boxes[kept])
        if keys["masks"] is not None:
            masks: Tensor = result["mask"][0] if single else result["mask"]
            lists["masks"].append(masks if kept is None else masks[kept])
        if keys["labels"] is not None:
            labels: Tensor = batch[keys["labels"]][index]
            lists["labels"].append(labels if kept is None else labels[kept.to(labels.device)])
    for kind, values in lists.items():
        out[kind if kind == "image" else str(keys[kind])] = values
    return out


def resized(batch: dict[str, Any], size: tuple[int, int]) -> dict[str, Any]:
    """``batch`` with each image bilinearly resized to ``size``, its masks (nearest) and boxes scaled with it.

    Each image's ``(height, width)`` before is kept in the batch's ``original_size`` (torchvision's word), so that
    a detection task's ``predict_step`` gives its objects in the pixels of the image read, not of the resized one.
    """
    height, width = size
    out = dict(batch)
    out["original_size"] = batch.get("original_size", [tuple(image.shape[-2:]) for image in batch["image"]])
    images: list[Tensor] = []
    boxes: list[Tensor] = []
    masks: list[Tensor] = []
    for index, image in enumerate(batch["image"]):
        scale = torch.tensor([width / image.shape[-1], height / image.shape[-2]] * 2, device=image.device)
        images.append(interpolate(image[None], size=size, mode="bilinear", align_corners=False)[0])
        for key, scaled in (("boxes", boxes), ("bbox_xyxy", boxes)):
            if key in batch:
                scaled.append(batch[key][index] * scale)
                break
        if "masks" in batch or "mask" in batch:
            mask = batch["masks" if "masks" in batch else "mask"][index]
            if mask.shape[0] == 0:  # an image without objects
                masks.append(mask.new_zeros((0, height, width)))
            else:
                masks.append(interpolate(mask[None].float(), size=size, mode="nearest-exact")[0].to(mask.dtype))
    out["image"] = images
    if boxes:
        out["boxes" if "boxes" in batch else "bbox_xyxy"] = boxes
    if masks:
        out["masks" if "masks" in batch else "mask"] = masks
    return out


def _to(value: Any, device: torch.device) -> Any:
    if isinstance(value, Tensor):
        return value.to(device)
    if isinstance(value, list):
        return [item.to(device) if isinstance(item, Tensor) else item for item in value]
    return value


class VHR10DataModule(NonGeoDetectionDataModule):
    """NWPU VHR-10's positive image set (650 images, 10 object classes), split at random with a fixed seed.

    VHR10 publishes no splits: ``setup`` draws ``val_split_pct`` and ``test_split_pct`` of the
    images for validation and testing (seed 0, the same every run); the rest trains. Images are
    scaled to [0, 1]. Use with ``num_classes=11`` (the background 0 and 10 classes).
    """

    mean = (0.0,)
    std = (255.0,)
    num_channels = 3

    def __init__(self, batch_size: int = 8, patch_size: int | tuple[int, int] | None = None, num_workers: int = 0,
                 val_split_pct: float = 0.2, test_split_pct: float = 0.2, **kwargs: Any) -> None:
        """Keep the settings; ``kwargs`` (``root``, ``download``, ``checksum``) go to the dataset.

        Args:
            batch_size: images per batch.
            patch_size: images are resized to this size on the device, boxes and masks with them (None: kept).
            num_workers: DataLoader worker processes.
            val_split_pct: share of the images held out for validation.
            test_split_pct: share of the images held out for testing.
            **kwargs: passed to the dataset registered as ``VHR10``.

        Raises:
            TypeError: if ``patch_size`` is not a number or pair, or a share is not a number.
            ValueError: if a side of ``patch_size`` is not a whole number of at least 1, a share is not from 0 to
                below 1, or the held-out shares leave no image to train on.
        """
        owner = type(self).__name__
        shares = [split_share(share, name, owner) or 0.0
                  for share, name in ((val_split_pct, "val_split_pct"), (test_split_pct, "test_split_pct"))]
        if sum(shares) >= 1:
            raise ValueError(f"{owner}: val_split_pct={val_split_pct} and test_split_pct={test_split_pct} "
                             "must add up to less than 1")
        resize_to = patch_shape(patch_size, owner)
        super().__init__("VHR10", batch_size, num_workers, val_split_pct=val_split_pct, **kwargs)
        self.test_split_pct = test_split_pct
        self.patch_size = patch_size
        self.resize_to = resize_to

    def setup(self, stage: str) -> None:
        """Split the positive image set, once, into training, validation and test images."""
        if self.train_dataset is not None:
            return
        val, test = self.val_split_pct or 0.0, self.test_split_pct or 0.0  # both set by __init__
        shares = [1 - val - test, val, test]
        parts = random_split(self.build("positive"), shares, generator=torch.Generator().manual_seed(0))
        self.train_dataset, self.val_dataset, self.test_dataset = parts
        self.predict_dataset = self.test_dataset
