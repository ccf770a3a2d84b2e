"""DDP over validation and test strips with fewer grid windows than ranks: every rank gets a batch."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).with_name("ddp_small_grid_run.py")
ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_two_ranks_validate_and_test_a_strip_of_one_window(tmp_path: Path) -> None:
    environment = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONWARNINGS": "ignore",
                   "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    done = subprocess.run([sys.executable, str(SCRIPT), str(tmp_path)], env=environment, capture_output=True,
                          text=True, timeout=600, check=False)
    # Before: rank 1 had no window and Lightning stopped the run with RuntimeError "`DataLoader` within local
    # rank has zero length. Please make sure that it returns at least 1 batch."
    assert done.returncode == 0, done.stderr[-3000:]
    first, second = (json.loads((tmp_path / f"rank{rank}.json").read_text()) for rank in (0, 1))
    # Each strip's one window, scored by both ranks.
    for stage, left in (("val", 501_280.0), ("test", 501_440.0)):
        assert first[stage] == second[stage] == [[left, left + 160.0, 3_999_840.0, 4_000_000.0]]
