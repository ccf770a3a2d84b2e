"""``from geotorch.main import main``: the ``geotorch`` command as a function, TorchGeo 0.10.1's ``torchgeo.main``."""

from geotorch.core.cli import main

__all__ = ["main"]
