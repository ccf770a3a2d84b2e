"""Esri 2020 Land Cover: a global 10 m, 10-class map from Sentinel-2, one tile per UTM zone and latitude band."""

from __future__ import annotations

from typing import ClassVar

from geotorch.datasets.land_cover import RGBA, LandCoverRaster

#: Raw value: (name, RGBA colour) of the legend.
LEGEND: dict[int, tuple[str, RGBA]] = {
    0: ("No Data", (0, 0, 0, 0)),
    1: ("Water", (65, 155, 223, 255)),
    2: ("Trees", (57, 125, 73, 255)),
    3: ("Grass", (136, 176, 83, 255)),
    4: ("Flooded Vegetation", (122, 135, 198, 255)),
    5: ("Crops", (228, 150, 53, 255)),
    6: ("Scrub/Shrub", (223, 195, 90, 255)),
    7: ("Built Area", (196, 40, 27, 255)),
    8: ("Bare Ground", (165, 155, 143, 255)),
    9: ("Snow/Ice", (168, 235, 255, 255)),
    10: ("Clouds", (97, 97, 97, 255)),
}


class Esri2020(LandCoverRaster):
    """Esri 2020 Land Cover (Impact Observatory), 10 m, in each tile's UTM zone.

    Tiles are named ``{zone}{band}_20200101-20210101.tif`` (for instance
    ``52J_20200101-20210101.tif``); their time span is the year 2020. The
    whole map is one archive.

    Source: https://www.arcgis.com/home/item.html?id=fc92d38533d440078f17678ebc20e8e2
    """

    filename_glob = "*_20200101-20210101.tif"
    filename_regex = r"^(?P<tile>\d{1,2}[C-X])_(?P<start>\d{8})-(?P<stop>\d{8})\.tif$"
    date_format = "%Y%m%d"
    url = "https://ai4edataeuwest.blob.core.windows.net/io-lulc/io-lulc-model-001-v01-composite-v03-supercell-v02-clip-v01.zip"
    archive = "io-lulc-model-001-v01-composite-v03-supercell-v02-clip-v01.zip"
    md5 = "4932855fcd00735a34b74b1f87db3df0"
    class_names: ClassVar[dict[int, str]] = {value: name for value, (name, _) in LEGEND.items()}
    cmap: ClassVar[dict[int, RGBA]] = {value: color for value, (_, color) in LEGEND.items()}
