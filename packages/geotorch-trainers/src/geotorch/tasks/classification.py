"""TorchGeo 0.10's ``Classification``: :class:`geotorch.trainers.ClassificationTask`."""

from geotorch.trainers import ClassificationTask

Classification = ClassificationTask
