"""Rasters that cannot be downloaded automatically: found in ``paths``, or an error saying where to get them."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import ClassVar

from geotorch.core import CRSLike, DatasetLifecycle, DatasetNotFoundError, RasterDataset, Transform, find_files
from geotorch.datasets.product_paths import ProductPaths, archives_in, download_folder, product_paths


class ManualRaster(RasterDataset, DatasetLifecycle):
    """A raster product the user obtains by hand (an account, an order, a tile picker).

    Its data is present when ``paths`` holds a file matching ``filename_glob``
    (:meth:`is_present`); nothing is downloaded. The constructor takes TorchGeo
    0.10.1's arguments in its order (``paths, crs, res, bands, transforms, cache,
    time_series``); ``root`` is the keyword alias of ``paths``.

    Attributes:
        manual: how and where to get the files, shown when ``paths`` holds none.
        root: the first folder of ``paths`` (named in the not-found message).
        cache: the ``cache`` argument (see :meth:`__init__`).
    """

    manual: ClassVar[str] = "it cannot be downloaded automatically"

    def __init__(
        self,
        paths: ProductPaths | None = None,
        crs: CRSLike | None = None,
        res: float | tuple[float, float] | None = None,
        bands: Sequence[str] | None = None,
        transforms: Transform | None = None,
        cache: bool = True,
        time_series: bool = False,
        *,
        root: ProductPaths | None = None,
        download: bool = False,
        checksum: bool = False,
    ) -> None:
        """Index the files in ``paths``.

        Args:
            paths: a folder (searched recursively), a file, or a list of both (default: ``"data"``).
            crs: CRS of samples (default: the first file's).
            res: pixel size in ``crs`` units (default: the first file's).
            bands: bands to read (default: ``default_bands``, else all).
            transforms: a function applied to every sample.
            cache: keep files open between samples in the process-wide, bounded cache of open files
                (False: open each sample's files for its read, then close them).
            time_series: stack the acquisitions a query meets along time, ``(T, C, H, W)`` (see
                :class:`geotorch.core.RasterDataset`); needs dated file names.
            root: keyword alias of ``paths``.
            download: accepted for the common signature; nothing can be downloaded.
            checksum: accepted for the common signature; no checksum is published.

        Raises:
            DatasetNotFoundError: if ``paths`` holds no file, saying how to get them (naming the archives its
                folders hold: their files are not read from them).
            TypeError: if ``paths`` is not a path or a list of paths.
            ValueError: if a band is unknown, both ``paths`` and ``root`` are given, or ``paths`` names an archive.
        """
        self.paths = product_paths(paths, root, type(self).__name__)
        self.root = download_folder(self.paths)
        del download, checksum
        try:
            self.prepare(download=False, checksum=False)
            super().__init__(paths=self.paths, crs=crs, res=res, bands=bands, transforms=transforms, cache=cache,
                             time_series=time_series)
        except DatasetNotFoundError as error:
            raise self._archives_named() or error from None

    def _archives_named(self) -> DatasetNotFoundError | None:
        """The error naming the archives in ``paths``'s folders, whose files are not read from them.

        A SAFE product's zip or a Landsat scene's tar bundle, say. None where there are none, or where files of
        the product were found (the error is about them: a missing band, say).
        """
        archives = archives_in(self.paths)
        pattern = re.compile(self.filename_regex, re.VERBOSE)
        if not archives or any(pattern.match(path.name) for path in find_files(self.paths, self.filename_glob)):
            return None
        shown = ", ".join(str(path) for path in archives[:3]) + (", ..." if len(archives) > 3 else "")
        return DatasetNotFoundError(type(self).__name__, [str(path) for path in self.paths], (
            f"it holds {len(archives)} archive(s) whose files are not read from them ({shown}): extract them "
            f"where they lie (unzip, tar -xf) and build the dataset again; {self.manual}"
        ))

    def is_present(self) -> bool:
        """Whether ``paths`` holds a file matching ``filename_glob``."""
        return bool(find_files(self.paths, self.filename_glob))
