"""Catalog entries of the geospatial datasets: metadata by class name."""

from typing import Any

_LANDSAT: dict[str, Any] = {
    "task": "imagery",
    "geospatial": True,
    "license": "public domain (USGS)",
    "downloadable": False,
}

#: The Chesapeake Bay LULC Database 2022 Edition, one dataset per state.
_CHESAPEAKE_LULC: dict[str, Any] = {
    "task": "land cover",
    "geospatial": True,
    "license": "public domain (USGS data release)",
    "downloadable": True,
}

DATASETS: dict[str, dict[str, Any]] = {
    **dict.fromkeys(
        (
            "Landsat1",
            "Landsat2",
            "Landsat3",
            "Landsat4MSS",
            "Landsat4TM",
            "Landsat5MSS",
            "Landsat5TM",
            "Landsat7",
            "Landsat8",
            "Landsat9",
        ),
        _LANDSAT,
    ),
    "CDL": {"task": "crop types", "geospatial": True, "license": "public domain (USDA NASS)", "downloadable": True},
    "Sentinel2": {
        "task": "imagery",
        "geospatial": True,
        "license": "Copernicus Sentinel data terms (free, attribution)",
        "downloadable": False,
    },
    "Sentinel1": {
        "task": "imagery",
        "geospatial": True,
        "license": "Copernicus Sentinel data terms (free, attribution)",
        "downloadable": False,
    },
    "NLCD": {"task": "land cover", "geospatial": True, "license": "public domain (USGS)", "downloadable": True},
    "NAIP": {"task": "imagery", "geospatial": True, "license": "public domain (USDA)", "downloadable": False},
    "Chesapeake7": {
        "task": "land cover",
        "geospatial": True,
        "license": "Chesapeake Conservancy terms (free use, attribution)",
        "downloadable": True,
    },
    **dict.fromkeys(("ChesapeakeDC", "ChesapeakeDE", "ChesapeakeMD", "ChesapeakeNY"), _CHESAPEAKE_LULC),
    **dict.fromkeys(("ChesapeakePA", "ChesapeakeVA", "ChesapeakeWV"), _CHESAPEAKE_LULC),
    "Esri2020": {"task": "land cover", "geospatial": True, "license": "CC-BY-4.0", "downloadable": True},
    "EUDEM": {
        "task": "elevation",
        "geospatial": True,
        "license": "Copernicus Land Monitoring Service data policy",
        "downloadable": False,
    },
    "AsterGDEM": {
        "task": "elevation",
        "geospatial": True,
        "license": "NASA/METI, free with attribution",
        "downloadable": False,
    },
    "CanadianBuildingFootprints": {
        "task": "building footprints",
        "geospatial": True,
        "license": "ODbL-1.0",
        "downloadable": True,
    },
    "EuroCrops": {"task": "crop types", "geospatial": True, "license": "CC-BY-4.0", "downloadable": True},
    # Any STAC catalogue's items, from a STAC GeoParquet table (no root: index_path and asset_keys).
    "STACDataset": {
        "task": "imagery",
        "geospatial": True,
        "license": "that of the catalogued data",
        "downloadable": False,
    },
}
