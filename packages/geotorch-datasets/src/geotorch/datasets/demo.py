"""The demo area as datasets: multispectral imagery in two UTM zones and a land-cover map."""

from __future__ import annotations

from collections.abc import Sequence
from fnmatch import fnmatch
from pathlib import Path
from typing import Any, ClassVar

from geotorch.core import CRSLike, RasterDataset, Sample, Transform, find_files
from geotorch.datasets.demo_area import BANDS, CLASSES, COLORS, demo_root, generate_demo_area
from geotorch.datasets.land_cover import label_layer
from geotorch.datasets.product_paths import ProductPaths, download_folder, product_paths


class _DemoDataset(RasterDataset):
    """Reads a folder of the demo area, generating the area on first use."""

    folder: ClassVar[str]
    task: ClassVar[str] = "segmentation"
    license: ClassVar[str] = "CC0-1.0"

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
        root: str | Path | None = None,
        download: bool = True,
        checksum: bool = False,
    ) -> None:
        """Open the demo area, generating it if missing (the arguments of TorchGeo's raster products).

        Args:
            paths: a folder (searched recursively: the demo area itself, or its ``imagery/`` or
                ``landcover/`` folder), a file, or a list of both; the area is generated into its first
                folder when ``paths`` holds none of this dataset's files (into the folder above an
                ``imagery/`` or ``landcover/`` folder, so both datasets share it). Default: the area in
                ``root``.
            crs: CRS of samples (default: the first file's).
            res: pixel size in ``crs`` units (default: the first file's).
            bands: bands to read (images only).
            transforms: a function applied to every sample.
            cache: keep files open between samples in the process-wide, bounded cache of open files
                (False: open each sample's files for its read, then close them).
            time_series: stack the acquisitions a query meets along time, ``(T, C, H, W)`` (see
                :class:`geotorch.core.RasterDataset`); needs dated file names.
            root: folder of the demo area (``imagery/`` and ``landcover/`` inside; default: the GeoTorch
                cache); only when ``paths`` is not given.
            download: generate the area when it is missing (nothing is downloaded).
            checksum: accepted for the common dataset signature; generated files carry no checksum.

        Raises:
            DatasetNotFoundError: if the area is missing and ``download`` is False.
            TypeError: if ``paths`` is not a path or a list of paths.
            ValueError: if both ``paths`` and ``root`` are given, ``paths`` names an archive, or its first
                entry names a file of this dataset that does not exist (the area would be generated into a
                folder of that name).
        """
        owner = type(self).__name__
        if paths is None:
            area = demo_root() if root is None else Path(root).expanduser()
            if download:
                generate_demo_area(area)
            chosen = [area / self.folder]
        else:
            chosen = product_paths(paths, root, owner)
            if download and not find_files(chosen, self.filename_glob):
                generate_demo_area(self._area_of(download_folder(chosen)))
        del checksum
        super().__init__(paths=chosen, crs=crs, res=res, bands=bands, transforms=transforms, cache=cache,
                         time_series=time_series)


    def _area_of(self, folder: Path) -> Path:
        """The folder to generate the demo area into for ``paths`` naming ``folder``.

        The folder above an area's own ``imagery/`` or ``landcover/`` folder, so both datasets share one
        area; ``folder`` itself otherwise.

        Raises:
            ValueError: if ``folder`` is named as one of this dataset's files (a file that does not exist).
        """
        if fnmatch(folder.name, self.filename_glob):
            raise ValueError(
                f"{type(self).__name__}: paths names {folder}, which does not exist; give the folder to generate "
                f"the demo area into (or the area's {self.folder}/ folder), or paths=None for the GeoTorch cache"
            )
        return folder.parent if folder.name in ("imagery", "landcover") else folder


class DemoImagery(_DemoDataset):
    """Six-band surface reflectance (x 10000, uint16) scenes in EPSG:32616 and EPSG:32617."""

    folder = "imagery"
    filename_glob = "DEMO_*.tif"
    filename_regex = r"^DEMO_(?P<epsg>\d+)_(?P<date>\d{8})\.tif$"
    all_bands = BANDS
    rgb_bands = ("red", "green", "blue")


class DemoLandCover(_DemoDataset):
    """Land cover in EPSG:5070 with classes no data, water, forest, cropland, developed, barren."""

    folder = "landcover"
    filename_glob = "landcover_*.tif"
    is_image = False
    classes: ClassVar[tuple[str, ...]] = CLASSES
    colors: ClassVar[tuple[str, ...]] = COLORS
    """The colour of each class, by label."""

    def plot(self, sample: Sample, show_titles: bool = True, suptitle: str | None = None) -> Any:
        """Draw the land-cover mask (and a ``prediction`` when present) on a fixed class scale, with a legend.

        Returns:
            A matplotlib Figure.

        Raises:
            ValueError: if ``mask`` or ``prediction`` is not one layer of labels 0 to 5 (scores of several
                classes, probabilities, labels of a model of more classes), naming it.
        """
        from geotorch.core import plot_sample

        for key in ("mask", "prediction"):
            if key in sample:
                label_layer(sample[key], key, len(CLASSES), "DemoLandCover.plot")
        return plot_sample(
            sample, show_titles=show_titles, suptitle=suptitle, num_classes=len(CLASSES), classes=CLASSES,
            colors=self.colors,
        )
