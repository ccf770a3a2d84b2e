"""Rasters that cannot be downloaded automatically: found under ``root``, or an error saying where to get them."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

from rasterio.crs import CRS

from geotorch.core import DatasetLifecycle, RasterDataset, Transform, find_files


class ManualRaster(RasterDataset, DatasetLifecycle):
    """A raster product the user obtains by hand (an account, an order, a tile picker).

    Its data is present when ``root`` holds a file matching ``filename_glob``
    (:meth:`is_present`); nothing is downloaded.

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
        self.root = Path(root)
        del download, checksum
        self.prepare(download=False, checksum=False)
        super().__init__(paths=self.root, crs=crs, res=res, bands=bands, transforms=transforms)

    def is_present(self) -> bool:
        """Whether ``root`` holds a file matching ``filename_glob``."""
        return bool(find_files([self.root], self.filename_glob))
