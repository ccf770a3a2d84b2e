"""A dataset's fill past its images' float32 (a float64 product's nodata) reaches the model as 0 on both paths."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import torch

from geotorch.core import GeoDataset, RasterDataset
from geotorch.datamodules import GeoDataModule
from geotorch.trainers import SemanticSegmentationTask
from tests.core.rasters import write_raster
from tests.trainers.test_predict_paths_agree import (
    PATCH,
    STRIDE,
    TRANSFORM,
    written_by_predict_raster,
    written_by_the_writer,
)

#: The nodata value float64 products often declare (ArcGIS's): the lowest float64, -inf once read as float32.
LOWEST_FLOAT64 = float(-np.finfo(np.float64).max)


class Elevations(RasterDataset):
    filename_glob = "dem*.tif"


class ElevationModule(GeoDataModule):
    """Prediction on elevations as stored (a task predicts without training)."""

    mean = (0.0,)
    std = (1.0,)

    def build_splits(self) -> tuple[GeoDataset, GeoDataset, GeoDataset, GeoDataset]:
        dataset = Elevations(paths=self.kwargs["paths"])
        return dataset, dataset, dataset, dataset


def test_a_float64_nodata_past_float32_reaches_the_model_as_0_on_both_paths(tmp_path: Path) -> None:
    # The dataset fills the file's nodata pixels with its nodata, -inf in float32 samples (it warns of that), and
    # FiniteImageStack filled those non-finite pixels with the same fill, -inf again: a 3x3 convolution spread it
    # over every window reaching them, whose neighbours became nodata, where predict_raster gives the model 0.
    image = np.random.default_rng(7).uniform(0, 1, (1, 50, 70))
    image[:, 20:24, 30:34] = LOWEST_FLOAT64
    path = write_raster(tmp_path / "data" / "dem.tif", image, "EPSG:32633", TRANSFORM, nodata=LOWEST_FLOAT64)
    torch.manual_seed(0)
    task = SemanticSegmentationTask(model="fcn", in_channels=1, num_classes=3, num_filters=8).eval()
    module = ElevationModule(paths=path.parent, batch_size=4, patch_size=PATCH, predict_stride=STRIDE)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the dataset's and the writer's words on the nodata are tested elsewhere
        written = written_by_the_writer(tmp_path, task, module, "classes")
        alone = written_by_predict_raster(tmp_path, task, path, "classes")
    missing = (image == LOWEST_FLOAT64).all(axis=0)
    assert (alone[:, ~missing] != 255).all()
    assert (written[:, ~missing] != 255).all(), f"{int((written[:, ~missing] == 255).sum())} valid pixels lost"
    np.testing.assert_array_equal(written, alone)
