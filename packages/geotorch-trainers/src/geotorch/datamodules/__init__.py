"""GeoTorch datamodules: Lightning datamodules that sample geospatial datasets and augment batches."""

from geotorch.datamodules.base import BaseDataModule
from geotorch.datamodules.change import LEVIRCDDataModule, OSCDDataModule
from geotorch.datamodules.classification import (
    BigEarthNetDataModule,
    EuroSAT100DataModule,
    EuroSATDataModule,
    EuroSATSpatialDataModule,
    PatternNetDataModule,
    RESISC45DataModule,
    So2SatDataModule,
    UCMercedDataModule,
)
from geotorch.datamodules.demo import DemoDataModule
from geotorch.datamodules.detection import NonGeoDetectionDataModule, VHR10DataModule
from geotorch.datamodules.geo import GeoDataModule, spatial_split
from geotorch.datamodules.geospatial import (
    ImageLabelDataModule,
    NAIPChesapeakeDataModule,
    Sentinel2CDLDataModule,
    Sentinel2Esri2020DataModule,
    Sentinel2EuroCropsDataModule,
    Sentinel2NLCDDataModule,
)
from geotorch.datamodules.nongeo import NonGeoDataModule
from geotorch.datamodules.segmentation import (
    DeepGlobeLandCoverDataModule,
    ETCI2021DataModule,
    InriaAerialImageLabelingDataModule,
    LandCoverAIDataModule,
    LoveDADataModule,
)

__all__ = [
    "BaseDataModule",
    "BigEarthNetDataModule",
    "DeepGlobeLandCoverDataModule",
    "DemoDataModule",
    "ETCI2021DataModule",
    "EuroSAT100DataModule",
    "EuroSATDataModule",
    "EuroSATSpatialDataModule",
    "GeoDataModule",
    "ImageLabelDataModule",
    "InriaAerialImageLabelingDataModule",
    "LEVIRCDDataModule",
    "LandCoverAIDataModule",
    "LoveDADataModule",
    "NAIPChesapeakeDataModule",
    "NonGeoDataModule",
    "NonGeoDetectionDataModule",
    "OSCDDataModule",
    "PatternNetDataModule",
    "RESISC45DataModule",
    "Sentinel2CDLDataModule",
    "Sentinel2Esri2020DataModule",
    "Sentinel2EuroCropsDataModule",
    "Sentinel2NLCDDataModule",
    "So2SatDataModule",
    "UCMercedDataModule",
    "VHR10DataModule",
    "spatial_split",
]
