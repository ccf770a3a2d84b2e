"""GeoTorch trainers: Lightning tasks for segmentation, classification, regression and change detection."""

from geotorch.trainers.base import BaseTask
from geotorch.trainers.segmentation import SemanticSegmentationTask
from geotorch.trainers.writer import GeoTIFFPredictionWriter

__all__ = ["BaseTask", "GeoTIFFPredictionWriter", "SemanticSegmentationTask"]
