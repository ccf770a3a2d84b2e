"""UC Merced Land Use: 2,100 aerial RGB chips (256 x 256, 0.3 m) of 21 land-use classes, with the official splits."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import ClassVar

from geotorch.core import Resource, Transform
from geotorch.datasets.image_folder import ClassFolderDataset, split_file_resources

# TorchGeo's pinned Hugging Face mirror of the UC Merced archive and of the split files.
_MIRROR = "https://hf.co/datasets/torchgeo/ucmerced/resolve/7c5ef3454d9b1cccfa7ccde0c01fc8f00a45909a/"


class UCMerced(ClassFolderDataset):
    """UC Merced Land Use (Yang and Newsam 2010): USGS National Map urban imagery, 100 chips per class.

    Layout: ``UCMerced_LandUse/Images/<class>/<class><NN>.tif``, three-band uint8 TIFFs. A few chips are
    not 256 x 256 px, so every chip is resampled (bilinear) to 256 x 256. Splits are those of
    "In-domain representation learning for remote sensing" (https://arxiv.org/abs/1911.06721).
    """

    images_folder = "UCMerced_LandUse/Images"
    classes: ClassVar[tuple[str, ...]] = (
        "agricultural", "airplane", "baseballdiamond", "beach", "buildings", "chaparral", "denseresidential",
        "forest", "freeway", "golfcourse", "harbor", "intersection", "mediumresidential", "mobilehomepark",
        "overpass", "parkinglot", "river", "runway", "sparseresidential", "storagetanks", "tenniscourt",
    )
    extensions: ClassVar[tuple[str, ...]] = (".tif",)
    image_size: ClassVar[tuple[int, int] | None] = (256, 256)
    archive: ClassVar[Resource] = Resource(
        _MIRROR + "UCMerced_LandUse.zip",
        "UCMerced_LandUse.zip",
        sha256="06c539ef28703a58fb07bd2837991ac7c48b813b00bb12ac197efd813a18daeb",
    )
    split_files: ClassVar[Mapping[str, Resource]] = split_file_resources(_MIRROR, "uc_merced", {
        "train": "d625ea884cb2870e007774c1d64e904e9ae71ba3e7b4b92a9e8aa6065e2cd8cc",
        "val": "4459da518e2c1486471b4ea57734950c9c7c449611fe3468c0d1ca34a4bd3a56",
        "test": "0d3b64706fd2a9f9faaa1d7dade934ec8b4fd258a9853f037983b1f2db239220",
    })

    def __init__(
        self,
        root: str | Path = "data",
        split: str = "train",
        transforms: Transform | None = None,
        download: bool = False,
        checksum: bool = False,
    ) -> None:
        """Open the ``split`` chips under ``root``, extracting or downloading them first if asked.

        Args:
            root: folder holding the extracted archive (``UCMerced_LandUse/``) and the split files.
            split: "train", "val" or "test".
            transforms: a function applied to every sample.
            download: fetch the archive (332 MB) and split file when missing.
            checksum: verify the archive and split file against their published checksums.

        Raises:
            ValueError: if ``split`` is unknown.
            DatasetNotFoundError: if the data is missing and ``download`` is False.
            ChecksumError: if ``checksum`` and a file fails verification.
        """
        super().__init__(root, split, transforms, download, checksum)
