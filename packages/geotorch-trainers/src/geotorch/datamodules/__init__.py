"""GeoTorch datamodules: Lightning datamodules that sample geospatial datasets and augment batches.

Names are imported on first use, so ``import geotorch.datamodules`` does not load Lightning; the
``if TYPE_CHECKING:`` imports below are the one list of public names (see :mod:`geotorch.core.exports`),
from which the plugin's registrations take their import paths.
"""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from geotorch.datamodules.base import BaseDataModule as BaseDataModule
    from geotorch.datamodules.change import LEVIRCDDataModule as LEVIRCDDataModule
    from geotorch.datamodules.change import OSCDDataModule as OSCDDataModule
    from geotorch.datamodules.classification import BigEarthNetDataModule as BigEarthNetDataModule
    from geotorch.datamodules.classification import EuroSAT100DataModule as EuroSAT100DataModule
    from geotorch.datamodules.classification import EuroSATDataModule as EuroSATDataModule
    from geotorch.datamodules.classification import EuroSATSpatialDataModule as EuroSATSpatialDataModule
    from geotorch.datamodules.classification import PatternNetDataModule as PatternNetDataModule
    from geotorch.datamodules.classification import RESISC45DataModule as RESISC45DataModule
    from geotorch.datamodules.classification import So2SatDataModule as So2SatDataModule
    from geotorch.datamodules.classification import UCMercedDataModule as UCMercedDataModule
    from geotorch.datamodules.demo import DemoDataModule as DemoDataModule
    from geotorch.datamodules.detection import NonGeoDetectionDataModule as NonGeoDetectionDataModule
    from geotorch.datamodules.detection import VHR10DataModule as VHR10DataModule
    from geotorch.datamodules.geo import GeoDataModule as GeoDataModule
    from geotorch.datamodules.geo import spatial_split as spatial_split
    from geotorch.datamodules.geospatial import ImageLabelDataModule as ImageLabelDataModule
    from geotorch.datamodules.geospatial import NAIPChesapeakeDataModule as NAIPChesapeakeDataModule
    from geotorch.datamodules.geospatial import Sentinel2CDLDataModule as Sentinel2CDLDataModule
    from geotorch.datamodules.geospatial import Sentinel2Esri2020DataModule as Sentinel2Esri2020DataModule
    from geotorch.datamodules.geospatial import Sentinel2EuroCropsDataModule as Sentinel2EuroCropsDataModule
    from geotorch.datamodules.geospatial import Sentinel2NLCDDataModule as Sentinel2NLCDDataModule
    from geotorch.datamodules.nongeo import NonGeoDataModule as NonGeoDataModule
    from geotorch.datamodules.pastis import PASTIS100DataModule as PASTIS100DataModule
    from geotorch.datamodules.pastis import PASTISDataModule as PASTISDataModule
    from geotorch.datamodules.pastis import pad_time_series as pad_time_series
    from geotorch.datamodules.segmentation import DeepGlobeLandCoverDataModule as DeepGlobeLandCoverDataModule
    from geotorch.datamodules.segmentation import ETCI2021DataModule as ETCI2021DataModule
    from geotorch.datamodules.segmentation import (
        InriaAerialImageLabelingDataModule as InriaAerialImageLabelingDataModule,
    )
    from geotorch.datamodules.segmentation import LandCoverAIDataModule as LandCoverAIDataModule
    from geotorch.datamodules.segmentation import LoveDADataModule as LoveDADataModule
    from geotorch.trainers.version import __version__ as __version__
else:
    from geotorch.core import lazy_exports

    __getattr__, __dir__ = lazy_exports(__name__)
