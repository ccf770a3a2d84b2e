"""The unrelated PyPI package named ``geotorch`` hides our namespace: the ``geotorch`` command says so, with the fix."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

FIX = "pip uninstall geotorch"


def fake_pypi_geotorch(site: Path, init: str = "") -> Path:
    """Install, into the folder ``site``, a distribution named geotorch with a regular ``geotorch`` package."""
    package = site / "geotorch"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(f'"""Constrained parametrizations (a stand-in)."""\n{init}')
    info = site / "geotorch-0.3.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: geotorch\nVersion: 0.3.0\n")
    (info / "top_level.txt").write_text("geotorch\n")
    (info / "RECORD").write_text("geotorch/__init__.py,,\ngeotorch-0.3.0.dist-info/METADATA,,\n")
    return package / "__init__.py"


def geotorch_command() -> str:
    script = shutil.which("geotorch", path=str(Path(sys.executable).parent))
    if script is None:
        pytest.skip("the geotorch console script is not installed next to this Python")
    return script


def run_with(site: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    # PYTHONPATH puts the fake package ahead of site-packages, as a user site or an earlier sys.path entry does.
    env = {**os.environ, "PYTHONPATH": str(site)}
    return subprocess.run([geotorch_command(), *argv], capture_output=True, text=True, env=env, timeout=120)


def test_a_regular_geotorch_package_that_hides_ours_is_named_in_one_line_with_the_fix(tmp_path: Path) -> None:
    init = fake_pypi_geotorch(tmp_path / "site")

    result = run_with(tmp_path / "site", "plugins")

    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"geotorch: error: {init} is not GeoTorch's")
    assert "the unrelated PyPI package 'geotorch' 0.3.0 is installed" in line
    assert line.endswith(FIX)


def test_a_regular_geotorch_package_that_still_lets_ours_import_is_a_warning(tmp_path: Path) -> None:
    # Installed into the same folder as GeoTorch's files, the other package leaves geotorch.core importable
    # (simulated here by extending its __path__ over every other geotorch folder): the command runs.
    init = fake_pypi_geotorch(tmp_path / "site", "__path__ = __import__('pkgutil').extend_path(__path__, __name__)\n")

    result = run_with(tmp_path / "site", "--version")

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("geotorch ")
    assert result.stderr.startswith(f"geotorch: warning: {init} is not GeoTorch's")
    assert result.stderr.rstrip().endswith(FIX)


def test_without_the_other_package_nothing_is_said(tmp_path: Path) -> None:
    result = run_with(tmp_path, "--version")

    assert result.returncode == 0
    assert result.stderr == ""
