"""Fixtures of the trainers tests: quiet, fast Lightning trainers and the dataset generators of tests/datasets."""

from __future__ import annotations

import sys
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
import torch

# The fake-data generators live next to the dataset tests; the trainers tests reuse them.
DATASET_TESTS = Path(__file__).resolve().parents[1] / "datasets"
if str(DATASET_TESTS) not in sys.path:
    sys.path.insert(0, str(DATASET_TESTS))


@pytest.fixture(autouse=True)
def _quiet_and_small(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Two threads (the CI machine has two cores) and none of Lightning's advice about workers."""
    threads = torch.get_num_threads()
    torch.set_num_threads(min(threads, 2))
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*does not have many workers.*")
        warnings.filterwarnings("ignore", message=".*LeafSpec.*")
        warnings.filterwarnings("ignore", message=".*log_every_n_steps.*")
        yield
    torch.set_num_threads(threads)
