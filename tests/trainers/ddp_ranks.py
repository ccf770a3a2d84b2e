"""Running a DDP script of two CPU ranks in a fresh process, each rank's findings read back from its JSON file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

#: The repository root, put on the script's path so that it imports ``tests``.
ROOT = Path(__file__).resolve().parents[2]


def run_two_ranks(script: Path, folder: Path) -> tuple[Any, Any]:
    """Run ``script folder`` (it starts DDP on two CPU ranks) and give what ranks 0 and 1 wrote to ``rank<k>.json``.

    Raises:
        AssertionError: if the script exits with an error, showing the end of its stderr.
    """
    environment = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONWARNINGS": "ignore",
                   "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    done = subprocess.run([sys.executable, str(script), str(folder)], env=environment, capture_output=True,
                          text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    first, second = (json.loads((folder / f"rank{rank}.json").read_text()) for rank in (0, 1))
    return first, second
