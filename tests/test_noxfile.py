"""The first run: nox sessions run on any supported Python, fail loudly without one, and pick CPU torch."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOXFILE = ROOT / "noxfile.py"
PACKAGES = sorted((ROOT / "packages").glob("*/pyproject.toml"))

pytestmark = pytest.mark.skipif(not NOXFILE.is_file(), reason="not run from a clone: no noxfile.py")


def nox(*argv: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    if importlib.util.find_spec("nox") is None:
        pytest.skip("nox is not installed in this environment (nox -s tests installs it)")
    # Without CI set, nox's own default would skip a session whose Python is missing.
    env = {name: value for name, value in os.environ.items() if name != "CI"}
    return subprocess.run([sys.executable, "-m", "nox", "-f", str(NOXFILE), "--envdir", str(tmp_path), *argv],
                          capture_output=True, text=True, env=env, timeout=120)


@pytest.fixture(scope="module")
def noxfile() -> ModuleType:
    """The noxfile as a module, loaded once (nox refuses a session registered twice)."""
    if importlib.util.find_spec("nox") is None:
        pytest.skip("nox is not installed in this environment (nox -s tests installs it)")
    spec = importlib.util.spec_from_file_location("geotorch_noxfile", NOXFILE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_session_whose_python_is_missing_fails_with_a_nonzero_exit(tmp_path: Path) -> None:
    result = nox("-s", "lint", "--force-python", "3.99", tmp_path=tmp_path)

    assert result.returncode != 0
    assert "Python interpreter 3.99 not found" in result.stderr
    assert "skipped" not in result.stderr


def test_sessions_run_on_the_python_that_runs_nox(tmp_path: Path) -> None:
    result = nox("-l", "--json", tmp_path=tmp_path)

    assert result.returncode == 0, result.stderr
    (tests,) = (session for session in json.loads(result.stdout) if session["name"] == "tests")
    assert tests["python"] == f"{sys.version_info.major}.{sys.version_info.minor}"


def test_every_package_declares_the_pythons_the_noxfile_supports(noxfile: ModuleType) -> None:
    assert len(PACKAGES) == 4
    for path in PACKAGES:
        project = tomllib.loads(path.read_text())["project"]
        assert project["requires-python"] == f">={noxfile.PYTHONS[0]}", path
        versions = "Programming Language :: Python :: 3."
        declared = [c.rsplit(" :: ", 1)[1] for c in project["classifiers"] if c.startswith(versions)]
        assert declared == list(noxfile.PYTHONS), path


def test_a_cpu_only_linux_machine_gets_torch_from_pytorch_s_cpu_index(noxfile: ModuleType,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    # What cannot exist here is simulated: the GPU, and the index answering (or not).
    monkeypatch.delenv(noxfile.TORCH_INDEX_VARIABLE, raising=False)
    monkeypatch.setattr(noxfile.sys, "platform", "linux")
    monkeypatch.setattr(noxfile, "_has_nvidia_gpu", lambda: False)
    monkeypatch.setattr(noxfile, "_answers", lambda url: True)
    assert noxfile._torch_index.__wrapped__() == ("--index-url", "https://download.pytorch.org/whl/cpu")

    monkeypatch.setattr(noxfile, "_has_nvidia_gpu", lambda: True)
    assert noxfile._torch_index.__wrapped__() == ()

    # Offline (the index does not answer): pip's own configuration, e.g. local wheels.
    monkeypatch.setattr(noxfile, "_has_nvidia_gpu", lambda: False)
    monkeypatch.setattr(noxfile, "_answers", lambda url: False)
    assert noxfile._torch_index.__wrapped__() == ()


def test_the_torch_index_variable_wins(noxfile: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(noxfile, "_answers", lambda url: pytest.fail("no need to ask the index"))
    monkeypatch.setenv(noxfile.TORCH_INDEX_VARIABLE, "cpu")
    assert noxfile._torch_index.__wrapped__() == ("--index-url", noxfile.CPU_INDEX)
    monkeypatch.setenv(noxfile.TORCH_INDEX_VARIABLE, "https://download.pytorch.org/whl/cu126")
    assert noxfile._torch_index.__wrapped__() == ("--index-url", "https://download.pytorch.org/whl/cu126")
    monkeypatch.setenv(noxfile.TORCH_INDEX_VARIABLE, "")
    assert noxfile._torch_index.__wrapped__() == ()


def test_ci_runs_the_readme_s_test_command_first() -> None:
    readme = (ROOT / "README.md").read_text()
    commands = readme[readme.index("```bash\n") + len("```bash\n"):].split("```", 1)[0].splitlines()
    (test_command,) = (line.split("#", 1)[0].strip() for line in commands if "-s tests" in line)
    lines = (ROOT / ".ci" / "run").read_text().splitlines()
    ci = [line for line in lines if line and not line.startswith(("#", "set ", "cd "))]

    assert ci[0] == test_command
    assert test_command.startswith("python3 -m venv .venv && ")  # no pip install into the system's Python
