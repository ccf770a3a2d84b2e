"""``python -m geotorch`` runs the ``geotorch`` command, and geotorch stays a namespace package."""

from __future__ import annotations

import subprocess
import sys

import geotorch


def run_module(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "geotorch", *args], capture_output=True, text=True, timeout=120)


def test_python_m_geotorch_help_lists_the_commands() -> None:
    result = run_module("--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: geotorch ")
    assert "plugins" in result.stdout


def test_python_m_geotorch_reports_errors_as_the_command_does() -> None:
    result = run_module("no-such-command")
    assert result.returncode != 0
    assert "no-such-command" in result.stderr


def test_geotorch_is_still_a_namespace_package() -> None:
    assert getattr(geotorch, "__file__", None) is None
    assert len(list(geotorch.__path__)) >= 1
