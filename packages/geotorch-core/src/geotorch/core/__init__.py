"""GeoTorch core: the geospatial data model, collation, downloads and the plugin registry."""

from geotorch.core.archive import extract_archive
from geotorch.core.bbox import BoundingBox
from geotorch.core.catalog import (
    get_datamodule,
    get_dataset,
    get_dataset_class,
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
from geotorch.core.vector import VectorDataset

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
    "UnionDataset",
    "VectorDataset",
    "check_integrity",
    "concat_samples",
    "download_and_extract_archive",
    "download_url",
    "extract_archive",
    "get_datamodule",
    "get_dataset",
    "get_dataset_class",
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
