"""``geotorch predict`` on the command line: what it keeps in memory while the writer streams to disk."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import pytest
from lightning.pytorch import LightningModule, Trainer
from lightning.pytorch.callbacks import Callback

from geotorch.core.cli import main
from tests.trainers.test_predict_checkpoints import CONFIG, fcn_checkpoint


class HeldPredictions(Callback):
    """Notes how many batch predictions Lightning holds at the prediction's end."""

    held: ClassVar[list[int]] = []

    def on_predict_end(self, trainer: Trainer, pl_module: LightningModule) -> None:
        type(self).held.append(len(trainer.predict_loop.predictions))


@pytest.mark.parametrize(("given", "held"), [([], 0), (["--return_predictions=true"], 3)])
def test_predict_holds_no_batch_prediction_unless_asked(tmp_path: Path, given: list[str], held: int) -> None:
    # Lightning's default kept every batch's probabilities until the end (3 batches, 4.7 MB here; all the
    # windows of a whole raster on a large one) and the command then dropped them.
    config = tmp_path / "small.yaml"
    config.write_text(CONFIG % (tmp_path / "run"))
    HeldPredictions.held.clear()
    watched = "--trainer.callbacks+=tests.trainers.test_cli_predict.HeldPredictions"
    assert main(["predict", "--config", str(config), watched, *given]) == 0
    assert HeldPredictions.held == [held]
    assert len(list((tmp_path / "run" / "predictions").glob("*.tif"))) == 1


def small_config(tmp_path: Path) -> Path:
    config = tmp_path / "small.yaml"
    config.write_text(CONFIG % (tmp_path / "run"))
    return config


def test_predict_opens_no_log_version_folder(tmp_path: Path) -> None:
    # Each geotorch predict made lightning_logs/version_N (its config and hparams alone), so the next fit's
    # checkpoints were numbered past every prediction run.
    checkpoint = fcn_checkpoint(tmp_path / "fit.ckpt")
    command = ["predict", "--config", str(small_config(tmp_path)), "--trainer.logger=true"]
    assert main([*command, f"--ckpt_path={checkpoint}"]) == 0
    assert main([*command, f"--ckpt_path={checkpoint}"]) == 0
    assert len(list((tmp_path / "run" / "predictions").glob("*.tif"))) == 1
    assert not (tmp_path / "run" / "lightning_logs").exists()


def test_predict_without_a_checkpoint_refuses_to_write_over_predictions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Without --ckpt_path the untrained task's predictions replaced a checkpoint's, with a warning only.
    config = small_config(tmp_path)
    checkpoint = fcn_checkpoint(tmp_path / "fit.ckpt")
    assert main(["predict", "--config", str(config), f"--ckpt_path={checkpoint}"]) == 0
    (written,) = (tmp_path / "run" / "predictions").glob("*.tif")
    trained = written.read_bytes()
    capsys.readouterr()
    assert main(["predict", "--config", str(config)]) == 1
    assert capsys.readouterr().err.strip().splitlines()[-1] == (
        f"geotorch: error: geotorch predict without --ckpt_path would write an untrained task's predictions into "
        f"{tmp_path / 'run' / 'predictions'}, which holds 1 earlier GeoTIFF(s) ({written.name} first): pass "
        "--ckpt_path=<checkpoint of geotorch fit>, or move them, or predict into another folder "
        "(--trainer.default_root_dir)"
    )
    assert written.read_bytes() == trained
    # A checkpoint's predictions replace them; an untrained task predicts into a folder of none.
    assert main(["predict", "--config", str(config), f"--ckpt_path={checkpoint}"]) == 0
    assert main(["predict", "--config", str(config), f"--trainer.default_root_dir={tmp_path / 'other'}"]) == 0
    assert len(list((tmp_path / "other" / "predictions").glob("*.tif"))) == 1
