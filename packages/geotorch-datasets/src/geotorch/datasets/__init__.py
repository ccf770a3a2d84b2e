"""GeoTorch datasets: geospatial products and benchmarks, plus the core base classes and collate functions.

Dataset classes are imported on first use (``from geotorch.datasets import EuroSAT`` imports only
the EuroSAT module), so importing this package stays fast however many datasets it holds.
The ``if TYPE_CHECKING:`` imports below are the one list of public names (see
:mod:`geotorch.core.exports`); the plugin registers the datasets of :mod:`geotorch.datasets.catalog`
by the import paths read from it.
"""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from geotorch.core import BoundingBox as BoundingBox
    from geotorch.core import DatasetNotFoundError as DatasetNotFoundError
    from geotorch.core import GeoDataset as GeoDataset
    from geotorch.core import IntersectionDataset as IntersectionDataset
    from geotorch.core import NonGeoDataset as NonGeoDataset
    from geotorch.core import RasterDataset as RasterDataset
    from geotorch.core import RGBBandsMissingError as RGBBandsMissingError
    from geotorch.core import UnionDataset as UnionDataset
    from geotorch.core import VectorDataset as VectorDataset
    from geotorch.core import concat_samples as concat_samples
    from geotorch.core import merge_samples as merge_samples
    from geotorch.core import stack_samples as stack_samples
    from geotorch.core import unbind_samples as unbind_samples
    from geotorch.datasets.bigearthnet import BigEarthNet as BigEarthNet
    from geotorch.datasets.cbf import CanadianBuildingFootprints as CanadianBuildingFootprints
    from geotorch.datasets.cdl import CDL as CDL
    from geotorch.datasets.chesapeake import Chesapeake as Chesapeake
    from geotorch.datasets.chesapeake import Chesapeake7 as Chesapeake7
    from geotorch.datasets.chesapeake import ChesapeakeDC as ChesapeakeDC
    from geotorch.datasets.chesapeake import ChesapeakeDE as ChesapeakeDE
    from geotorch.datasets.chesapeake import ChesapeakeMD as ChesapeakeMD
    from geotorch.datasets.chesapeake import ChesapeakeNY as ChesapeakeNY
    from geotorch.datasets.chesapeake import ChesapeakePA as ChesapeakePA
    from geotorch.datasets.chesapeake import ChesapeakeVA as ChesapeakeVA
    from geotorch.datasets.chesapeake import ChesapeakeWV as ChesapeakeWV
    from geotorch.datasets.deepglobe import DeepGlobeLandCover as DeepGlobeLandCover
    from geotorch.datasets.demo import DemoImagery as DemoImagery
    from geotorch.datasets.demo import DemoLandCover as DemoLandCover
    from geotorch.datasets.elevation import EUDEM as EUDEM
    from geotorch.datasets.elevation import AsterGDEM as AsterGDEM
    from geotorch.datasets.esri2020 import Esri2020 as Esri2020
    from geotorch.datasets.etci2021 import ETCI2021 as ETCI2021
    from geotorch.datasets.eurocrops import EuroCrops as EuroCrops
    from geotorch.datasets.eurosat import EuroSAT as EuroSAT
    from geotorch.datasets.eurosat import EuroSAT100 as EuroSAT100
    from geotorch.datasets.eurosat import EuroSATSpatial as EuroSATSpatial
    from geotorch.datasets.inria import InriaAerialImageLabeling as InriaAerialImageLabeling
    from geotorch.datasets.landcoverai import LandCoverAI as LandCoverAI
    from geotorch.datasets.landsat import Landsat1 as Landsat1
    from geotorch.datasets.landsat import Landsat2 as Landsat2
    from geotorch.datasets.landsat import Landsat3 as Landsat3
    from geotorch.datasets.landsat import Landsat4MSS as Landsat4MSS
    from geotorch.datasets.landsat import Landsat4TM as Landsat4TM
    from geotorch.datasets.landsat import Landsat5MSS as Landsat5MSS
    from geotorch.datasets.landsat import Landsat5TM as Landsat5TM
    from geotorch.datasets.landsat import Landsat7 as Landsat7
    from geotorch.datasets.landsat import Landsat8 as Landsat8
    from geotorch.datasets.landsat import Landsat9 as Landsat9
    from geotorch.datasets.levircd import LEVIRCD as LEVIRCD
    from geotorch.datasets.loveda import LoveDA as LoveDA
    from geotorch.datasets.naip import NAIP as NAIP
    from geotorch.datasets.nlcd import NLCD as NLCD
    from geotorch.datasets.nwpu import VHR10 as VHR10
    from geotorch.datasets.oscd import OSCD as OSCD
    from geotorch.datasets.pastis import PASTIS as PASTIS
    from geotorch.datasets.pastis import PASTIS100 as PASTIS100
    from geotorch.datasets.patternnet import PatternNet as PatternNet
    from geotorch.datasets.resisc45 import RESISC45 as RESISC45
    from geotorch.datasets.sentinel1 import Sentinel1 as Sentinel1
    from geotorch.datasets.sentinel2 import Sentinel2 as Sentinel2
    from geotorch.datasets.so2sat import So2Sat as So2Sat
    from geotorch.datasets.stac import STACDataset as STACDataset
    from geotorch.datasets.ucmerced import UCMerced as UCMerced
    from geotorch.datasets.version import __version__ as __version__
    from geotorch.samplers import random_bbox_assignment as random_bbox_assignment
    from geotorch.samplers import random_bbox_splitting as random_bbox_splitting
    from geotorch.samplers import random_grid_cell_assignment as random_grid_cell_assignment
    from geotorch.samplers import roi_split as roi_split
    from geotorch.samplers import time_series_split as time_series_split
else:
    from geotorch.core import lazy_exports

    __getattr__, __dir__ = lazy_exports(__name__)
