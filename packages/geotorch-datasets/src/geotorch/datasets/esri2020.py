"""Esri 2020 Land Cover: a global 10 m, 10-class map from Sentinel-2, one tile per UTM zone and latitude band."""

from __future__ import annotations

from typing import ClassVar

from geotorch.datasets.land_cover import RGBA, LandCoverRaster

#: Raw value: (name, RGBA colour) of the legend, in the colours of Esri's published map.
LEGEND: dict[int, tuple[str, RGBA]] = {
    0: ("No Data", (0, 0, 0, 0)),
    1: ("Water", (26, 91, 171, 255)),
    2: ("Trees", (53, 130, 33, 255)),
    3: ("Grass", (167, 210, 130, 255)),
    4: ("Flooded Vegetation", (135, 209, 158, 255)),
    5: ("Crops", (255, 219, 92, 255)),
    6: ("Scrub/Shrub", (238, 207, 168, 255)),
    7: ("Built Area", (237, 2, 42, 255)),
    8: ("Bare Ground", (237, 233, 228, 255)),
    9: ("Snow/Ice", (242, 250, 255, 255)),
    10: ("Clouds", (200, 200, 200, 255)),
}


class Esri2020(LandCoverRaster):
    """Esri 2020 Land Cover (Impact Observatory), 10 m, in each tile's UTM zone.

    Tiles are named ``{zone}{band}_20200101-20210101.tif`` (for instance
    ``52J_20200101-20210101.tif``); their time span is the year 2020 (the end date is exclusive). The
    whole map is one archive.

    Source: https://www.arcgis.com/home/item.html?id=fc92d38533d440078f17678ebc20e8e2
    """

    filename_glob = "*_20200101-20210101.tif"
    #: The span's end, 1 January 2021, is exclusive (the map is of 2020): the year of its start dates a tile.
    filename_regex = r"^(?P<tile>\d{1,2}[C-X])_(?P<date>\d{4})0101-\d{4}0101\.tif$"
    date_format = "%Y"
    url = "https://ai4edataeuwest.blob.core.windows.net/io-lulc/io-lulc-model-001-v01-composite-v03-supercell-v02-clip-v01.zip"
    archive = "io-lulc-model-001-v01-composite-v03-supercell-v02-clip-v01.zip"
    md5 = "4932855fcd00735a34b74b1f87db3df0"
    class_names: ClassVar[dict[int, str]] = {value: name for value, (name, _) in LEGEND.items()}
    cmap: ClassVar[dict[int, RGBA]] = {value: color for value, (_, color) in LEGEND.items()}
