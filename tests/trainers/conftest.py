"""Fixtures of the trainers tests: quiet, fast Lightning trainers (fakes: task_fakes, tests.datasets.fakes)."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

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


def _refuses_files(folder: Path) -> bool:
    """Whether no file can be made in ``folder``."""
    try:
        (folder / ".geotorch-probe").touch()
    except OSError:
        return True
    (folder / ".geotorch-probe").unlink()
    return False


@pytest.fixture
def unwritable(tmp_path: Path) -> Iterator[Path]:
    """A folder this user cannot make files in: read-only by its mode, or (root ignores modes) sysfs."""
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    candidates = (folder, Path("/sys/kernel"))
    found = next((candidate for candidate in candidates if candidate.is_dir() and _refuses_files(candidate)), None)
    if found is None:
        folder.chmod(0o755)
        pytest.skip("no folder here refuses this user's files (root ignores modes, and there is no sysfs)")
    yield found
    folder.chmod(0o755)
