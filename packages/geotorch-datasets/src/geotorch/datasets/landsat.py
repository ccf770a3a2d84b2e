"""Landsat 1-9 scenes in USGS Collection 2 layout: one GeoTIFF per band, Level-1 or Level-2."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from geotorch.core import Sample
from geotorch.datasets.manual import ManualRaster


class Landsat(ManualRaster):
    """Base of the Landsat datasets: a folder of Collection 2 scenes, one file per band.

    File names follow the USGS Collection 2 product identifier, for instance
    ``LC08_L2SP_023032_20230615_20230620_02_T1_SR_B4.TIF`` (Level-2) or
    ``LC08_L1TP_023032_20230615_20230620_02_T1_B4.TIF`` (Level-1): sensor and
    satellite, processing level, WRS path and row, acquisition date (the
    sample's time), processing date, collection number and category, band.

    Subclasses set ``filename_glob`` (the satellite's prefix), ``all_bands``
    (Level-2 names, or Level-1 names for MSS, which has no Level-2 product),
    ``level1_bands`` and ``rgb_bands``. Level-1 scenes are read by naming
    their bands: ``Landsat8(root, bands=["B2", "B3", "B4"])``.

    Attributes:
        level1_bands: band names of the Level-1 product, accepted in ``bands``.
    """

    filename_regex = r"""
        ^L(?P<sensor>[COTEM])(?P<satellite>\d{2})
        _(?P<level>[A-Z0-9]{4})
        _(?P<wrs_path>\d{3})(?P<wrs_row>\d{3})
        _(?P<date>\d{8})
        _(?P<processed>\d{8})
        _(?P<collection>\d{2})
        _(?P<category>[A-Z0-9]{2})
        _(?P<band>[A-Z0-9_]+)
        \.(?i:tiff?)$
    """
    separate_files = True
    level1_bands: ClassVar[tuple[str, ...]] = ()
    manual = (
        "Landsat scenes cannot be downloaded automatically: get Collection 2 scenes (Level-1 or Level-2, one "
        "GeoTIFF per band) from USGS EarthExplorer (https://earthexplorer.usgs.gov/) or the usgs-landsat "
        "requester-pays bucket, and unpack them under root"
    )

    def select_bands(self, bands: Sequence[str] | None) -> tuple[str, ...]:
        """Level-1 band names are valid too, when all requested bands are Level-1 ones.

        Raises:
            ValueError: if a band is of neither level's names, or ``bands`` mixes Level-1 and Level-2
                names (a scene is of one level), listing both levels' names.
        """
        if bands is not None and bands and all(band in self.level1_bands for band in bands):
            return tuple(bands)
        if bands is not None and set(self.level1_bands) - set(self.all_bands):
            level1 = [band for band in bands if band in self.level1_bands and band not in self.all_bands]
            unknown = [band for band in bands if band not in self.level1_bands and band not in self.all_bands]
            if level1 or unknown:
                problem = f"unknown band(s) {unknown}" if unknown else (
                    f"bands={list(bands)} mixes Level-1 names {level1} with Level-2 ones (a scene is of one level)"
                )
                raise ValueError(
                    f"{type(self).__name__}: {problem}; choose from the Level-2 bands {list(self.all_bands)} or the "
                    f"Level-1 bands {list(self.level1_bands)}"
                )
        return super().select_bands(bands)

    def plot(self, sample: Sample, show_titles: bool = True, suptitle: str | None = None) -> Any:
        """Draw the scene in natural colour (the Level-1 or Level-2 ``rgb_bands`` that were read).

        Returns:
            A matplotlib Figure.
        """
        from geotorch.core import plot_sample

        for names in (self.rgb_bands, tuple(band.removeprefix("SR_") for band in self.rgb_bands)):
            if all(band in self.bands for band in names):
                rgb = [self.bands.index(band) for band in names]
                return plot_sample(sample, rgb_indices=rgb, show_titles=show_titles, suptitle=suptitle)
        return plot_sample(sample, show_titles=show_titles, suptitle=suptitle)


class _MSS(Landsat):
    """Multispectral Scanner of Landsat 1-3: green, red and two near-infrared bands (Level-1 only)."""

    all_bands = ("B4", "B5", "B6", "B7")
    level1_bands = all_bands
    rgb_bands = ("B6", "B5", "B4")


class Landsat1(_MSS):
    """Landsat 1 Multispectral Scanner (MSS), 1972-1978, 60 m Level-1 bands B4-B7."""

    filename_glob = "LM01_*"


class Landsat2(_MSS):
    """Landsat 2 Multispectral Scanner (MSS), 1975-1982, 60 m Level-1 bands B4-B7."""

    filename_glob = "LM02_*"


class Landsat3(_MSS):
    """Landsat 3 Multispectral Scanner (MSS), 1978-1983, 60 m Level-1 bands B4-B7."""

    filename_glob = "LM03_*"


class Landsat4MSS(Landsat):
    """Landsat 4 Multispectral Scanner (MSS): the same four bands as Landsat 1-3, numbered B1-B4."""

    filename_glob = "LM04_*"
    all_bands = ("B1", "B2", "B3", "B4")
    level1_bands = all_bands
    rgb_bands = ("B3", "B2", "B1")


class Landsat5MSS(Landsat4MSS):
    """Landsat 5 Multispectral Scanner (MSS), bands B1-B4."""

    filename_glob = "LM05_*"


class _ThematicMapper(Landsat):
    """TM and ETM+ Level-2: blue, green, red, NIR, SWIR1 reflectance, band-6 temperature, SWIR2 reflectance.

    The default bands are the five reflective bands that OLI's B2-B6 repeat
    (blue, green, red, NIR, SWIR1), so ``Landsat7(...) | Landsat8(...,
    bands=Landsat8.all_bands[1:-2])`` unions like with like.
    """

    all_bands = ("SR_B1", "SR_B2", "SR_B3", "SR_B4", "SR_B5", "ST_B6", "SR_B7")
    default_bands = ("SR_B1", "SR_B2", "SR_B3", "SR_B4", "SR_B5")
    level1_bands: ClassVar[tuple[str, ...]] = ("B1", "B2", "B3", "B4", "B5", "B6", "B7")
    rgb_bands = ("SR_B3", "SR_B2", "SR_B1")


class Landsat4TM(_ThematicMapper):
    """Landsat 4 Thematic Mapper (TM), 1982-1993."""

    filename_glob = "LT04_*"


class Landsat5TM(_ThematicMapper):
    """Landsat 5 Thematic Mapper (TM), 1984-2013."""

    filename_glob = "LT05_*"


class Landsat7(_ThematicMapper):
    """Landsat 7 Enhanced Thematic Mapper Plus (ETM+), 1999-2022.

    Level-1 adds the panchromatic B8 and splits the thermal band into
    ``B6_VCID_1`` (low gain) and ``B6_VCID_2`` (high gain).
    """

    filename_glob = "LE07_*"
    level1_bands = ("B1", "B2", "B3", "B4", "B5", "B6_VCID_1", "B6_VCID_2", "B7", "B8")


class Landsat8(Landsat):
    """Landsat 8 Operational Land Imager and Thermal Infrared Sensor (OLI/TIRS), 2013-.

    Level-2 bands: coastal aerosol, blue, green, red, NIR, SWIR1, SWIR2
    reflectance (``SR_B1``-``SR_B7``) and band-10 surface temperature
    (``ST_B10``); ``all_bands[1:-2]`` is blue, green, red, NIR, SWIR1.

    Scenes of both instruments (``LC08_``) are read with those the USGS
    names by one: OLI-only (``LO08_``, reflectance without ``ST_B10``, e.g.
    ``LO08_L2SR_...``) and TIRS-only (``LT08_``, Level-1 ``B10`` and ``B11``).
    A scene lacking a selected band is skipped with a warning naming it.
    """

    filename_glob = "L[COT]08_*"
    all_bands = ("SR_B1", "SR_B2", "SR_B3", "SR_B4", "SR_B5", "SR_B6", "SR_B7", "ST_B10")
    default_bands = ("SR_B1", "SR_B2", "SR_B3", "SR_B4", "SR_B5", "SR_B6", "SR_B7")
    level1_bands = ("B1", "B2", "B3", "B4", "B5", "B6", "B7", "B8", "B9", "B10", "B11")
    rgb_bands = ("SR_B4", "SR_B3", "SR_B2")


class Landsat9(Landsat8):
    """Landsat 9 OLI-2/TIRS-2, 2021-: the bands and product names of Landsat 8 (``LC09_``, ``LO09_``, ``LT09_``)."""

    filename_glob = "L[COT]09_*"
