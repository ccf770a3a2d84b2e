"""Sentinel-2 MSI scenes: L1C and L2A SAFE products (JP2 bands at 10, 20 and 60 m) or per-band GeoTIFF exports."""

from __future__ import annotations

import re
import warnings
from collections.abc import Hashable, Sequence
from pathlib import Path

from rasterio.crs import CRS
from rasterio.warp import transform

from geotorch.core import (
    CRSLike,
    DatasetNotFoundError,
    Location,
    SceneRecord,
    Transform,
    as_crs,
    find_files,
    open_raster,
)
from geotorch.datasets.manual import ManualRaster
from geotorch.datasets.product_paths import ProductPaths, product_paths
from geotorch.datasets.sentinel2_cogs import cog_scene_folders, cog_scene_records
from geotorch.datasets.sentinel2_offsets import offset_file, product_offsets, safe_baseline

#: Band-file suffixes in order of preference: L1C has none, L2A and exports name the resolution, finest first.
_RESOLUTION_SUFFIXES = ("", "_10m", "_20m", "_60m")


class Sentinel2(ManualRaster):
    """Sentinel-2 MSI: thirteen bands at 10, 20 and 60 m, resampled onto one grid (10 m by default).

    Band files are found anywhere in ``paths``, in the layouts ESA and AWS publish:

    * L2A SAFE: ``GRANULE/*/IMG_DATA/R10m/T32UPU_20210101T103331_B02_10m.jp2``
      (and ``R20m``, ``R60m``); each band is read from the finest resolution
      folder that holds it. Early L2A products (2017 and early 2018, processing
      baselines 02.05 and 02.06 for instance) prefix the names with ``L2A_``
      (``L2A_T21NUE_20170712T142041_B08_10m.jp2``); they are read too.
    * L1C SAFE: ``GRANULE/*/IMG_DATA/T32UPU_20210101T103331_B02.jp2``.
    * GeoTIFF or COG exports with the same file names (``.tif``).
    * Element84's sentinel-cogs on AWS (L2A):
      ``S2B_10SEG_20220315_0_L2A/B04.tif``, the folder naming tile and
      sensing day (the sample's time spans that day).

    The sample's time is the datatake sensing time in the file name. L2A
    has no B10 (cirrus), so the default bands leave it out; ask for it with
    ``bands=`` on L1C products.

    From processing baseline 04.00 (products sensed from 25 January 2022, and
    the archive reprocessed as ``_N0500_``) ESA adds an offset to the values:
    reflectance is ``(DN + BOA_ADD_OFFSET) / 10000`` (``RADIO_ADD_OFFSET`` for
    L1C), -1000, where earlier products' is ``DN / 10000``. Values are read as
    published, as TorchGeo's; ``harmonize=True`` reads every product on the
    earlier scale instead (see :meth:`__init__`).

    A scene (tile and sensing time) is read from one product: ``paths``
    holding it twice, as L1C and L2A or as two copies or processing
    baselines in other folders, is refused naming both, since which one
    would be read depends on the order files are listed in. A sentinel-cogs
    scene is not compared with SAFE products (its folder names no sensing
    time): keep one copy of a scene in ``paths``.
    """

    filename_glob = "*T*_B*"
    filename_regex = r"""
        ^(?:L2A_)?T(?P<tile>\d{2}[A-Z]{3})
        _(?P<date>\d{8}T\d{6})
        _(?P<band>B[018][0-9A])
        (?:_(?P<resolution>[126]0m))?
        \.(?i:jp2|tiff?)$
    """
    date_format = "%Y%m%dT%H%M%S"
    separate_files = True
    all_bands = ("B01", "B02", "B03", "B04", "B05", "B06", "B07", "B08", "B8A", "B09", "B10", "B11", "B12")
    default_bands = ("B01", "B02", "B03", "B04", "B05", "B06", "B07", "B08", "B8A", "B09", "B11", "B12")
    rgb_bands = ("B04", "B03", "B02")
    manual = (
        "Sentinel-2 scenes cannot be downloaded automatically: get L1C or L2A SAFE products from the "
        "Copernicus Data Space Ecosystem (https://dataspace.copernicus.eu/, free account) and unzip them under root"
    )

    def __init__(
        self,
        paths: ProductPaths | None = None,
        crs: CRSLike | None = None,
        res: float | tuple[float, float] | None = 10.0,
        bands: Sequence[str] | None = None,
        transforms: Transform | None = None,
        cache: bool = True,
        time_series: bool = False,
        *,
        root: ProductPaths | None = None,
        download: bool = False,
        checksum: bool = False,
        harmonize: bool = False,
    ) -> None:
        """Index the scenes in ``paths`` (TorchGeo 0.10.1's arguments, in its order).

        Args:
            paths: a folder holding SAFE products or exported band files (searched recursively), a band
                file (its scene's other bands are found beside it), or a list of both.
            crs: CRS of samples (default: the first scene's UTM zone).
            res: pixel size in ``crs`` units every band is resampled to (None: the first file's). The
                default, 10, is metres whatever ``crs``: in a CRS of degrees or feet it becomes 10 m in
                those units at the first scene (about 9e-05 degrees), not 10 degrees.
            bands: bands to read (default: ``default_bands``).
            transforms: a function applied to every sample.
            cache: keep files open between samples in the process-wide, bounded cache of open files
                (False: open each sample's files for its read, then close them).
            time_series: stack the acquisitions a query meets along time, ``(T, C, H, W)`` (see
                :class:`geotorch.core.RasterDataset`); needs dated file names.
            root: keyword alias of ``paths``.
            download: accepted for the common signature; Sentinel-2 cannot be downloaded automatically.
            checksum: accepted for the common signature.
            harmonize: read products of processing baseline 04.00 and later on the scale of earlier ones,
                ``max(DN + offset, 0)`` per band (0, no data, stays 0), as Sentinel Hub's harmonizeValues and
                the Planetary Computer's recipe do, so series and mosaics across 25 January 2022 agree. The
                offsets are the product's ``MTD_MSIL2A.xml`` (``MTD_MSIL1C.xml``) ``BOA_ADD_OFFSET``
                (``RADIO_ADD_OFFSET``) values, found in a folder above the band files; without that file, -1000
                where the SAFE folder's name gives a baseline of 04.00 or later (``_N0400_``), else none.
                Band files outside any SAFE folder and without that file are refused: their baseline is
                unknown. The default, False, reads the values as published (TorchGeo's).

        Raises:
            DatasetNotFoundError: if ``paths`` holds no scene, saying where to get them.
            TypeError: if ``paths`` is not a path or a list of paths.
            ValueError: if a band is unknown, ``crs`` is not a CRS (naming it, before any file is searched), or
                ``paths`` names an archive (a zipped SAFE: unzip it), or ``harmonize`` is True and a scene's
                processing baseline is unknown (naming its file) or its metadata file is damaged.
        """
        self.harmonize = harmonize
        target = as_crs(crs, type(self).__name__) if crs is not None else None
        if res == 10.0 and target is not None and target.units_factor[0] != "metre":
            res = self._ten_metres_in(target, product_paths(paths, root, type(self).__name__))
        super().__init__(paths, crs, res, bands, transforms, cache, time_series, root=root, download=download,
                         checksum=checksum)

    def _ten_metres_in(self, crs: CRS, paths: Sequence[Path]) -> tuple[float, float] | float:
        """10 m in ``crs`` units at the centre of the first band file in ``paths`` (10.0 where there is none)."""
        pattern = re.compile(self.filename_regex, re.VERBOSE)
        first = next((path for path in find_files(paths, self.filename_glob) if pattern.match(path.name)), None)
        first = first or next((file for folder in cog_scene_folders(paths) for file in sorted(folder.glob("B*.tif"))),
                              None)
        if first is None:
            return 10.0
        with open_raster(str(first)) as source:
            left, bottom, right, top = source.bounds
            x, y = (left + right) / 2, (bottom + top) / 2
            xs, ys = transform(source.crs, crs, [x, x + 10.0, x], [y, y, y + 10.0])
        return abs(xs[1] - xs[0]), abs(ys[2] - ys[0])

    def scene_records(self) -> Sequence[SceneRecord]:
        """The scenes in ``paths``, each of one product (see :meth:`scene_key`).

        SAFE products of processing baselines before 04.00 and from 04.00 (named ``_N0400_`` and up) in
        one dataset are warned of, unless ``harmonize`` is True: from 04.00 the values carry an offset
        (reflectance is ``(DN - 1000) / 10000``, before ``DN / 10000``), so that their mosaics and series
        read equal reflectances 1000 apart. Source: ESA's processing baseline 04.00 notes (RADIO_ADD_OFFSET
        and BOA_ADD_OFFSET, -1000).

        Scenes in Element84's sentinel-cogs layout (``S2B_10SEG_20220315_0_L2A/B04.tif``, see
        :mod:`geotorch.datasets.sentinel2_cogs`) follow those of the other layouts.

        Raises:
            DatasetNotFoundError: if ``paths`` holds no scene of any layout.
            ValueError: if a scene is found in two products, or ``harmonize`` is True and ``paths`` holds
                sentinel-cogs scenes (whether Element84 applied the offset to a scene is not told reliably).
        """
        self._scene_products: dict[tuple[str, str], tuple[Location, tuple[Location, bool]]] = {}
        folders = cog_scene_folders(self.paths)
        if folders and self.harmonize:
            raise ValueError(
                f"{type(self).__name__}(harmonize=True): {folders[0]} is a scene of Element84's sentinel-cogs, whose "
                "processing baseline its files do not tell: Element84 subtracted the offset from some scenes of "
                "baseline 04.00 and not from others, and the items' earthsearch:boa_offset_applied is known to be "
                "wrong for some; pass harmonize=False and correct each scene's values as its item says, or read "
                "ESA's SAFE products"
            )
        cogs = cog_scene_records(type(self).__name__, folders, self.bands)
        try:
            records = [*super().scene_records(), *cogs]
        except DatasetNotFoundError:
            if not cogs:
                raise
            records = cogs
        offsets: dict[bool, str] = {}
        for record in records:
            baseline = safe_baseline(Path(record.path))
            if baseline is not None:
                offsets.setdefault(baseline >= 400, record.path)
        if len(offsets) == 2 and not self.harmonize:
            warnings.warn(
                f"{type(self).__name__}: products of processing baselines before 04.00 ({offsets[False]}) and "
                f"from 04.00 ({offsets[True]}) are read together: from 04.00 the values carry an offset of 1000 "
                f"(reflectance (DN - 1000) / 10000, before DN / 10000), so equal reflectances read 1000 apart; "
                f"pass harmonize=True to read the newer products on the earlier scale, or give each its own dataset",
                UserWarning,
                stacklevel=4,
            )
        return records

    def is_present(self) -> bool:
        """Whether ``paths`` holds a band file of the SAFE or export layouts or a sentinel-cogs scene folder."""
        return super().is_present() or bool(cog_scene_folders(self.paths))

    def scene_key(self, path: Location, match: re.Match[str]) -> Hashable:
        """Tile and sensing time: an L2A band repeated at 10, 20 and 60 m belongs to one scene, indexed once.

        Raises:
            ValueError: if the scene's files lie in two products: other granule (or export) folders,
                or band files with and without a resolution suffix (L2A and L1C) in one folder.
        """
        key = match.group("tile"), match.group("date")
        folder = path.parent.parent if re.fullmatch(r"R\d{2}m", path.parent.name) else path.parent
        product = folder, match.group("resolution") is not None
        first, first_product = self._scene_products.setdefault(key, (path, product))
        if first_product != product:
            raise ValueError(
                f"{type(self).__name__}: scene T{key[0]} sensed {key[1]} is in two products, {first} and "
                f"{path} (L1C and L2A, or two copies or processing baselines); pass paths=... holding one of them"
            )
        return key

    def band_files(self, path: str) -> list[str]:
        """The file of each selected band of the scene ``path``, at the finest resolution available.

        Raises:
            FileNotFoundError: if the scene lacks a selected band.
        """
        anchor = Path(path)
        match = re.match(self.filename_regex, anchor.name, re.VERBOSE)
        if match is None:
            return [path]
        prefix = anchor.name[:match.start("band")]
        folders = [anchor.parent]
        if re.fullmatch(r"R\d{2}m", anchor.parent.name):
            folders = sorted(anchor.parent.parent.glob("R[0-9][0-9]m"))
        files = []
        for band in self.bands:
            candidates = [folder / f"{prefix}{band}{suffix}{anchor.suffix}"
                          for folder in folders for suffix in _RESOLUTION_SUFFIXES]
            found = next((candidate for candidate in candidates if candidate.is_file()), None)
            if found is None:
                raise FileNotFoundError(
                    f"{type(self).__name__}: scene {prefix.rstrip('_')} has no band {band} in "
                    f"{[str(folder) for folder in folders]}; choose bands=... it has"
                )
            files.append(str(found))
        return self._harmonized(anchor, files) if self.harmonize else files

    def _harmonized(self, anchor: Path, files: list[str]) -> list[str]:
        """``files`` read on the scale of baselines before 04.00 (see ``harmonize`` in :meth:`__init__`).

        Raises:
            ValueError: if the product's baseline is unknown, naming ``anchor``, or its metadata is damaged.
        """
        offsets = product_offsets(anchor)
        if offsets is None:
            raise ValueError(
                f"{type(self).__name__}(harmonize=True): the processing baseline of {anchor} is unknown: no "
                "MTD_MSIL2A.xml or MTD_MSIL1C.xml lies in a folder above it and no SAFE folder (S2?_MSIL2A_..._N0400_"
                "...) holds it, so whether its values carry ESA's offset of -1000 cannot be told; keep the band "
                "files in their SAFE product (or its metadata file beside them), or pass harmonize=False"
            )
        return [offset_file(file, offsets.get(band, 0)) for band, file in zip(self.bands, files, strict=True)]
