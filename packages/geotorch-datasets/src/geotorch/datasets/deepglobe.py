"""DeepGlobe Land Cover: 2448 x 2448 px DigitalGlobe chips with 7 land-cover classes coded by colour."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import numpy as np
import torch
from torch import Tensor

from geotorch.core import Resource
from geotorch.datasets.chip_files import chip_files
from geotorch.datasets.paired_folders import ManualPairedFolderDataset, Pair
from geotorch.datasets.raster_chips import read_rgb

_KAGGLE = "https://www.kaggle.com/datasets/geoap96/deepglobe2018-landcover-segmentation-traindataset"


class DeepGlobeLandCover(ManualPairedFolderDataset):
    """DeepGlobe Land Cover Classification Challenge (Demir et al. 2018, https://arxiv.org/abs/1805.06561).

    The 803 labelled chips of the challenge (its validation and test chips were never labelled), split
    into ``train`` and ``test`` as in the Kaggle upload TorchGeo uses: ``data/training_data`` and
    ``data/test_data``, each with ``images/<id>_sat.jpg`` and ``masks/<id>_mask.png``.

    Masks code classes by colour; each channel is binarised at 128 (the challenge's rule, since the
    PNGs are not exactly 0 and 255) and the colour gives the class: cyan urban land, yellow agriculture
    land, magenta rangeland, green forest land, blue water, white barren land, black unknown (also the
    class of the one colour left, red).

    The data is on Kaggle, which needs an account, so it is not downloaded: see ``manual``.
    """

    splits: ClassVar[tuple[str, ...]] = ("train", "test")
    classes: ClassVar[tuple[str, ...]] = (
        "Urban land", "Agriculture land", "Rangeland", "Forest land", "Water", "Barren land", "Unknown",
    )
    colors: ClassVar[tuple[str, ...] | None] = (
        "#00ffff", "#ffff00", "#ff00ff", "#00ff00", "#0000ff", "#ffffff", "#000000",
    )
    archive: ClassVar[Resource] = Resource(_KAGGLE, "data.zip", md5="f32684b0b2bf6f8d604cd359a399c061")
    manual: ClassVar[str] = (
        f"download data.zip from {_KAGGLE} (a Kaggle account is needed) and put it, or the data/ folder "
        "extracted from it, in this folder"
    )
    # Class of each colour, indexed by 4 * red + 2 * green + blue with every channel binarised.
    _CLASS_OF_COLOUR: ClassVar[np.ndarray] = np.array([6, 4, 3, 0, 6, 2, 1, 5], dtype=np.int64)

    def _folder(self) -> Path:
        return self.root / "data" / ("training_data" if self.split == "train" else "test_data")

    def is_present(self) -> bool:
        """Whether the split's ``images/`` folder is extracted."""
        return (self._folder() / "images").is_dir()

    def list_pairs(self) -> list[Pair]:
        """Each ``<id>_sat.jpg`` with its ``<id>_mask.png``, by name."""
        masks = self._folder() / "masks"
        return [(image, masks / image.name.replace("_sat.jpg", "_mask.png"))
                for image in chip_files(self._folder() / "images", "*_sat.jpg")]

    def read_mask(self, path: Path) -> Tensor:
        """The class of each pixel's binarised colour (a grey or palette mask read as its colours)."""
        red, green, blue = (read_rgb(path).numpy() >= 128).astype(np.int64)
        return torch.from_numpy(self._CLASS_OF_COLOUR[4 * red + 2 * green + blue])
