"""GeoTorch trainers: Lightning tasks for segmentation, classification, regression and change detection."""

from geotorch.trainers.base import BaseTask
from geotorch.trainers.change import ChangeDetectionTask
from geotorch.trainers.classification import ClassificationTask, MultiLabelClassificationTask
from geotorch.trainers.regression import PixelwiseRegressionTask, RegressionTask
from geotorch.trainers.segmentation import SemanticSegmentationTask
from geotorch.trainers.writer import GeoTIFFPredictionWriter

__all__ = [
    "BaseTask",
    "ChangeDetectionTask",
    "ClassificationTask",
    "GeoTIFFPredictionWriter",
    "MultiLabelClassificationTask",
    "PixelwiseRegressionTask",
    "RegressionTask",
    "SemanticSegmentationTask",
]
