"""Training under DDP on a grid or chips of an odd count: every rank takes the same number of steps."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from geotorch.core import RasterDataset
from geotorch.samplers import PreChippedGeoSampler
from tests.datasets.fakes.geo import write_raster
from tests.trainers.ddp_ranks import run_two_ranks

SCRIPT = Path(__file__).with_name("ddp_uneven_training_run.py")
TEMPORAL_SCRIPT = Path(__file__).with_name("ddp_temporal_training_run.py")
RANDOM_SERIES_SCRIPT = Path(__file__).with_name("ddp_random_series_run.py")


@pytest.mark.slow
def test_two_ranks_train_on_a_grid_of_an_odd_number_of_windows_in_step(tmp_path: Path) -> None:
    # Before: rank 0 had 8 of the 15 windows, rank 1 7; rank 1 finished its epoch while rank 0's 8th backward
    # waited on its gradient all-reduce: RuntimeError 'Connection closed by peer' (or, in later epochs, ranks
    # all-reducing different steps' gradients).
    first, second = run_two_ranks(SCRIPT, tmp_path, timeout=90)
    assert len(first["train"]) == len(second["train"]) == 16  # 8 steps a rank, 2 epochs
    assert len({tuple(box) for box in first["train"] + second["train"]}) == 15
    assert first["weight"] == second["weight"]
    # Validation (even=False) scores each window once over the ranks, 2 epochs.
    assert len(first["val"]) + len(second["val"]) == 30
    assert len({tuple(box) for box in first["val"][:8] + second["val"][:7]}) == 15


def test_ranks_of_an_odd_number_of_chips_yield_as_many_chips(tmp_path: Path) -> None:
    for number in range(5):
        write_raster(tmp_path / f"chip_{number}.tif", np.full((8, 8), number + 1, "uint8"), 32633,
                     500_000.0 + 80 * number, 4_000_000.0, 10.0)
    chips = RasterDataset(tmp_path)
    shares = [list(PreChippedGeoSampler(chips, shuffle=True, generator=1, rank=rank, world_size=2)) for rank in (0, 1)]
    assert [len(share) for share in shares] == [3, 3]
    assert len(set(shares[0] + shares[1])) == 5
    exact = [list(PreChippedGeoSampler(chips, shuffle=True, generator=1, rank=rank, world_size=2, even=False))
             for rank in (0, 1)]
    assert [len(share) for share in exact] == [3, 2]
    assert set(exact[0] + exact[1]) == set(PreChippedGeoSampler(chips))


@pytest.mark.slow
def test_two_ranks_train_on_an_odd_number_of_dates_in_step(tmp_path: Path) -> None:
    # Before: SequentialTimestampSampler split the 5 dates exactly, 3 to rank 0 and 2 to rank 1; rank 1 ended its
    # epoch while rank 0's 3rd backward waited on its gradient all-reduce, and the run failed or hung.
    first, second = run_two_ranks(TEMPORAL_SCRIPT, tmp_path, timeout=90)
    assert len(first["train"]) == len(second["train"]) == 6  # 3 steps a rank, 2 epochs
    assert len(set(first["train"] + second["train"])) == 5
    assert first["weight"] == second["weight"]


@pytest.mark.slow
def test_two_ranks_train_on_random_places_of_a_series_in_step(tmp_path: Path) -> None:
    # Before: each rank gave its 3 places every date there (5 on the west tile, 2 on the east), 15 + 12 queries in
    # epoch 1; rank 1 ended its epoch while rank 0's 13th backward waited on its gradient all-reduce.
    first, second = run_two_ranks(RANDOM_SERIES_SCRIPT, tmp_path, timeout=90)
    assert len(first["train"]) == len(second["train"]) == 28  # 14 steps a rank, 2 epochs
    assert first["weight"] == second["weight"]
