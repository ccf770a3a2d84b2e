"""A task fit on a datamodule stretching its images (``MinMaxNormalize``) is predicted alike by both paths."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from geotorch.trainers import SemanticSegmentationTask
from geotorch.trainers.input_normalization import CHECKPOINT_KEY, InputNormalization, Stretch
from geotorch.trainers.predict import predict_raster
from geotorch.transforms import AugmentationSequential, MinMaxNormalize, PercentileNormalize
from tests.trainers.task_fakes import fast_trainer
from tests.trainers.test_predict_paths_agree import (
    PATCH,
    fitted_task,
    scene_module,
    write_scene,
    written_by_predict_raster,
    written_by_the_writer,
)

#: Dataset-wide 2nd and 98th percentiles of each band, computed once (MinMaxNormalize's recipe), and clipped.
MINS, MAXS = [200.0, 250.0, 300.0, 150.0], [9_000.0, 9_500.0, 8_800.0, 9_700.0]


def stretched_module(scene: Path, clip: bool = True) -> object:
    module = scene_module(scene)
    module.aug = AugmentationSequential(MinMaxNormalize(MINS, MAXS, clip=clip))
    return module


@pytest.mark.parametrize("clip", [True, False], ids=["clipped", "unclipped"])
def test_a_fixed_stretch_is_repeated_by_predict_raster(tmp_path: Path, clip: bool) -> None:
    # predict_raster refused the task ("changed by MinMaxNormalize ... cannot repeat"), though its ranges are fixed.
    scene = write_scene(tmp_path / "data")
    task = fitted_task(tmp_path, stretched_module(scene, clip))  # type: ignore[arg-type]
    for output in ("classes", "probabilities"):
        expected = written_by_the_writer(tmp_path, task, stretched_module(scene, clip), output)  # type: ignore[arg-type]
        np.testing.assert_array_equal(written_by_predict_raster(tmp_path, task, scene, output), expected)


def test_a_checkpoint_keeps_the_stretch(tmp_path: Path) -> None:
    scene = write_scene(tmp_path / "data")
    task = fitted_task(tmp_path, stretched_module(scene))  # type: ignore[arg-type]
    checkpoint = tmp_path / "fit.ckpt"
    trainer = fast_trainer(tmp_path)
    trainer.strategy.connect(task)
    trainer.save_checkpoint(checkpoint)
    record = torch.load(checkpoint, weights_only=True)[CHECKPOINT_KEY]
    assert record["steps"] == [{"mins": MINS, "maxs": MAXS, "clip": True}]
    loaded = SemanticSegmentationTask.load_from_checkpoint(checkpoint).eval()
    assert str(loaded.input_normalization) == f"clip((x - {MINS}) / ({MAXS} - {MINS}), 0, 1)"
    expected = written_by_the_writer(tmp_path, task, stretched_module(scene), "classes")  # type: ignore[arg-type]
    np.testing.assert_array_equal(written_by_predict_raster(tmp_path / "loaded", loaded, scene, "classes"), expected)


@pytest.mark.parametrize(
    "step",
    [{"mins": [0.0], "maxs": [0.0], "clip": True}, {"mins": [0.0], "maxs": [1.0], "clip": "yes"},
     {"mins": [0.0, 1.0], "maxs": [5.0, 1.0], "clip": False}, {"mins": [], "maxs": [1.0], "clip": True}],
    ids=["empty-range", "clip-text", "one-band-empty", "no-mins"],
)
def test_a_broken_stretch_record_is_refused(step: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="is not a record of input normalisation"):
        InputNormalization.from_checkpoint({"steps": [step], "unrepeatable": None, "bands": None})


def test_percentiles_of_each_image_are_refused_naming_them(tmp_path: Path) -> None:
    scene = write_scene(tmp_path / "data")
    module = scene_module(scene)
    module.aug = AugmentationSequential(PercentileNormalize())
    task = fitted_task(tmp_path, module)
    with pytest.raises(ValueError, match=r"changed by PercentileNormalize \(the percentiles of each image, not "
                                         r"statistics it could record\) in SceneModule's augmentation"):
        predict_raster(task, scene, tmp_path / "refused", patch_size=PATCH, device="cpu")


def test_stretches_of_other_ranges_are_told_apart() -> None:
    # Compared on 0, 1 and 1000 alone, a stretch of 0..1 and one of 0..0.5, both clipped, were the same (0, 1, 1),
    # so geotorch predict did not warn of a datamodule stretching otherwise than the fit.
    fit = InputNormalization((Stretch((0.0,), (3000.0,), True),))
    assert not fit.same_as(InputNormalization((Stretch((0.0,), (1500.0,), True),)))
    assert not InputNormalization((Stretch((0.0,), (1.0,), True),)).same_as(
        InputNormalization((Stretch((0.0,), (0.5,), True),))
    )
    assert fit.same_as(InputNormalization((Stretch((0.0, 0.0), (3000.0, 3000.0), True),)))
    assert InputNormalization((((0.0,), (2.0,)), ((1.0,), (5.0,)))).same_as(InputNormalization((((2.0,), (10.0,)),)))
