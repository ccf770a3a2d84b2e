"""The quickstart's end: ``geotorch fit`` sums up and gives the next command; ``predict`` without a checkpoint warns."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest
import rasterio

from geotorch.core.cli import main
from geotorch.trainers.predict_summary import fit_summary

QUICKSTART = Path(__file__).resolve().parents[2] / "conf" / "quickstart.yaml"


def short_run(tmp_path: Path) -> list[str]:
    """A quickstart of two training and two validation batches, kept in ``tmp_path``."""
    return [
        "--config",
        str(QUICKSTART),
        f"--trainer.default_root_dir={tmp_path}",
        f"--trainer.logger.init_args.save_dir={tmp_path}",
        "--trainer.max_epochs=1",
        "--trainer.limit_train_batches=2",
        "--trainer.limit_val_batches=2",
        "--data.init_args.batch_size=4",
        "--data.init_args.num_workers=0",
        "--trainer.enable_progress_bar=false",
    ]


@pytest.mark.slow
def test_fit_ends_with_scores_checkpoint_and_the_predict_command_that_then_writes_cogs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The shipped config by name, as the README's quickstart gives it.
    assert main(["fit", "--config", "quickstart", *short_run(tmp_path)[2:]]) == 0
    printed = capsys.readouterr().out
    summary = printed[printed.index("geotorch fit: done") :].splitlines()
    assert summary[1].startswith("  validation: ") and "val_JaccardIndex=" in summary[1]
    checkpoint = Path(summary[2].removeprefix("  checkpoint: ").split(" (best")[0])
    assert checkpoint.is_file() and checkpoint.suffix == ".ckpt" and "(best val_JaccardIndex)" in summary[2]
    assert str(tmp_path / "predictions") in summary[3]
    command = shlex.split(summary[4].removeprefix("  next: "))
    assert command[:2] == ["geotorch", "predict"] and command[-1] == f"--ckpt_path={checkpoint}"
    assert command[2:4] == ["--config", "quickstart"]  # as typed, not the installed file's path

    assert main(command[1:]) == 0
    printed = capsys.readouterr().out
    (written,) = sorted((tmp_path / "predictions").glob("*.tif"))
    assert f"wrote {written}" in printed
    with rasterio.open(written) as result:
        assert result.tags(ns="IMAGE_STRUCTURE")["LAYOUT"] == "COG"


@pytest.mark.slow
def test_predict_without_a_checkpoint_warns_that_the_model_is_untrained(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(["predict", *short_run(tmp_path)[:3], "--trainer.enable_progress_bar=false", "--trainer.logger=false"])
        == 0
    )
    assert (
        "geotorch: warning: geotorch predict without --ckpt_path predicts with the task as configured, untrained"
        in capsys.readouterr().err
    )


@pytest.mark.slow
def test_predicts_written_paths_are_lines_of_their_own_beside_the_progress_bar(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Printed while the bar still stands, a path was glued to the end of the bar's last line.
    assert main(["predict", *short_run(tmp_path)[:3], "--trainer.logger=false"]) == 0
    printed = capsys.readouterr().out
    (written,) = sorted((tmp_path / "predictions").glob("*.tif"))
    lines = [segment for line in printed.split("\n") for segment in line.split("\r")]
    assert f"wrote {written}" in lines


class Trainer:
    """What fit_summary reads of a trainer that saved no checkpoint and ran no validation."""

    callback_metrics: dict[str, float] = {}  # noqa: RUF012
    checkpoint_callback = None
    default_root_dir = "runs"


def test_a_fit_without_checkpoint_or_validation_says_so() -> None:
    lines = fit_summary(Trainer(), ["--config", "x.yaml"]).splitlines()
    assert lines[1] == "  validation: none ran (no validation data or limit_val_batches=0)"
    assert lines[2].startswith("  checkpoint: none saved")
