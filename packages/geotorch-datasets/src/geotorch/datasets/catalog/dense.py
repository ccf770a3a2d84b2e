"""Catalog entries of the dense datasets: metadata by class name."""

from typing import Any

DATASETS: dict[str, dict[str, Any]] = {
    "LoveDA": {"task": "segmentation", "geospatial": False, "license": "CC-BY-NC-SA-4.0", "downloadable": True},
    "LandCoverAI": {"task": "segmentation", "geospatial": False, "license": "CC-BY-NC-SA-4.0", "downloadable": True},
    "InriaAerialImageLabeling": {
        "task": "segmentation",
        "geospatial": False,
        "license": "the publisher's terms (registration)",
        "downloadable": False,
    },
    "DeepGlobeLandCover": {
        "task": "segmentation",
        "geospatial": False,
        "license": "the challenge's terms (Kaggle account)",
        "downloadable": False,
    },
    "ETCI2021": {
        "task": "segmentation",
        "geospatial": False,
        "license": "the competition's terms",
        "downloadable": True,
    },
    "LEVIRCD": {
        "task": "change detection",
        "geospatial": False,
        "license": "the publisher's terms (academic use)",
        "downloadable": True,
    },
    "PASTIS": {"task": "time-series segmentation", "geospatial": False, "license": "CC-BY-4.0",
               "downloadable": True},
    "PASTIS100": {"task": "time-series segmentation", "geospatial": False, "license": "CC-BY-4.0",
                  "downloadable": True},
    "OSCD": {"task": "change detection", "geospatial": False, "license": "the publisher's terms", "downloadable": True},
    "VHR10": {
        "task": "object detection",
        "geospatial": False,
        "license": "the publisher's terms (research use)",
        "downloadable": True,
    },
}
