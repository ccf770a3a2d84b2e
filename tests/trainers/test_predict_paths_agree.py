"""``predict_raster`` and ``geotorch predict``'s writer give the same outputs of one task on one raster.

The two paths feed the model the same input (the normalisation the task was fit with) and blend
overlapping windows by one rule (their probabilities), so classes and probabilities agree pixel for pixel.
"""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path

import kornia.augmentation as K
import numpy as np
import pytest
import rasterio
import torch
from affine import Affine
from torch import Tensor, nn

from geotorch.core import GeoDataset, RasterDataset, VectorDataset
from geotorch.datamodules import GeoDataModule
from geotorch.trainers import GeoTIFFPredictionWriter, SemanticSegmentationTask
from geotorch.trainers.input_normalization import CHECKPOINT_KEY
from geotorch.trainers.predict import predict_raster
from geotorch.transforms import AppendNDVI, AugmentationSequential, Normalize
from tests.trainers.task_fakes import fast_trainer

TRANSFORM = Affine(10, 0, 500_000, 0, -10, 4_000_000)
#: Sentinel-2 reflectances are stored times 10,000; the datamodule divides them back.
SCALE = 10_000.0
PATCH, STRIDE = 32, 24


class Scenes(RasterDataset):
    filename_glob = "scene*.tif"


class Labels(RasterDataset):
    filename_glob = "labels*.tif"
    is_image = False


class SceneModule(GeoDataModule):
    """Training on the scene and its labels, prediction on the scene; reflectances divided by 10,000."""

    mean = (0.0,)
    std = (SCALE,)

    def build_splits(self) -> tuple[GeoDataset, GeoDataset, GeoDataset, GeoDataset]:
        images = Scenes(paths=self.kwargs["paths"])
        labelled = images & Labels(paths=self.kwargs["paths"])
        return labelled, labelled, images, images


def write_scene(folder: Path, height: int = 64, width: int = 96) -> Path:
    """A 4-band uint16 reflectance GeoTIFF and a label GeoTIFF of 4 classes beside it."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    profile = {"driver": "GTiff", "width": width, "height": height, "dtype": "uint16", "crs": "EPSG:32633",
               "transform": TRANSFORM}
    reflectance = rng.integers(0, 10_000, (4, height, width)).astype("uint16")
    with rasterio.open(folder / "scene.tif", "w", count=4, **profile) as target:
        target.write(reflectance)
    with rasterio.open(folder / "labels.tif", "w", count=1, **profile) as target:
        target.write((reflectance[:1] // 2_500).astype("uint16"))
    return folder / "scene.tif"


def fitted_task(tmp_path: Path, datamodule: GeoDataModule, in_channels: int = 4) -> SemanticSegmentationTask:
    torch.manual_seed(0)
    task = SemanticSegmentationTask(model="fcn", in_channels=in_channels, num_classes=4, num_filters=8)
    fast_trainer(tmp_path, fast_dev_run=2).fit(task, datamodule=datamodule)
    return task.eval()


def written_by_the_writer(tmp_path: Path, task: nn.Module, datamodule: GeoDataModule, output: str,
                          ckpt_path: Path | None = None) -> np.ndarray:
    writer = GeoTIFFPredictionWriter(tmp_path / f"writer-{output}", output=output)  # type: ignore[arg-type]
    trainer = fast_trainer(tmp_path, fast_dev_run=False, callbacks=[writer])
    trainer.predict(task, datamodule=datamodule, return_predictions=False, ckpt_path=ckpt_path)
    with rasterio.open(writer.written[0]) as result:
        return result.read()


def written_by_predict_raster(
    tmp_path: Path, task: nn.Module, scene: Path, output: str, **kwargs: object
) -> np.ndarray:
    (written,) = predict_raster(task, scene, tmp_path / f"raster-{output}", patch_size=PATCH,
                                overlap=PATCH - STRIDE, output=output, device="cpu", **kwargs)  # type: ignore[arg-type]
    with rasterio.open(written) as result:
        return result.read()


def scene_module(scene: Path, **kwargs: object) -> SceneModule:
    return SceneModule(paths=scene.parent, batch_size=4, patch_size=PATCH, predict_stride=STRIDE, length=8,
                       **kwargs)


@pytest.mark.parametrize("output", ["classes", "probabilities"])
def test_predict_raster_normalises_as_the_datamodule_the_task_was_fit_on(tmp_path: Path, output: str) -> None:
    # predict_raster gave the model raw reflectances (up to 10,000) where it was fit on reflectances / 10,000.
    scene = write_scene(tmp_path / "data")
    task = fitted_task(tmp_path, scene_module(scene))
    expected = written_by_the_writer(tmp_path, task, scene_module(scene), output)
    np.testing.assert_array_equal(written_by_predict_raster(tmp_path, task, scene, output), expected)


def test_a_checkpoint_keeps_the_normalisation_for_predict_raster(tmp_path: Path) -> None:
    scene = write_scene(tmp_path / "data")
    task = fitted_task(tmp_path, scene_module(scene))
    checkpoint = tmp_path / "fit.ckpt"
    trainer = fast_trainer(tmp_path)
    trainer.strategy.connect(task)
    trainer.save_checkpoint(checkpoint)
    assert torch.load(checkpoint, weights_only=True)[CHECKPOINT_KEY] == {
        "steps": [[[0.0], [SCALE]]], "unrepeatable": None, "bands": None
    }
    loaded = SemanticSegmentationTask.load_from_checkpoint(checkpoint).eval()
    fresh = SemanticSegmentationTask(model="fcn", in_channels=4, num_classes=4, num_filters=8)
    # geotorch predict --ckpt_path: the configured task, restored by the trainer.
    expected = written_by_the_writer(tmp_path, fresh, scene_module(scene), "classes", ckpt_path=checkpoint)
    np.testing.assert_array_equal(written_by_predict_raster(tmp_path, loaded, scene, "classes"), expected)


def checkpoint_without_record(tmp_path: Path) -> tuple[Path, Path]:
    """A GeoTIFF scene and a checkpoint of a task fit on it, its normalisation record taken out (TorchGeo's kind)."""
    scene = write_scene(tmp_path / "data")
    task = fitted_task(tmp_path, scene_module(scene))
    checkpoint = tmp_path / "last.ckpt"
    trainer = fast_trainer(tmp_path)
    trainer.strategy.connect(task)
    trainer.save_checkpoint(checkpoint)
    state = torch.load(checkpoint, weights_only=True)
    del state[CHECKPOINT_KEY]
    torch.save(state, checkpoint)
    return scene, checkpoint


def test_a_checkpoint_of_no_record_predicts_raw_values_as_before(tmp_path: Path) -> None:
    scene, checkpoint = checkpoint_without_record(tmp_path)
    loaded = SemanticSegmentationTask.load_from_checkpoint(checkpoint).eval()
    assert loaded.input_normalization is None
    raw = written_by_predict_raster(tmp_path, loaded, scene, "classes")
    given = written_by_predict_raster(tmp_path / "given", loaded, scene, "classes", preprocess=lambda x: x / SCALE)
    np.testing.assert_array_equal(given, written_by_the_writer(tmp_path, loaded, scene_module(scene), "classes"))
    assert not np.array_equal(raw, given)


@pytest.mark.parametrize(
    "steps",
    # The last four were taken: a str failed in torch ("new(): invalid data type 'str'"), a std of 0 divided every
    # value by 0, an empty mean subtracted nothing, 2 means beside 3 stds failed only at the first window.
    [[[0.0, SCALE, 1.0]], [["0", [SCALE]]], [[[0.0], [0.0]]], [[[], [SCALE]]], [[[0.0, 1.0], [1.0, 2.0, 3.0]]]],
    ids=["three", "text", "zero-std", "empty", "lengths"],
)
def test_a_checkpoint_of_a_broken_record_is_refused_naming_it(tmp_path: Path, steps: list[object]) -> None:
    scene = write_scene(tmp_path / "data")
    task = fitted_task(tmp_path, scene_module(scene))
    checkpoint = tmp_path / "fit.ckpt"
    trainer = fast_trainer(tmp_path)
    trainer.strategy.connect(task)
    trainer.save_checkpoint(checkpoint)
    state = torch.load(checkpoint, weights_only=True)
    state[CHECKPOINT_KEY] = {"steps": steps, "unrepeatable": None}
    torch.save(state, checkpoint)
    with pytest.raises(ValueError, match="geotorch_input_normalization' is not a record of input normalisation"):
        SemanticSegmentationTask.load_from_checkpoint(checkpoint)


class PerBandScale(SceneModule):
    """The same normalisation as SceneModule's, spelt band by band."""

    mean = (0.0, 0.0, 0.0, 0.0)
    std = (SCALE, SCALE, SCALE, SCALE)


class ByteScale(SceneModule):
    """Reflectances divided by 255, as by default: not what a task fit on SceneModule learnt on."""

    std = (255.0,)


def test_geotorch_predict_warns_of_a_datamodule_normalising_otherwise_than_the_fit(tmp_path: Path) -> None:
    # A predict config whose datamodule divided by 255 where the fit's divided by 10,000 predicted silently.
    scene = write_scene(tmp_path / "data")
    task = fitted_task(tmp_path, scene_module(scene))
    same = PerBandScale(paths=scene.parent, batch_size=4, patch_size=PATCH, predict_stride=STRIDE)
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*was fit on images normalised")
        written_by_the_writer(tmp_path / "same", task, same, "classes")
    other = ByteScale(paths=scene.parent, batch_size=4, patch_size=PATCH, predict_stride=STRIDE)
    with pytest.warns(UserWarning, match=re.escape(
        "SemanticSegmentationTask was fit on images normalised as (x - [0.0]) / [10000.0], and ByteScale "
        "normalises them as (x - [0.0]) / [255.0]: the predictions are of inputs it never learnt on"
    )):
        written_by_the_writer(tmp_path / "other", task, other, "classes")


def reflectances(sample: dict[str, object]) -> dict[str, object]:
    """A dataset transform dividing a sample's image by 10,000 (float32)."""
    image = sample["image"]
    assert isinstance(image, Tensor)
    return {**sample, "image": image.float() / SCALE}


class TransformedModule(SceneModule):
    """Reflectances divided by 10,000 in the dataset's ``transforms``: not a datamodule's normalisation."""

    mean = (0.0,)
    std = (1.0,)

    def build_splits(self) -> tuple[GeoDataset, GeoDataset, GeoDataset, GeoDataset]:
        images = Scenes(paths=self.kwargs["paths"], transforms=reflectances)
        labelled = images & Labels(paths=self.kwargs["paths"])
        return labelled, labelled, images, images


def test_predict_raster_refuses_a_task_fit_on_more_than_a_normalisation_unless_given_preprocess(
    tmp_path: Path,
) -> None:
    scene = write_scene(tmp_path / "data")
    module = TransformedModule(paths=scene.parent, batch_size=4, patch_size=PATCH, predict_stride=STRIDE, length=8)
    task = fitted_task(tmp_path, module)
    with pytest.raises(ValueError, match=r"SemanticSegmentationTask was fit on images changed by the transforms of "
                                         r"TransformedModule's training dataset, .* give preprocess="):
        predict_raster(task, scene, tmp_path / "refused", patch_size=PATCH, device="cpu")
    assert not (tmp_path / "refused").exists()
    expected = written_by_the_writer(tmp_path, task, TransformedModule(paths=scene.parent, batch_size=4,
                                                                       patch_size=PATCH, predict_stride=STRIDE),
                                     "classes")
    given = written_by_predict_raster(tmp_path, task, scene, "classes", preprocess=lambda x: x / SCALE)
    np.testing.assert_array_equal(given, expected)


class Brightened(nn.Module):
    """A user's augmentation: reflectances normalised by a Normalize it holds, then doubled."""

    def __init__(self) -> None:
        super().__init__()
        self.normalize = Normalize(mean=0.0, std=SCALE)

    def forward(self, batch: dict[str, Tensor]) -> dict[str, Tensor]:
        return {**batch, "image": self.normalize(batch["image"]) * 2}


@pytest.mark.parametrize(
    ("augmentation", "named"),
    [(Brightened, "Brightened"), (lambda: AugmentationSequential(K.Normalize(mean=0.0, std=SCALE, p=0.5)),
                                  r"Normalize applied at random \(p=0.5\)")],
    ids=["wrapper", "random"],
)
def test_predict_raster_refuses_a_normalisation_in_a_wrapper_or_at_random(
    tmp_path: Path, augmentation: type[nn.Module], named: str
) -> None:
    # Both were recorded as the bare normalisation (x / 10,000), so predict_raster fed the model half the values the
    # wrapper gave it (or normalised what it saw raw half the time), silently.
    scene = write_scene(tmp_path / "data")
    module = scene_module(scene)
    module.aug = augmentation()
    task = fitted_task(tmp_path, module)
    with pytest.raises(ValueError, match=rf"fit on images changed by {named} in SceneModule's augmentation, .* "
                                         r"give preprocess="):
        predict_raster(task, scene, tmp_path / "refused", patch_size=PATCH, device="cpu")


class NDVIModule(SceneModule):
    """Reflectances divided by 10,000, then their NDVI appended (TorchGeo's spectral-index recipe)."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.aug = AugmentationSequential(Normalize(mean=self.mean, std=self.std), AppendNDVI(index_nir=3, index_red=2))
        self.train_aug = self.aug


def test_a_task_fits_and_predicts_on_the_bands_its_datamodule_appends(tmp_path: Path) -> None:
    # The task's band check counted the files' 4 bands, not the NDVI the augmentation appends: in_channels=5
    # was refused ("NDVIModule gives images of 4 bands ... set the task's in_channels to 4"), and 4 failed at the
    # first batch in the model.
    scene = write_scene(tmp_path / "data")
    module = NDVIModule(paths=scene.parent, batch_size=4, patch_size=PATCH, predict_stride=STRIDE, length=8)
    refused = r"NDVIModule gives images of 4 bands and 1 its augmentation appends but SemanticSegmentationTask has "
    with pytest.raises(ValueError, match=refused + r"in_channels=4; set the task's in_channels to 5"):
        fitted_task(tmp_path, module)
    task = fitted_task(tmp_path, module, in_channels=5)
    with pytest.raises(ValueError, match=r"SemanticSegmentationTask was fit on images changed by AppendNDVI in "
                                         r"NDVIModule's augmentation, .* give preprocess="):
        predict_raster(task, scene, tmp_path / "refused", patch_size=PATCH, device="cpu")
    expected = written_by_the_writer(tmp_path, task, module, "classes")
    given = written_by_predict_raster(
        tmp_path, task, scene, "classes", preprocess=lambda x: module.aug({"image": x})["image"]
    )
    np.testing.assert_array_equal(given, expected)


class NamedBands(RasterDataset):
    """The scene's four bands by name (a Sentinel-2 export of B2, B3, B4, B8), read near-infrared first."""

    filename_glob = "scene*.tif"
    all_bands = ("B2", "B3", "B4", "B8")


class NamedBandsModule(SceneModule):
    def build_splits(self) -> tuple[GeoDataset, GeoDataset, GeoDataset, GeoDataset]:
        images = NamedBands(paths=self.kwargs["paths"], bands=("B8", "B4", "B3", "B2"))
        labelled = images & Labels(paths=self.kwargs["paths"])
        return labelled, labelled, images, images


def test_predict_raster_reads_the_bands_the_task_was_fit_on_in_their_order(tmp_path: Path) -> None:
    # A task fit on bands=("B8", "B4", "B3", "B2") of B2-B3-B4-B8 files was given them in file order by
    # predict_raster: four bands, the model ran, and the classes were silently those of other inputs.
    scene = write_scene(tmp_path / "data")
    module = NamedBandsModule(paths=scene.parent, batch_size=4, patch_size=PATCH, predict_stride=STRIDE, length=8)
    task = fitted_task(tmp_path, module)
    assert task.input_normalization is not None and task.input_normalization.bands == (4, 3, 2, 1)
    expected = written_by_the_writer(tmp_path, task, module, "probabilities")
    np.testing.assert_array_equal(written_by_predict_raster(tmp_path, task, scene, "probabilities"), expected)
    three = tmp_path / "three" / "rgb.tif"
    three.parent.mkdir()
    with rasterio.open(scene) as source:
        profile = source.profile | {"count": 3}
        with rasterio.open(three, "w", **profile) as target:
            target.write(source.read([1, 2, 3]))
    with pytest.raises(ValueError, match=r"rgb.tif has 3 bands, and the task was fit on its training files' bands "
                                         r"\[4, 3, 2, 1\]"):
        predict_raster(task, three, tmp_path / "refused", patch_size=PATCH, device="cpu")


def as_classes(sample: dict[str, object]) -> dict[str, object]:
    """A label dataset's transform: burnt fields (1) become class 3."""
    mask = sample["mask"]
    assert isinstance(mask, Tensor)
    return {**sample, "mask": mask * 3}


class FieldsModule(SceneModule):
    """The scene's images & field polygons, whose VectorDataset has transforms of its own (masks only)."""

    def build_splits(self) -> tuple[GeoDataset, GeoDataset, GeoDataset, GeoDataset]:
        images = Scenes(paths=self.kwargs["paths"])
        fields = VectorDataset(paths=self.kwargs["fields"], res=10.0, transforms=as_classes)
        return images & fields, images & fields, images, images


def test_transforms_of_labels_alone_leave_the_normalisation_repeatable(tmp_path: Path) -> None:
    scene = write_scene(tmp_path / "data")
    fields = tmp_path / "fields.geojson"
    polygon = {"type": "Polygon", "coordinates": [[[500_100, 3_999_900], [500_500, 3_999_900], [500_500, 3_999_500],
                                                    [500_100, 3_999_500], [500_100, 3_999_900]]]}
    crs = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::32633"}}
    feature = {"type": "Feature", "properties": {}, "geometry": polygon}
    fields.write_text(json.dumps({"type": "FeatureCollection", "crs": crs, "features": [feature]}))
    module = FieldsModule(paths=scene.parent, fields=fields, batch_size=4, patch_size=PATCH, predict_stride=STRIDE,
                          length=8)
    task = fitted_task(tmp_path, module)
    assert task.input_normalization is not None and task.input_normalization.unrepeatable is None
    expected = written_by_the_writer(tmp_path, task, FieldsModule(paths=scene.parent, fields=fields, batch_size=4,
                                                                  patch_size=PATCH, predict_stride=STRIDE), "classes")
    np.testing.assert_array_equal(written_by_predict_raster(tmp_path, task, scene, "classes"), expected)


class WindowScaled(nn.Module):
    """A 1x1 convolution's logits, scaled and biased by the window's top-left pixel: overlapping windows disagree."""

    def __init__(self) -> None:
        super().__init__()
        torch.manual_seed(1)
        self.mix = nn.Conv2d(4, 4, 1)

    def forward(self, image: Tensor) -> Tensor:
        corner = image[:, :, :1, :1]
        return self.mix(image) * corner[:, :1] * 20 + corner * 4


@pytest.mark.parametrize("output", ["classes", "probabilities"])
def test_overlapping_windows_blend_probabilities_in_both_paths(tmp_path: Path, output: str) -> None:
    # predict_raster blended the windows' logits and the writer predict_step's probabilities: where windows
    # disagree in confidence, the two chose other classes for the same model and raster.
    scene = write_scene(tmp_path / "data")
    task = fitted_task(tmp_path, scene_module(scene))
    task.model = WindowScaled()
    expected = written_by_the_writer(tmp_path, task, scene_module(scene), output)
    np.testing.assert_array_equal(written_by_predict_raster(tmp_path, task, scene, output), expected)


class Hillshades(RasterDataset):
    filename_glob = "hillshade.tif"


class HillshadeModule(GeoDataModule):
    """Prediction on a hillshade alone, its values as stored (a task predicts without training)."""

    mean = (0.0,)
    std = (1.0,)

    def build_splits(self) -> tuple[GeoDataset, GeoDataset, GeoDataset, GeoDataset]:
        dataset = Hillshades(paths=self.kwargs["paths"])
        return dataset, dataset, dataset, dataset


@pytest.mark.parametrize("nodata", [255, None])
def test_a_raster_smaller_than_a_window_is_padded_alike_in_both_paths(tmp_path: Path, nodata: int | None) -> None:
    # predict_raster padded a raster smaller than its windows with zeros, a GeoDataset's read with the raster's
    # nodata (255 here): the convolutions carried the difference into the classes along the raster's edges.
    folder = tmp_path / "data"
    folder.mkdir()
    rng = np.random.default_rng(3)
    shade = rng.integers(0, 255, (1, 20, 25)).astype("uint8")
    shade[:, :4, :6] = 255 if nodata is not None else 0
    with rasterio.open(folder / "hillshade.tif", "w", driver="GTiff", width=25, height=20, count=1, dtype="uint8",
                       crs="EPSG:3857", transform=TRANSFORM, nodata=nodata) as target:
        target.write(shade)
    torch.manual_seed(0)
    task = SemanticSegmentationTask(model="fcn", in_channels=1, num_classes=4, num_filters=8).eval()
    module = HillshadeModule(paths=folder, batch_size=4, patch_size=PATCH, predict_stride=STRIDE)
    for output in ("classes", "probabilities"):
        expected = written_by_the_writer(tmp_path, task, module, output)
        given = written_by_predict_raster(tmp_path, task, folder / "hillshade.tif", output)
        np.testing.assert_array_equal(given, expected)
