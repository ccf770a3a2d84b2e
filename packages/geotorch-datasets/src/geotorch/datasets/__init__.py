"""GeoTorch datasets: geospatial products and benchmarks, plus the core base classes and collate functions.

Dataset classes are imported on first use (``from geotorch.datasets import EuroSAT`` imports only
the EuroSAT module), so importing this package stays fast however many datasets it holds.
"""

import importlib
from typing import Any

from geotorch.core import (
    BoundingBox,
    DatasetNotFoundError,
    GeoDataset,
    IntersectionDataset,
    NonGeoDataset,
    RasterDataset,
    UnionDataset,
    VectorDataset,
    concat_samples,
    merge_samples,
    stack_samples,
    unbind_samples,
)
from geotorch.datasets.catalog import ENTRIES

_LAZY = {target.rpartition(":")[2]: target.partition(":")[0] for target, _ in ENTRIES}


def __getattr__(name: str) -> Any:
    """Import a dataset class the first time it is asked for."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'geotorch.datasets' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "BoundingBox",
    "DatasetNotFoundError",
    "GeoDataset",
    "IntersectionDataset",
    "NonGeoDataset",
    "RasterDataset",
    "UnionDataset",
    "VectorDataset",
    "concat_samples",
    "merge_samples",
    "stack_samples",
    "unbind_samples",
    *sorted(_LAZY),
]
