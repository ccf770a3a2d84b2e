"""Developer sessions: tests (all packages), tests_isolated (each package alone), lint, quickstart, bench."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import nox

nox.options.reuse_venv = "yes"
nox.options.sessions = ["tests"]

PACKAGES = {
    "core": "packages/geotorch-core",
    "datasets": "packages/geotorch-datasets",
    "models": "packages/geotorch-models",
    "trainers": "packages/geotorch-trainers",
}
EXAMPLE_PLUGIN = "tests/plugins/geotorch-example-plugin"
# torch is installed before anything else so that pip never swaps it for another build.
# timm and segmentation-models-pytorch import torchvision, which needs the matching torch.
TORCH_LIGHT = ["torch==2.13.0"]
TORCH_VISION = ["torch==2.14.1", "torchvision==0.29.1"]
# What each package needs, in dependency order, when installed alone.
ISOLATED = {
    "core": ["core"],
    "datasets": ["core", "datasets"],
    "models": ["core", "models"],
    "trainers": ["core", "datasets", "models", "trainers"],
}


def _torch_for(packages: list[str]) -> list[str]:
    return TORCH_VISION if {"models", "trainers"} & set(packages) else TORCH_LIGHT


@nox.session(python="3.11")
def tests(session: nox.Session) -> None:
    """Every package editable in one reused venv, the example third-party plugin installed, all tests."""
    session.install(*TORCH_VISION)
    # pycocotools: the backend of torchmetrics' detection mAP (geotorch-trainers needs torchmetrics[detection]).
    # hypothesis: generates the GeoTIFF variants the fast header reader is checked against GDAL on.
    session.install("pytest>=8", "hypothesis", "pycocotools", *(f"-e{path}" for path in PACKAGES.values()))
    session.install("--no-deps", "--force-reinstall", EXAMPLE_PLUGIN)
    session.run("pytest", *(session.posargs or ["tests"]))


@nox.session(python="3.11")
@nox.parametrize("package", list(ISOLATED))
def tests_isolated(session: nox.Session, package: str) -> None:
    """One package installed (not editable) with only what it declares; its own tests."""
    needed = ISOLATED[package]
    session.install(*_torch_for(needed))
    session.install("pytest>=8", "hypothesis", *(PACKAGES[name] for name in needed))
    if package == "core":
        session.install("--no-deps", "--force-reinstall", EXAMPLE_PLUGIN)
    session.run("pytest", f"tests/{package}", *(["tests/plugins"] if package == "core" else []), *session.posargs)


@nox.session(python="3.11")
def lint(session: nox.Session) -> None:
    """ruff on everything, mypy --strict on every package's sources, the import contracts (.importlinter)."""
    session.install(*_torch_for(list(PACKAGES)))
    session.install("ruff", "mypy", "import-linter", "pytest>=8", "pandas-stubs", *(f"-e{path}" for path in PACKAGES.values()))
    session.run("ruff", "check", ".")
    session.run("mypy", *(f"{path}/src/geotorch" for path in PACKAGES.values()))
    session.run("lint-imports", "--no-cache")


@nox.session(python="3.11")
def quickstart(session: nox.Session) -> None:
    """The main job, offline: generate the demo area, draw sample patches, train a U-Net on it.

    Writes quickstart-output/samples/*.png, then a checkpoint and metrics.csv under
    quickstart-output/quickstart/ (see conf/quickstart.yaml).
    """
    session.install(*TORCH_VISION)
    session.install(*PACKAGES.values())
    session.run("geotorch", "quickstart", "--out", "quickstart-output/samples")
    session.run("geotorch", "fit", "--config", "conf/quickstart.yaml", *session.posargs)


def _python312() -> str:
    """A Python 3.12 interpreter for TorchGeo 0.10.1 (which needs >= 3.12): on PATH, else from pyenv."""
    found = shutil.which("python3.12")
    if found and subprocess.run([found, "--version"], capture_output=True, check=False).returncode == 0:
        return found
    for candidate in sorted(Path.home().glob(".pyenv/versions/3.12*/bin/python3.12"), reverse=True):
        return str(candidate)
    raise RuntimeError("the bench session needs Python 3.12 for TorchGeo 0.10.1: install it (e.g. pyenv install 3.12)")


@nox.session(python="3.11")
def bench(session: nox.Session) -> None:
    """Sampling throughput, index build and import cost, GeoTorch vs TorchGeo 0.10.1 on the same generated data.

    Positional arguments go to bench/compare.py (e.g. ``-- --repeats 5``). The data (about 2 GB) is
    generated once into ``$GEOTORCH_BENCH_DATA`` (default ``.nox/bench-data``).
    """
    session.install(*TORCH_LIGHT)
    session.install(PACKAGES["core"], PACKAGES["datasets"])
    torchgeo = Path(".nox/torchgeo-py312")
    if not (torchgeo / "bin" / "python").exists():
        session.run(_python312(), "-m", "venv", str(torchgeo), external=True)
    session.run(str(torchgeo / "bin" / "python"), "-m", "pip", "install", "-q", "torchgeo==0.10.1", external=True)
    data = os.environ.get("GEOTORCH_BENCH_DATA", ".nox/bench-data")
    session.run("python", "bench/generate.py", data)
    session.run("python", "bench/compare.py", "--data", data, "--torchgeo-python", str(torchgeo / "bin" / "python"),
                *session.posargs)
