"""Catalog entries of the dense datasets: `("geotorch.datasets.module:Class", metadata)` pairs."""

from typing import Any

ENTRIES: list[tuple[str, dict[str, Any]]] = [
    ("geotorch.datasets.loveda:LoveDA",
     {"task": "segmentation", "geospatial": False, "license": "CC-BY-NC-SA-4.0",
      "downloadable": True}),
    ("geotorch.datasets.landcoverai:LandCoverAI",
     {"task": "segmentation", "geospatial": False, "license": "CC-BY-NC-SA-4.0", "downloadable": True}),
]
