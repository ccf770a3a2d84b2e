"""Inria Aerial Image Labeling: 5000 x 5000 px orthophotos of ten towns with building footprints."""

from __future__ import annotations

import re
from pathlib import Path
from typing import ClassVar

from torch import Tensor

from geotorch.core import Resource
from geotorch.datasets.paired_folders import ManualPairedFolderDataset, Pair
from geotorch.datasets.raster_chips import read_binary

_TILE = re.compile(r"^(?P<town>[a-z-]+)(?P<number>\d+)\.tif$")


class InriaAerialImageLabeling(ManualPairedFolderDataset):
    """Inria Aerial Image Labeling (Maggiori et al. 2017, https://doi.org/10.1109/IGARSS.2017.8127684).

    360 RGB orthophotos at 0.3 m, 36 per town: Austin, Chicago, Kitsap, Vienna and West Tyrol
    (``train``, labelled) and Bellingham, Bloomington, Innsbruck, San Francisco and East Tyrol (``test``,
    unlabelled). Layout: ``AerialImageDataset/<train|test>/images/<town><n>.tif`` and, for train,
    ``AerialImageDataset/train/gt/<town><n>.tif`` with buildings 255 and the rest 0, read as 1 and 0.
    The ``val`` split is the publisher's suggestion: the first five tiles of every town
    (``austin1.tif`` to ``austin5.tif``, ...), which ``train`` then leaves out.

    The data needs a registration, so it is not downloaded: see ``manual``.
    """

    classes: ClassVar[tuple[str, ...]] = ("background", "building")
    archive: ClassVar[Resource] = Resource(
        "https://project.inria.fr/aerialimagelabeling/",
        "NEW2-AerialImageDataset.zip",
        md5="4b1acfe84ae9961edc1a6049f940380f",
    )
    manual: ClassVar[str] = (
        "it needs a registration at https://project.inria.fr/aerialimagelabeling/, whose download script "
        "assembles NEW2-AerialImageDataset.zip; put that zip, or the AerialImageDataset/ folder extracted "
        "from it, in this folder"
    )
    validation_tiles: ClassVar[range] = range(1, 6)

    def _folder(self) -> Path:
        return self.root / "AerialImageDataset" / ("test" if self.split == "test" else "train")

    def is_present(self) -> bool:
        """Whether the split's ``images/`` folder is extracted."""
        return (self._folder() / "images").is_dir()

    def list_pairs(self) -> list[Pair]:
        """The split's tiles by town and number, with their ``gt/`` masks (none for ``test``)."""
        tiles = []
        for path in (self._folder() / "images").glob("*.tif"):
            match = _TILE.match(path.name)
            if match is None:
                continue
            number = int(match["number"])
            if self.split == "test" or (number in self.validation_tiles) == (self.split == "val"):
                tiles.append((match["town"], number, path))
        return [(path, None if self.split == "test" else path.parent.parent / "gt" / path.name)
                for _, _, path in sorted(tiles)]

    def read_mask(self, path: Path) -> Tensor:
        """Buildings (255) as 1, the rest as 0."""
        return read_binary(path)
