"""GeoTorch datasets: geospatial products and benchmarks, plus the core base classes and collate functions."""

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
from geotorch.datasets.demo import DemoImagery, DemoLandCover

__all__ = [
    "BoundingBox",
    "DatasetNotFoundError",
    "DemoImagery",
    "DemoLandCover",
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
]
