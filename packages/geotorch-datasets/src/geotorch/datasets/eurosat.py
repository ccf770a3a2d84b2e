"""EuroSAT: 64 x 64 Sentinel-2 chips of 10 land-use classes, 13 bands (or RGB), with the official splits."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import ClassVar

from geotorch.core import Resource, Transform
from geotorch.datasets.image_folder import ClassFolderDataset, split_file_resources

# TorchGeo's pinned Hugging Face mirror of the archive (the DFKI original) and of the split files.
_MIRROR = "https://hf.co/datasets/torchgeo/eurosat/resolve/1ce6f1bfb56db63fd91b6ecc466ea67f2509774c/"


class EuroSAT(ClassFolderDataset):
    """EuroSAT (Helber et al. 2019): 27,000 Sentinel-2 L1C chips, 64 x 64 px at 10 m, in 10 land-use classes.

    Layout: ``ds/images/remote_sensing/otherDatasets/sentinel_2/tif/<Class>/<Class>_<n>.tif``, 13-band
    uint16 GeoTIFFs whose bands are stored B01-B12 then B8A (so ``all_bands`` ends with B8A). Splits
    (train 16,200 / val 5,400 / test 5,400) are those of "In-domain representation learning for remote
    sensing" (Neumann et al. 2019, https://arxiv.org/abs/1911.06721).

    The RGB variant is a band selection: ``EuroSAT(root, bands=EuroSAT.rgb_bands)`` reads B04, B03, B02.
    Labels index ``classes``, the class folder names in alphabetical order.
    """

    images_folder = "ds/images/remote_sensing/otherDatasets/sentinel_2/tif"
    classes: ClassVar[tuple[str, ...]] = (
        "AnnualCrop", "Forest", "HerbaceousVegetation", "Highway", "Industrial",
        "Pasture", "PermanentCrop", "Residential", "River", "SeaLake",
    )
    extensions: ClassVar[tuple[str, ...]] = (".tif",)
    rgb_pictures: ClassVar[bool] = False
    all_bands: ClassVar[tuple[str, ...]] = (
        "B01", "B02", "B03", "B04", "B05", "B06", "B07", "B08", "B09", "B10", "B11", "B12", "B8A",
    )
    rgb_bands: ClassVar[tuple[str, ...]] = ("B04", "B03", "B02")
    # TorchGeo's names for the band lists.
    all_band_names: ClassVar[tuple[str, ...]] = all_bands
    BAND_SETS: ClassVar[dict[str, tuple[str, ...]]] = {"all": all_bands, "rgb": rgb_bands}
    archive: ClassVar[Resource] = Resource(
        _MIRROR + "EuroSATallBands.zip",
        "EuroSATallBands.zip",
        sha256="751f070f9bffa2eed48b24ca2dd0b02959280c08837e8c9a5532a67ba611df59",
    )
    split_files: ClassVar[Mapping[str, Resource]] = split_file_resources(_MIRROR, "eurosat", {
        "train": "1c1d2e855f95deee605a3d992f914d113fddbecf422ec61648057d029a37d695",
        "val": "b385741f31daa9f1250cf1e1fe03adfab394e1172e0693df40141af004f60330",
        "test": "cf37948894c12bd953930ff54ee9b7abf0b31478abb8d25fd2c6c721db74c592",
    })

    def __init__(
        self,
        root: str | Path = "data",
        split: str = "train",
        bands: Sequence[str] | None = None,
        transforms: Transform | None = None,
        download: bool = False,
        checksum: bool = False,
    ) -> None:
        """Open the ``split`` chips under ``root``, extracting or downloading them first if asked.

        Args:
            root: folder holding the extracted archive (``ds/...``) and the split files.
            split: "train", "val" or "test".
            bands: bands to read, in this order (default: all 13; ``EuroSAT.rgb_bands`` for RGB).
            transforms: a function applied to every sample.
            download: fetch the archive (2.0 GB for EuroSAT) and split file when missing.
            checksum: verify archives and split files against their published SHA-256.

        Raises:
            ValueError: if ``split`` or a band is unknown.
            DatasetNotFoundError: if the data is missing and ``download`` is False.
            ChecksumError: if ``checksum`` and a file fails verification.
        """
        super().__init__(root, split, transforms, download, checksum, bands=bands)


class EuroSATSpatial(EuroSAT):
    """EuroSAT with splits by longitude (60 % train, 20 % val, 20 % test, west to east) instead of random ones."""

    split_files: ClassVar[Mapping[str, Resource]] = split_file_resources(_MIRROR, "eurosat-spatial", {
        "train": "2db7d455afb8dcbca898ea19a00f1f90c091734efdbba89e22aaf24056da243f",
        "val": "6c758477604b7057a0fd990d7f6327b63b99a6725aac11a6a9d0174a7fdd8f0b",
        "test": "de22dec83d350cac3b3e4ca8e285cb6733c81ab94bf5bcf9213a567993402452",
    })


class EuroSAT100(EuroSAT):
    """A 100-chip subset of EuroSAT (10 per class: 6 train, 2 val, 2 test) in the same layout, for tutorials."""

    archive: ClassVar[Resource] = Resource(
        _MIRROR + "EuroSAT100.zip",
        "EuroSAT100.zip",
        sha256="2ed4bb4a6808004c98691f64b366827f7783c76a49151e7c2b70423eb77a5b76",
    )
    split_files: ClassVar[Mapping[str, Resource]] = split_file_resources(_MIRROR, "eurosat-100", {
        "train": "7f2416377fc379d43197512ef2f7582e87f62c7b2b63ac576bd5c18f110e0a20",
        "val": "09e4744d15299c0e5b39a5bb211ce245b8dbaeafc5353ce3372f5db69f6e59d8",
        "test": "576738254dffa4fd3cdefed1763ecbd9f6e2b4de0f5ec8a9aa4ff301a6d8e00e",
    })
