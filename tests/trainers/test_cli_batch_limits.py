"""``geotorch fit``'s batch limits: a whole number counts batches, as ``Trainer(limit_train_batches=1)`` does."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import pytest
from lightning.pytorch import LightningModule, Trainer
from lightning.pytorch.callbacks import Callback

from geotorch.core.cli import main
from tests.trainers.test_predict_checkpoints import CONFIG


class CountedBatches(Callback):
    """Notes how many training and validation batches each fit ran."""

    ran: ClassVar[list[tuple[int, int]]] = []

    def on_train_end(self, trainer: Trainer, pl_module: LightningModule) -> None:
        type(self).ran.append((trainer.fit_loop.epoch_loop.batch_progress.total.completed,
                               trainer.fit_loop.epoch_loop.val_loop.batch_progress.total.completed))


@pytest.mark.parametrize(
    ("given", "ran"),
    [
        (["--trainer.limit_train_batches=1", "--trainer.limit_val_batches=1"], (1, 1)),
        (["--trainer.limit_train_batches", "2", "--trainer.limit_val_batches=1.0"], (2, 2)),
        (["--trainer.limit_train_batches=0.5", "--trainer.limit_val_batches=0.5"], (2, 1)),
        ("limit_train_batches: 1\nlimit_val_batches: 1\n", (1, 1)),
    ],
    ids=["1 on the command line", "2 and 1.0", "fractions", "1 in a config"],
)
def test_a_whole_number_of_batches_is_that_many_batches(tmp_path: Path, given: list[str] | str,
                                                        ran: tuple[int, int]) -> None:
    # Lightning types these limits float | int, so jsonargparse read 1 (the usual smoke-test setting) as 1.0,
    # the whole split: `limit_train_batches: 1` trained all 4 batches of an epoch and validated both.
    config = tmp_path / "small.yaml"
    config.write_text(CONFIG % (tmp_path / "run"))
    options = given
    if isinstance(given, str):
        limits = tmp_path / "limits.yaml"
        limits.write_text(given)
        options = [f"--trainer={limits}"]
    CountedBatches.ran.clear()
    counted = "--trainer.callbacks+=tests.trainers.test_cli_batch_limits.CountedBatches"
    argv = ["fit", "--config", str(config), "--data.init_args.length=64", "--trainer.max_epochs=1", counted]
    assert main([*argv, *options]) == 0
    assert CountedBatches.ran == [ran]
