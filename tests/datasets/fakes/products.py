"""Fake geospatial products in their real layouts: Esri 2020 land-cover tiles, EuroCrops country shapefiles."""

from __future__ import annotations

from pathlib import Path

from tests.datasets.fakes.geo import square, stripes, write_raster, write_shapefile


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
