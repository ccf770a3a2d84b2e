"""Fixtures of the core data-model tests: the real geodata folder and small synthetic scenes."""

from __future__ import annotations

from pathlib import Path

import pytest

#: ``../shared/data/real`` next to the repository root (see its README.md).
REAL_DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "real"


@pytest.fixture
def real_data() -> Path:
    """The folder of real public geodata; the test is skipped when it is absent."""
    if not (REAL_DATA / "README.md").is_file():
        pytest.skip(f"real geodata not found at {REAL_DATA.resolve()} (the project root's ../shared/data/real)")
    return REAL_DATA.resolve()
