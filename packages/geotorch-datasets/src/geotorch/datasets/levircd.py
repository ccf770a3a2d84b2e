"""LEVIR-CD: 1024 x 1024 px Google Earth image pairs of Texas with building change masks."""

from __future__ import annotations

import re
from typing import ClassVar

from geotorch.core import Resource
from geotorch.datasets.change_detection import ChangeDetectionDataset, ChangePair

# TorchGeo's pinned Hugging Face mirror of the publisher's train/val/test zips.
_MIRROR = ("https://huggingface.co/datasets/satellite-image-deep-learning/LEVIR-CD/resolve/"
           "6a6bb0a5b389403d81c05e33bf08bc0b9e5f13a6/")


class LEVIRCD(ChangeDetectionDataset):
    """LEVIR-CD (Chen and Shi 2020, https://doi.org/10.3390/rs12101662): 637 RGB pairs at 0.5 m.

    The pairs, 5 to 14 years apart (2002-2018), cover 20 regions of Texas; 31,333 building changes are
    labelled. The train (445), val (64) and test (128) zips all extract into ``A/`` (first date),
    ``B/`` (second date) and ``label/`` (change 255, no change 0), the split being the file name's
    prefix: ``A/train_1.png``, ``B/train_1.png``, ``label/train_1.png``.
    """

    archives: ClassVar[dict[str, Resource]] = {
        "train": Resource(_MIRROR + "train.zip", "train.zip", md5="a638e71f480628652dea78d8544307e4"),
        "val": Resource(_MIRROR + "val.zip", "val.zip", md5="f7b857978524f9aa8c3bf7f94e3047a4"),
        "test": Resource(_MIRROR + "test.zip", "test.zip", md5="07d5dd89e46f5c1359e2eca746989ed9"),
    }

    def is_present(self) -> bool:
        """Whether a first-date image of the split is in ``A/``."""
        return any((self.root / "A").glob(f"{self.split}_*.png"))

    def list_pairs(self) -> list[ChangePair]:
        """The split's pairs by number: ``A/``, ``B/`` and ``label/`` files of one name."""
        pattern = re.compile(rf"^{self.split}_(\d+)\.png$")
        numbered = sorted((int(match[1]), path.name) for path in (self.root / "A").glob(f"{self.split}_*.png")
                          if (match := pattern.match(path.name)))
        return [ChangePair((self.root / "A" / name,), (self.root / "B" / name,), self.root / "label" / name)
                for _, name in numbered]
