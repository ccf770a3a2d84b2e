"""Catalog entries of the classification datasets: `("geotorch.datasets.module:Class", metadata)` pairs."""

from typing import Any

_SCENES = {"task": "classification", "geospatial": False, "downloadable": True}

ENTRIES: list[tuple[str, dict[str, Any]]] = [
    ("geotorch.datasets.eurosat:EuroSAT", {**_SCENES, "license": "MIT", "size": "2.0 GB"}),
    ("geotorch.datasets.eurosat:EuroSATSpatial", {**_SCENES, "license": "MIT", "size": "2.0 GB"}),
    ("geotorch.datasets.eurosat:EuroSAT100", {**_SCENES, "license": "MIT"}),
    ("geotorch.datasets.ucmerced:UCMerced", {**_SCENES, "license": "unspecified (USGS National Map imagery)",
                                            "size": "332 MB"}),
    ("geotorch.datasets.resisc45:RESISC45", {**_SCENES, "license": "CC-BY-NC-4.0", "size": "427 MB"}),
    ("geotorch.datasets.patternnet:PatternNet", {**_SCENES, "license": "for research purposes (publisher's words)",
                                                "size": "1.4 GB"}),
    ("geotorch.datasets.so2sat:So2Sat", {"task": "classification", "geospatial": False, "downloadable": False,
                                        "license": "CC-BY-4.0"}),
    ("geotorch.datasets.bigearthnet:BigEarthNet", {"task": "multilabel classification", "geospatial": False,
                                                  "downloadable": True, "license": "CDLA-Permissive-1.0"}),
]
