"""TorchGeo 0.10's ``ObjectDetection`` and ``InstanceSegmentation``: GeoTorch's detection tasks."""

from geotorch.trainers import InstanceSegmentationTask, ObjectDetectionTask

ObjectDetection = ObjectDetectionTask
InstanceSegmentation = InstanceSegmentationTask
