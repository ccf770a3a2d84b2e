"""``predict`` on a GeoDataset: GeoTIFFs on the input's grid, equal to the model's output, blended without seams."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import rasterio
import torch
from affine import Affine
from task_fakes import fast_trainer
from torch import nn

from geotorch.core import BoundingBox, GeoDataset, RasterDataset
from geotorch.datamodules import GeoDataModule
from geotorch.trainers import GeoTIFFPredictionWriter, PixelwiseRegressionTask, SemanticSegmentationTask
from geotorch.trainers.writer import blend_weights

TRANSFORM = Affine(10, 0, 500_000, 0, -10, 4_000_000)
SCALE = 10_000.0


class Scenes(RasterDataset):
    filename_glob = "*.tif"


class WholeScene(GeoDataModule):
    """Every stage on the whole raster (the tests predict on all of it)."""

    mean = (0.0,)
    std = (SCALE,)

    def build_splits(self) -> tuple[GeoDataset, GeoDataset, GeoDataset, GeoDataset]:
        dataset = Scenes(paths=self.kwargs["paths"])
        return dataset, dataset, dataset, dataset


def write_scene(folder: Path, height: int, width: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    path = folder / "scene.tif"
    profile = {"driver": "GTiff", "width": width, "height": height, "count": 4, "dtype": "uint16",
               "crs": "EPSG:32633", "transform": TRANSFORM}
    with rasterio.open(path, "w", **profile) as target:
        target.write(rng.integers(0, 10_000, (4, height, width)).astype("uint16"))
    return path


def predict(tmp_path: Path, task: nn.Module, scene: Path, stride: int, output: str) -> Path:
    datamodule = WholeScene(paths=scene.parent, batch_size=4, patch_size=32, predict_stride=stride)
    writer = GeoTIFFPredictionWriter(tmp_path / "out", output=output)  # type: ignore[arg-type]
    trainer = fast_trainer(tmp_path, fast_dev_run=False, callbacks=[writer])
    trainer.predict(task, datamodule=datamodule, return_predictions=False)
    assert len(writer.written) == 1
    return writer.written[0]


def test_predicted_classes_have_the_inputs_grid_and_equal_the_model_on_each_window(tmp_path: Path) -> None:
    scene = write_scene(tmp_path / "scene", 64, 96)
    task = SemanticSegmentationTask(model="fcn", in_channels=4, num_classes=3, num_filters=8).eval()
    written = predict(tmp_path, task, scene, stride=32, output="auto")
    with rasterio.open(written) as result, rasterio.open(scene) as source:
        assert result.crs == source.crs and result.transform == source.transform
        assert (result.height, result.width, result.count) == (64, 96, 1)
        classes = result.read(1)
        image = torch.from_numpy(source.read().astype("float32")) / SCALE
    with torch.no_grad():
        for top in (0, 32):
            for left in (0, 32, 64):
                window = image[None, :, top:top + 32, left:left + 32]
                expected = task.model(window).argmax(dim=1)[0].numpy()
                assert np.array_equal(classes[top:top + 32, left:left + 32], expected)


class Pointwise(nn.Module):
    """A per-pixel model: any tiling of the image gives the same values, so blending must too."""

    def __init__(self) -> None:
        super().__init__()
        self.mix = nn.Conv2d(4, 2, 1)

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        return torch.tanh(self.mix(image))


def test_overlapping_windows_blend_without_seams(tmp_path: Path) -> None:
    scene = write_scene(tmp_path / "scene", 70, 90)
    task = PixelwiseRegressionTask(model="fcn", in_channels=4, num_outputs=2, num_filters=4)
    task.model = Pointwise()
    written = predict(tmp_path, task.eval(), scene, stride=12, output="scores")
    with rasterio.open(written) as result, rasterio.open(scene) as source:
        assert result.transform == source.transform and result.count == 2
        values = result.read()
        image = torch.from_numpy(source.read().astype("float32"))[None] / SCALE
    with torch.no_grad():
        expected = task.model(image)[0].numpy()
    np.testing.assert_allclose(values, expected, atol=1e-5)


def test_blend_weights_are_positive_and_lowest_at_the_edges() -> None:
    weights = blend_weights(6, 8)
    assert float(weights.min()) == 1 and weights[0].eq(1).all() and weights[:, -1].eq(1).all()
    assert float(weights[2, 3]) == 3


def test_the_writer_refuses_predictions_of_a_dataset_without_a_grid(tmp_path: Path) -> None:
    from task_fakes import SyntheticDataModule

    writer = GeoTIFFPredictionWriter(tmp_path)
    trainer = fast_trainer(tmp_path, fast_dev_run=False, callbacks=[writer])
    task = SemanticSegmentationTask(model="fcn", in_channels=3, num_classes=2, num_filters=4)
    with pytest.raises(TypeError, match="writes GeoTIFFs of a GeoDataset"):
        trainer.predict(task, datamodule=SyntheticDataModule("pixels"))


class RightPart(WholeScene):
    """Predicts on the scene east of a cut that falls 0.2 pixels into a column (as a spatial split's can)."""

    def build_splits(self) -> tuple[GeoDataset, GeoDataset, GeoDataset, GeoDataset]:
        from geotorch.samplers import roi_split

        dataset = Scenes(paths=self.kwargs["paths"])
        bounds = dataset.bounds
        cut = BoundingBox(bounds.minx + 10 * 10.2, bounds.maxx, bounds.miny, bounds.maxy, bounds.mint, bounds.maxt)
        part = roi_split(dataset, [cut])[0]
        return part, part, part, part


def test_a_prediction_area_cut_mid_pixel_is_written_whole_pixels_every_one_predicted(tmp_path: Path) -> None:
    scene = write_scene(tmp_path / "scene", 48, 64)
    datamodule = RightPart(paths=scene.parent, batch_size=4, patch_size=16, predict_stride=8)
    writer = GeoTIFFPredictionWriter(tmp_path / "out")
    task = SemanticSegmentationTask(model="fcn", in_channels=4, num_classes=3, num_filters=4)
    fast_trainer(tmp_path, fast_dev_run=False, callbacks=[writer]).predict(task, datamodule=datamodule,
                                                                           return_predictions=False)
    with rasterio.open(writer.written[0]) as result:
        # 64 - 10.2 columns: 53 whole pixels from the cut, on a grid anchored at the cut.
        assert (result.width, result.height) == (53, 48)
        assert result.transform.c == pytest.approx(TRANSFORM.c + 102)
        assert (result.read(1) != 255).all(), "every pixel of the output was predicted"
