"""GeoTorch core: the geospatial data model, collation, downloads and the plugin registry.

Names are imported on first use, so ``import geotorch.core`` (and every plugin that imports
``hookimpl`` from it) stays cheap: rasterio, pyogrio and shapely load only when a dataset needs them.
"""

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from geotorch.core.archive import extract_archive
    from geotorch.core.bbox import BoundingBox
    from geotorch.core.catalog import (
        get_datamodule,
        get_dataset,
        get_dataset_class,
        get_entry,
        get_model,
        get_task,
        get_weight,
        list_datamodules,
        list_datasets,
        list_models,
        list_tasks,
        list_weights,
    )
    from geotorch.core.collate import concat_samples, merge_samples, stack_samples, unbind_samples
    from geotorch.core.commands import CommandRegistrar
    from geotorch.core.composition import IntersectionDataset, UnionDataset
    from geotorch.core.download import (
        ChecksumError,
        DownloadError,
        check_integrity,
        download_and_extract_archive,
        download_url,
    )
    from geotorch.core.errors import DatasetNotFoundError, PluginError, RasterReadError
    from geotorch.core.geo import GeoDataset
    from geotorch.core.handles import set_max_open_files
    from geotorch.core.hookspecs import hookimpl
    from geotorch.core.nongeo import NonGeoDataset
    from geotorch.core.plugins import list_plugins, load_plugins
    from geotorch.core.raster import RasterDataset
    from geotorch.core.registry import Register
    from geotorch.core.resources import Resource, ensure_present
    from geotorch.core.vector import VectorDataset

#: public name -> the module of geotorch.core that defines it.
_EXPORTS = {
    "BoundingBox": "bbox",
    "ChecksumError": "download",
    "CommandRegistrar": "commands",
    "DatasetNotFoundError": "errors",
    "DownloadError": "download",
    "GeoDataset": "geo",
    "IntersectionDataset": "composition",
    "NonGeoDataset": "nongeo",
    "PluginError": "errors",
    "RasterDataset": "raster",
    "RasterReadError": "errors",
    "Register": "registry",
    "Resource": "resources",
    "UnionDataset": "composition",
    "VectorDataset": "vector",
    "check_integrity": "download",
    "concat_samples": "collate",
    "download_and_extract_archive": "download",
    "download_url": "download",
    "ensure_present": "resources",
    "extract_archive": "archive",
    "get_datamodule": "catalog",
    "get_dataset": "catalog",
    "get_dataset_class": "catalog",
    "get_entry": "catalog",
    "get_model": "catalog",
    "get_task": "catalog",
    "get_weight": "catalog",
    "hookimpl": "hookspecs",
    "list_datamodules": "catalog",
    "list_datasets": "catalog",
    "list_models": "catalog",
    "list_plugins": "plugins",
    "list_tasks": "catalog",
    "list_weights": "catalog",
    "load_plugins": "plugins",
    "merge_samples": "collate",
    "set_max_open_files": "handles",
    "stack_samples": "collate",
    "unbind_samples": "collate",
}


def __getattr__(name: str) -> Any:
    """Import a public name the first time it is asked for."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'geotorch.core' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"geotorch.core.{module}"), name)
    globals()[name] = value
    return value


__all__ = [
    "BoundingBox",
    "ChecksumError",
    "CommandRegistrar",
    "DatasetNotFoundError",
    "DownloadError",
    "GeoDataset",
    "IntersectionDataset",
    "NonGeoDataset",
    "PluginError",
    "RasterDataset",
    "RasterReadError",
    "Register",
    "Resource",
    "UnionDataset",
    "VectorDataset",
    "check_integrity",
    "concat_samples",
    "download_and_extract_archive",
    "download_url",
    "ensure_present",
    "extract_archive",
    "get_datamodule",
    "get_dataset",
    "get_dataset_class",
    "get_entry",
    "get_model",
    "get_task",
    "get_weight",
    "hookimpl",
    "list_datamodules",
    "list_datasets",
    "list_models",
    "list_plugins",
    "list_tasks",
    "list_weights",
    "load_plugins",
    "merge_samples",
    "set_max_open_files",
    "stack_samples",
    "unbind_samples",
]
