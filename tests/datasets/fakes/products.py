"""Fake geospatial products in their real layouts, shared by the product and conformance tests.

Land cover (Esri 2020 tiles, NLCD and CDL years, Chesapeake 7-class), EuroCrops country shapefiles, Canadian
Building Footprints provinces, elevation tiles (EU-DEM, ASTER GDEM), NAIP quarter quads, Sentinel-1 RTC products.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tests.datasets.fakes.geo import reflectance, square, stripes, write_geojson, write_raster, write_shapefile


def write_esri2020_tile(folder: Path, tile: str = "52J", epsg: int = 32752) -> Path:
    """Write ``{tile}_20200101-20210101.tif`` (uint8 classes 1-10, 10 m, in the tile's UTM zone)."""
    path = folder / f"{tile}_20200101-20210101.tif"
    return write_raster(path, stripes((32, 32), tuple(range(1, 11))), epsg, 500000.0, 7000000.0, 10.0, nodata=0)


#: EuroCrops' ``HCAT2.csv``: wheat and winter soft wheat below it, maize, and the arable crops above them.
EUROCROPS_HCAT = (
    "HCAT2_name,HCAT2_code\nwheat,3301010100\nwinter_common_soft_wheat,3301010101\n"
    "maize,3301010600\narable_crops,3301000000\n"
)
#: Winter soft wheat, maize, and a code outside the arable branch.
EUROCROPS_PARCELS = ("3301010101", "3301010600", "3302000000")


def write_eurocrops_country(folder: Path, stem: str = "AT_2021_EC21", lon: float = 14.0) -> Path:
    """Write ``{stem}.shp`` with three 0.001-degree parcels in a row near ``(lon, 48)``, plus ``HCAT2.csv``."""
    (folder / "HCAT2.csv").parent.mkdir(parents=True, exist_ok=True)
    (folder / "HCAT2.csv").write_text(EUROCROPS_HCAT)
    parcels = [square(lon + 0.001 * number, 48.0, 0.001) for number in range(3)]
    return write_shapefile(folder / stem / f"{stem}.shp", parcels, "EC_hcat_c", EUROCROPS_PARCELS)


#: Raw NLCD classes of the fake year, in stripes (250 is no data).
NLCD_VALUES = (11, 41, 82, 250)


def write_nlcd_year(folder: Path, year: int) -> Path:
    """Write ``Annual_NLCD_LndCov_{year}_CU_C1V1.tif`` (uint8 in EPSG:5070, 30 m, 250 = no data)."""
    path = folder / f"Annual_NLCD_LndCov_{year}_CU_C1V1.tif"
    return write_raster(path, stripes((32, 32), NLCD_VALUES), 5070, 1500000.0, 2000000.0, 30.0, nodata=250)


#: Raw CDL classes of the fake year, in stripes.
CDL_VALUES = (1, 5, 24, 111, 176)


def write_cdl_year(folder: Path, year: int, size: int = 32, left: float = 700000.0, top: float = 2000000.0) -> Path:
    """Write ``{year}_30m_cdls.tif`` (uint8 classes in EPSG:5070, 30 m) into ``folder``."""
    path = folder / f"{year}_30m_cdls.tif"
    return write_raster(path, stripes((size, size), CDL_VALUES), 5070, left, top, 30.0, nodata=0)


def write_baywide(folder: Path) -> Path:
    """Write Chesapeake's ``Baywide_7class_20132014.tif`` (uint8 classes 0-7, 1 m, EPSG:5070)."""
    data = stripes((32, 32), (1, 2, 3, 4, 5, 6, 7))
    return write_raster(folder / "Baywide_7class_20132014.tif", data, 5070, 1600000.0, 2000000.0, 1.0, nodata=0)


def write_cbf_province(folder: Path, name: str, lon: float) -> Path:
    """Write Canadian Building Footprints' ``{name}.geojson``: three 0.0001-degree buildings near ``(lon, 53)``."""
    buildings = [square(lon + 0.0003 * number, 53.0, 0.0001) for number in range(3)]
    return write_geojson(folder / f"{name}.geojson", buildings, [{"release": 2}] * 3)


def terrain(size: int = 32) -> np.ndarray:
    """A float32 slope from 100 m to about 400 m."""
    rows, cols = np.mgrid[0:size, 0:size]
    elevation: np.ndarray = (100.0 + 5.0 * rows + 4.0 * cols).astype("float32")
    return elevation


def write_eudem_tile(folder: Path, tile: str = "E40N20") -> Path:
    """Write ``eu_dem_v11_{tile}.TIF`` (float32, 25 m, EPSG:3035)."""
    return write_raster(folder / f"eu_dem_v11_{tile}.TIF", terrain(), 3035, 4000000.0, 3000000.0, 25.0, nodata=-3.4e38)


def write_aster_tile(folder: Path, tile: str = "N32W119") -> Path:
    """Write ``ASTGTMV003_{tile}_dem.tif`` (int16, 1 arc-second, EPSG:4326) and its ``_num.tif`` companion."""
    lat, lon = int(tile[1:3]), -int(tile[4:7])
    write_raster(folder / f"ASTGTMV003_{tile}_num.tif", np.ones((32, 32), "int16"), 4326, lon, lat + 1, 1 / 3600)
    return write_raster(folder / f"ASTGTMV003_{tile}_dem.tif", terrain().astype("int16"), 4326, lon, lat + 1,
                        1 / 3600)


def write_naip_quad(folder: Path, name: str = "m_3807511_ne_18_060_20181104.tif") -> Path:
    """Write a 4-band uint8 NAIP quarter quad (R, G, B, NIR) at 0.6 m in EPSG:26918."""
    data = np.stack([reflectance((32, 32), band, dtype="uint16") // 100 for band in range(4)]).astype("uint8")
    return write_raster(folder / name, data, 26918, 300000.0, 4300000.0, 0.6)


#: An ASF HyP3 RTC product name (dual polarization VV + VH).
SENTINEL1_PRODUCT = "S1A_IW_20221204T161230_DVP_RTC30_G_gpuned_1AE1"


def write_sentinel1_rtc(root: Path, product: str = SENTINEL1_PRODUCT, bands: tuple[str, ...] = ("VV", "VH")) -> Path:
    """Write an RTC product folder with one float32 power GeoTIFF per polarization (30 m, EPSG:32618)."""
    rng = np.random.default_rng(0)
    for band in bands:
        data = rng.uniform(0.01, 0.5, size=(24, 24)).astype("float32")
        write_raster(root / product / f"{product}_{band}.tif", data, 32618, 400000.0, 4500000.0, 30.0, nodata=0)
    (root / product / f"{product}_ls_map.tif").write_bytes(b"")
    return root / product


#: LULC codes of the fake Chesapeake 2022 Edition rasters, in stripes (water, impervious, tree canopy, crops, ...).
CHESAPEAKE_LULC_VALUES = (11, 21, 41, 54, 95)


def write_chesapeake_lulc(folder: Path, state: str = "de", year: int = 2013) -> Path:
    """Write ``{state}_lulc_{year}_2022-Edition.tif`` (uint8 LULC codes, 1 m, EPSG:5070)."""
    data = stripes((32, 32), CHESAPEAKE_LULC_VALUES)
    return write_raster(folder / f"{state}_lulc_{year}_2022-Edition.tif", data, 5070, 1700000.0, 1900000.0, 1.0,
                        nodata=0)
