"""TorchGeo 0.10's ``SemanticSegmentation``: :class:`geotorch.trainers.SemanticSegmentationTask`."""

from geotorch.trainers import SemanticSegmentationTask

SemanticSegmentation = SemanticSegmentationTask
