"""Cropland Data Layer (CDL): USDA NASS's yearly 30 m crop-type map of the conterminous United States."""

from __future__ import annotations

from typing import ClassVar

from geotorch.datasets.land_cover import RGBA, YearlyLandCover

#: Raw value: (name, RGB colour) of every class of the CDL legend (NASS's colour table); 0 is background.
LEGEND: dict[int, tuple[str, tuple[int, int, int]]] = {
    0: ("Background", (0, 0, 0)),
    1: ("Corn", (255, 211, 0)),
    2: ("Cotton", (255, 38, 38)),
    3: ("Rice", (0, 168, 228)),
    4: ("Sorghum", (255, 158, 11)),
    5: ("Soybeans", (38, 112, 0)),
    6: ("Sunflower", (255, 255, 0)),
    10: ("Peanuts", (112, 165, 0)),
    11: ("Tobacco", (0, 175, 75)),
    12: ("Sweet Corn", (221, 165, 11)),
    13: ("Pop or Orn Corn", (221, 165, 11)),
    14: ("Mint", (126, 211, 255)),
    21: ("Barley", (226, 0, 124)),
    22: ("Durum Wheat", (137, 98, 84)),
    23: ("Spring Wheat", (216, 181, 107)),
    24: ("Winter Wheat", (165, 112, 0)),
    25: ("Other Small Grains", (214, 158, 188)),
    26: ("Dbl Crop WinWht/Soybeans", (112, 112, 0)),
    27: ("Rye", (172, 0, 124)),
    28: ("Oats", (160, 89, 137)),
    29: ("Millet", (112, 0, 73)),
    30: ("Speltz", (214, 158, 188)),
    31: ("Canola", (209, 255, 0)),
    32: ("Flaxseed", (126, 153, 255)),
    33: ("Safflower", (214, 214, 0)),
    34: ("Rape Seed", (209, 255, 0)),
    35: ("Mustard", (0, 175, 75)),
    36: ("Alfalfa", (255, 165, 226)),
    37: ("Other Hay/Non Alfalfa", (165, 242, 140)),
    38: ("Camelina", (0, 175, 75)),
    39: ("Buckwheat", (214, 158, 188)),
    41: ("Sugarbeets", (168, 0, 228)),
    42: ("Dry Beans", (165, 0, 0)),
    43: ("Potatoes", (112, 38, 0)),
    44: ("Other Crops", (0, 175, 75)),
    45: ("Sugarcane", (177, 126, 255)),
    46: ("Sweet Potatoes", (112, 38, 0)),
    47: ("Misc Vegs & Fruits", (255, 102, 102)),
    48: ("Watermelons", (255, 102, 102)),
    49: ("Onions", (255, 204, 102)),
    50: ("Cucumbers", (255, 102, 102)),
    51: ("Chick Peas", (0, 175, 75)),
    52: ("Lentils", (0, 221, 175)),
    53: ("Peas", (84, 255, 0)),
    54: ("Tomatoes", (242, 163, 119)),
    55: ("Caneberries", (255, 102, 102)),
    56: ("Hops", (0, 175, 75)),
    57: ("Herbs", (126, 211, 255)),
    58: ("Clover/Wildflowers", (232, 191, 255)),
    59: ("Sod/Grass Seed", (175, 255, 221)),
    60: ("Switchgrass", (0, 175, 75)),
    61: ("Fallow/Idle Cropland", (191, 191, 119)),
    63: ("Forest", (147, 204, 147)),
    64: ("Shrubland", (198, 214, 158)),
    65: ("Barren", (204, 191, 163)),
    66: ("Cherries", (255, 0, 255)),
    67: ("Peaches", (255, 142, 170)),
    68: ("Apples", (186, 0, 79)),
    69: ("Grapes", (112, 68, 137)),
    70: ("Christmas Trees", (0, 119, 119)),
    71: ("Other Tree Crops", (177, 154, 112)),
    72: ("Citrus", (255, 255, 126)),
    74: ("Pecans", (181, 112, 91)),
    75: ("Almonds", (0, 165, 130)),
    76: ("Walnuts", (233, 214, 175)),
    77: ("Pears", (177, 154, 112)),
    81: ("Clouds/No Data", (242, 242, 242)),
    82: ("Developed", (154, 154, 154)),
    83: ("Water", (75, 112, 163)),
    87: ("Wetlands", (126, 177, 177)),
    88: ("Nonag/Undefined", (232, 255, 191)),
    92: ("Aquaculture", (0, 255, 255)),
    111: ("Open Water", (75, 112, 163)),
    112: ("Perennial Ice/Snow", (211, 226, 249)),
    121: ("Developed/Open Space", (154, 154, 154)),
    122: ("Developed/Low Intensity", (154, 154, 154)),
    123: ("Developed/Med Intensity", (154, 154, 154)),
    124: ("Developed/High Intensity", (154, 154, 154)),
    131: ("Barren", (204, 191, 163)),
    141: ("Deciduous Forest", (147, 204, 147)),
    142: ("Evergreen Forest", (147, 204, 147)),
    143: ("Mixed Forest", (147, 204, 147)),
    152: ("Shrubland", (198, 214, 158)),
    176: ("Grassland/Pasture", (232, 255, 191)),
    190: ("Woody Wetlands", (126, 177, 177)),
    195: ("Herbaceous Wetlands", (126, 177, 177)),
    204: ("Pistachios", (0, 255, 140)),
    205: ("Triticale", (214, 158, 188)),
    206: ("Carrots", (255, 102, 102)),
    207: ("Asparagus", (255, 102, 102)),
    208: ("Garlic", (255, 102, 102)),
    209: ("Cantaloupes", (255, 102, 102)),
    210: ("Prunes", (255, 142, 170)),
    211: ("Olives", (51, 73, 51)),
    212: ("Oranges", (228, 112, 38)),
    213: ("Honeydew Melons", (255, 102, 102)),
    214: ("Broccoli", (255, 102, 102)),
    215: ("Avocados", (102, 153, 76)),
    216: ("Peppers", (255, 102, 102)),
    217: ("Pomegranates", (177, 154, 112)),
    218: ("Nectarines", (255, 142, 170)),
    219: ("Greens", (255, 102, 102)),
    220: ("Plums", (255, 142, 170)),
    221: ("Strawberries", (255, 102, 102)),
    222: ("Squash", (255, 102, 102)),
    223: ("Apricots", (255, 142, 170)),
    224: ("Vetch", (0, 175, 75)),
    225: ("Dbl Crop WinWht/Corn", (255, 211, 0)),
    226: ("Dbl Crop Oats/Corn", (255, 211, 0)),
    227: ("Lettuce", (255, 102, 102)),
    228: ("Dbl Crop Triticale/Corn", (255, 210, 0)),
    229: ("Pumpkins", (255, 102, 102)),
    230: ("Dbl Crop Lettuce/Durum Wht", (137, 98, 84)),
    231: ("Dbl Crop Lettuce/Cantaloupe", (255, 102, 102)),
    232: ("Dbl Crop Lettuce/Cotton", (255, 38, 38)),
    233: ("Dbl Crop Lettuce/Barley", (226, 0, 124)),
    234: ("Dbl Crop Durum Wht/Sorghum", (255, 158, 11)),
    235: ("Dbl Crop Barley/Sorghum", (255, 158, 11)),
    236: ("Dbl Crop WinWht/Sorghum", (165, 112, 0)),
    237: ("Dbl Crop Barley/Corn", (255, 211, 0)),
    238: ("Dbl Crop WinWht/Cotton", (165, 112, 0)),
    239: ("Dbl Crop Soybeans/Cotton", (38, 112, 0)),
    240: ("Dbl Crop Soybeans/Oats", (38, 112, 0)),
    241: ("Dbl Crop Corn/Soybeans", (255, 211, 0)),
    242: ("Blueberries", (0, 0, 153)),
    243: ("Cabbage", (255, 102, 102)),
    244: ("Cauliflower", (255, 102, 102)),
    245: ("Celery", (255, 102, 102)),
    246: ("Radishes", (255, 102, 102)),
    247: ("Turnips", (255, 102, 102)),
    248: ("Eggplants", (255, 102, 102)),
    249: ("Gourds", (255, 102, 102)),
    250: ("Cranberries", (255, 102, 102)),
    254: ("Dbl Crop Barley/Soybeans", (38, 112, 0)),
}


class CDL(YearlyLandCover):
    """Cropland Data Layer: one 30 m GeoTIFF per year in EPSG:5070 (CONUS Albers), 2008 onwards.

    Each year is published by USDA NASS as ``{year}_30m_cdls.zip`` holding
    ``{year}_30m_cdls.tif``; the legend has 133 crop and land-cover classes
    plus background (0). Pass ``classes=[1, 5, 24]`` to keep corn, soybeans
    and winter wheat as labels 1, 2, 3 and map everything else to 0.

    Source: https://www.nass.usda.gov/Research_and_Science/Cropland/Release/index.php
    """

    filename_glob = "*_30m_cdls.tif"
    filename_regex = r"^(?P<date>\d{4})_30m_cdls\.tif$"
    date_format = "%Y"
    year_glob = "{year}_30m_cdls.tif"
    archive = "{year}_30m_cdls.zip"
    url = "https://www.nass.usda.gov/Research_and_Science/Cropland/Release/datasets/{year}_30m_cdls.zip"
    md5s: ClassVar[dict[int, str]] = {
        2024: "841cd0cb8d4a9129cb1e4cfa0e40c286",
        2023: "8c7685d6278d50c554f934b16a6076b7",
        2022: "754cf50670cdfee511937554785de3e6",
        2021: "27606eab08fe975aa138baad3e5dfcd8",
        2020: "483ee48c503aa81b684225179b402d42",
        2019: "a5168a2fc93acbeaa93e24eee3d8c696",
        2018: "4ad0d7802a9bb751685eb239b0fa8609",
        2017: "d173f942a70f94622f9b8290e7548684",
        2016: "fddc5dff0bccc617d70a12864c993e51",
        2015: "2e92038ab62ba75e1687f60eecbdd055",
        2014: "50bdf9da84ebd0457ddd9e0bf9bbcc1f",
        2013: "7be66c650416dc7c4a945dd7fd93c5b7",
        2012: "286504ff0512e9fe1a1975c635a1bec2",
        2011: "517bad1a99beec45d90abb651fb1f0e3",
        2010: "98d354c5a62c9e3e40ccadce265c721c",
        2009: "663c8a5fdd92ebfc0d6bee008586d19a",
        2008: "0610f2f17ab60a9fbb3baeb7543993a4",
    }
    default_years = (2023,)
    class_names: ClassVar[dict[int, str]] = {value: name for value, (name, _) in LEGEND.items()}
    cmap: ClassVar[dict[int, RGBA]] = {
        value: (*rgb, 255 if value else 0) for value, (_, rgb) in LEGEND.items()
    }
