"""Rasters that cannot be downloaded automatically: found under ``root``, or an error saying where to get them."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

from rasterio.crs import CRS

from geotorch.core import RasterDataset, ensure_present
from geotorch.core.files import find_files
from geotorch.core.geo import Transform


class ManualRaster(RasterDataset):
    """A raster product the user obtains by hand (an account, an order, a tile picker).

    Attributes:
        manual: how and where to get the files, shown when ``root`` holds none.
    """

    manual: ClassVar[str] = "it cannot be downloaded automatically"

    def __init__(
        self,
        root: str | Path = "data",
        crs: CRS | str | int | None = None,
        res: float | tuple[float, float] | None = None,
        bands: Sequence[str] | None = None,
        transforms: Transform | None = None,
        download: bool = False,
        checksum: bool = False,
    ) -> None:
        """Index the files under ``root``.

        Args:
            root: folder holding the files (searched recursively).
            crs: CRS of samples (default: the first file's).
            res: pixel size in ``crs`` units (default: the first file's).
            bands: bands to read (default: ``default_bands``, else all).
            transforms: a function applied to every sample.
            download: accepted for the common signature; nothing can be downloaded.
            checksum: accepted for the common signature; no checksum is published.

        Raises:
            DatasetNotFoundError: if ``root`` holds no file, saying how to get them.
            ValueError: if a band is unknown.
        """
        folder = Path(root)
        del download, checksum
        ensure_present(type(self).__name__, folder, [], lambda: bool(find_files([folder], self.filename_glob)),
                       download=False, checksum=False, manual=self.manual)
        super().__init__(paths=folder, crs=crs, res=res, bands=bands, transforms=transforms)
