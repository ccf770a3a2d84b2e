"""``geotorch predict --ckpt_path``: a script's checkpoint, one of another task, a damaged one, weights alone."""

from __future__ import annotations

from pathlib import Path

import pytest
import rasterio
import torch
from lightning.pytorch import LightningModule, Trainer

from geotorch.core.cli import main
from geotorch.trainers import SemanticSegmentationTask

#: A small quickstart: a tiny FCN over the demo area, predicting its test strip.
CONFIG = """
model:
  class_path: SemanticSegmentationTask
  init_args: {model: fcn, num_filters: 4, in_channels: 6, num_classes: 6}
data:
  class_path: DemoDataModule
  init_args: {batch_size: 16, patch_size: 64, num_workers: 0}
trainer: {accelerator: cpu, devices: 1, logger: false, enable_progress_bar: false, default_root_dir: %s}
"""


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "small.yaml"
    path.write_text(CONFIG % (tmp_path / "run"))
    return path


def save_checkpoint(task: LightningModule, path: Path) -> Path:
    """The checkpoint a script's ``Trainer`` writes (no task class recorded, unlike ``geotorch fit``'s)."""
    trainer = Trainer(accelerator="cpu", logger=False, enable_checkpointing=False, enable_progress_bar=False)
    trainer.strategy.connect(task)
    trainer.save_checkpoint(path)
    return path


def fcn_checkpoint(path: Path, num_classes: int = 6) -> Path:
    return save_checkpoint(SemanticSegmentationTask(model="fcn", in_channels=6, num_classes=num_classes,
                                                    num_filters=4), path)


def error_of(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    """The last line ``geotorch ARGV`` prints on stderr, after checking it failed with status 1."""
    assert main(argv) == 1
    return capsys.readouterr().err.strip().splitlines()[-1]


def test_a_checkpoint_a_scripts_trainer_wrote_predicts_with_the_configured_task(
    tmp_path: Path, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Lightning read its hyperparameters as a model of no class: "Does not validate against any of the Union subtypes".
    checkpoint = fcn_checkpoint(tmp_path / "script.ckpt", num_classes=3)
    assert main(["predict", "--config", str(config), "--ckpt_path", str(checkpoint)]) == 0
    (written,) = (tmp_path / "run" / "predictions").glob("*.tif")
    assert f"wrote {written}" in capsys.readouterr().out
    with rasterio.open(written) as result:
        # The checkpoint's classes, not the config's: its weights are of 3.
        assert result.tags()["class_names"] == '["class_0", "class_1", "class_2"]'


@pytest.mark.parametrize("kind", ["truncated", "weights alone", "a list"])
def test_a_damaged_checkpoint_or_weights_alone_is_named(
    kind: str, tmp_path: Path, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    checkpoint = tmp_path / "bad.ckpt"
    task = SemanticSegmentationTask(model="fcn", in_channels=6, num_classes=6, num_filters=4)
    if kind == "truncated":
        whole = fcn_checkpoint(tmp_path / "whole.ckpt").read_bytes()
        checkpoint.write_bytes(whole[: len(whole) // 2])
        says = "torch.load cannot read it"
    else:
        torch.save(task.state_dict() if kind == "weights alone" else [1, 2], checkpoint)
        says = "not a Lightning checkpoint (no 'pytorch-lightning_version' or 'state_dict')"
    # Before: "[Errno 22] Invalid argument", "pytorch-lightning_version", "'list' object has no attribute 'get'".
    assert error_of(["predict", "--config", str(config), "--ckpt_path", str(checkpoint)], capsys).startswith(
        f"geotorch: error: --ckpt_path {checkpoint}: {says}"
    )
    assert not (tmp_path / "run" / "predictions").exists()


def test_a_checkpoint_of_another_task_is_named_before_a_model_is_built(
    tmp_path: Path, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    checkpoint = torch.load(fcn_checkpoint(tmp_path / "fcn.ckpt"), weights_only=True)
    # geotorch fit records the task; Lightning built it in place of the configured one, whose output the
    # writer then refused: "predict_step must return (B, C, H, W) or (B, H, W) tensors".
    checkpoint["hyper_parameters"]["_class_path"] = "geotorch.trainers.ClassificationTask"
    torch.save(checkpoint, tmp_path / "fitted.ckpt")
    assert error_of(["predict", "--config", str(config), "--ckpt_path", str(tmp_path / "fitted.ckpt")], capsys) == (
        f"geotorch: error: --ckpt_path {tmp_path / 'fitted.ckpt'}: a checkpoint of "
        "geotorch.trainers.ClassificationTask, but the configured model is geotorch.trainers.SemanticSegmentationTask; "
        "give a checkpoint of that task, or the config the checkpoint was fitted with"
    )
    # A script's checkpoint of a classifier: the segmentation task's own refusal, naming the checkpoint.
    checkpoint["hyper_parameters"] = {"model": "resnet18", "in_channels": 6, "num_classes": 6}
    torch.save(checkpoint, tmp_path / "classifier.ckpt")
    error = error_of(["predict", "--config", str(config), "--ckpt_path", str(tmp_path / "classifier.ckpt")], capsys)
    assert error.startswith(f"geotorch: error: --ckpt_path {tmp_path / 'classifier.ckpt'}: the task refuses the "
                            "hyperparameters it holds (a checkpoint of another task?): unknown segmentation model "
                            "'resnet18'")
    assert not (tmp_path / "run" / "predictions").exists()


def test_a_task_refusing_its_configured_arguments_says_why_in_one_line(
    tmp_path: Path, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # jsonargparse wrapped the task's error in the union's lines and every argument's value (9 lines).
    assert main(["predict", "--config", str(config), "--model.init_args.model=resnet18"]) == 1
    errors = [line for line in capsys.readouterr().err.strip().splitlines() if "error" in line or line[:1] == " "]
    assert len(errors) == 1
    assert errors[0].startswith("geotorch: error: unknown segmentation model 'resnet18'; choose from ")


@pytest.mark.parametrize("given", ["config", "checkpoint"])
def test_a_multiclass_task_of_one_class_is_refused_pointing_to_binary(
    given: str, tmp_path: Path, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # torchmetrics' "Expected argument `num_classes` to be an integer larger than 1, but got 1" named no task.
    argv = ["predict", "--config", str(config)]
    if given == "config":
        argv.append("--model.init_args.num_classes=1")
    else:
        checkpoint = torch.load(fcn_checkpoint(tmp_path / "fcn.ckpt"), weights_only=True)
        checkpoint["hyper_parameters"]["num_classes"] = 1
        torch.save(checkpoint, tmp_path / "one.ckpt")
        argv += ["--ckpt_path", str(tmp_path / "one.ckpt")]
    assert error_of(argv, capsys).endswith(
        "SemanticSegmentationTask: num_classes=1 with task='multiclass', which needs 2 or more; one class per "
        "pixel, present or not, is task='binary' (with loss='bce')"
    )
    assert not (tmp_path / "run" / "predictions").exists()
