"""``geotorch fit|predict`` output: no Lightning warning about hooks GeoTorch itself defines."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from lightning.pytorch.trainer.connectors import data_connector

from geotorch.core.cli import main
from tests.trainers.test_predict_checkpoints import CONFIG, fcn_checkpoint


def shown(argv: list[str]) -> list[str]:
    """The warnings ``geotorch ARGV`` issues, after checking it succeeded."""
    data_connector.warning_cache.clear()  # Lightning warns once per process
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert main(argv) == 0
    return [str(warning.message) for warning in caught]


def test_fit_does_not_warn_that_task_and_datamodule_both_move_batches(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Every GeoTorch task and GeoDataModule define transfer_batch_to_device (e164a7d gave tasks theirs), so
    # each `geotorch fit` of the quickstart printed "You have overridden `transfer_batch_to_device` in both
    # `LightningModule` and `LightningDataModule`", about code the user never wrote.
    config = tmp_path / "small.yaml"
    config.write_text(CONFIG % (tmp_path / "run"))
    limits = ["--trainer.max_epochs=1", "--trainer.limit_train_batches=1", "--trainer.limit_val_batches=1"]
    assert not [message for message in shown(["fit", "--config", str(config), *limits])
                if "transfer_batch_to_device" in message]
    capsys.readouterr()
    # Other warnings still show: a predict without --ckpt_path says it predicts untrained.
    messages = shown(["predict", "--config", str(config)])
    assert not [message for message in messages if "transfer_batch_to_device" in message]
    assert "geotorch: warning: geotorch predict without --ckpt_path" in capsys.readouterr().err


def test_predict_does_not_pass_on_torchs_deprecation_of_lightnings_own_code(tmp_path: Path) -> None:
    # Every `geotorch predict` printed ".../lightning/pytorch/utilities/_pytree.py:21: `isinstance(treespec,
    # LeafSpec)` is deprecated, use ...": torch's FutureWarning to Lightning's code, nothing a user can act on.
    config = tmp_path / "small.yaml"
    config.write_text(CONFIG % (tmp_path / "run"))
    checkpoint = fcn_checkpoint(tmp_path / "fit.ckpt")
    messages = shown(["predict", "--config", str(config), f"--ckpt_path={checkpoint}"])
    assert not [message for message in messages if "LeafSpec" in message]
    assert len(list((tmp_path / "run" / "predictions").glob("*.tif"))) == 1


@pytest.mark.parametrize("subcommand", ["validate", "test"])
def test_scores_of_an_untrained_task_are_warned_of(
    subcommand: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # `geotorch test --config X` without --ckpt_path (the fit's checkpoint forgotten) printed the scores of
    # random weights (AverageAccuracy 0.17 of 6 classes) as it prints a trained task's, without a word.
    config = tmp_path / "small.yaml"
    config.write_text(CONFIG % (tmp_path / "run"))
    limit = f"--trainer.limit_{'val' if subcommand == 'validate' else 'test'}_batches=1"
    said = f"geotorch: warning: geotorch {subcommand} without --ckpt_path scores the task as configured, untrained"
    shown([subcommand, "--config", str(config), limit])
    assert said in capsys.readouterr().err
    checkpoint = fcn_checkpoint(tmp_path / "fit.ckpt")
    shown([subcommand, "--config", str(config), limit, f"--ckpt_path={checkpoint}"])
    assert "without --ckpt_path" not in capsys.readouterr().err
