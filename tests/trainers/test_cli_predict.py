"""``geotorch predict`` on the command line: what it keeps in memory while the writer streams to disk."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import pytest
from lightning.pytorch import LightningModule, Trainer
from lightning.pytorch.callbacks import Callback

from geotorch.core.cli import main
from tests.trainers.test_predict_checkpoints import CONFIG


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
