"""TorchGeo 0.10's task names (``torchgeo.tasks``): GeoTorch's Lightning tasks under the names 0.10 gave them.

Each name is the same class as its ``geotorch.trainers`` name (``SemanticSegmentation`` is
``SemanticSegmentationTask``), so checkpoints, configs and ``isinstance`` checks work with either.
Names are imported on first use; the ``if TYPE_CHECKING:`` imports below are the one list of public
names (see :mod:`geotorch.core.exports`).
"""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from geotorch.tasks.base import BaseTask as BaseTask
    from geotorch.tasks.change import ChangeDetection as ChangeDetection
    from geotorch.tasks.classification import Classification as Classification
    from geotorch.tasks.detection import InstanceSegmentation as InstanceSegmentation
    from geotorch.tasks.detection import ObjectDetection as ObjectDetection
    from geotorch.tasks.regression import PixelwiseRegression as PixelwiseRegression
    from geotorch.tasks.regression import Regression as Regression
    from geotorch.tasks.segmentation import SemanticSegmentation as SemanticSegmentation
    from geotorch.tasks.spatiotemporal import SpatioTemporalPixelwiseRegression as SpatioTemporalPixelwiseRegression
    from geotorch.tasks.spatiotemporal import SpatioTemporalSegmentation as SpatioTemporalSegmentation
    from geotorch.tasks.spatiotemporal import TemporalRegression as TemporalRegression
    from geotorch.tasks.ssl import BYOL as BYOL
    from geotorch.tasks.ssl import MoCo as MoCo
    from geotorch.tasks.ssl import SimCLR as SimCLR
    from geotorch.trainers.version import __version__ as __version__
else:
    from geotorch.core import lazy_exports

    __getattr__, __dir__ = lazy_exports(__name__)
