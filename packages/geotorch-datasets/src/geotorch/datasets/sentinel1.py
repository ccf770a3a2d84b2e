"""Sentinel-1 C-band SAR: terrain-corrected GRD backscatter, one GeoTIFF per polarization."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from geotorch.core import CRSLike, RemotePath, SceneRecord, Transform, is_remote
from geotorch.datasets.manual import ManualRaster
from geotorch.datasets.product_paths import ProductPaths

#: The radiometry and scale letters of an RTC product's processing options.
_RADIOMETRY = {"g": "gamma-0", "s": "sigma-0"}
_SCALE = {"p": "power", "d": "decibel", "a": "amplitude"}


class Sentinel1(ManualRaster):
    """Sentinel-1 GRD backscatter after radiometric terrain correction, as ASF HyP3 RTC delivers it.

    Files are named like ``S1A_IW_20221204T161230_DVP_RTC30_G_gpuned_1AE1_VV.tif``:
    mission, beam mode, start time (the sample's time), polarization type
    (``DV`` = VV+VH, ``DH`` = HH+HV, ``SV``, ``SH``) and orbit, pixel spacing,
    processing options, product id, and the polarization of the file.

    Raw GRD SAFE measurement files are geolocated by ground control points
    only, so they need terrain correction before they can be read here.

    The processing options are, in order: gamma-0 (``g``) or sigma-0 (``s``)
    radiometry; power (``p``), decibel (``d``) or amplitude (``a``) scale;
    unmasked (``u``) or water-masked (``w``); not filtered (``n``) or filtered
    (``f``); entire (``e``) or clipped (``c``) area; dead reckoning (``d``) or
    DEM matching (``m``). Values of one radiometry and scale only are
    comparable, so ``paths`` holding products of two is refused: order them
    alike, or give each its own dataset.

    Source: ASF HyP3 RTC product guide, naming convention
    (https://hyp3-docs.asf.alaska.edu/guides/rtc_product_guide/).
    """

    filename_glob = "S1*_*.tif"
    filename_regex = r"""
        ^S1(?P<mission>[ABCD])
        _(?P<mode>SM|IW|EW|WV)
        _(?P<date>\d{8}T\d{6})
        _(?P<polarization>[DS][HV])(?P<orbit>[PRO])
        _RTC(?P<spacing>\d{2})
        _(?P<package>G)
        _(?P<radiometry>[gs])(?P<scale>[pda])(?P<masking>[uw])(?P<filtering>[nf])(?P<area>[ec])(?P<matching>[dm])
        _(?P<product>[0-9A-F]{4})
        _(?P<band>HH|HV|VV|VH)
        \.tif$
    """
    date_format = "%Y%m%dT%H%M%S"
    separate_files = True
    all_bands = ("HH", "HV", "VV", "VH")
    default_bands = ("VV", "VH")
    manual = (
        "Sentinel-1 scenes cannot be downloaded automatically: order radiometrically terrain-corrected GRD "
        "products (RTC GeoTIFFs) from ASF HyP3 (https://hyp3-docs.asf.alaska.edu/), or terrain-correct GRD "
        "SAFE products yourself (their measurement TIFFs carry only ground control points), and unzip them "
        "under root"
    )

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
        """Index the scenes in ``paths`` (TorchGeo 0.10.1's arguments, in its order).

        Args:
            paths: a folder holding the RTC GeoTIFFs (searched recursively), a file, or a list of both.
            crs: CRS of samples (default: the first scene's).
            res: pixel size in ``crs`` units (default: the first scene's).
            bands: polarizations to read, all co- and cross-polarized of one
                kind: ``VV``/``VH`` or ``HH``/``HV`` (default: VV and VH).
            transforms: a function applied to every sample.
            cache: keep files open between samples in the process-wide, bounded cache of open files
                (False: open each sample's files for its read, then close them).
            time_series: stack the acquisitions a query meets along time, ``(T, C, H, W)`` (see
                :class:`geotorch.core.RasterDataset`); needs dated file names.
            root: keyword alias of ``paths``.
            download: accepted for the common signature; Sentinel-1 cannot be downloaded automatically.
            checksum: accepted for the common signature.

        Raises:
            DatasetNotFoundError: if ``paths`` holds no scene, saying where to get them.
            TypeError: if ``paths`` is not a path or a list of paths.
            ValueError: if a band is unknown, ``bands`` mixes HH/HV with VV/VH, or ``paths`` names an archive.
        """
        chosen = tuple(bands) if bands is not None else self.default_bands
        if {"HH", "HV"} & set(chosen) and {"VV", "VH"} & set(chosen):
            raise ValueError(
                f"{type(self).__name__}: bands={list(chosen)} mixes HH/HV with VV/VH, which no product holds together"
            )
        super().__init__(paths, crs, res, bands, transforms, cache, time_series, root=root, download=download,
                         checksum=checksum)

    def scene_records(self) -> Sequence[SceneRecord]:
        """The scenes in ``paths``, all of one radiometry (gamma-0 or sigma-0) and scale (power, dB, amplitude).

        Raises:
            ValueError: if two scenes differ in radiometry or scale, naming one file of each.
        """
        records = super().scene_records()
        pattern = re.compile(self.filename_regex, re.VERBOSE)
        kinds: dict[tuple[str, str], str] = {}
        for record in records:
            match = pattern.match(RemotePath(record.path).name if is_remote(record.path) else Path(record.path).name)
            if match is not None:
                kinds.setdefault((_RADIOMETRY[match.group("radiometry")], _SCALE[match.group("scale")]), record.path)
        if len(kinds) > 1:
            found = "; ".join(f"{radiometry} {scale} in {path}" for (radiometry, scale), path in kinds.items())
            raise ValueError(
                f"{type(self).__name__}: paths hold products of {len(kinds)} radiometries or scales, whose "
                f"values are not comparable: {found}; order them alike, or give each its own dataset"
            )
        return records
