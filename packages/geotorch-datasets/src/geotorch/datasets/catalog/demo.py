"""Catalog entries of the generated demo area."""

from typing import Any

ENTRIES: list[tuple[str, dict[str, Any]]] = [
    ("geotorch.datasets.demo:DemoImagery", {"task": "segmentation", "geospatial": True, "license": "CC0-1.0",
                                             "size": "7 MB (generated)"}),
    ("geotorch.datasets.demo:DemoLandCover", {"task": "segmentation", "geospatial": True, "license": "CC0-1.0",
                                               "size": "7 MB (generated)"}),
]
