"""ETCI 2021 flood detection: 256 x 256 Sentinel-1 VV and VH chips with water-body and flood masks."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar, NamedTuple

import torch

from geotorch.core import (
    DatasetLifecycle,
    DatasetNotFoundError,
    NonGeoDataset,
    Panel,
    Resource,
    Sample,
    Transform,
    draw_panels,
    image_panel,
    label_panel,
)
from geotorch.datasets.chip_files import check_files_present, chip_files
from geotorch.datasets.raster_chips import check_same_size, read_binary, read_rgb


def _drive(file_id: str) -> str:
    # Google Drive's direct download endpoint; confirm=t skips the page warning about unscanned large files.
    return f"https://drive.usercontent.google.com/download?id={file_id}&export=download&confirm=t"


class Chip(NamedTuple):
    """The files of one chip: VV and VH pictures, water-body label, flood label (None when unpublished)."""

    vv: Path
    vh: Path
    water_body: Path
    flood: Path | None


class ETCI2021(DatasetLifecycle, NonGeoDataset):
    """ETCI 2021 Flood Detection competition (NASA IMPACT, https://nasa-impact.github.io/etci2021/).

    33,405 Sentinel-1 SAR chips (5 x 20 m pixels, 256 x 256) of flood events in five regions. Each
    polarisation is published as a three-channel PNG rendered by ASF's HyP3 pipeline; the labels are
    single-channel PNGs with 255 for water (flood) and 0 elsewhere. Layout of a split's folder:
    ``<region_date>/tiles/{vv,vh}/<chip>_{vv,vh}.png``, ``.../tiles/water_body_label/<chip>.png`` and
    ``.../tiles/flood_label/<chip>.png``. The competition's validation set (``val``, extracted as
    ``test/``) has flood labels; its test set (``test``, extracted as ``test_internal/``) has none.

    Samples: ``image`` float32 (6, H, W), VV's three channels then VH's; ``mask`` int64 (2, H, W), the
    water-body then the flood label as 0 / 1, or (1, H, W) with the water body alone for ``test``
    (TorchGeo's convention). The flood label is the target; the water body is a reference layer.
    """

    splits: ClassVar[dict[str, tuple[str, Resource]]] = {
        "train": ("train", Resource(_drive("14HqNW5uWLS92n7KrxKgDwUTsSEST6LCr"), "train.zip",
                                    md5="1e95792fe0f6e3c9000abdeab2a8ab0f")),
        "val": ("test", Resource(_drive("19sriKPHCZLfJn_Jmk3Z_0b3VaCBVRVyn"), "val_with_ref_labels.zip",
                                 md5="fd18cecb318efc69f8319f90c3771bdf")),
        "test": ("test_internal", Resource(_drive("1rpMVluASnSHBfm2FhpPDio0GyCPOqg7E"),
                                           "test_without_ref_labels.zip", md5="da9fa69e1498bd49d5c766338c6dac3d")),
    }
    """Per split: the folder its zip extracts to, and the zip."""
    bands: ClassVar[tuple[str, ...]] = ("VV", "VH")
    classes: ClassVar[tuple[str, ...]] = ("no water", "water")

    def __init__(
        self,
        root: str | Path = "data",
        split: str = "train",
        transforms: Transform | None = None,
        download: bool = False,
        checksum: bool = False,
    ) -> None:
        """Open the ``split`` chips under ``root``, downloading and extracting them first if asked.

        Args:
            root: folder holding the extracted split folders (or their zips, or nothing yet).
            split: "train", "val" or "test".
            transforms: a function applied to every sample.
            download: fetch the split's zip from Google Drive when missing.
            checksum: verify the zip against its published MD5.

        Raises:
            ValueError: if ``split`` is unknown.
            DatasetNotFoundError: if the data is missing and ``download`` is False, holds no chip, or lacks a file
                of one (VH picture, label), naming it.
            ChecksumError: if ``checksum`` and the zip fails verification.
        """
        self.root = Path(root)
        self.split = self.check_split(split)
        self.transforms = transforms
        self.folder = self.root / self.splits[split][0]
        self.prepare(download, checksum)
        self.files = self._list_chips()
        if not self.files:
            raise DatasetNotFoundError("ETCI2021", self.folder, "no <region>/tiles/vv/*_vv.png chip is in it")
        check_files_present("ETCI2021", self.folder, [path for chip in self.files for path in chip if path])

    def resources(self) -> list[Resource]:
        """The split's zip."""
        return [self.splits[self.split][1]]

    def is_present(self) -> bool:
        """Whether the split's folder is extracted."""
        return self.folder.is_dir()

    def _list_chips(self) -> list[Chip]:
        chips = []
        for vv in chip_files(self.folder, "*/tiles/vv/*_vv.png"):
            tiles, name = vv.parent.parent, vv.name.removesuffix("_vv.png")
            flood = None if self.split == "test" else tiles / "flood_label" / f"{name}.png"
            chips.append(Chip(vv, tiles / "vh" / f"{name}_vh.png", tiles / "water_body_label" / f"{name}.png", flood))
        return chips

    def __len__(self) -> int:
        """Number of chips in the split."""
        return len(self.files)

    def __getitem__(self, index: int) -> Sample:
        """The chip at ``index``: ``image`` (6, H, W) float32 and ``mask`` (2 or 1, H, W) int64.

        Raises:
            RasterReadError: if a file cannot be read, naming it.
            ValueError: if the files of the chip differ in size, naming two of them, or a polarisation's
                picture is not 8-bit.
        """
        chip = self.files[index]
        images = [(path, read_rgb(path)) for path in (chip.vv, chip.vh)]
        masks = [(path, read_binary(path)) for path in (chip.water_body, chip.flood) if path is not None]
        check_same_size("ETCI2021", [*images, *masks])
        sample: Sample = {
            "image": torch.cat([image for _, image in images]),
            "mask": torch.stack([mask for _, mask in masks]),
        }
        if self.transforms is not None:
            sample = self.transforms(sample)
        return sample

    def plot(self, sample: Sample, show_titles: bool = True, suptitle: str | None = None) -> Any:
        """Draw VV, VH, the water-body and flood labels, and a ``prediction`` of floods when present.

        Args:
            sample: a sample of this dataset, optionally with a ``prediction`` (H, W) of 0 / 1.
            show_titles: title each panel.
            suptitle: a title over the figure.

        Returns:
            A matplotlib Figure.
        """
        image, mask = sample["image"], sample["mask"]
        panels: list[Panel] = [image_panel("VV", image, [0, 1, 2]), image_panel("VH", image, [3, 4, 5])]
        panels += [label_panel(title, layer, 2) for title, layer in zip(("Water body", "Flood"), mask, strict=False)]
        if "prediction" in sample:
            panels.append(label_panel("Prediction", sample["prediction"], 2))
        return draw_panels(panels, show_titles, suptitle)
