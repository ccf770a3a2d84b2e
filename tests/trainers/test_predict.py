"""``predict`` on a GeoDataset: GeoTIFFs on the input's grid, equal to the model's output, blended without seams."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import rasterio
import rasterio.warp
import torch
from affine import Affine
from rasterio.crs import CRS
from torch import nn

from geotorch.core import BoundingBox, GeoDataset, RasterDataset
from geotorch.datamodules import GeoDataModule
from geotorch.trainers import GeoTIFFPredictionWriter, PixelwiseRegressionTask, SemanticSegmentationTask
from geotorch.trainers.predict import predict_raster
from geotorch.trainers.writer import blend_weights, data_mask
from tests.trainers.task_fakes import fast_trainer

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


class ProbabilitiesTask(SemanticSegmentationTask):
    """A segmentation task that declares its predictions to be written as probabilities."""

    prediction_output = "probabilities"


def test_auto_writes_probabilities_for_a_task_that_declares_them(tmp_path: Path) -> None:
    # output='auto' turned every declaration but 'classes' into 'scores': float32 bands, not probabilities.
    scene = write_scene(tmp_path / "scene", 32, 64)
    task = ProbabilitiesTask(model="fcn", in_channels=4, num_classes=3, num_filters=8).eval()
    written = predict(tmp_path, task, scene, stride=32, output="auto")
    with rasterio.open(written) as result, rasterio.open(scene) as source:
        assert result.dtypes == ("uint8",) * 3
        probabilities = result.read()
        image = torch.from_numpy(source.read().astype("float32"))[None] / SCALE
    with torch.no_grad():
        expected = [task.predict_step({"image": image[..., left:left + 32]}, 0)[0] for left in (0, 32)]
    # Quantised to the nearest of 0..254; the model's float32 sums may differ in their last bits between the
    # writer's batch of windows and these single windows, which moves a value lying on a .5 by one step.
    unrounded = torch.cat(expected, dim=-1).mul(254).numpy()
    assert np.abs(probabilities - unrounded).max() <= 0.5 + 1e-3


def test_auto_refuses_a_prediction_output_that_is_no_output_kind(tmp_path: Path) -> None:
    task = ProbabilitiesTask(model="fcn", in_channels=4, num_classes=3, num_filters=8).eval()
    task.prediction_output = "probability"
    with pytest.raises(ValueError, match=r"ProbabilitiesTask.prediction_output='probability' is none of classes, "
                                         r"probabilities, scores"):
        predict(tmp_path, task, write_scene(tmp_path / "scene", 32, 32), stride=32, output="auto")


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
    from tests.trainers.task_fakes import SyntheticDataModule

    writer = GeoTIFFPredictionWriter(tmp_path)
    trainer = fast_trainer(tmp_path, fast_dev_run=False, callbacks=[writer])
    task = SemanticSegmentationTask(model="fcn", in_channels=3, num_classes=2, num_filters=4)
    with pytest.raises(TypeError, match="writes GeoTIFFs of a GeoDataset"):
        trainer.predict(task, datamodule=SyntheticDataModule("pixels"))


class RightPart(WholeScene):
    """Predicts on the scene east of an roi whose edge falls 0.2 pixels into a column."""

    def build_splits(self) -> tuple[GeoDataset, GeoDataset, GeoDataset, GeoDataset]:
        from geotorch.samplers import roi_split

        dataset = Scenes(paths=self.kwargs["paths"])
        bounds = dataset.bounds
        cut = BoundingBox(bounds.minx + 10 * 10.2, bounds.maxx, bounds.miny, bounds.maxy, bounds.mint, bounds.maxt)
        part = roi_split(dataset, [cut])[0]
        return part, part, part, part


def test_a_prediction_area_of_an_roi_edge_mid_pixel_is_written_whole_pixels_every_one_predicted(
    tmp_path: Path,
) -> None:
    scene = write_scene(tmp_path / "scene", 48, 64)
    datamodule = RightPart(paths=scene.parent, batch_size=4, patch_size=16, predict_stride=8)
    writer = GeoTIFFPredictionWriter(tmp_path / "out")
    task = SemanticSegmentationTask(model="fcn", in_channels=4, num_classes=3, num_filters=4)
    fast_trainer(tmp_path, fast_dev_run=False, callbacks=[writer]).predict(task, datamodule=datamodule,
                                                                           return_predictions=False)
    with rasterio.open(writer.written[0]) as result:
        # roi_split cuts on the nearest pixel edge (c9ef670): 64 - 10 columns, on the file's own grid.
        assert (result.width, result.height) == (54, 48)
        assert result.transform.c == pytest.approx(TRANSFORM.c + 100)
        assert (result.read(1) != 255).all(), "every pixel of the output was predicted"


class Given(GeoDataModule):
    """Every stage on the dataset the test built."""

    mean = (0.0,)
    std = (SCALE,)

    def build_splits(self) -> tuple[GeoDataset, GeoDataset, GeoDataset, GeoDataset]:
        dataset = self.kwargs["dataset"]
        return dataset, dataset, dataset, dataset


def predict_on(tmp_path: Path, dataset: GeoDataset, task: nn.Module, output: str,
               output_dir: Path | None = None) -> GeoTIFFPredictionWriter:
    datamodule = Given(dataset=dataset, batch_size=4, patch_size=32, predict_stride=16)
    writer = GeoTIFFPredictionWriter(output_dir or tmp_path / "out", output=output)  # type: ignore[arg-type]
    fast_trainer(tmp_path, fast_dev_run=False, callbacks=[writer]).predict(task, datamodule=datamodule,
                                                                           return_predictions=False)
    return writer


def write_raster_file(path: Path, array: np.ndarray, transform: Affine = TRANSFORM, nodata: float | None = None,
                      driver: str = "GTiff") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    profile = {"driver": driver, "width": array.shape[2], "height": array.shape[1], "count": array.shape[0],
               "dtype": array.dtype.name, "crs": "EPSG:32633", "transform": transform, "nodata": nodata}
    with rasterio.open(path, "w", **profile) as target:
        target.write(array)
    return path


def random_image(seed: int, height: int, width: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(1, 10_000, (4, height, width)).astype("uint16")


def pointwise_task() -> PixelwiseRegressionTask:
    task = PixelwiseRegressionTask(model="fcn", in_channels=4, num_outputs=2, num_filters=4)
    task.model = Pointwise()
    return task.eval()


def model_on(task: nn.Module, path: Path) -> np.ndarray:
    with rasterio.open(path) as source, torch.no_grad():
        image = torch.from_numpy(source.read().astype("float32"))[None] / SCALE
        return task.model(image)[0].numpy()  # type: ignore[operator, no-any-return]


class AnyScenes(RasterDataset):
    filename_glob = "*"


def test_every_input_gets_its_own_output_named_after_its_relative_path(tmp_path: Path) -> None:
    inputs = ["in/a.tif", "in/a_2.tif", "in/sub/a.tif", "in/sub/a.TIF", "in/a.jp2", "other/sub/a.tif"]
    expected = ["in/a.tif", "in/a_2.tif", "in/sub/a.tif", "in/sub/a_2.tif", "in/a_3.tif", "other/sub/a.tif"]
    for number, name in enumerate(inputs):
        # Side by side, so that each output's grid tells which input it was made from.
        write_raster_file(tmp_path / name, random_image(number, 32, 32), TRANSFORM * Affine.translation(40 * number, 0),
                          driver="JP2OpenJPEG" if name.endswith(".jp2") else "GTiff")
    dataset = AnyScenes(paths=[tmp_path / "in", tmp_path / "other"])
    task = SemanticSegmentationTask(model="fcn", in_channels=4, num_classes=3, num_filters=4).eval()
    out = tmp_path / "out"
    for _ in range(2):  # a second run writes the same names again
        writer = predict_on(tmp_path, dataset, task, "auto")
        assert sorted(path.relative_to(out).as_posix() for path in writer.written) == sorted(expected)
        assert sorted(path.relative_to(out).as_posix() for path in out.rglob("*") if path.is_file()) == sorted(expected)
        for name, output in zip(inputs, expected, strict=True):
            with rasterio.open(out / output) as result, rasterio.open(tmp_path / name) as source:
                assert result.transform == source.transform and result.shape == source.shape
                assert result.tags()["source"] == str(tmp_path / name)


def test_an_output_never_replaces_its_input(tmp_path: Path) -> None:
    scene = write_scene(tmp_path / "scene", 32, 32)
    before = scene.read_bytes()
    task = SemanticSegmentationTask(model="fcn", in_channels=4, num_classes=3, num_filters=4)
    with pytest.raises(ValueError, match="would overwrite that input"):
        predict_on(tmp_path, Scenes(paths=scene.parent), task, "auto", output_dir=scene.parent)
    assert scene.read_bytes() == before


def test_an_output_dir_that_is_a_file_is_refused_before_the_model_runs(tmp_path: Path) -> None:
    scene = write_scene(tmp_path / "scene", 32, 32)
    (tmp_path / "taken").write_text("not a folder")
    task = SemanticSegmentationTask(model="fcn", in_channels=4, num_classes=3, num_filters=4)
    with pytest.raises(NotADirectoryError, match=r"GeoTIFFPredictionWriter: output_dir='.*taken' is a file"):
        predict_on(tmp_path, Scenes(paths=scene.parent), task, "auto", output_dir=tmp_path / "taken")


def test_an_input_smaller_than_a_window_gets_its_whole_output(tmp_path: Path) -> None:
    write_raster_file(tmp_path / "in" / "big.tif", random_image(1, 64, 64))
    # East of the big one, on its pixel lattice: its one window reaches past it, into the big one and below it.
    small = write_raster_file(tmp_path / "in" / "small.tif", random_image(2, 16, 24),
                              TRANSFORM * Affine.translation(64, 0))
    task = pointwise_task()
    writer = predict_on(tmp_path, Scenes(paths=tmp_path / "in"), task, "scores")
    with rasterio.open(tmp_path / "out" / "small.tif") as result, rasterio.open(small) as source:
        assert result.transform == source.transform and result.shape == source.shape
        values = result.read()
    np.testing.assert_allclose(values, model_on(task, small), atol=1e-5)
    assert len(writer.written) == 2


class Dated(RasterDataset):
    filename_glob = "scene_*.tif"
    filename_regex = r"scene_(?P<date>\d{8})\.tif"


def test_inputs_of_one_place_at_two_dates_each_get_their_own_prediction(tmp_path: Path) -> None:
    scenes = [write_raster_file(tmp_path / "in" / f"scene_{date}.tif", random_image(seed, 32, 48))
              for seed, date in enumerate(("20200101", "20200201"))]
    task = pointwise_task()
    writer = predict_on(tmp_path, Dated(paths=tmp_path / "in"), task, "scores")
    assert sorted(writer.written) == [tmp_path / "out" / scene.name for scene in scenes]
    for scene in scenes:
        with rasterio.open(tmp_path / "out" / scene.name) as result:
            np.testing.assert_allclose(result.read(), model_on(task, scene), atol=1e-5)


@pytest.mark.parametrize(
    ("output", "marked_by", "is_nodata"),
    [("classes", "file", lambda values: values == 255), ("scores", "file", np.isnan),
     ("classes", "dataset", lambda values: values == 255), ("classes", "nobody", lambda values: values == 255)],
)
def test_pixels_without_input_data_are_the_outputs_nodata(
    tmp_path: Path, output: str, marked_by: str, is_nodata: Callable[[np.ndarray], np.ndarray]
) -> None:
    image = random_image(3, 48, 64)
    # The file's west quarter is missing when the file's or the dataset's nodata say so; else its zeros are data.
    image[:, :, :16] = 0
    write_raster_file(tmp_path / "in" / "scene.tif", image, nodata=0 if marked_by == "file" else None)
    # Seen from the next UTM zone the file is a tilted quadrilateral: its box has corners without imagery.
    dataset = Scenes(paths=tmp_path / "in", crs="EPSG:32632", res=10, nodata=0 if marked_by == "dataset" else None)
    task = (SemanticSegmentationTask(model="fcn", in_channels=4, num_classes=3, num_filters=4) if output == "classes"
            else pointwise_task())
    (written,) = predict_on(tmp_path, dataset, task.eval(), output).written
    with rasterio.open(written) as result:
        assert np.isnan(result.nodata) if output == "scores" else result.nodata == 255
    values, has_data, missing, outside = data_at_output(written, TRANSFORM, (48, 64),
                                                        0 if marked_by == "nobody" else 16)
    assert outside.sum() > 20 and has_data.sum() > 1000
    assert marked_by == "nobody" or missing.sum() > 500
    assert is_nodata(values)[missing | outside].all()
    assert not is_nodata(values)[has_data].any()


def data_at_output(
    written: Path, transform: Affine, shape: tuple[int, int], first_column: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """An output's band 1, and which of its pixels fall on data, on nodata or outside of an EPSG:32633 input.

    The input has ``transform`` and ``shape``; its columns before ``first_column`` are nodata. Pixels
    whose centre is within half a pixel of an edge may go either way in GDAL's warp: they are in none
    of the three masks.
    """
    with rasterio.open(written) as result:
        values = result.read(1)
        rows, columns = np.mgrid[0:result.height, 0:result.width]
        xs, ys = result.transform * (columns.ravel() + 0.5, rows.ravel() + 0.5)
        input_xs, input_ys = rasterio.warp.transform(result.crs, "EPSG:32633", xs, ys)
    # Where each output pixel's centre falls in the input's pixels.
    column = ((np.array(input_xs) - transform.c) / transform.a).reshape(values.shape)
    row = ((transform.f - np.array(input_ys)) / -transform.e).reshape(values.shape)
    height, width = shape
    clear = np.minimum.reduce([abs(row), abs(row - height), abs(column - first_column), abs(column - width)]) > 0.5
    outside = clear & ((row < 0) | (row >= height) | (column < 0) | (column >= width))
    has_data = clear & ~outside & (column >= first_column)
    return values, has_data, clear & ~outside & ~has_data, outside


class Labels(RasterDataset):
    filename_glob = "*.tif"
    is_image = False


@pytest.mark.parametrize("marked_by", ["file", "dataset"])
def test_predictions_over_images_and_labels_are_named_after_the_images_and_nodata_where_they_have_none(
    tmp_path: Path, marked_by: str
) -> None:
    image = random_image(4, 48, 64)
    image[:, :, :16] = 0
    scene = write_raster_file(tmp_path / "images" / "scene.tif", image, nodata=0 if marked_by == "file" else None)
    # Labels reaching past the image on every side, so the intersection is the image's whole box.
    write_raster_file(tmp_path / "labels" / "labels.tif", np.ones((1, 64, 80), "uint8"),
                      TRANSFORM * Affine.translation(-8, -8))
    # Seen from the next UTM zone the image is a tilted quadrilateral: its box has corners without imagery.
    images = Scenes(paths=tmp_path / "images", crs="EPSG:32632", res=10, nodata=0 if marked_by == "dataset" else None)
    task = SemanticSegmentationTask(model="fcn", in_channels=4, num_classes=3, num_filters=4).eval()
    writer = predict_on(tmp_path, images & Labels(paths=tmp_path / "labels"), task, "classes")
    assert writer.written == [tmp_path / "out" / "scene.tif"]
    with rasterio.open(writer.written[0]) as result:
        assert result.tags()["source"] == str(scene) and result.nodata == 255
    values, has_data, missing, outside = data_at_output(writer.written[0], TRANSFORM, (48, 64), 16)
    assert outside.sum() > 20 and has_data.sum() > 1000 and missing.sum() > 500
    assert (values[missing | outside] == 255).all()
    assert not (values[has_data] == 255).any()


def test_predictions_over_a_union_of_images_are_named_after_each_image_and_nodata_where_it_has_none(
    tmp_path: Path,
) -> None:
    # Two overlapping scenes in their own folders, the first's west quarter marked missing by the file's
    # nodata, the second's by its dataset's nodata (the file has none).
    transforms = {"a": TRANSFORM, "b": TRANSFORM * Affine.translation(40, 8)}
    for seed, (folder, nodata) in enumerate((("a", 0), ("b", None))):
        image = random_image(seed, 48, 64)
        image[:, :, :16] = 0
        write_raster_file(tmp_path / folder / "scene.tif", image, transforms[folder], nodata=nodata)
    union = (Scenes(paths=tmp_path / "a", crs="EPSG:32632", res=10)
             | Scenes(paths=tmp_path / "b", crs="EPSG:32632", res=10, nodata=0))
    task = SemanticSegmentationTask(model="fcn", in_channels=4, num_classes=3, num_filters=4).eval()
    writer = predict_on(tmp_path, union, task, "classes")
    assert sorted(writer.written) == [tmp_path / "out" / "a" / "scene.tif", tmp_path / "out" / "b" / "scene.tif"]
    for folder, transform in transforms.items():
        written = tmp_path / "out" / folder / "scene.tif"
        with rasterio.open(written) as result:
            assert result.tags()["source"] == str(tmp_path / folder / "scene.tif")
        values, has_data, missing, outside = data_at_output(written, transform, (48, 64), 16)
        assert outside.sum() > 20 and has_data.sum() > 1000 and missing.sum() > 500
        assert (values[missing | outside] == 255).all()
        assert not (values[has_data] == 255).any()


@pytest.mark.parametrize("signal_number", [signal.SIGKILL, signal.SIGTERM])
def test_a_killed_rewrite_leaves_the_previous_prediction_whole(tmp_path: Path, signal_number: int) -> None:
    scene = write_scene(tmp_path / "scene", 32, 48)
    task = SemanticSegmentationTask(model="fcn", in_channels=4, num_classes=3, num_filters=4)
    written = predict(tmp_path, task, scene, stride=16, output="auto")
    with rasterio.open(written) as result:
        before = result.read()
    ready = tmp_path / "ready"
    rewrite = subprocess.Popen([sys.executable, str(Path(__file__).with_name("interrupted_rewrite.py")),
                                str(written), str(ready)])
    try:
        deadline = time.monotonic() + 60
        while not ready.exists():
            assert rewrite.poll() is None, "the rewrite ended before it was half-way"
            assert time.monotonic() < deadline, "the rewrite did not get half-way in a minute"
            time.sleep(0.02)
        rewrite.send_signal(signal_number)
        assert rewrite.wait(timeout=30) == -signal_number
    finally:
        if rewrite.poll() is None:
            rewrite.kill()
            rewrite.wait()
    with rasterio.open(written) as result:
        assert np.array_equal(result.read(), before)
    # The killed rewrite's temporary is left, hidden from the usual globs, and the next run removes it.
    assert len(list(written.parent.glob(f".{written.name}.*.part"))) == 1
    assert list(written.parent.glob("*.tif")) == [written]
    predict(tmp_path, task, scene, stride=16, output="auto")
    assert [path.name for path in written.parent.iterdir()] == [written.name]


def test_an_inputs_alpha_band_says_which_pixels_hold_data(tmp_path: Path) -> None:
    rgba = np.full((4, 20, 30), 7, dtype="uint8")
    rgba[3] = 255
    rgba[3, :5] = 0  # the top rows are transparent
    path = tmp_path / "rgba.tif"
    profile = {"driver": "GTiff", "width": 30, "height": 20, "count": 4, "dtype": "uint8", "crs": "EPSG:32633",
               "transform": TRANSFORM, "photometric": "RGB", "alpha": "YES"}
    with rasterio.open(path, "w", **profile) as target:
        target.write(rgba)
    # A grid two pixels larger on every side.
    mask = data_mask(str(path), None, CRS.from_epsg(32633), TRANSFORM * Affine.translation(-2, -2), (24, 34))
    assert mask is not None
    expected = np.zeros((24, 34), dtype=bool)
    expected[2 + 5:22, 2:32] = True
    assert np.array_equal(mask, expected)


def test_an_input_across_the_antimeridian_holds_data_on_both_sides(tmp_path: Path) -> None:
    # Longitudes 179° to 181°: GDAL's warper read the part west of 180° only, and the rest was masked.
    path = tmp_path / "across.tif"
    profile = {"driver": "GTiff", "width": 40, "height": 20, "count": 1, "dtype": "uint8", "crs": "EPSG:4326",
               "transform": Affine(0.05, 0, 179.0, 0, -0.05, 1.0)}
    with rasterio.open(path, "w", **profile) as target:
        target.write(np.full((1, 20, 40), 7, dtype="uint8"))
    utm = CRS.from_epsg(32660)
    transform, width, height = rasterio.warp.calculate_default_transform(
        CRS.from_epsg(4326), utm, 40, 20, 179.0, 0.0, 181.0, 1.0
    )
    mask = data_mask(str(path), None, utm, transform, (height, width))
    assert mask is not None and mask.shape == (20, 40)
    assert mask.all()


def test_a_prediction_replacing_one_of_predict_raster_takes_away_its_polygons(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow.parquet", reason="GeoParquet is written with pyarrow")
    scene = write_scene(tmp_path / "scene", 40, 50)
    task = SemanticSegmentationTask(model="fcn", in_channels=4, num_classes=3, num_filters=4).eval()
    out = tmp_path / "out"
    predict_raster(task, scene, out, patch_size=32, vectorize=True)
    assert sorted(path.name for path in out.iterdir()) == ["scene.gpkg", "scene.parquet", "scene.tif"]
    written = predict(tmp_path, SemanticSegmentationTask(model="fcn", in_channels=4, num_classes=3).eval(), scene, 16,
                      "classes")
    assert sorted(path.name for path in written.parent.iterdir()) == ["scene.tif"]


def test_a_prediction_stopped_early_writes_what_it_predicted_and_warns(tmp_path: Path) -> None:
    scene = write_scene(tmp_path / "scene", 96, 64)
    datamodule = WholeScene(paths=scene.parent, batch_size=2, patch_size=32, predict_stride=32)
    writer = GeoTIFFPredictionWriter(tmp_path / "out")
    task = SemanticSegmentationTask(model="fcn", in_channels=4, num_classes=3, num_filters=4).eval()
    trainer = fast_trainer(tmp_path, fast_dev_run=False, callbacks=[writer], limit_predict_batches=1)
    with pytest.warns(UserWarning, match="stopped before the grid's end"):
        trainer.predict(task, datamodule=datamodule, return_predictions=False)
    with rasterio.open(writer.written[0]) as result:
        classes = result.read(1)
    # One batch: the first two windows, the top row of windows; the rest is nodata.
    assert (classes[:32] != 255).all() and (classes[32:] == 255).all()


class FailsOnSecondBatch(nn.Module):
    """A model whose second forward pass fails (after the first input's chunk is written to its part file)."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model, self.calls = model, 0

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        self.calls += 1
        if self.calls == 2:
            raise RuntimeError("out of memory (a stand-in)")
        return self.model(image)


def test_a_prediction_that_fails_leaves_no_part_file_behind(tmp_path: Path) -> None:
    for number in range(2):
        place = TRANSFORM * Affine.translation(100 * number, 0)
        write_raster_file(tmp_path / "scenes" / f"scene_{number}.tif", random_image(number, 32, 64), place)
    datamodule = WholeScene(paths=tmp_path / "scenes", batch_size=2, patch_size=32, predict_stride=32)
    writer = GeoTIFFPredictionWriter(tmp_path / "out")
    task = SemanticSegmentationTask(model="fcn", in_channels=4, num_classes=3, num_filters=4).eval()
    task.model = FailsOnSecondBatch(task.model)
    trainer = fast_trainer(tmp_path, fast_dev_run=False, callbacks=[writer])
    with pytest.raises(RuntimeError, match="a stand-in"):
        trainer.predict(task, datamodule=datamodule, return_predictions=False)
    assert task.model.calls == 2
    assert [path for path in (tmp_path / "out").rglob("*") if path.is_file()] == []


def test_the_writer_blends_a_band_of_rows_at_a_time_not_the_canvas(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from geotorch.trainers import predict_stream
    from geotorch.trainers.predict_blend import BandBlender

    held: list[tuple[int, ...]] = []

    class Recording(BandBlender):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            held.append(tuple(self.total.shape))

    monkeypatch.setattr(predict_stream, "BandBlender", Recording)
    scene = write_scene(tmp_path / "scene", 200, 40)
    task = SemanticSegmentationTask(model="fcn", in_channels=4, num_classes=3, num_filters=4).eval()
    predict(tmp_path, task, scene, stride=16, output="auto")
    assert held == [(3, 32, 40)], "3 channels x 32 rows (a window's height) x the width, not 200 rows"


def test_outputs_cut_into_column_tiles_blend_without_seams(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from geotorch.trainers import predict_grid

    monkeypatch.setattr(predict_grid, "COLUMN_TILE", 24)
    scene = write_scene(tmp_path / "scene", 70, 90)
    task = pointwise_task()
    written = predict(tmp_path, task, scene, stride=12, output="scores")
    with rasterio.open(written) as result:
        values = result.read()
    np.testing.assert_allclose(values, model_on(task, scene), atol=1e-5)


def test_class_outputs_are_cogs_named_and_coloured_by_the_tasks_labels(tmp_path: Path) -> None:
    scene = write_scene(tmp_path / "scene", 40, 50)
    task = SemanticSegmentationTask(model="fcn", in_channels=4, num_classes=3, num_filters=4,
                                    labels=["water", "forest", "crop"]).eval()
    written = predict(tmp_path, task, scene, stride=16, output="auto")
    with rasterio.open(written) as result:
        assert result.tags(ns="IMAGE_STRUCTURE")["LAYOUT"] == "COG"
        assert json.loads(result.tags()["class_names"]) == ["water", "forest", "crop"]
        assert len({result.colormap(1)[label] for label in range(3)}) == 3
