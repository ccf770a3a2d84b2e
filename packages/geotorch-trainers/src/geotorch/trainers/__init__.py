"""GeoTorch trainers: Lightning tasks for segmentation, classification, regression and change detection.

Names are imported on first use, so loading the plugin (or listing tasks) does not import Lightning. The
``if TYPE_CHECKING:`` imports below are the one list of public names (see :mod:`geotorch.core.exports`),
from which the plugin's registrations take their import paths.
"""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from geotorch.trainers.base import BaseTask as BaseTask
    from geotorch.trainers.change import ChangeDetectionTask as ChangeDetectionTask
    from geotorch.trainers.classification import ClassificationTask as ClassificationTask
    from geotorch.trainers.classification import MultiLabelClassificationTask as MultiLabelClassificationTask
    from geotorch.trainers.detection import InstanceSegmentationTask as InstanceSegmentationTask
    from geotorch.trainers.detection import ObjectDetectionTask as ObjectDetectionTask
    from geotorch.trainers.predict import predict_raster as predict_raster
    from geotorch.trainers.predict_sampler import StreamingGridSampler as StreamingGridSampler
    from geotorch.trainers.regression import PixelwiseRegressionTask as PixelwiseRegressionTask
    from geotorch.trainers.regression import RegressionTask as RegressionTask
    from geotorch.trainers.segmentation import SemanticSegmentationTask as SemanticSegmentationTask
    from geotorch.trainers.spatiotemporal_regression import (
        SpatioTemporalPixelwiseRegressionTask as SpatioTemporalPixelwiseRegressionTask,
    )
    from geotorch.trainers.spatiotemporal_regression import TemporalRegressionTask as TemporalRegressionTask
    from geotorch.trainers.spatiotemporal_segmentation import (
        SpatioTemporalSegmentationTask as SpatioTemporalSegmentationTask,
    )
    from geotorch.trainers.ssl_byol import BYOLTask as BYOLTask
    from geotorch.trainers.ssl_moco import MoCoTask as MoCoTask
    from geotorch.trainers.ssl_simclr import SimCLRTask as SimCLRTask
    from geotorch.trainers.version import __version__ as __version__
    from geotorch.trainers.writer import GeoTIFFPredictionWriter as GeoTIFFPredictionWriter
else:
    from geotorch.core import lazy_exports

    __getattr__, __dir__ = lazy_exports(__name__)
