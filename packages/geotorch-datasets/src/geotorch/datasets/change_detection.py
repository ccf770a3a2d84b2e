"""ChangeDetectionDataset: benchmarks of co-registered image pairs with a change mask per pair."""

from __future__ import annotations

import abc
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar, NamedTuple

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
    rgb_channels,
)
from geotorch.datasets.chip_files import check_files_present
from geotorch.datasets.raster_chips import check_same_size, read_binary, read_image, read_rgb


class ChangePair(NamedTuple):
    """The files of one sample: each date's image (one file holding every band, or one file per band) and the mask."""

    before: tuple[Path, ...]
    after: tuple[Path, ...]
    mask: Path


class ChangeDetectionDataset(DatasetLifecycle, NonGeoDataset):
    """Pairs of images of one place at two dates, with a binary change mask.

    Samples follow TorchGeo's convention (since 0.8): ``image`` float32 (2, C, H, W), the two dates
    stacked on a leading time axis, and ``mask`` int64 (1, H, W), 1 where something changed, whose
    leading axis is the one change map of the pair (the layout kornia's ``VideoSequential``
    augmentations take). ``stack_samples`` batches them to (B, 2, C, H, W) and (B, 1, H, W).

    A subclass declares ``splits``, the ``archives`` of each split and, beyond RGB, ``all_bands`` and
    ``rgb_bands`` (plots show those of ``bands``, the bands an instance reads: all of them unless its
    constructor selects some with :meth:`select_bands`). It implements the override points
    :meth:`is_present` (whether the split's pairs are extracted, from
    :class:`~geotorch.core.DatasetLifecycle`) and :meth:`list_pairs`, and overrides :meth:`resources`
    when a split needs more than its archive.
    """

    splits: ClassVar[tuple[str, ...]] = ("train", "val", "test")
    classes: ClassVar[tuple[str, ...]] = ("no change", "change")
    all_bands: ClassVar[tuple[str, ...]] = ("red", "green", "blue")
    rgb_bands: ClassVar[tuple[str, ...]] = ("red", "green", "blue")
    bands: tuple[str, ...] = ()
    """The bands an instance reads, in order (all of ``all_bands`` when empty)."""
    archives: ClassVar[Mapping[str, Resource]] = {}
    """The archive of each split."""
    rgb_pictures: ClassVar[bool] = True
    """Whether each date is one 8-bit RGB picture, read as such whatever colour model it was saved in (grey,
    palette, RGBA: see :func:`~geotorch.datasets.raster_chips.read_rgb`); False for files read band by band."""

    def __init__(
        self,
        root: str | Path = "data",
        split: str = "train",
        transforms: Transform | None = None,
        download: bool = False,
        checksum: bool = False,
    ) -> None:
        """Open the ``split`` pairs under ``root``, downloading and extracting them first if asked.

        Args:
            root: folder holding the extracted archives (or the archives, or nothing yet).
            split: one of ``splits``.
            transforms: a function applied to every sample.
            download: fetch the split's archives when missing.
            checksum: verify archives against their published checksums.

        Raises:
            ValueError: if ``split`` is unknown.
            DatasetNotFoundError: if the data is missing and ``download`` is False, holds no pair, or lacks a
                file of one, naming it.
            ChecksumError: if ``checksum`` and an archive fails verification.
        """
        self.root = Path(root)
        self.split = self.check_split(split)
        self.transforms = transforms
        self.prepare(download, checksum)
        self.files = self.list_pairs()
        if not self.files:
            raise DatasetNotFoundError(type(self).__name__, self.root, f"its folders hold no pair of split {split!r}")
        files = [path for pair in self.files for path in (*pair.before, *pair.after, pair.mask)]
        check_files_present(type(self).__name__, self.root, files)

    def resources(self) -> Sequence[Resource]:
        """The split's archive, ``archives[split]``."""
        return [self.archives[self.split]]

    @abc.abstractmethod
    def list_pairs(self) -> list[ChangePair]:
        """The split's pairs, in a stable order; called once the data is present."""

    def __len__(self) -> int:
        """Number of pairs in the split."""
        return len(self.files)

    def __getitem__(self, index: int) -> Sample:
        """The pair at ``index``: ``image`` float32 (2, C, H, W) and ``mask`` int64 (1, H, W).

        Raises:
            RasterReadError: if a file cannot be read, naming it.
            ValueError: if the files of the pair differ in size, naming two of them, or a date that is an RGB
                picture is not 8-bit.
        """
        pair = self.files[index]
        read = read_rgb if self.rgb_pictures else read_image
        dates = [[(path, read(path)) for path in paths] for paths in (pair.before, pair.after)]
        mask = read_binary(pair.mask)
        check_same_size(type(self).__name__, [*dates[0], *dates[1], (pair.mask, mask)])
        sample: Sample = {
            "image": torch.stack([torch.cat([image for _, image in date]) for date in dates]),
            "mask": mask.unsqueeze(0),
        }
        if self.transforms is not None:
            sample = self.transforms(sample)
        return sample

    def plot(self, sample: Sample, show_titles: bool = True, suptitle: str | None = None) -> Any:
        """Draw both dates, the change mask and a ``prediction`` of change when present.

        Args:
            sample: a sample of this dataset, optionally with a ``prediction`` (H, W) or (1, H, W) of 0 / 1.
            show_titles: title each panel.
            suptitle: a title over the figure.

        Returns:
            A matplotlib Figure made by pyplot (its current figure); its legend names the classes present
            in ``mask`` and ``prediction``, in their colours.
        """
        image: Tensor = sample["image"]
        _, channels = rgb_channels(self.bands or self.all_bands, self.rgb_bands)
        keys = [key for key in ("mask", "prediction") if key in sample]
        panels = [image_panel("Before", image[0], channels), image_panel("After", image[1], channels)]
        panels += [label_panel(key.capitalize(), sample[key], len(self.classes)) for key in keys]
        legend = class_legend(
            [sample[key] for key in keys], self.classes, lambda label: label_color(label, len(self.classes))
        )
        return draw_panels(panels, show_titles, suptitle, legend=legend)

