"""Annual National Land Cover Database (NLCD): USGS/MRLC yearly 30 m land cover of the conterminous United States."""

from __future__ import annotations

from typing import ClassVar

from geotorch.datasets.land_cover import RGBA, YearlyLandCover

#: Raw value: (name, RGBA colour) of the NLCD legend (MRLC's colours); 250, no data, becomes background.
LEGEND: dict[int, tuple[str, RGBA]] = {
    0: ("Background", (0, 0, 0, 0)),
    11: ("Open Water", (70, 107, 159, 255)),
    12: ("Perennial Ice/Snow", (209, 222, 248, 255)),
    21: ("Developed, Open Space", (222, 197, 197, 255)),
    22: ("Developed, Low Intensity", (217, 146, 130, 255)),
    23: ("Developed, Medium Intensity", (235, 0, 0, 255)),
    24: ("Developed, High Intensity", (171, 0, 0, 255)),
    31: ("Barren Land (Rock/Sand/Clay)", (179, 172, 159, 255)),
    41: ("Deciduous Forest", (104, 171, 95, 255)),
    42: ("Evergreen Forest", (28, 95, 44, 255)),
    43: ("Mixed Forest", (181, 197, 143, 255)),
    52: ("Shrub/Scrub", (204, 184, 121, 255)),
    71: ("Grassland/Herbaceous", (223, 223, 194, 255)),
    81: ("Pasture/Hay", (220, 217, 57, 255)),
    82: ("Cultivated Crops", (171, 108, 40, 255)),
    90: ("Woody Wetlands", (184, 217, 235, 255)),
    95: ("Emergent Herbaceous Wetlands", (108, 159, 184, 255)),
}


class NLCD(YearlyLandCover):
    """Annual NLCD land cover (Collection 1 v1), one 30 m GeoTIFF per year in EPSG:5070, 1985-2024.

    Each year is published by MRLC as ``Annual_NLCD_LndCov_{year}_CU_C1V1.zip``
    holding ``Annual_NLCD_LndCov_{year}_CU_C1V1.tif``; 16 classes plus
    background. ``classes=[11, 41, 42]`` keeps water and forests as labels
    1, 2, 3.

    Source: https://www.usgs.gov/centers/eros/science/annual-national-land-cover-database
    """

    filename_glob = "Annual_NLCD_LndCov_*_CU_C1V1.tif"
    filename_regex = r"^Annual_NLCD_LndCov_(?P<date>\d{4})_CU_C1V1\.tif$"
    date_format = "%Y"
    year_glob = "Annual_NLCD_LndCov_{year}_CU_C1V1.tif"
    archive = "Annual_NLCD_LndCov_{year}_CU_C1V1.zip"
    url = "https://www.mrlc.gov/downloads/sciweb1/shared/mrlc/data-bundles/Annual_NLCD_LndCov_{year}_CU_C1V1.zip"
    md5s: ClassVar[dict[int, str]] = {
        1985: "f7f743f805ab7ae7936b0800ecbef7db", 1986: "d93907e9a5492eeffe7cbf6723ddcc44",
        1987: "b70033acf5db6e31b2a55d345e6aec5a", 1988: "9259716eb6271c23318175e0f9b2ff87",
        1989: "38d18b76359a920a5380bc95ae25fd5b", 1990: "73395f3d7eb407aa7174b2d8b0db3f15",
        1991: "b5f0b2b7e9a4df2aaf52613111a441f6", 1992: "8d7fe907c70ff272fcb5fc0ac8c73316",
        1993: "4418f8e4b01461491918575b1a460464", 1994: "2291e36a8cbe8d7196796e51ceb6cba4",
        1995: "482e2a5c5f8c2fd1640aff7b4e72b3f2", 1996: "e811f432d5313951b2d05cf1501e306b",
        1997: "2cab84eaafaea4772bbf826a530dd54e", 1998: "81ecc39e1bd449cd4d64e3c530f7786c",
        1999: "a08ef94f6a4e40c48ccec8f582200370", 2000: "57567a28b5f630aae56975f77f7d6dc1",
        2001: "ee2b75def58a680fc61a754833ef37c5", 2002: "a48508b6bc8baead07c6d7d63168c16a",
        2003: "445eb671d1073c44fe036931b7ab5243", 2004: "2cb5e27862f1ff338dd5fba0b04e8aa0",
        2005: "2e0649de53505720a28a662d5a936998", 2006: "59b7a8351d9653e81d14a7b74e8bc0c9",
        2007: "36ba9129c569efa83f32bedba7c4b99a", 2008: "c574c8ac75a8474d29313d421e4d0b5b",
        2009: "2e6573190078bd47153bf33014d0cbc1", 2010: "651107f0236d733e0ebd501862793370",
        2011: "55e95a40118c7c4509e4ab833aa35d80", 2012: "95e2e3276f5cddf30790a18547c981aa",
        2013: "e7ffdafbca94de9e2c3d6b160cdac2f4", 2014: "984e2fb078ae67bdfe4cf81700d36754",
        2015: "2d1b623da4b1a76c5163948b001d3c98", 2016: "6af6c05ddd87bd1cee7d49c4d08a6f61",
        2017: "46e12333ed2ab0170666344e9e6da406", 2018: "fbde066fdbc325de4157c53c2d294117",
        2019: "cb707a4cfec22c743338282b60d08f79", 2020: "986cb81ca0483d3ee52c4904682b2c4d",
        2021: "63b859744b5b12ffbd13b9896a587428", 2022: "68514fedcf928b44fc562d166d938f02",
        2023: "2ac10a23e6a1ccef47b2a8e15ec3ba3c", 2024: "3e0ded4eb7bb5d355743abe9552b3588",
    }
    default_years = (2024,)
    class_names: ClassVar[dict[int, str]] = {value: name for value, (name, _) in LEGEND.items()}
    cmap: ClassVar[dict[int, RGBA]] = {value: color for value, (_, color) in LEGEND.items()}
