"""Where GeoTorch keeps generated data, indexes and weights."""

from __future__ import annotations

from pathlib import Path

import pytest

from geotorch.core.cache import cache_home


def test_cache_home_follows_geotorch_home_else_the_user_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("GEOTORCH_HOME", str(tmp_path / "home"))
    assert cache_home() == tmp_path / "home"
    monkeypatch.delenv("GEOTORCH_HOME")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert cache_home() == tmp_path / "cache" / "geotorch"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "user"))
    assert cache_home() == tmp_path / "user" / ".cache" / "geotorch"
