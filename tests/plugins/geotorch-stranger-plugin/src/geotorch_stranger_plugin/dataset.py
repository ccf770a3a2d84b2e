"""MercedLandUse: UC Merced Land Use declared on geotorch.core's dataset lifecycle, as any plugin can."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any, ClassVar

import rasterio
import torch
from rasterio.enums import Resampling
from rasterio.errors import NotGeoreferencedWarning

from geotorch.core import DatasetLifecycle, DatasetNotFoundError, NonGeoDataset, Resource, Sample, Transform, plot_chip

# TorchGeo's pinned Hugging Face mirror of the archive and of the split files.
MIRROR = "https://hf.co/datasets/torchgeo/ucmerced/resolve/7c5ef3454d9b1cccfa7ccde0c01fc8f00a45909a/"


def split_file(split: str, sha256: str) -> Resource:
    """The text file listing the chips of ``split`` by name, one a line."""
    return Resource(MIRROR + f"uc_merced-{split}.txt", f"uc_merced-{split}.txt", sha256=sha256, extract=False)


class MercedLandUse(DatasetLifecycle, NonGeoDataset):
    """UC Merced Land Use (Yang and Newsam 2010): 2,100 aerial RGB chips (0.3 m) of 21 land-use classes.

    Layout: ``UCMerced_LandUse/Images/<class>/<class><NN>.tif``, three-band uint8 TIFFs, every one
    resampled (bilinear) to 256 x 256 px since a few are not. Splits are those of "In-domain
    representation learning for remote sensing" (https://arxiv.org/abs/1911.06721). Samples are
    ``{"image": float32 (3, 256, 256) in 0-255, "label": int64 index into classes}``.
    """

    classes: ClassVar[tuple[str, ...]] = (
        "agricultural", "airplane", "baseballdiamond", "beach", "buildings", "chaparral", "denseresidential",
        "forest", "freeway", "golfcourse", "harbor", "intersection", "mediumresidential", "mobilehomepark",
        "overpass", "parkinglot", "river", "runway", "sparseresidential", "storagetanks", "tenniscourt",
    )
    splits: ClassVar[tuple[str, ...]] = ("train", "val", "test")
    images_folder: ClassVar[str] = "UCMerced_LandUse/Images"
    image_size: ClassVar[tuple[int, int]] = (256, 256)
    archive: ClassVar[Resource] = Resource(
        MIRROR + "UCMerced_LandUse.zip", "UCMerced_LandUse.zip",
        sha256="06c539ef28703a58fb07bd2837991ac7c48b813b00bb12ac197efd813a18daeb",
    )
    split_files: ClassVar[dict[str, Resource]] = {
        "train": split_file("train", "d625ea884cb2870e007774c1d64e904e9ae71ba3e7b4b92a9e8aa6065e2cd8cc"),
        "val": split_file("val", "4459da518e2c1486471b4ea57734950c9c7c449611fe3468c0d1ca34a4bd3a56"),
        "test": split_file("test", "0d3b64706fd2a9f9faaa1d7dade934ec8b4fd258a9853f037983b1f2db239220"),
    }

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
            download: fetch the archive (332 MB) and the split file when missing.
            checksum: verify the archive and the split file against their published SHA-256.

        Raises:
            ValueError: if ``split`` is unknown.
            DatasetNotFoundError: if the data is missing and ``download`` is False, or no chip of the split is in
                ``root``.
            ChecksumError: if ``checksum`` and a file fails verification.
        """
        self.root, self.split, self.transforms = Path(root), self.check_split(split), transforms
        self.prepare(download, checksum)
        listed = {Path(name).stem for name in (self.root / self.split_files[split].filename).read_text().split()}
        chips = [(path, label) for label, name in enumerate(self.classes)
                 for path in sorted((self.root / self.images_folder / name).glob("*.tif")) if path.stem in listed]
        if not chips:
            raise DatasetNotFoundError(type(self).__name__, self.root, f"no chip of the {split} split is there")
        self.files, self.labels = [path for path, _ in chips], [label for _, label in chips]

    def is_present(self) -> bool:
        """Whether the chips are extracted and the split's file is in ``root``."""
        return not self.resources()

    def resources(self) -> list[Resource]:
        """The archive unless its chips are extracted, and the split's file unless it is in ``root``."""
        missing = [] if (self.root / self.images_folder).is_dir() else [self.archive]
        listing = self.split_files[self.split]
        return missing if (self.root / listing.filename).is_file() else [*missing, listing]

    def __len__(self) -> int:
        """Number of chips in the split."""
        return len(self.files)

    def __getitem__(self, index: int) -> Sample:
        """The chip at ``index`` (float32, 3 x 256 x 256) and its class index."""
        # The chips are plain TIFFs, without georeferencing.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", NotGeoreferencedWarning)
            with rasterio.open(self.files[index]) as source:
                image = source.read(out_shape=(3, *self.image_size), out_dtype="float32",
                                    resampling=Resampling.bilinear)
        sample: Sample = {"image": torch.from_numpy(image), "label": torch.tensor(self.labels[index])}
        return sample if self.transforms is None else self.transforms(sample)

    def plot(self, sample: Sample, show_titles: bool = True, suptitle: str | None = None) -> Any:
        """Draw a sample in RGB, titled with its label (and ``prediction``, when present); return the Figure."""
        return plot_chip(sample, self.classes, [("RGB", [0, 1, 2])], show_titles, suptitle)
