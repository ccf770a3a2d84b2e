"""Catalog entries of the geospatial datasets: `("geotorch.datasets.module:Class", metadata)` pairs."""

from typing import Any

_LANDSAT: dict[str, Any] = {
    "task": "imagery", "geospatial": True, "license": "public domain (USGS)", "downloadable": False,
}

ENTRIES: list[tuple[str, dict[str, Any]]] = [
    *(
        (f"geotorch.datasets.landsat:{name}", _LANDSAT)
        for name in ("Landsat1", "Landsat2", "Landsat3", "Landsat4MSS", "Landsat4TM", "Landsat5MSS",
                     "Landsat5TM", "Landsat7", "Landsat8", "Landsat9")
    ),
    ("geotorch.datasets.cdl:CDL", {"task": "crop types", "geospatial": True, "license": "public domain (USDA NASS)",
                                   "downloadable": True}),
    ("geotorch.datasets.sentinel2:Sentinel2", {"task": "imagery", "geospatial": True,
                                               "license": "Copernicus Sentinel data terms (free, attribution)",
                                               "downloadable": False}),
    ("geotorch.datasets.sentinel1:Sentinel1", {"task": "imagery", "geospatial": True,
                                               "license": "Copernicus Sentinel data terms (free, attribution)",
                                               "downloadable": False}),
    ("geotorch.datasets.nlcd:NLCD", {"task": "land cover", "geospatial": True, "license": "public domain (USGS)",
                                     "downloadable": True}),
    ("geotorch.datasets.naip:NAIP", {"task": "imagery", "geospatial": True, "license": "public domain (USDA)",
                                     "downloadable": False}),
    ("geotorch.datasets.chesapeake:Chesapeake7", {"task": "land cover", "geospatial": True,
                                                  "license": "Chesapeake Conservancy terms (free use, attribution)",
                                                  "downloadable": True}),
    ("geotorch.datasets.esri2020:Esri2020", {"task": "land cover", "geospatial": True, "license": "CC-BY-4.0",
                                             "downloadable": True}),
    ("geotorch.datasets.elevation:EUDEM", {"task": "elevation", "geospatial": True,
                                           "license": "Copernicus Land Monitoring Service data policy",
                                           "downloadable": False}),
    ("geotorch.datasets.elevation:AsterGDEM", {"task": "elevation", "geospatial": True,
                                               "license": "NASA/METI, free with attribution", "downloadable": False}),
    ("geotorch.datasets.cbf:CanadianBuildingFootprints", {"task": "building footprints", "geospatial": True,
                                                          "license": "ODbL-1.0", "downloadable": True}),
    ("geotorch.datasets.eurocrops:EuroCrops", {"task": "crop types", "geospatial": True, "license": "CC-BY-4.0",
                                               "downloadable": True}),
]
