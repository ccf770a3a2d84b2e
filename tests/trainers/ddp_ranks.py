"""Running a DDP script of two CPU ranks in a fresh process, each rank's findings read back from its JSON file."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

#: The repository root, put on the script's path so that it imports ``tests``.
ROOT = Path(__file__).resolve().parents[2]


def run_two_ranks(script: Path, folder: Path, timeout: float = 600) -> tuple[Any, Any]:
    """Run ``script folder`` (it starts DDP on two CPU ranks) and give what ranks 0 and 1 wrote to ``rank<k>.json``.

    Args:
        script: the script, which takes the output folder as its one argument.
        folder: the folder it writes to.
        timeout: seconds after which the script and the ranks it started are killed (a hang of DDP).

    Raises:
        AssertionError: if the script exits with an error, showing the end of its stderr, or runs past ``timeout``.
    """
    environment = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONWARNINGS": "ignore",
                   "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    # A session of its own, so that the ranks Lightning starts are killed with the script on a hang.
    with subprocess.Popen([sys.executable, str(script), str(folder)], env=environment, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, start_new_session=True) as process:
        try:
            _, errors = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired as expired:
            os.killpg(process.pid, signal.SIGKILL)
            _, errors = process.communicate()
            raise AssertionError(
                f"{script.name} did not finish within {timeout} s (ranks hung):\n{errors[-3000:]}"
            ) from expired
    assert process.returncode == 0, errors[-3000:]
    first, second = (json.loads((folder / f"rank{rank}.json").read_text()) for rank in (0, 1))
    return first, second
