"""GeoTorch trainers: Lightning tasks for segmentation, classification, regression and change detection.

Names are imported on first use, so loading the plugin (or listing tasks) does not import Lightning.
"""

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from geotorch.trainers.base import BaseTask as BaseTask
    from geotorch.trainers.change import ChangeDetectionTask as ChangeDetectionTask
    from geotorch.trainers.classification import ClassificationTask as ClassificationTask
    from geotorch.trainers.classification import MultiLabelClassificationTask as MultiLabelClassificationTask
    from geotorch.trainers.detection import InstanceSegmentationTask as InstanceSegmentationTask
    from geotorch.trainers.detection import ObjectDetectionTask as ObjectDetectionTask
    from geotorch.trainers.regression import PixelwiseRegressionTask as PixelwiseRegressionTask
    from geotorch.trainers.regression import RegressionTask as RegressionTask
    from geotorch.trainers.segmentation import SemanticSegmentationTask as SemanticSegmentationTask
    from geotorch.trainers.ssl_byol import BYOLTask as BYOLTask
    from geotorch.trainers.ssl_moco import MoCoTask as MoCoTask
    from geotorch.trainers.ssl_simclr import SimCLRTask as SimCLRTask
    from geotorch.trainers.writer import GeoTIFFPredictionWriter as GeoTIFFPredictionWriter

#: public name -> the module of geotorch.trainers that defines it.
_EXPORTS = {
    "BYOLTask": "geotorch.trainers.ssl_byol",
    "MoCoTask": "geotorch.trainers.ssl_moco",
    "SimCLRTask": "geotorch.trainers.ssl_simclr",
    "InstanceSegmentationTask": "geotorch.trainers.detection",
    "ObjectDetectionTask": "geotorch.trainers.detection",
    "BaseTask": "geotorch.trainers.base",
    "ChangeDetectionTask": "geotorch.trainers.change",
    "ClassificationTask": "geotorch.trainers.classification",
    "GeoTIFFPredictionWriter": "geotorch.trainers.writer",
    "MultiLabelClassificationTask": "geotorch.trainers.classification",
    "PixelwiseRegressionTask": "geotorch.trainers.regression",
    "RegressionTask": "geotorch.trainers.regression",
    "SemanticSegmentationTask": "geotorch.trainers.segmentation",
}


def __getattr__(name: str) -> Any:
    """Import a public name the first time it is asked for."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'geotorch.trainers' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "BYOLTask",
    "BaseTask",
    "ChangeDetectionTask",
    "ClassificationTask",
    "GeoTIFFPredictionWriter",
    "InstanceSegmentationTask",
    "MoCoTask",
    "MultiLabelClassificationTask",
    "ObjectDetectionTask",
    "PixelwiseRegressionTask",
    "RegressionTask",
    "SemanticSegmentationTask",
    "SimCLRTask",
]
