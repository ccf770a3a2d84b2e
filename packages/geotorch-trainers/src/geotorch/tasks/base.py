"""TorchGeo 0.10's ``BaseTask``: the base of GeoTorch's tasks."""

from geotorch.trainers import BaseTask as BaseTask
