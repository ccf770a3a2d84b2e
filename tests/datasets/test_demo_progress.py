"""Generating the demo area on first use says so on stderr, and only then."""

from __future__ import annotations

from pathlib import Path

import pytest

from geotorch.datasets.demo_area import generate_demo_area


def test_generating_the_demo_area_shows_what_it_does_then_nothing_once_it_exists(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GEOTORCH_PROGRESS", "always")
    root = tmp_path / "demo"

    generate_demo_area(root)
    err = capsys.readouterr().err
    assert f"generating the demo area in {root}" in err and "2/2" in err

    generate_demo_area(root)
    assert capsys.readouterr().err == ""
