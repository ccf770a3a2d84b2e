"""``GeoTIFFPredictionWriter`` given bad and unusual input: an error naming it, and no file half-written."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import rasterio
import torch
from affine import Affine
from lightning.pytorch import LightningModule
from torch import Tensor, nn

from geotorch.core import GeoDataset, RasterDataset
from geotorch.datamodules import GeoDataModule
from geotorch.trainers import GeoTIFFPredictionWriter, SemanticSegmentationTask
from tests.trainers.task_fakes import fast_trainer

TRANSFORM = Affine(10, 0, 500_000, 0, -10, 4_000_000)


class Scenes(RasterDataset):
    filename_glob = "*.tif"


class WholeScene(GeoDataModule):
    """Predicts on every file of ``paths``, unscaled."""

    mean = (0.0,)
    std = (1.0,)

    def build_splits(self) -> tuple[GeoDataset, GeoDataset, GeoDataset, GeoDataset]:
        dataset = Scenes(paths=self.kwargs["paths"])
        return dataset, dataset, dataset, dataset


def scene(folder: Path, height: int = 40, width: int = 50, bands: int = 3) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "scene.tif"
    # Brighter eastwards: windows side by side see different means.
    image = np.broadcast_to(np.arange(1, width + 1, dtype="uint8") * 4, (bands, height, width))
    profile = {
        "driver": "GTiff",
        "width": width,
        "height": height,
        "count": bands,
        "dtype": "uint8",
        "crs": "EPSG:32633",
        "transform": TRANSFORM,
    }
    with rasterio.open(path, "w", **profile) as target:
        target.write(image)
    return path


class Predicts(LightningModule):
    """A module whose ``predict_step`` gives what ``predict`` makes of the batch's image."""

    def __init__(self, predict: Any) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(1))
        self.predict = predict

    def predict_step(self, batch: dict[str, Any], batch_idx: int, dataloader_idx: int = 0) -> Any:
        return self.predict(batch["image"])


def run(tmp_path: Path, module: LightningModule, writer: GeoTIFFPredictionWriter) -> None:
    datamodule = WholeScene(paths=tmp_path / "in", batch_size=4, patch_size=32, predict_stride=16)
    trainer = fast_trainer(tmp_path, fast_dev_run=False, callbacks=[writer])
    trainer.predict(module, datamodule=datamodule, return_predictions=False)


def files_in(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()] if folder.exists() else []


def context_classes(image: Tensor) -> Tensor:
    """Classes 0 or 2 chosen by each window's mean: a class map that windows overlapping disagree on."""
    return torch.where(image[:, :1].mean(dim=(1, 2, 3), keepdim=True) > 100, 2, 0).expand(-1, -1, *image.shape[2:])


@pytest.mark.parametrize(
    ("predict", "given"),
    [
        (lambda image: context_classes(image)[:, 0], r"\(4, 32, 32\) int64"),
        (lambda image: context_classes(image).bool(), r"\(4, 1, 32, 32\) bool"),
        (lambda image: image[:1], r"\(1, 3, 32, 32\) float32"),
        (lambda image: image.to(torch.complex64), r"\(4, 3, 32, 32\) complex64"),
        (lambda image: [image], "list"),
    ],
)
def test_predictions_that_are_no_floating_point_values_of_every_window_are_refused_naming_them(
    tmp_path: Path, predict: Any, given: str
) -> None:
    # A class map (B, H, W) int64 was blended as numbers: 0 and 2 of two overlapping windows gave 1.0,
    # written as a float32 "score"; one prediction for four windows was a bare zip() error.
    scene(tmp_path / "in")
    with pytest.raises(
        ValueError,
        match=rf"GeoTIFFPredictionWriter: predict_step gave {given} for a batch of 4 "
        r"windows; it must give \(B, C, H, W\) or \(B, H, W\) real floating-point",
    ):
        run(tmp_path, Predicts(predict), GeoTIFFPredictionWriter(tmp_path / "out"))
    assert files_in(tmp_path / "out") == []


@pytest.mark.parametrize(
    ("arguments", "error", "named"),
    [
        ({"output": "class"}, ValueError, "output='class' must be one of auto, classes, probabilities, scores"),
        ({"output": None}, ValueError, "output=None must be one of"),
        ({"output_dir": ""}, ValueError, "output_dir='' is empty"),
        ({"output_dir": None}, TypeError, "output_dir=None must be a folder's path"),
        ({"output_dir": b"out"}, TypeError, "output_dir=b'out' must be a folder's path"),
    ],
)
def test_bad_arguments_are_refused_naming_them(arguments: dict[str, Any], error: type[Exception], named: str) -> None:
    # output="class" wrote three float32 bands tagged output=class; output_dir="" wrote into the working folder.
    with pytest.raises(error, match=rf"^GeoTIFFPredictionWriter: {re.escape(named)}"):
        GeoTIFFPredictionWriter(**arguments)


@pytest.mark.parametrize("blocking", ["a folder at the output", "a file at its folder"])
def test_a_folder_or_file_in_an_outputs_way_is_refused_before_the_model_runs(tmp_path: Path, blocking: str) -> None:
    # Found when b/scene.tif was renamed into place, after the whole prediction, leaving out/a/ made and empty.
    scene(tmp_path / "in" / "a")
    scene(tmp_path / "in" / "b")
    out = tmp_path / "out"
    if blocking == "a folder at the output":
        (out / "b" / "scene.tif").mkdir(parents=True)
        error, says = IsADirectoryError, f"the output {out / 'b' / 'scene.tif'} is a folder"
    else:
        out.mkdir()
        (out / "b").write_text("not a folder")
        error, says = NotADirectoryError, f"the output {out / 'b' / 'scene.tif'} goes in the folder {out / 'b'}, which"
    before = sorted(out.rglob("*"))
    windows: list[int] = []
    with pytest.raises(error, match=f"^GeoTIFFPredictionWriter: {re.escape(says)}"):
        run(tmp_path, Predicts(lambda image: windows.append(len(image)) or image.float()), GeoTIFFPredictionWriter(out))
    assert windows == []
    assert sorted(out.rglob("*")) == before


def test_an_output_dir_inside_the_input_folder_is_refused_once_it_holds_outputs(tmp_path: Path) -> None:
    # The second run read the first one's output as an input: "WholeScene gives images of 1 bands but
    # SemanticSegmentationTask has in_channels=3; set the task's in_channels to 1". Probabilities of 3
    # classes have the input's 3 bands, so the dataset takes them and the writer must refuse them.
    scene(tmp_path / "in")
    out = tmp_path / "in" / "out"
    task = SemanticSegmentationTask(model="fcn", in_channels=3, num_classes=3, num_filters=4).eval()
    run(tmp_path, task, GeoTIFFPredictionWriter(out, output="probabilities"))
    written = (out / "scene.tif").read_bytes()
    with pytest.raises(
        ValueError, match=rf"the input {re.escape(str(out / 'scene.tif'))} is a prediction written in output_dir="
    ):
        run(tmp_path, task, GeoTIFFPredictionWriter(out, output="probabilities"))
    assert (out / "scene.tif").read_bytes() == written
    assert [path.name for path in out.iterdir()] == ["scene.tif"]
    # One band of classes beside 3-band inputs: the dataset refuses the folder, naming the output.
    (out / "scene.tif").unlink()
    run(tmp_path, task, GeoTIFFPredictionWriter(out, output="classes"))
    with pytest.raises(ValueError, match=rf"scene\.tif has 3 band\(s\) but {re.escape(str(out / 'scene.tif'))} has 1"):
        run(tmp_path, task, GeoTIFFPredictionWriter(out))


def test_a_prediction_grid_with_gaps_between_windows_is_refused_naming_the_stride(tmp_path: Path) -> None:
    # patch_size=8 with predict_stride=20 wrote 1376 of a 40 x 50 scene's 2000 pixels as nodata, with no warning:
    # the writer blends what windows cover, and 12 of every 20 rows and columns lay between windows.
    from geotorch.trainers import StreamingGridSampler

    scene(tmp_path / "in")
    with pytest.raises(ValueError, match=r"WholeScene: predict_stride=20 is larger than patch_size=8"):
        WholeScene(paths=tmp_path / "in", batch_size=4, patch_size=8, predict_stride=20)
    with pytest.raises(ValueError, match=r"WholeScene: predict_stride=\(4, 9\) is larger than patch_size=\(8, 8\)"):
        WholeScene(paths=tmp_path / "in", patch_size=(8, 8), predict_stride=(4, 9))
    with pytest.raises(ValueError, match=r"StreamingGridSampler: stride=\(8, 20\) is larger than size=8"):
        StreamingGridSampler(Scenes(paths=tmp_path / "in"), 8, (8, 20))


def test_a_prediction_grid_of_windows_side_by_side_predicts_every_pixel(tmp_path: Path) -> None:
    scene(tmp_path / "in")
    writer = GeoTIFFPredictionWriter(tmp_path / "out", output="scores")
    datamodule = WholeScene(paths=tmp_path / "in", batch_size=4, patch_size=8, predict_stride=8)
    trainer = fast_trainer(tmp_path, fast_dev_run=False, callbacks=[writer])
    trainer.predict(Predicts(lambda image: image[:, :1].float()), datamodule=datamodule, return_predictions=False)
    with rasterio.open(writer.written[0]) as written, rasterio.open(tmp_path / "in" / "scene.tif") as source:
        np.testing.assert_array_equal(written.read(1), source.read(1).astype("float32"))


def test_classes_of_more_channels_than_uint16_holds_beside_nodata_are_refused(tmp_path: Path) -> None:
    # 65536 probabilities per pixel were written as uint16 classes: class 65535 as the nodata value.
    scene(tmp_path / "in", height=8, width=8)
    writer = GeoTIFFPredictionWriter(tmp_path / "out", output="classes")
    trainer = fast_trainer(tmp_path, fast_dev_run=False, callbacks=[writer])
    datamodule = WholeScene(paths=tmp_path / "in", batch_size=4, patch_size=4, predict_stride=4)
    last = torch.tensor(65535)
    most = Predicts(lambda image: torch.zeros(image.shape[0], 65536, *image.shape[2:]).index_fill_(1, last, 1))
    with pytest.raises(ValueError, match=r"output='classes' holds at most 65535 classes .* gives 65536 channels"):
        trainer.predict(most, datamodule=datamodule, return_predictions=False)
    assert files_in(tmp_path / "out") == []


def test_task_labels_that_are_not_one_per_class_are_refused_as_predict_raster_refuses_them(tmp_path: Path) -> None:
    # A binary task labelled ["building"] had its 0/1 classes written with the class_names tag ["building"] (class 0
    # named building); predict_raster refused those labels, the writer took them.
    scene(tmp_path / "in")
    binary = {"model": "fcn", "task": "binary", "loss": "bce", "in_channels": 3, "num_filters": 4}
    task = SemanticSegmentationTask(**binary, labels=["building"])
    writer = GeoTIFFPredictionWriter(tmp_path / "out", output="classes")
    with pytest.raises(
        ValueError,
        match=re.escape(
            "GeoTIFFPredictionWriter: the task's labels hold 1 names ['building'] for the model's 2 classes (a single "
            "binary channel); give the task labels=, one name per class"
        ),
    ):
        run(tmp_path, task, writer)
    assert files_in(tmp_path / "out") == []
    task = SemanticSegmentationTask(**binary, labels=["background", "building"])
    writer = GeoTIFFPredictionWriter(tmp_path / "out", output="classes")
    run(tmp_path, task, writer)
    with rasterio.open(writer.written[0]) as result:
        assert result.tags()["class_names"] == '["background", "building"]'
        assert set(np.unique(result.read(1))) <= {0, 1}


@pytest.mark.parametrize("output", ["classes", "probabilities"])
def test_logits_are_refused_where_probabilities_are_read(tmp_path: Path, output: str) -> None:
    # A predict_step giving one logit per pixel, (value - 100) / 50, had 240 of 2000 pixels written as class 0 that
    # are class 1 (logits in 0..0.5 taken for probabilities below 0.5), and all 2000 probabilities wrong (logits
    # clamped to 0..1, then scaled).
    scene(tmp_path / "in")
    writer = GeoTIFFPredictionWriter(tmp_path / "out", output=output)  # type: ignore[arg-type]
    logits = Predicts(lambda image: (image[:, :1].float() - 100) / 50)
    with pytest.raises(ValueError, match=rf"output='{output}' reads predict_step's values .* gave -1.92, outside 0..1"):
        run(tmp_path, logits, writer)
    assert files_in(tmp_path / "out") == []
    writer = GeoTIFFPredictionWriter(tmp_path / "out", output=output)  # type: ignore[arg-type]
    run(tmp_path, Predicts(lambda image: torch.sigmoid((image[:, :1].float() - 100) / 50)), writer)
    with rasterio.open(writer.written[0]) as result, rasterio.open(tmp_path / "in" / "scene.tif") as source:
        values = source.read(1).astype("float64")
        expected = values > 100 if output == "classes" else np.round(254 / (1 + np.exp(-(values - 100) / 50)))
        np.testing.assert_array_equal(result.read(1), expected.astype("uint8"))


def test_an_output_dir_where_no_file_can_be_made_is_refused_naming_it_before_the_model_runs(
    tmp_path: Path, unwritable: Path
) -> None:
    # GDAL's "Attempt to create new tiff file '<folder>/.scene.tif.<host>.<pid>.<hex>.part' failed: ... Permission
    # denied" came at the first batch, naming a hidden temporary.
    folder = unwritable
    scene(tmp_path / "in")
    calls: list[int] = []
    module = Predicts(lambda image: calls.append(1) or torch.sigmoid(image[:, :1].float()))
    with pytest.raises(PermissionError, match=rf"GeoTIFFPredictionWriter: cannot write in {re.escape(str(folder))}"):
        run(tmp_path, module, GeoTIFFPredictionWriter(folder / "out", output="probabilities"))
    assert calls == []


class Stacks(RasterDataset):
    filename_glob = "*.vrt"


class WholeStack(WholeScene):
    def build_splits(self) -> tuple[GeoDataset, GeoDataset, GeoDataset, GeoDataset]:
        dataset = Stacks(paths=self.kwargs["paths"])
        return dataset, dataset, dataset, dataset


def test_bands_of_different_nodata_values_are_nodata_where_every_band_is_nodata(tmp_path: Path) -> None:
    # A VRT of band 1 nodata 0 (north half) and band 2 nodata 255 (west half): the 120 pixels nodata in both were
    # predicted (from the dataset's fill) and written as data: the mask warped every band with band 1's nodata.
    from tests.core.rasters import vrt, write_raster

    north, west = np.full((20, 24), 50, "uint8"), np.full((20, 24), 60, "uint8")
    north[:10] = 0
    west[:, :12] = 255
    files = [write_raster(tmp_path / "bands" / name, band, "EPSG:32633", TRANSFORM) for name, band in
             (("north.tif", north), ("west.tif", west))]  # fmt: skip
    (tmp_path / "in").mkdir()
    bands = [(str(files[0]), "Byte", 0), (str(files[1]), "Byte", 255)]
    vrt(tmp_path / "in" / "stack.vrt", bands, 24, 20, "EPSG:32633", TRANSFORM.to_gdal())
    writer = GeoTIFFPredictionWriter(tmp_path / "out", output="scores")
    datamodule = WholeStack(paths=tmp_path / "in", batch_size=4, patch_size=8, predict_stride=4)
    trainer = fast_trainer(tmp_path, fast_dev_run=False, callbacks=[writer])
    trainer.predict(Predicts(lambda image: image.float()), datamodule=datamodule, return_predictions=False)
    with rasterio.open(writer.written[0]) as result:
        scores = result.read()
    missing = np.zeros((20, 24), dtype=bool)
    missing[:10, :12] = True
    assert np.isnan(scores[:, missing]).all() and not np.isnan(scores[:, ~missing]).any()
    np.testing.assert_array_equal(scores[0, 10:], north[10:].astype("float32"))
    np.testing.assert_array_equal(scores[1, :, 12:], west[:, 12:].astype("float32"))
