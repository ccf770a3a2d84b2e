"""Digital elevation models: EU-DEM (Copernicus, 25 m, Europe) and ASTER GDEM (NASA/METI, 1 arc-second, global)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np
import torch

from geotorch.core import CRSLike, DatasetLifecycle, RasterDataset, Resource, Sample, Transform, find_files, new_figure
from geotorch.datasets.manual import ManualRaster
from geotorch.datasets.product_paths import ProductPaths, download_folder, product_paths


def plot_elevation(
    sample: Sample, show_titles: bool = True, suptitle: str | None = None, nodata: float | None = None
) -> Any:
    """Draw a sample's elevation ``mask`` (and ``prediction`` when present) on one terrain colour scale.

    Pixels without data (NaN, and ``nodata``) are left blank and out of the scale, which spans the
    elevations present (a tile's edge of nodata -3.4e38 beside hills of 100-400 m shows the hills).

    Args:
        sample: a sample with ``mask`` and optionally ``prediction``, elevations in metres.
        show_titles: label each panel.
        suptitle: a title over the figure.
        nodata: the value of pixels without data (the dataset's fill), or None.

    Returns:
        A matplotlib Figure.

    Raises:
        ValueError: if the sample has neither ``mask`` nor ``prediction``.
    """
    keys = [key for key in ("mask", "prediction") if key in sample]
    if not keys:
        raise ValueError(f"plot_elevation: the sample has no mask or prediction (keys: {sorted(sample)})")
    layers = []
    for key in keys:
        layer = torch.as_tensor(sample[key]).detach().cpu().squeeze().numpy().astype(np.float64)
        missing = ~np.isfinite(layer) if nodata is None else ~np.isfinite(layer) | (layer == nodata)
        layers.append(np.ma.masked_array(layer, mask=missing))
    values = np.concatenate([layer.compressed() for layer in layers])
    low, high = (float(values.min()), float(values.max())) if values.size else (0.0, 1.0)
    figure = new_figure(4 * len(keys), 4)
    for axis, key, layer in zip(figure.subplots(1, len(keys), squeeze=False)[0], keys, layers, strict=True):
        shown = axis.imshow(layer, cmap="terrain", vmin=low, vmax=high if high > low else low + 1)
        axis.set_axis_off()
        if show_titles:
            axis.set_title(f"{key.capitalize()} (m)")
    figure.colorbar(shown, ax=figure.axes, shrink=0.8)
    if suptitle:
        figure.suptitle(suptitle)
    return figure


class EUDEM(RasterDataset, DatasetLifecycle):
    """EU-DEM v1.1: 25 m elevation of Europe in EPSG:3035, in 1000 km tiles (``eu_dem_v11_E40N20.TIF``).

    Copernicus serves the tiles as ``eu_dem_v11_{tile}.zip`` behind a login, so
    they cannot be downloaded automatically; archives placed in the first folder of ``paths`` are
    verified against their published MD5 (with ``checksum``) and extracted.
    Samples hold the elevation in metres as a float32 ``mask``, as the tiles store it
    (fractions of a metre kept; TorchGeo's mask is int64, which truncated them), with
    the tiles' nodata (-3.4028235e38) outside their coverage.

    Source: https://land.copernicus.eu/imagery-in-situ/eu-dem/eu-dem-v1.1
    """

    is_image = False
    filename_glob = "eu_dem_v11_*.TIF"
    filename_regex = r"^eu_dem_v11_(?P<tile>E\d{2}N\d{2})\.TIF$"
    md5s: ClassVar[Mapping[str, str]] = {
        "eu_dem_v11_E00N20.zip": "96edc7e11bc299b994e848050d6be591",
        "eu_dem_v11_E10N00.zip": "e14be147ac83eddf655f4833d55c1571",
        "eu_dem_v11_E10N10.zip": "2eb5187e4d827245b33768404529c709",
        "eu_dem_v11_E10N20.zip": "1afc162eb131841aed0d00b692b870a8",
        "eu_dem_v11_E20N10.zip": "77b040791b9fb7de271b3f47130b4e0c",
        "eu_dem_v11_E20N20.zip": "89b965abdcb1dbd479c61117f55230c8",
        "eu_dem_v11_E20N30.zip": "f5cb1b05813ae8ffc9e70f0ad56cc372",
        "eu_dem_v11_E20N40.zip": "81be551ff646802d7d820385de7476e9",
        "eu_dem_v11_E20N50.zip": "bbc351713ea3eb7e9eb6794acb9e4bc8",
        "eu_dem_v11_E30N10.zip": "68fb95aac33a025c4f35571f32f237ff",
        "eu_dem_v11_E30N20.zip": "da8ad029f9cc1ec9234ea3e7629fe18d",
        "eu_dem_v11_E30N30.zip": "de27c78d0176e45aec5c9e462a95749c",
        "eu_dem_v11_E30N40.zip": "4c00e58b624adfc4a5748c922e77ee40",
        "eu_dem_v11_E30N50.zip": "4a21a88f4d2047b8995d1101df0b3a77",
        "eu_dem_v11_E40N10.zip": "32fdf4572581eddc305a21c5d2f4bc81",
        "eu_dem_v11_E40N20.zip": "71b027f29258493dd751cfd63f08578f",
        "eu_dem_v11_E40N30.zip": "c6c21289882c1f74fc4649d255302c64",
        "eu_dem_v11_E40N40.zip": "9f26e6e47f4160ef8ea5200e8cf90a45",
        "eu_dem_v11_E40N50.zip": "a8c3c1c026cdd1537b8a3822c15834d9",
        "eu_dem_v11_E50N10.zip": "9584273c7708b8e935f2bac3e30c19c6",
        "eu_dem_v11_E50N20.zip": "8efdea43e7b6819861935d5a768a55f2",
        "eu_dem_v11_E50N30.zip": "e39e58df1c13ac35eb0b29fb651f313c",
        "eu_dem_v11_E50N40.zip": "d84395ab52ad254d930db17398fffc50",
        "eu_dem_v11_E50N50.zip": "6abe852f4a20962db0e355ffc0d695a4",
        "eu_dem_v11_E60N10.zip": "b6a3b8a39a4efc01c7e2cd8418672559",
        "eu_dem_v11_E60N20.zip": "71dc3c55ab5c90628ce2149dbd60f090",
        "eu_dem_v11_E70N20.zip": "5342465ad60cf7d28a586c9585179c35",
    }
    manual = (
        "EU-DEM cannot be downloaded automatically: download eu_dem_v11_*.zip tiles from the Copernicus Land "
        "Monitoring Service (https://land.copernicus.eu/, free account) into root"
    )

    def __init__(
        self,
        paths: ProductPaths | None = None,
        crs: CRSLike | None = None,
        res: float | tuple[float, float] | None = None,
        transforms: Transform | None = None,
        cache: bool = True,
        checksum: bool = False,
        time_series: bool = False,
        *,
        root: ProductPaths | None = None,
        download: bool = False,
    ) -> None:
        """Index the tiles in ``paths``, extracting (and verifying) tile archives found in its first folder.

        Args:
            paths: a folder holding the tiles or their zip archives, a tile, or a list of both.
            crs: CRS of samples (default: EPSG:3035, the tiles').
            res: pixel size in ``crs`` units (default: 25 m).
            transforms: a function applied to every sample.
            cache: keep files open between samples in the process-wide, bounded cache of open files
                (False: open each sample's files for its read, then close them).
            checksum: verify archives against their published MD5 before extracting.
            time_series: stack the acquisitions a query meets along time, ``(T, C, H, W)`` (see
                :class:`geotorch.core.RasterDataset`); needs dated file names.
            root: keyword alias of ``paths``.
            download: accepted for the common signature; EU-DEM cannot be downloaded automatically.

        Raises:
            DatasetNotFoundError: if ``paths`` holds no tile nor archive, saying where to get them.
            ChecksumError: if ``checksum`` and an archive does not match.
            TypeError: if ``paths`` is not a path or a list of paths.
            ValueError: if ``paths`` names an archive (pass its folder).
        """
        self.paths = product_paths(paths, root, type(self).__name__)
        self.root = download_folder(self.paths)
        del download
        self.prepare(download=False, checksum=checksum)
        super().__init__(paths=self.paths, crs=crs, res=res, transforms=transforms, cache=cache,
                         time_series=time_series)

    @property
    def dtype(self) -> torch.dtype:
        """float32: the tiles' elevation in metres, fractions kept."""
        return torch.float32

    def resources(self) -> list[Resource]:
        """The tile archives placed in ``root`` (first folder of ``paths``): verified and extracted, never fetched."""
        return [Resource("", name, md5=md5) for name, md5 in self.md5s.items() if (self.root / name).is_file()]

    def is_present(self) -> bool:
        """Whether ``paths`` holds a tile."""
        return bool(find_files(self.paths, self.filename_glob))

    def plot(self, sample: Sample, show_titles: bool = True, suptitle: str | None = None) -> Any:
        """Draw the elevation on a terrain colour scale, the tiles' nodata left blank; returns a matplotlib Figure.

        Raises:
            ValueError: if the sample has neither ``mask`` nor ``prediction``.
        """
        return plot_elevation(sample, show_titles, suptitle, nodata=self.fill)


class AsterGDEM(ManualRaster):
    """ASTER Global DEM v3: 1 arc-second (about 30 m) elevation in EPSG:4326, 1 x 1 degree tiles.

    Tiles are named ``ASTGTMV003_N32W119_dem.tif`` (``_num.tif`` files, the
    source counts, are ignored). Samples hold the elevation in metres as
    ``mask`` (int64).

    Source: https://lpdaac.usgs.gov/products/astgtmv003/
    """

    is_image = False
    filename_glob = "ASTGTMV003_*_dem.tif"
    filename_regex = r"^ASTGTMV003_(?P<tile>[NS]\d{2}[EW]\d{3})_dem\.tif$"
    manual = (
        "ASTER GDEM cannot be downloaded automatically: get ASTGTMV003 tiles from NASA Earthdata Search "
        "(https://search.earthdata.nasa.gov/, free account), unzip them and put the *_dem.tif files under root"
    )

    def __init__(
        self,
        paths: ProductPaths | None = None,
        crs: CRSLike | None = None,
        res: float | tuple[float, float] | None = None,
        transforms: Transform | None = None,
        cache: bool = True,
        time_series: bool = False,
        *,
        root: ProductPaths | None = None,
        download: bool = False,
        checksum: bool = False,
    ) -> None:
        """Index the ``*_dem.tif`` tiles in ``paths`` (TorchGeo 0.10.1's arguments, in its order).

        Args:
            paths: a folder (searched recursively), a tile, or a list of both (default: ``"data"``).
            crs: CRS of samples (default: EPSG:4326, the tiles').
            res: pixel size in ``crs`` units (default: 1 arc-second).
            transforms: a function applied to every sample.
            cache: keep files open between samples in the process-wide, bounded cache of open files
                (False: open each sample's files for its read, then close them).
            time_series: stack the acquisitions a query meets along time, ``(T, C, H, W)`` (see
                :class:`geotorch.core.RasterDataset`); needs dated file names.
            root: keyword alias of ``paths``.
            download: accepted for the common signature; nothing can be downloaded.
            checksum: accepted for the common signature; no checksum is published.

        Raises:
            DatasetNotFoundError: if ``paths`` holds no tile, saying how to get them.
            TypeError: if ``paths`` is not a path or a list of paths.
            ValueError: if ``paths`` names an archive (pass its folder).
        """
        super().__init__(paths, crs, res, None, transforms, cache, time_series, root=root, download=download,
                         checksum=checksum)

    def plot(self, sample: Sample, show_titles: bool = True, suptitle: str | None = None) -> Any:
        """Draw the elevation on a terrain colour scale, a ``nodata`` given left blank; returns a matplotlib Figure.

        Raises:
            ValueError: if the sample has neither ``mask`` nor ``prediction``.
        """
        return plot_elevation(sample, show_titles, suptitle, nodata=self.nodata)
