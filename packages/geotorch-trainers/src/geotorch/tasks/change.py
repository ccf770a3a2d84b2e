"""TorchGeo 0.10's ``ChangeDetection``: :class:`geotorch.trainers.ChangeDetectionTask`."""

from geotorch.trainers import ChangeDetectionTask

ChangeDetection = ChangeDetectionTask
