"""The module the ``geotorch`` entry point names: the dataset and the datamodule, registered by import path."""

from __future__ import annotations

from geotorch.core import Register, hookimpl


@hookimpl
def register_datasets(register: Register) -> None:
    """Register MercedLandUse; its module (rasterio, torch) is imported only when it is built."""
    register("geotorch_stranger_plugin.dataset:MercedLandUse", name="MercedLandUse", task="classification",
             geospatial=False, downloadable=True, license="unspecified (USGS National Map imagery)")


@hookimpl
def register_datamodules(register: Register) -> None:
    """Register MercedLandUseDataModule; Lightning is imported only when it is built."""
    register("geotorch_stranger_plugin.datamodule:MercedLandUseDataModule", name="MercedLandUseDataModule",
             dataset="MercedLandUse")
