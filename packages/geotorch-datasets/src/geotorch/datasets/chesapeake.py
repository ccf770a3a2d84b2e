"""Chesapeake Bay high-resolution land cover: the 1 m, 7-class bay-wide map of 2013-2014."""

from __future__ import annotations

from typing import ClassVar

from geotorch.datasets.land_cover import RGBA, LandCoverRaster

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
