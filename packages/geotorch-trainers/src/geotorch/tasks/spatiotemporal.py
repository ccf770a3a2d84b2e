"""TorchGeo 0.10's spatiotemporal task names: GeoTorch's tasks for time series."""

from geotorch.trainers import (
    SpatioTemporalPixelwiseRegressionTask,
    SpatioTemporalSegmentationTask,
    TemporalRegressionTask,
)

SpatioTemporalSegmentation = SpatioTemporalSegmentationTask
SpatioTemporalPixelwiseRegression = SpatioTemporalPixelwiseRegressionTask
TemporalRegression = TemporalRegressionTask
