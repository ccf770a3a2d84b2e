"""GeoTorch samplers: where to read patches of a GeoDataset, and how to split one into train/val/test views."""

from geotorch.samplers.batch import BatchGeoSampler, RandomBatchGeoSampler
from geotorch.samplers.constants import Units
from geotorch.samplers.single import GeoSampler, GridGeoSampler, PreChippedGeoSampler, RandomGeoSampler
from geotorch.samplers.splits import (
    random_bbox_assignment,
    random_bbox_splitting,
    random_grid_cell_assignment,
    roi_split,
    time_series_split,
)
from geotorch.samplers.utils import get_random_bounding_box, tile_to_chips

__all__ = [
    "BatchGeoSampler",
    "GeoSampler",
    "GridGeoSampler",
    "PreChippedGeoSampler",
    "RandomBatchGeoSampler",
    "RandomGeoSampler",
    "Units",
    "get_random_bounding_box",
    "random_bbox_assignment",
    "random_bbox_splitting",
    "random_grid_cell_assignment",
    "roi_split",
    "tile_to_chips",
    "time_series_split",
]
