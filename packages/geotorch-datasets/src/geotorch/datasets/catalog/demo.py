"""Catalog entries of the generated demo area."""

from typing import Any

DATASETS: dict[str, dict[str, Any]] = {
    "DemoImagery": {"task": "segmentation", "geospatial": True, "license": "CC0-1.0", "size": "7 MB (generated)"},
    "DemoLandCover": {"task": "segmentation", "geospatial": True, "license": "CC0-1.0", "size": "7 MB (generated)"},
}
