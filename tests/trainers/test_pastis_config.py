"""``geotorch fit --config conf/pastis.yaml`` trains on generated PASTIS-R data: padded series reach the model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import torch

from geotorch.core.cli import main
from geotorch.trainers import SpatioTemporalSegmentationTask
from tests.datasets.fakes.time_series import PATCHES, SIZE, make_pastis

CONFIG = Path(__file__).resolve().parents[2] / "conf" / "pastis.yaml"


def test_pastis_config_runs_a_fast_dev_run_on_generated_pastis(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_pastis(tmp_path / "data")
    seen: list[tuple[str, tuple[int, ...], list[int] | None]] = []
    forward = SpatioTemporalSegmentationTask.forward

    def recording(task: SpatioTemporalSegmentationTask, x: torch.Tensor, **kwargs: Any) -> torch.Tensor:
        lengths = kwargs.get("lengths")
        stage = "train" if task.training else "eval"
        seen.append((stage, tuple(x.shape), None if lengths is None else lengths.tolist()))
        return forward(task, x, **kwargs)

    monkeypatch.setattr(SpatioTemporalSegmentationTask, "forward", recording)
    status = main([
        "fit", "--config", str(CONFIG), "--trainer.fast_dev_run=true", "--trainer.accelerator=cpu",
        f"--trainer.default_root_dir={tmp_path}", "--trainer.enable_progress_bar=false",
        "--data.init_args.batch_size=2", "--data.init_args.num_workers=0",
        # Each batch padded to its longest series rather than the config's 61 steps: 4 s instead of 17.
        "--data.init_args.padding_length=null",
        f"--data.dict_kwargs.root={root}", "--data.dict_kwargs.download=false",
    ])
    assert status == 0
    # One training batch of two series and the one validation patch (20 % of 6), each padded to its longest.
    (train_stage, train_shape, train_lengths), (val_stage, val_shape, val_lengths) = seen
    steps = {len(dates) for _, dates in PATCHES.values()}
    assert train_stage == "train" and train_lengths is not None and set(train_lengths) <= steps
    assert train_shape == (2, max(train_lengths), 10, SIZE, SIZE)
    assert val_stage == "eval" and val_lengths is not None and set(val_lengths) <= steps
    assert val_shape == (1, val_lengths[0], 10, SIZE, SIZE)


def test_predicting_pastis_without_a_writer_warns_that_nothing_is_kept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_pastis(tmp_path / "data")
    status = main([
        "predict", "--config", str(CONFIG), "--trainer.accelerator=cpu", f"--trainer.default_root_dir={tmp_path}",
        "--trainer.enable_progress_bar=false", "--trainer.limit_predict_batches=1", "--data.init_args.batch_size=2",
        "--data.init_args.num_workers=0", "--data.init_args.padding_length=null", f"--data.dict_kwargs.root={root}",
        "--data.dict_kwargs.download=false",
    ])
    assert status == 0
    # The series were predicted and dropped without a word (GeoTIFFs are written for GeoDataModules alone).
    assert ("geotorch: warning: geotorch predict: PASTISDataModule is no GeoDataModule, whose windows GeoTorch "
            "writes as GeoTIFFs, and no prediction writer is configured") in capsys.readouterr().err
