"""Catalog entries of the classification datasets: `("geotorch.datasets.module:Class", metadata)` pairs."""

from typing import Any

_SCENES = {"task": "classification", "geospatial": False, "downloadable": True}

ENTRIES: list[tuple[str, dict[str, Any]]] = [
    ("geotorch.datasets.eurosat:EuroSAT", {**_SCENES, "license": "MIT", "size": "2.0 GB"}),
    ("geotorch.datasets.eurosat:EuroSATSpatial", {**_SCENES, "license": "MIT", "size": "2.0 GB"}),
    ("geotorch.datasets.eurosat:EuroSAT100", {**_SCENES, "license": "MIT"}),
]
