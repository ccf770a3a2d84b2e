"""Fake data for the tutorial walks: single-band Sentinel-2 files as the Planetary Computer serves them."""

from __future__ import annotations

from pathlib import Path

from tests.datasets.fakes.geo import covering_grid, reflectance, stripes, write_raster

#: The 10 m bands the custom raster dataset tutorial downloads per scene.
S2_10M_BANDS = ("B02", "B03", "B04", "B08")


def write_s2_band_files(root: Path, tile: str, sensed: str, left: float, top: float, size: int = 64) -> list[Path]:
    """Write ``T{tile}_{sensed}_{band}_10m.tif`` (uint16, 10 m, UTM 40N) for each 10 m band, one file per band."""
    return [
        write_raster(
            root / f"T{tile}_{sensed}_{band}_10m.tif", reflectance((size, size), number), 32640, left, top, 10.0
        )
        for number, band in enumerate(S2_10M_BANDS)
    ]


def write_chesapeake_under(folder: Path, raster: Path, state: str = "de", year: int = 2013) -> Path:
    """Write ``{state}_lulc_{year}_2022-Edition.tif`` (LULC codes, 1 m, EPSG:5070) covering ``raster``'s footprint."""
    import rasterio
    from rasterio.warp import transform_bounds

    with rasterio.open(raster) as source:
        lonlat = transform_bounds(source.crs, "EPSG:4326", *source.bounds)
    left, top, height, width = covering_grid(lonlat, 5070, 1.0)
    return write_raster(
        folder / f"{state}_lulc_{year}_2022-Edition.tif",
        stripes((height, width), (11, 41, 54)),
        5070,
        left,
        top,
        1.0,
        nodata=0,
    )
