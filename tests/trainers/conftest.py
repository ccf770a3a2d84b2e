"""Fixtures of the trainers tests: quiet, fast Lightning trainers (fakes: task_fakes, tests.datasets.fakes)."""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import pytest
import torch


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
