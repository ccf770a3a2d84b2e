"""Chesapeake Bay high-resolution land cover: the 1 m, 7-class bay-wide map and the states' 2022 Edition LULC."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import torch

from geotorch.core import CRSLike, Resource, Transform
from geotorch.datasets.land_cover import RGBA, LandCoverRaster
from geotorch.datasets.product_paths import ProductPaths

#: Raw value: (name, RGBA colour) of the 7-class legend.
LEGEND: dict[int, tuple[str, RGBA]] = {
    0: ("No Data", (0, 0, 0, 0)),
    1: ("Water", (0, 197, 255, 255)),
    2: ("Tree Canopy and Shrubs", (38, 115, 0, 255)),
    3: ("Low Vegetation", (163, 255, 115, 255)),
    4: ("Barren", (255, 170, 0, 255)),
    5: ("Impervious Surfaces", (156, 156, 156, 255)),
    6: ("Impervious Roads", (0, 0, 0, 255)),
    7: ("Aberdeen Proving Ground", (197, 0, 255, 255)),
}


class Chesapeake7(LandCoverRaster):
    """Chesapeake Conservancy's bay-wide 1 m land cover, 7 classes (NAIP 2013-2014 era).

    One GeoTIFF, ``Baywide_7class_20132014.tif``, published in
    ``Baywide_7Class_20132014.zip``; class 7 marks the Aberdeen Proving
    Ground, which has no labels.

    Source: https://www.chesapeakeconservancy.org/conservation-innovation-center/high-resolution-data/
    """

    filename_glob = "Baywide_7class_20132014.tif"
    url = "https://cicwebresources.blob.core.windows.net/chesapeakebaylandcover/BAYWIDE/Baywide_7Class_20132014.zip"
    archive = "Baywide_7Class_20132014.zip"
    md5 = "61a4e948fb2551840b6557ef195c2084"
    class_names: ClassVar[dict[int, str]] = {value: name for value, (name, _) in LEGEND.items()}
    cmap: ClassVar[dict[int, RGBA]] = {value: color for value, (_, color) in LEGEND.items()}


#: Colour of each class code of the 2022 Edition's land use/land cover (LULC) rasters that has one in
#: TorchGeo's colour map (the publisher's palette, by class group); other codes are drawn white.
LULC_COLORS: dict[int, tuple[int, int, int]] = {
    **dict.fromkeys((11, 12, 13, 14, 15), (0, 92, 230)),
    21: (0, 0, 0), 22: (235, 6, 2), 23: (89, 89, 89), **dict.fromkeys((24, 25, 26), (138, 138, 136)),
    27: (115, 115, 0), 28: (233, 255, 190), 29: (255, 255, 115),
    41: (38, 115, 0), 42: (56, 168, 0),
    **dict.fromkeys((51, 52, 53), (255, 255, 115)), **dict.fromkeys((54, 55, 56), (170, 255, 0)),
    **dict.fromkeys((62, 63), (77, 209, 148)), 64: (56, 168, 0), 65: (38, 115, 0),
    **dict.fromkeys((72, 73), (186, 245, 217)), 74: (56, 168, 0), 75: (38, 115, 0),
    **dict.fromkeys((83, 84, 85), (255, 211, 127)),
    **dict.fromkeys((91, 92, 93), (0, 168, 132)), 94: (56, 168, 0), 95: (38, 115, 0),
}


class Chesapeake(LandCoverRaster):
    """Chesapeake Bay Land Use and Land Cover (LULC) Database, 2022 Edition: one state's 1 m LULC rasters.

    Each state is published for two years (2013/14 and 2017/18, by NAIP cycle) as
    ``{state}_lulc_{year}_2022-Edition.zip`` holding ``{state}_lulc_{year}_2022-Edition.tif``, in the
    Hugging Face mirror TorchGeo uses. Masks hold the LULC class codes as published (as in TorchGeo), unless
    ``classes`` picks some, which then become the labels 1, 2, ...

    A state is a declaration: ``state`` (the file names' two-letter prefix) and ``sha256s`` (the SHA-256 of
    each year's archive; its keys are the years published). ``filename_glob`` and ``filename_regex`` are
    derived from ``state`` when the subclass is declared.

    Source: https://doi.org/10.5066/P981GV1L
    """

    state: ClassVar[str] = ""
    sha256s: ClassVar[dict[int, str]] = {}
    url = "https://hf.co/datasets/torchgeo/chesapeake/resolve/1e0370eda6a24d93af4153745e54fd383d015bf5/"
    date_format = "%Y"
    class_names: ClassVar[dict[int, str]] = {0: "No Data", **{code: f"LULC {code}" for code in LULC_COLORS}}
    cmap: ClassVar[dict[int, RGBA]] = {0: (0, 0, 0, 0), **{code: (*rgb, 255) for code, rgb in LULC_COLORS.items()}}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Derive the state's file names from its ``state``."""
        super().__init_subclass__(**kwargs)
        cls.filename_glob = f"{cls.state}_lulc_*_2022-Edition.tif"
        cls.filename_regex = rf"^{cls.state}_lulc_(?P<date>\d{{4}})_2022-Edition\.tif$"

    def __init__(
        self,
        paths: ProductPaths | None = None,
        crs: CRSLike | None = None,
        res: float | tuple[float, float] | None = None,
        transforms: Transform | None = None,
        cache: bool = True,
        download: bool = False,
        checksum: bool = False,
        time_series: bool = False,
        *,
        root: ProductPaths | None = None,
        classes: Sequence[int] | None = None,
    ) -> None:
        """Find (extracting or downloading when needed) and index the state's rasters.

        Args:
            paths: a folder holding the rasters (searched recursively), a raster, or a list of both;
                archives are extracted, and downloads go, into its first folder (default: ``"data"``).
            crs: CRS of samples (default: the rasters', EPSG:5070 Albers).
            res: pixel size in ``crs`` units (default: 1 m).
            transforms: a function applied to every sample.
            cache: keep files open between samples in the process-wide, bounded cache of open files
                (False: open each sample's files for its read, then close them).
            download: fetch both years' archives when missing.
            checksum: verify archives against their published SHA-256.
            time_series: stack the acquisitions a query meets along time, ``(T, C, H, W)`` (see
                :class:`geotorch.core.RasterDataset`); needs dated file names.
            root: keyword alias of ``paths``.
            classes: LULC codes to keep, labelled 1, 2, ... in this order (default: keep every code as is).

        Raises:
            DatasetNotFoundError: if the data is missing and ``download`` is False.
            ChecksumError: if ``checksum`` and an archive does not match.
            TypeError: if ``paths`` is not a path or a list of paths, or ``classes`` not a list of whole numbers.
            ValueError: if a class code is unknown or named twice, ``classes`` keeps no code but 0, or ``paths``
                names an archive (pass its folder).
        """
        super().__init__(paths, crs, res, transforms, cache, download, checksum, time_series, root=root,
                         classes=classes)
        if classes is None:
            self.classes = tuple(range(len(self.ordinal_map) - 1))
            self.ordinal_map = torch.arange(len(self.ordinal_map))

    def resources(self) -> list[Resource]:
        """One archive per published year."""
        names = {year: f"{self.state}_lulc_{year}_2022-Edition.zip" for year in self.sha256s}
        return [Resource(self.url + names[year], names[year], sha256=sha256) for year, sha256 in self.sha256s.items()]


class ChesapeakeDC(Chesapeake):
    """The 2022 Edition LULC of Washington, D.C. (2013, 2017)."""

    state = "dc"
    sha256s: ClassVar[dict[int, str]] = {
        2013: "13c776f8690a19c4088df6f4c143bca9650ce6cfe5c4091f3b774441eab8805a",
        2017: "f71ae8836bbbf7e4b60e4edf99e3a6eee16f62473dcb2c7f20ba5836c7a108c8",
    }


class ChesapeakeDE(Chesapeake):
    """The 2022 Edition LULC of Delaware (2013, 2018)."""

    state = "de"
    sha256s: ClassVar[dict[int, str]] = {
        2013: "ced3e274bfd8531915cb21d1a3faad31c9de859648feb8b8daec245f343c0b5c",
        2018: "4b996051cbd532dc4e43642d4ecbdf2dd55456a927edc35983b427f137145273",
    }


class ChesapeakeMD(Chesapeake):
    """The 2022 Edition LULC of Maryland (2013, 2018)."""

    state = "md"
    sha256s: ClassVar[dict[int, str]] = {
        2013: "e5a6a2c02f50295f6f13539092ce801c94263bd7ac304203cc2da2d4d774dd18",
        2018: "d3b70ae09737e119f5292b071f752add4c44c1f0a0b959a26305f2ceb0c583ec",
    }


class ChesapeakeNY(Chesapeake):
    """The 2022 Edition LULC of New York (2013, 2017)."""

    state = "ny"
    sha256s: ClassVar[dict[int, str]] = {
        2013: "2b861e5893f9340fc792c3df2dedfd0230ee35b1cd22fb53cc258fa7a97f4d33",
        2017: "eceaae776c49636730a51b5abe93ec123000535e92aee37cf9594c8ba52cd41e",
    }


class ChesapeakePA(Chesapeake):
    """The 2022 Edition LULC of Pennsylvania (2013, 2017)."""

    state = "pa"
    sha256s: ClassVar[dict[int, str]] = {
        2013: "5f197d18765ff8e0c837433c2eba285f97a1c5ac68c12d8c06fc4854c5df3d8c",
        2017: "f699ea705ae5bcda04e0eaa5c14369bccc1cec7ad65b1c4946134e8c55b84737",
    }


class ChesapeakeVA(Chesapeake):
    """The 2022 Edition LULC of Virginia (2014, 2018)."""

    state = "va"
    sha256s: ClassVar[dict[int, str]] = {
        2014: "9e71799f70c4c994eadeb126e4923e7b843dff335b46cb27a4785f1551660226",
        2018: "c7dd3514268f83fe8a3d650b3e686f4a7bce091b04f6e16a84e4f3d475bf19e9",
    }


class ChesapeakeWV(Chesapeake):
    """The 2022 Edition LULC of West Virginia (2014, 2018)."""

    state = "wv"
    sha256s: ClassVar[dict[int, str]] = {
        2014: "a882edc5e71acae0da953e44266562a0a957c8b139a885a20bbd33b22fe43d42",
        2018: "84c3577680bba0c2da179b0def119f014581cdf08d16039188d6e482a997cb8d",
    }
