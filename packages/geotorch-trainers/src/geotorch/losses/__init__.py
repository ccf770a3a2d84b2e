"""Losses for learning from label priors (TorchGeo's ``torchgeo.losses``): the QR and RQ losses.

Names are imported on first use; the ``if TYPE_CHECKING:`` imports below are the one list of public
names (see :mod:`geotorch.core.exports`).
"""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from geotorch.losses.qr import QRLoss as QRLoss
    from geotorch.losses.qr import RQLoss as RQLoss
    from geotorch.trainers.version import __version__ as __version__
else:
    from geotorch.core import lazy_exports

    __getattr__, __dir__ = lazy_exports(__name__)
