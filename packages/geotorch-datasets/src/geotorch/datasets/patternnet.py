"""PatternNet: 30,400 aerial RGB chips (256 x 256, 0.06-4.7 m) of 38 scene classes; no official split."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from geotorch.core import Resource, Transform
from geotorch.datasets.image_folder import ClassFolderDataset


class PatternNet(ClassFolderDataset):
    """PatternNet (Zhou et al. 2018), built for image retrieval: 800 chips per class, the whole set in one.

    Layout: ``PatternNet/images/<class>/<name>.jpg``, three-band JPEGs. The publisher defines no
    train/val/test split, so the dataset is every image; split it with ``torch.utils.data.random_split``.
    """

    images_folder = "PatternNet/images"
    classes: ClassVar[tuple[str, ...]] = (
        "airplane", "baseball_field", "basketball_court", "beach", "bridge", "cemetery", "chaparral",
        "christmas_tree_farm", "closed_road", "coastal_mansion", "crosswalk", "dense_residential",
        "ferry_terminal", "football_field", "forest", "freeway", "golf_course", "harbor", "intersection",
        "mobile_home_park", "nursing_home", "oil_gas_field", "oil_well", "overpass", "parking_lot",
        "parking_space", "railway", "river", "runway", "runway_marking", "shipping_yard", "solar_panel",
        "sparse_residential", "storage_tank", "swimming_pool", "tennis_court", "transformer_station",
        "wastewater_treatment_plant",
    )
    # TorchGeo's pinned Hugging Face mirror of the publisher's Google Drive archive.
    archive: ClassVar[Resource] = Resource(
        "https://hf.co/datasets/torchgeo/PatternNet/resolve/2dbd901b00e301967a5c5146b25454f5d3455ad0/PatternNet.zip",
        "PatternNet.zip",
        md5="96d54b3224c5350a98d55d5a7e6984ad",
    )

    def __init__(
        self,
        root: str | Path = "data",
        transforms: Transform | None = None,
        download: bool = False,
        checksum: bool = False,
    ) -> None:
        """Open every chip under ``root``, extracting or downloading them first if asked.

        Args:
            root: folder holding the extracted archive (``PatternNet/images/``).
            transforms: a function applied to every sample.
            download: fetch the archive (1.4 GB) when missing.
            checksum: verify the archive against its published MD5.

        Raises:
            DatasetNotFoundError: if the data is missing and ``download`` is False.
            ChecksumError: if ``checksum`` and the archive fails verification.
        """
        super().__init__(root, None, transforms, download, checksum)
