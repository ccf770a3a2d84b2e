"""GeoTorch datamodules: Lightning datamodules that sample geospatial datasets and augment batches."""

from geotorch.datamodules.base import BaseDataModule
from geotorch.datamodules.demo import DemoDataModule
from geotorch.datamodules.geo import GeoDataModule, spatial_split

__all__ = ["BaseDataModule", "DemoDataModule", "GeoDataModule", "spatial_split"]
