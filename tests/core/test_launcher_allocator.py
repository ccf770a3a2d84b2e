"""The ``geotorch`` command backs large CPU tensors with transparent huge pages: 2 MiB page faults, not 4 KiB ones."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

THP_SETTING = Path("/sys/kernel/mm/transparent_hugepage/enabled")

#: Runs the command as the console script does, then faults in a fresh 64 MiB tensor and prints the page faults.
SCRIPT = """
import resource, sys
import _geotorch_launcher
sys.argv = ["geotorch", "plugins"]
assert _geotorch_launcher.main() == 0
import torch
torch.ones(16 * 2**20)  # the allocator's first large block
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
torch.ones(16 * 2**20)
print("faults", resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def faults_of_a_fresh_64_mib_tensor(environment: dict[str, str]) -> int:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=environment, timeout=300, check=True
    )
    return int(result.stdout.split("faults")[-1])


@pytest.mark.skipif(
    not THP_SETTING.exists() or "[never]" in THP_SETTING.read_text(),
    reason="the kernel offers no transparent huge pages",
)
def test_the_command_faults_a_large_tensor_in_with_huge_pages_unless_the_user_says_otherwise() -> None:
    environment = {key: value for key, value in os.environ.items() if key != "THP_MEM_ALLOC_ENABLE"}
    # 16,384 pages of 4 KiB; with 2 MiB pages 32 (and the faults of whatever else the process touches).
    assert faults_of_a_fresh_64_mib_tensor(environment) < 4_000
    assert faults_of_a_fresh_64_mib_tensor({**environment, "THP_MEM_ALLOC_ENABLE": "0"}) >= 16_384
