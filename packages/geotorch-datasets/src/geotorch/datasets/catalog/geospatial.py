"""Catalog entries of the geospatial datasets: `("geotorch.datasets.module:Class", metadata)` pairs."""

from typing import Any

_LANDSAT: dict[str, Any] = {
    "task": "imagery", "geospatial": True, "license": "public domain (USGS)", "downloadable": False,
}

ENTRIES: list[tuple[str, dict[str, Any]]] = [
    *(
        (f"geotorch.datasets.landsat:{name}", _LANDSAT)
        for name in ("Landsat", "Landsat1", "Landsat2", "Landsat3", "Landsat4MSS", "Landsat4TM", "Landsat5MSS",
                     "Landsat5TM", "Landsat7", "Landsat8", "Landsat9")
    ),
    ("geotorch.datasets.cdl:CDL", {"task": "crop types", "geospatial": True, "license": "public domain (USDA NASS)",
                                   "size": "about 2 GB per year", "downloadable": True}),
    ("geotorch.datasets.sentinel2:Sentinel2", {"task": "imagery", "geospatial": True,
                                               "license": "Copernicus Sentinel data terms (free, attribution)",
                                               "downloadable": False}),
    ("geotorch.datasets.sentinel1:Sentinel1", {"task": "imagery", "geospatial": True,
                                               "license": "Copernicus Sentinel data terms (free, attribution)",
                                               "downloadable": False}),
]
