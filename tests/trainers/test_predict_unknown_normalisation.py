"""``predict_raster`` of a task that holds no record of its input normalisation says that it feeds raw values."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pytest
import torch
from torch import nn

from geotorch.trainers import SemanticSegmentationTask
from geotorch.trainers.predict import predict_raster
from tests.trainers.test_predict_paths_agree import PATCH, SCALE, checkpoint_without_record, write_scene


def test_a_checkpoint_without_a_record_warns_that_raw_values_are_predicted(tmp_path: Path) -> None:
    # The model was fit on reflectances / 10,000 and was given raw reflectances, silently.
    scene, checkpoint = checkpoint_without_record(tmp_path)
    loaded = SemanticSegmentationTask.load_from_checkpoint(checkpoint).eval()
    with pytest.warns(UserWarning, match=re.escape(
        "predict_raster: SemanticSegmentationTask was loaded from a checkpoint (epoch 0, step 0) holding no record "
        "of how its input was normalised when fit"
    )) as caught:
        predict_raster(loaded, scene, tmp_path / "raw", patch_size=PATCH, device="cpu")
    assert len([item for item in caught if "no record" in str(item.message)]) == 1
    assert "give preprocess=" in str(caught[0].message)
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*no record of how its input was normalised")
        predict_raster(loaded, scene, tmp_path / "given", patch_size=PATCH, device="cpu",
                       preprocess=lambda x: x / SCALE)


def test_a_task_given_a_state_dict_torchgeo_style_warns_alike(tmp_path: Path) -> None:
    scene, checkpoint = checkpoint_without_record(tmp_path)
    task = SemanticSegmentationTask(model="fcn", in_channels=4, num_classes=4, num_filters=8)
    task.load_state_dict(torch.load(checkpoint, weights_only=True)["state_dict"])
    with pytest.warns(UserWarning, match=r"SemanticSegmentationTask holds no record of how its input was normalised "
                                         r"when fit \(not fit on a GeoTorch datamodule here.*give preprocess="):
        predict_raster(task.eval(), scene, tmp_path / "raw", patch_size=PATCH, device="cpu")


def test_a_plain_module_predicts_raw_values_without_a_warning(tmp_path: Path) -> None:
    scene = write_scene(tmp_path / "data")
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*no record of how its input was normalised")
        predict_raster(nn.Conv2d(4, 3, 1).eval(), scene, tmp_path / "plain", patch_size=PATCH, device="cpu")
