"""ExampleScenes: a raster product described by class attributes alone."""

from __future__ import annotations

from typing import ClassVar

from geotorch.core import RasterDataset


class ExampleScenes(RasterDataset):
    """Three-band (red, green, blue) scenes named ``example_YYYYMMDD.tif``, in any CRS.

    The class only declares the product; :class:`RasterDataset` finds, indexes
    and reads the files.
    """

    filename_glob = "example_*.tif"
    filename_regex = r"^example_(?P<date>\d{8})\.tif$"
    date_format = "%Y%m%d"
    all_bands = ("red", "green", "blue")
    rgb_bands = ("red", "green", "blue")

    #: Facts ``geotorch datasets`` reports (the registration gives no metadata).
    task: ClassVar[str] = "segmentation"
    license: ClassVar[str] = "CC-BY-4.0"
    size: ClassVar[int] = 2_500_000
