"""PairedFolderDataset: segmentation benchmarks stored as image chips with label chips of matching names."""

from __future__ import annotations

import abc
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar

import torch
from torch import Tensor

from geotorch.core import (
    DatasetLifecycle,
    DatasetNotFoundError,
    NonGeoDataset,
    Resource,
    Sample,
    Transform,
    class_legend,
    draw_panels,
    image_panel,
    label_color,
    label_panel,
)
from geotorch.datasets.chip_files import check_files_present
from geotorch.datasets.raster_chips import check_same_size, read_image, read_label, read_rgb

Pair = tuple[Path, Path | None]
"""An image chip and its label chip (None for splits published without labels)."""


class PairedFolderDataset(DatasetLifecycle, NonGeoDataset):
    """Image chips and the label chips of the same names, listed per split.

    A subclass declares the product: ``splits``, ``classes`` (a label's value indexes them), ``colors``,
    ``rgb_indices``, its ``archive`` (or ``archives``, one per split), ``manual`` for data that cannot be
    downloaded, and implements the override points :meth:`is_present` (whether the split's chips are
    extracted, from :class:`~geotorch.core.DatasetLifecycle`) and :meth:`list_pairs`. It overrides
    :meth:`resources` when a split needs more than its archive, and :meth:`read_mask` when labels are
    not stored as class indices.

    Samples are ``{"image": float32 (C, H, W), "mask": int64 (H, W)}``, without ``mask`` in splits
    published without labels.
    """

    splits: ClassVar[tuple[str, ...]] = ("train", "val", "test")
    classes: ClassVar[tuple[str, ...]]
    colors: ClassVar[tuple[str, ...] | None] = None
    """A matplotlib colour per class for plots (a qualitative colour map when None)."""
    rgb_indices: ClassVar[tuple[int, ...]] = (0, 1, 2)
    archive: ClassVar[Resource | None] = None
    """The one archive holding every split (None when each split has its own in ``archives``)."""
    archives: ClassVar[Mapping[str, Resource]] = {}
    """The archive of each split, for products published as one archive per split."""
    rgb_pictures: ClassVar[bool] = True
    """Whether the image chips are 8-bit RGB pictures, read as such whatever colour model a few were saved in
    (grey, palette, RGBA: see :func:`~geotorch.datasets.raster_chips.read_rgb`); False to read every band
    as stored."""

    def __init__(
        self,
        root: str | Path = "data",
        split: str = "train",
        transforms: Transform | None = None,
        download: bool = False,
        checksum: bool = False,
    ) -> None:
        """Open the ``split`` chips under ``root``, extracting or downloading them first if needed.

        Args:
            root: folder holding the extracted archives (or the archives, or nothing yet).
            split: one of ``splits``.
            transforms: a function applied to every sample.
            download: fetch the split's archives when missing (datasets with a ``manual`` hint cannot).
            checksum: verify archives against their published checksums.

        Raises:
            ValueError: if ``split`` is unknown.
            DatasetNotFoundError: if the data is missing and cannot or may not be downloaded, holds
                no chip of the split, or lacks a label chip of one, naming it.
            ChecksumError: if ``checksum`` and an archive fails verification.
        """
        self.root = Path(root)
        self.split = self.check_split(split)
        self.transforms = transforms
        self.prepare(download, checksum)
        self.files = self.list_pairs()
        if not self.files:
            raise DatasetNotFoundError(type(self).__name__, self.root, f"its folders hold no chip of split {split!r}")
        check_files_present(type(self).__name__, self.root, [path for pair in self.files for path in pair if path])

    def resources(self) -> list[Resource]:
        """The split's archive: ``archives[split]`` when declared, else ``archive``."""
        if self.split in self.archives:
            return [self.archives[self.split]]
        return [] if self.archive is None else [self.archive]

    @abc.abstractmethod
    def list_pairs(self) -> list[Pair]:
        """The split's (image, label) chips, in a stable order; called once the data is present."""

    def read_mask(self, path: Path) -> Tensor:
        """A label chip as int64 class indices (H, W); by default its first band holds them."""
        return torch.from_numpy(read_label(path).astype("int64"))

    def __len__(self) -> int:
        """Number of chips in the split."""
        return len(self.files)

    def __getitem__(self, index: int) -> Sample:
        """The chip at ``index``: ``image`` float32 (C, H, W) and, when labelled, ``mask`` int64 (H, W).

        Raises:
            RasterReadError: if a chip cannot be read, naming it.
            ValueError: if the label chip is not the image's size (naming both) or holds values that index no
                class (naming it), or the image is an RGB picture that is not 8-bit.
        """
        image_path, mask_path = self.files[index]
        sample: Sample = {"image": read_rgb(image_path) if self.rgb_pictures else read_image(image_path)}
        if mask_path is not None:
            sample["mask"] = self.read_mask(mask_path)
            check_same_size(type(self).__name__, [(image_path, sample["image"]), (mask_path, sample["mask"])])
            self._check_classes(mask_path, sample["mask"])
        if self.transforms is not None:
            sample = self.transforms(sample)
        return sample

    def _check_classes(self, path: Path, mask: Tensor) -> None:
        count = len(self.classes)
        outside = torch.unique(mask[(mask < 0) | (mask >= count)])
        if outside.numel():
            raise ValueError(
                f"{type(self).__name__}: the label {path} holds {outside.tolist()[:8]}, outside its classes 0 to "
                f"{count - 1} ({', '.join(self.classes)}): a label of another product, or a damaged file"
            )

    def plot(self, sample: Sample, show_titles: bool = True, suptitle: str | None = None) -> Any:
        """Draw a sample's image, its ``mask`` and its ``prediction`` (when present) on one class scale, with a legend.

        Args:
            sample: a sample of this dataset, optionally with a ``prediction`` (H, W) of class indices.
            show_titles: title each panel.
            suptitle: a title over the figure.

        Returns:
            A matplotlib Figure made by pyplot (its current figure); its legend names the classes present
            in ``mask`` and ``prediction``, in their colours.
        """
        keys = [key for key in ("mask", "prediction") if key in sample]
        panels = [image_panel("Image", sample["image"], self.rgb_indices)]
        panels += [label_panel(key.capitalize(), sample[key], len(self.classes), self.colors) for key in keys]
        colors = [label_color(label, len(self.classes), self.colors) for label in range(len(self.classes))]
        legend = class_legend([sample[key] for key in keys], self.classes, colors)
        return draw_panels(panels, show_titles, suptitle, legend=legend)


class ManualPairedFolderDataset(PairedFolderDataset):
    """A :class:`PairedFolderDataset` published behind a registration (see ``manual``), so never downloaded.

    Its arguments are TorchGeo 0.10.1's for such datasets, in its order (``root``, ``split``, ``transforms``,
    ``checksum``); ``download`` is keyword-only and, as for every dataset with a ``manual`` hint, a missing
    folder still raises :class:`~geotorch.core.DatasetNotFoundError` saying where to get the data.
    """

    def __init__(
        self,
        root: str | Path = "data",
        split: str = "train",
        transforms: Transform | None = None,
        checksum: bool = False,
        *,
        download: bool = False,
    ) -> None:
        super().__init__(root, split, transforms, download, checksum)
