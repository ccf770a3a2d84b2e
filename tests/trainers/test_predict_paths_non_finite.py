"""``geotorch predict``'s writer treats NaN and infinite input pixels as ``predict_raster`` does: as nodata."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest
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


class Ratios(RasterDataset):
    filename_glob = "ndvi*.tif"


class RatioModule(GeoDataModule):
    """Prediction on float ratios as stored (a task predicts without training)."""

    mean = (0.0,)
    std = (1.0,)

    def build_splits(self) -> tuple[GeoDataset, GeoDataset, GeoDataset, GeoDataset]:
        dataset = Ratios(paths=self.kwargs["paths"])
        return dataset, dataset, dataset, dataset


def non_finite_raster(folder: Path, nodata: float | None) -> tuple[Path, np.ndarray]:
    """A 2-band float32 NDVI-like GeoTIFF of 50 x 70 px: a 4 x 10 NaN block, a +inf and a -inf pixel."""
    image = np.random.default_rng(5).uniform(-1, 1, (2, 50, 70)).astype("float32")
    image[0, 5:9, 10:20] = np.nan
    image[1, 30, 3] = np.inf
    image[:, 45, 60] = -np.inf
    if nodata is not None:
        image[:, 40:44, 40:44] = nodata  # declared missing: nodata, and not warned of
    return write_raster(folder / "ndvi.tif", image, "EPSG:32633", TRANSFORM, nodata=nodata), image


@pytest.mark.parametrize("nodata", [None, np.nan, -9999.0], ids=["no-nodata", "nan-nodata", "nodata"])
def test_non_finite_pixels_are_nodata_in_both_paths_and_spread_to_no_neighbour(
    tmp_path: Path, nodata: float | None
) -> None:
    # geotorch predict gave the model NaN and inf: a 3x3 convolution spread them over every window reaching them,
    # whose blended neighbours became nodata, where predict_raster gives the model the fill and writes those
    # pixels alone as nodata.
    path, image = non_finite_raster(tmp_path / "data", nodata)
    torch.manual_seed(0)
    task = SemanticSegmentationTask(model="fcn", in_channels=2, num_classes=4, num_filters=8).eval()
    module = RatioModule(paths=path.parent, batch_size=4, patch_size=PATCH, predict_stride=STRIDE)
    non_finite = ~np.isfinite(image).all(axis=0)
    for output in ("classes", "probabilities"):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            written = written_by_the_writer(tmp_path, task, module, output)
        np.testing.assert_array_equal(written, written_by_predict_raster(tmp_path, task, path, output))
        assert (written[:, non_finite] == 255).all()
        assert (written[:, ~non_finite & ~np.isin(image, [nodata]).all(axis=0)] != 255).all()
        said = [str(warning.message) for warning in caught if "NaN or infinite" in str(warning.message)]
        assert said == [
            f"GeoTIFFPredictionWriter: {path} holds 42 pixels of NaN or infinite values that are not its nodata; "
            "they reach the model as pixels without data (the dataset's fill, else 0) and are nodata in the output"
        ]
