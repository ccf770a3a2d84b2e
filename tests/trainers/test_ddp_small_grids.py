"""DDP over validation and test strips with fewer grid windows than ranks: every rank gets a batch."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.trainers.ddp_ranks import run_two_ranks

SCRIPT = Path(__file__).with_name("ddp_small_grid_run.py")


@pytest.mark.slow
def test_two_ranks_validate_and_test_a_strip_of_one_window(tmp_path: Path) -> None:
    # Before: rank 1 had no window and Lightning stopped the run with RuntimeError "`DataLoader` within local
    # rank has zero length. Please make sure that it returns at least 1 batch."
    first, second = run_two_ranks(SCRIPT, tmp_path)
    # Each strip's one window, scored by both ranks.
    for stage, left in (("val", 501_280.0), ("test", 501_440.0)):
        assert first[stage] == second[stage] == [[left, left + 160.0, 3_999_840.0, 4_000_000.0]]
