"""OSCD: Sentinel-2 image pairs of 24 cities (13 bands) with urban change masks."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

from geotorch.core import Resource, Transform
from geotorch.datasets.change_detection import ChangeDetectionDataset, ChangePair

_PREFIX = "Onera Satellite Change Detection dataset - "
# The mirror TorchGeo downloads from; the publisher's own shares (partage.imt.fr) need a browser.
_MIRROR = "https://huggingface.co/datasets/hkristen/oscd/resolve/main/"


def _archive(part: str, md5: str) -> Resource:
    filename = f"{_PREFIX}{part}.zip"
    return Resource(_MIRROR + filename.replace(" ", "%20"), filename, md5=md5)


class OSCD(ChangeDetectionDataset):
    """Onera Satellite Change Detection (Daudt et al. 2018, https://doi.org/10.1109/IGARSS.2018.8518015).

    24 pairs of Sentinel-2 L1C images of cities, 14 in ``train`` and 10 in ``test``, with
    urban changes labelled. Layout: ``Onera Satellite Change Detection dataset - Images/<city>/
    imgs_<1|2>_rect/<band>.tif``, one file per band all resampled to 10 m, and ``Onera Satellite
    Change Detection dataset - <Train|Test> Labels/<city>/cm/cm.png`` (change 255, no change 0). The
    cities of a split are the folders of its labels. Images are whole cities, each of its own size:
    batch them after a crop.
    """

    splits: ClassVar[tuple[str, ...]] = ("train", "test")
    all_bands: ClassVar[tuple[str, ...]] = (
        "B01", "B02", "B03", "B04", "B05", "B06", "B07", "B08", "B8A", "B09", "B10", "B11", "B12",
    )
    rgb_bands: ClassVar[tuple[str, ...]] = ("B04", "B03", "B02")
    rgb_pictures: ClassVar[bool] = False
    images: ClassVar[Resource] = _archive("Images", "c50d4a2941da64e03a47ac4dec63d915")
    labels: ClassVar[dict[str, Resource]] = {
        "train": _archive("Train Labels", "4d2965af8170c705ebad3d6ee71b6990"),
        "test": _archive("Test Labels", "8177d437793c522653c442aa4e66c617"),
    }

    def __init__(
        self,
        root: str | Path = "data",
        split: str = "train",
        bands: Sequence[str] | None = None,
        transforms: Transform | None = None,
        download: bool = False,
        checksum: bool = False,
    ) -> None:
        """Open the ``split`` cities under ``root``, downloading and extracting them first if asked.

        Args:
            root: folder holding the extracted zips (or the zips, or nothing yet).
            split: "train" or "test".
            bands: the bands to read, in this order (default: all 13; ``OSCD.rgb_bands`` for RGB).
            transforms: a function applied to every sample.
            download: fetch the images zip and the split's labels zip when missing.
            checksum: verify the zips against their published MD5s.

        Raises:
            ValueError: if ``split`` or a band is unknown.
            DatasetNotFoundError: if the data is missing and ``download`` is False.
            ChecksumError: if ``checksum`` and a zip fails verification.
        """
        self.bands = self.select_bands(bands)
        super().__init__(root, split, transforms, download, checksum)

    def _images_folder(self) -> Path:
        return self.root / f"{_PREFIX}Images"

    def _labels_folder(self) -> Path:
        return self.root / f"{_PREFIX}{self.split.capitalize()} Labels"

    def resources(self) -> Sequence[Resource]:
        """The images zip unless extracted, and the split's labels zip unless extracted."""
        wanted = [(self._images_folder(), self.images), (self._labels_folder(), self.labels[self.split])]
        return [resource for folder, resource in wanted if not folder.is_dir()]

    def is_present(self) -> bool:
        """Whether the images and the split's labels are extracted."""
        return self._images_folder().is_dir() and self._labels_folder().is_dir()

    def list_pairs(self) -> list[ChangePair]:
        """Each city with a change map in the split's labels, its bands read from both dates' folders."""
        pairs = []
        for city in sorted(path.parent.parent.name for path in self._labels_folder().glob("*/cm/cm.png")):
            dates = [self._images_folder() / city / f"imgs_{date}_rect" for date in (1, 2)]
            before, after = (tuple(folder / f"{band}.tif" for band in self.bands) for folder in dates)
            pairs.append(ChangePair(before, after, self._labels_folder() / city / "cm" / "cm.png"))
        return pairs
