"""The geotorch-datasets plugin: registers its datasets by import path, imported only when built."""

from __future__ import annotations

from geotorch.core import hookimpl
from geotorch.core.registry import Register


@hookimpl
def register_datasets(register: Register) -> None:
    """Register the demo area's imagery and land cover."""
    for path in ("geotorch.datasets.demo:DemoImagery", "geotorch.datasets.demo:DemoLandCover"):
        register(path, task="segmentation", geospatial=True, license="CC0-1.0")
