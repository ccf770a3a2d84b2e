"""TorchGeo 0.10's ``Regression`` and ``PixelwiseRegression``: GeoTorch's regression tasks."""

from geotorch.trainers import PixelwiseRegressionTask, RegressionTask

Regression = RegressionTask
PixelwiseRegression = PixelwiseRegressionTask
