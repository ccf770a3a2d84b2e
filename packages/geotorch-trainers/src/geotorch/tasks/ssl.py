"""TorchGeo 0.10's self-supervised tasks ``BYOL``, ``MoCo`` and ``SimCLR``: GeoTorch's SSL tasks."""

from geotorch.trainers import BYOLTask, MoCoTask, SimCLRTask

BYOL = BYOLTask
MoCo = MoCoTask
SimCLR = SimCLRTask
