"""GeoTorch datamodules: Lightning datamodules that sample geospatial datasets and augment batches."""

from geotorch.datamodules.base import BaseDataModule
from geotorch.datamodules.change import LEVIRCDDataModule, OSCDDataModule
from geotorch.datamodules.classification import (
    BigEarthNetDataModule,
    EuroSAT100DataModule,
    EuroSATDataModule,
    EuroSATSpatialDataModule,
    RESISC45DataModule,
    So2SatDataModule,
    UCMercedDataModule,
)
from geotorch.datamodules.demo import DemoDataModule
from geotorch.datamodules.detection import NonGeoDetectionDataModule, VHR10DataModule
from geotorch.datamodules.geo import GeoDataModule, spatial_split
from geotorch.datamodules.nongeo import NonGeoDataModule
from geotorch.datamodules.segmentation import (
    InriaAerialImageLabelingDataModule,
    LandCoverAIDataModule,
    LoveDADataModule,
)

__all__ = [
    "BaseDataModule",
    "BigEarthNetDataModule",
    "DemoDataModule",
    "EuroSAT100DataModule",
    "EuroSATDataModule",
    "EuroSATSpatialDataModule",
    "GeoDataModule",
    "InriaAerialImageLabelingDataModule",
    "LEVIRCDDataModule",
    "LandCoverAIDataModule",
    "LoveDADataModule",
    "NonGeoDataModule",
    "NonGeoDetectionDataModule",
    "OSCDDataModule",
    "RESISC45DataModule",
    "So2SatDataModule",
    "UCMercedDataModule",
    "VHR10DataModule",
    "spatial_split",
]
