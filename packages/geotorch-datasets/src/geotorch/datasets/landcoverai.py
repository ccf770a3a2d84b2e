"""LandCover.ai: 512 x 512 chips of Polish orthophotos with building, woodland, water and road labels."""

from __future__ import annotations

import os
import warnings
from itertools import product
from pathlib import Path
from typing import ClassVar

import numpy as np
import rasterio
from rasterio.errors import NotGeoreferencedWarning
from rasterio.windows import Window

from geotorch.core import DatasetNotFoundError, Resource
from geotorch.datasets.chip_files import chip_files
from geotorch.datasets.paired_folders import Pair, PairedFolderDataset


def cut_chips(images: Path, masks: Path, output: Path, size: int = 512) -> None:
    """Cut each orthophoto in ``images`` and its mask in ``masks`` into ``size`` px chips as LandCover.ai does.

    Tiles are taken row by row from the top-left corner and numbered ``k`` in that order, counting the
    incomplete tiles of the right and bottom edges, which are not written; tile ``k`` of ``<name>.tif``
    becomes ``<name>_<k>.jpg`` (RGB, JPEG quality 95) and ``<name>_<k>_m.png`` (class values) in ``output``.
    Hidden files (macOS's ``._<name>.tif`` copies) are no orthophotos and are passed over.
    Chips already in ``output`` are kept, and each chip is written under a temporary name first, so an
    interrupted run resumes without leaving half-written chips.

    Args:
        images: folder of the RGB orthophotos (``*.tif``).
        masks: folder of their masks, with the same file names.
        output: folder to write the chips into (created if missing).
        size: chip side in pixels.

    Raises:
        ValueError: if an orthophoto has no mask of its size.
    """
    output.mkdir(parents=True, exist_ok=True)
    for image_path in chip_files(images, "*.tif"):
        mask_path = masks / image_path.name
        with rasterio.open(image_path) as image, rasterio.open(mask_path) as mask:
            if (image.height, image.width) != (mask.height, mask.width):
                raise ValueError(f"{mask_path}: not the size of {image_path} ({image.height} x {image.width})")
            tiles = product(range(0, image.height, size), range(0, image.width, size))
            for k, (row, col) in enumerate(tiles):
                if row + size > image.height or col + size > image.width:
                    continue
                window = Window(col, row, size, size)
                chip = output / f"{image_path.stem}_{k}.jpg"
                label = output / f"{image_path.stem}_{k}_m.png"
                if not chip.is_file():
                    _write(chip, image.read(window=window), "JPEG", quality="95")
                if not label.is_file():
                    _write(label, mask.read([1], window=window), "PNG")


def _write(path: Path, array: np.ndarray, driver: str, **options: str) -> None:
    partial = path.with_name(f".{path.name}.part")
    count, height, width = array.shape
    # Chips are plain pictures, like the publisher's: their georeferencing is dropped on purpose.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotGeoreferencedWarning)
        with rasterio.open(partial, "w", driver=driver, count=count, height=height, width=width,
                           dtype=array.dtype.name, **options) as target:
            target.write(array)
    os.replace(partial, path)


class LandCoverAI(PairedFolderDataset):
    """LandCover.ai v1 (Boguszewski et al. 2021, https://arxiv.org/abs/2005.02264): 41 orthophotos of Poland.

    The zip holds 33 orthophotos at 25 cm (about 9000 x 9500 px) and 8 at 50 cm in ``images/*.tif``
    (RGB, EPSG:2180), their masks in ``masks/*.tif``, and the lists of 512 px chips in each split
    (``train.txt``, ``val.txt``, ``test.txt``, one chip name a line). The chips themselves are cut by
    the publisher's ``split.py``; GeoTorch does the same cut with :func:`cut_chips` on first use
    (never running code from the archive) into ``output/<name>_<k>.jpg`` and ``output/<name>_<k>_m.png``.
    A ``root`` whose ``output/`` was already cut by ``split.py`` is used as it is.

    Mask values: 0 background, 1 building, 2 woodland, 3 water, 4 road.
    """

    classes: ClassVar[tuple[str, ...]] = ("background", "building", "woodland", "water", "road")
    archive: ClassVar[Resource] = Resource(
        "https://landcover.ai.linuxpolska.com/download/landcover.ai.v1.zip",
        "landcover.ai.v1.zip",
        md5="3268c89070e8734b4e91d531c0617e03",
    )
    chip_size: ClassVar[int] = 512

    def _split_ids(self) -> list[str]:
        lines = (self.root / f"{self.split}.txt").read_text(encoding="utf-8-sig").splitlines()
        return [line.strip() for line in lines if line.strip()]

    def _chips_missing(self) -> list[str]:
        output = self.root / "output"
        return [name for name in self._split_ids()
                if not ((output / f"{name}.jpg").is_file() and (output / f"{name}_m.png").is_file())]

    def _chips_cut(self) -> bool:
        return not self._chips_missing()

    def is_present(self) -> bool:
        """Whether the split's list is there with the orthophotos, or with its chips already cut."""
        if not (self.root / f"{self.split}.txt").is_file():
            return False
        return bool(chip_files(self.root / "images", "*.tif")) or self._chips_cut()

    def list_pairs(self) -> list[Pair]:
        """The split's chips, cut from the orthophotos first when they are not all in ``output/``.

        Raises:
            DatasetNotFoundError: if chips of the split's list are still missing once cut (their orthophoto is
                not in ``images/``), naming them.
        """
        output = self.root / "output"
        if not self._chips_cut():
            cut_chips(self.root / "images", self.root / "masks", output, self.chip_size)
        missing = self._chips_missing()
        if missing:
            shown = ", ".join(missing[:3]) + (", ..." if len(missing) > 3 else "")
            raise DatasetNotFoundError("LandCoverAI", output, (
                f"{len(missing)} chip(s) listed in {self.split}.txt are not cut from the orthophotos in "
                f"{self.root / 'images'} ({shown}): an orthophoto or its mask is missing; extract the archive again"
            ))
        return [(output / f"{name}.jpg", output / f"{name}_m.png") for name in self._split_ids()]
