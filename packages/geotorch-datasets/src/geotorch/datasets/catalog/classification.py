"""Catalog entries of the classification datasets: metadata by class name."""

from typing import Any

_SCENES = {"task": "classification", "geospatial": False, "downloadable": True}

DATASETS: dict[str, dict[str, Any]] = {
    "EuroSAT": {**_SCENES, "license": "MIT", "size": "2.0 GB"},
    "EuroSATSpatial": {**_SCENES, "license": "MIT", "size": "2.0 GB"},
    "EuroSAT100": {**_SCENES, "license": "MIT"},
    "UCMerced": {**_SCENES, "license": "unspecified (USGS National Map imagery)", "size": "332 MB"},
    "RESISC45": {**_SCENES, "license": "CC-BY-NC-4.0", "size": "427 MB"},
    "PatternNet": {**_SCENES, "license": "for research purposes (publisher's words)", "size": "1.4 GB"},
    "So2Sat": {"task": "classification", "geospatial": False, "downloadable": False, "license": "CC-BY-4.0"},
    "BigEarthNet": {
        "task": "multilabel classification",
        "geospatial": False,
        "downloadable": True,
        "license": "CDLA-Permissive-1.0",
    },
}
