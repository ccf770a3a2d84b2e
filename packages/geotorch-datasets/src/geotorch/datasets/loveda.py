"""LoveDA: 1024 x 1024 Google Earth chips of urban and rural China with 7 land-cover classes."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

from geotorch.core import Resource, Transform
from geotorch.datasets.chip_files import chip_files
from geotorch.datasets.paired_folders import Pair, PairedFolderDataset

_ZENODO = "https://zenodo.org/records/5706578/files/"


class LoveDA(PairedFolderDataset):
    """LoveDA (Wang et al. 2021): 5,987 RGB chips at 0.3 m, 2,713 urban and 3,274 rural.

    The chips cover Nanjing, Changzhou and Wuhan (https://arxiv.org/abs/2110.08733).

    Layout: ``<Split>/<Scene>/images_png/<n>.png`` (``Split`` in Train, Val, Test; ``Scene`` in Urban,
    Rural) with the label of each chip in ``<Split>/<Scene>/masks_png/<n>.png``; the test split has no
    labels. Mask values are the raw ones: 0 is no data (ignore it in losses and metrics:
    ``ignore_index``), 1 to 7 the classes background to agriculture, so ``classes[value]`` names a value.
    """

    classes: ClassVar[tuple[str, ...]] = (
        "no-data", "background", "building", "road", "water", "barren", "forest", "agriculture",
    )
    ignore_index: ClassVar[int] = 0
    scenes: ClassVar[tuple[str, ...]] = ("urban", "rural")
    archives: ClassVar[dict[str, Resource]] = {
        "train": Resource(_ZENODO + "Train.zip?download=1", "Train.zip", md5="de2b196043ed9b4af1690b3f9a7d558f"),
        "val": Resource(_ZENODO + "Val.zip?download=1", "Val.zip", md5="84cae2577468ff0b5386758bb386d31d"),
        "test": Resource(_ZENODO + "Test.zip?download=1", "Test.zip", md5="a489be0090465e01fb067795d24e6b47"),
    }

    def __init__(
        self,
        root: str | Path = "data",
        split: str = "train",
        scene: Sequence[str] = ("urban", "rural"),
        transforms: Transform | None = None,
        download: bool = False,
        checksum: bool = False,
    ) -> None:
        """Open the ``split`` chips of the chosen scenes under ``root``, downloading them first if asked.

        Args:
            root: folder holding ``Train/``, ``Val/``, ``Test/`` (or their zips, or nothing yet).
            split: "train", "val" or "test".
            scene: "urban", "rural" or both (a sequence).
            transforms: a function applied to every sample.
            download: fetch the split's zip from Zenodo when missing.
            checksum: verify the zip against its published MD5.

        Raises:
            ValueError: if ``split`` or a scene is unknown, or a scene is named twice.
            DatasetNotFoundError: if the data is missing and ``download`` is False.
            ChecksumError: if ``checksum`` and the zip fails verification.
        """
        scene = (scene,) if isinstance(scene, str) else scene
        unknown = [name for name in scene if name not in self.scenes]
        if unknown or not scene:
            raise ValueError(f"LoveDA: unknown scenes {unknown}; choose one or both of {list(self.scenes)}")
        if len(set(scene)) < len(scene):
            raise ValueError(f"LoveDA: scene={list(scene)} names a scene twice, whose chips would be samples twice")
        self.scene = tuple(scene)
        super().__init__(root, split, transforms, download, checksum)

    def _scene_folders(self) -> list[Path]:
        return [self.root / self.split.capitalize() / name.capitalize() for name in self.scene]

    def is_present(self) -> bool:
        """Whether every chosen scene's ``images_png/`` folder is extracted."""
        return all((folder / "images_png").is_dir() for folder in self._scene_folders())

    def list_pairs(self) -> list[Pair]:
        """Each scene's chips by name, with their masks (none for ``test``)."""
        labelled = self.split != "test"
        return [
            (image, folder / "masks_png" / image.name if labelled else None)
            for folder in self._scene_folders()
            for image in chip_files(folder / "images_png", "*.png")
        ]
