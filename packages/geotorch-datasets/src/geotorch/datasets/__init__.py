"""GeoTorch datasets: geospatial products and benchmarks, plus the core base classes and collate functions.

Dataset classes are imported on first use (``from geotorch.datasets import EuroSAT`` imports only
the EuroSAT module), so importing this package stays fast however many datasets it holds.
"""

import importlib
from typing import TYPE_CHECKING, Any

from geotorch.datasets.catalog import ENTRIES

if TYPE_CHECKING:
    from geotorch.core import BoundingBox as BoundingBox
    from geotorch.core import DatasetNotFoundError as DatasetNotFoundError
    from geotorch.core import GeoDataset as GeoDataset
    from geotorch.core import IntersectionDataset as IntersectionDataset
    from geotorch.core import NonGeoDataset as NonGeoDataset
    from geotorch.core import RasterDataset as RasterDataset
    from geotorch.core import UnionDataset as UnionDataset
    from geotorch.core import VectorDataset as VectorDataset
    from geotorch.core import concat_samples as concat_samples
    from geotorch.core import merge_samples as merge_samples
    from geotorch.core import stack_samples as stack_samples
    from geotorch.core import unbind_samples as unbind_samples

#: The core base classes and collate functions, re-exported for TorchGeo users' imports.
_CORE = (
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
)

_LAZY = {target.rpartition(":")[2]: target.partition(":")[0] for target, _ in ENTRIES}


def __getattr__(name: str) -> Any:
    """Import a dataset class (or a core name) the first time it is asked for."""
    module = "geotorch.core" if name in _CORE else _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'geotorch.datasets' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [*_CORE, *sorted(_LAZY)]
