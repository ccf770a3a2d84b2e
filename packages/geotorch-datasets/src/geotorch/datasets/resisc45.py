"""NWPU-RESISC45: 31,500 aerial RGB chips (256 x 256, 0.2-30 m) of 45 scene classes, with the official splits."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import ClassVar

from geotorch.core import Resource, Transform
from geotorch.datasets.image_folder import ClassFolderDataset, split_file_resources

# The pinned Hugging Face mirror TorchGeo downloads the archive and split files from.
_MIRROR = "https://hf.co/datasets/isaaccorley/resisc45/resolve/883edc0eee77b2c84225472f10f126e3ed83fa6e/"


class RESISC45(ClassFolderDataset):
    """NWPU-RESISC45 (Cheng et al. 2017): 700 Google Earth chips per class.

    Layout: ``NWPU-RESISC45/<class>/<class>_<NNN>.jpg``, three-band JPEGs. Splits (train 18,900 / val 6,300 /
    test 6,300) are those of "In-domain representation learning for remote sensing"
    (https://arxiv.org/abs/1911.06721).
    """

    images_folder = "NWPU-RESISC45"
    classes: ClassVar[tuple[str, ...]] = (
        "airplane", "airport", "baseball_diamond", "basketball_court", "beach", "bridge", "chaparral", "church",
        "circular_farmland", "cloud", "commercial_area", "dense_residential", "desert", "forest", "freeway",
        "golf_course", "ground_track_field", "harbor", "industrial_area", "intersection", "island", "lake",
        "meadow", "medium_residential", "mobile_home_park", "mountain", "overpass", "palace", "parking_lot",
        "railway", "railway_station", "rectangular_farmland", "river", "roundabout", "runway", "sea_ice", "ship",
        "snowberg", "sparse_residential", "stadium", "storage_tank", "tennis_court", "terrace",
        "thermal_power_station", "wetland",
    )
    archive: ClassVar[Resource] = Resource(
        _MIRROR + "NWPU-RESISC45.zip",
        "NWPU-RESISC45.zip",
        sha256="beeecd0b63656290ae6d65cf7763185b0c1c4c54a753ef8088d6fba3faaf1f53",
    )
    split_files: ClassVar[Mapping[str, Resource]] = split_file_resources(_MIRROR, "resisc45", {
        "train": "ecfa963be4d85eac83665f8be8634abcb4fe6f3546472cc0e87999e2cab4449b",
        "val": "08d81f642526bec240589000af7f49a47e8d071a6e7925b0f36246a78ab64342",
        "test": "e0927e80130b47317a2f18520d98382b6fc56f0d3edd3345140f7d02267c3805",
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
            root: folder holding the extracted archive (``NWPU-RESISC45/``) and the split files.
            split: "train", "val" or "test".
            transforms: a function applied to every sample.
            download: fetch the archive (427 MB) and split file when missing.
            checksum: verify the archive and split file against their published SHA-256.

        Raises:
            ValueError: if ``split`` is unknown.
            DatasetNotFoundError: if the data is missing and ``download`` is False.
            ChecksumError: if ``checksum`` and a file fails verification.
        """
        super().__init__(root, split, transforms, download, checksum)
