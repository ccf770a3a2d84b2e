"""Developer sessions: tests (all packages), tests_isolated (each package alone), lint, quickstart, bench.

Sessions run on the Python that runs nox when it is one GeoTorch supports (3.11 to 3.13), so one Python
is enough; ``nox -P 3.13 -s tests`` picks another. A session whose Python is missing fails, never skips.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import nox

nox.options.reuse_venv = "yes"
nox.options.sessions = ["tests"]
# A missing interpreter is a failure (exit 1), not a "skipped" session with exit status 0.
nox.options.error_on_missing_interpreters = True

#: The Python versions GeoTorch supports, as the packages' requires-python and classifiers say.
PYTHONS = ("3.11", "3.12", "3.13")
#: PyTorch's index of CPU-only builds: PyPI's Linux torch is the CUDA build, several GB with its libraries.
CPU_INDEX = "https://download.pytorch.org/whl/cpu"
#: Where torch comes from: "cpu" (PyTorch's CPU index), another index URL, or "" for pip's own index.
TORCH_INDEX_VARIABLE = "GEOTORCH_TORCH_INDEX"


def _python() -> str:
    """The Python of every session: nox's own if supported, else the newest supported one on PATH."""
    running = f"{sys.version_info.major}.{sys.version_info.minor}"
    if running in PYTHONS:
        return running
    found = [version for version in PYTHONS if shutil.which(f"python{version}")]
    # None found: the newest, which the session then reports missing (and fails).
    return found[-1] if found else PYTHONS[-1]


PYTHON = _python()


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
#: pytest-xdist: the test files spread over one worker per core (four at most: each imports torch), a file's tests
#: together in one worker (their module fixtures and servers are shared). Two cores: 13 min against 40 here.
PARALLEL = ("-n", str(min(4, os.cpu_count() or 1)), "--dist", "loadfile")
# What each package needs, in dependency order, when installed alone.
ISOLATED = {
    "core": ["core"],
    "datasets": ["core", "datasets"],
    "models": ["core", "models"],
    "trainers": ["core", "datasets", "models", "trainers"],
}


def _torch_for(packages: list[str]) -> list[str]:
    return TORCH_VISION if {"models", "trainers"} & set(packages) else TORCH_LIGHT


@functools.cache
def _torch_index() -> tuple[str, ...]:
    """pip options choosing where torch comes from.

    ``$GEOTORCH_TORCH_INDEX`` when set; otherwise, on Linux without an NVIDIA GPU, PyTorch's CPU index
    when it answers; otherwise pip's own configuration (PyPI, or the local wheels of an offline machine).
    """
    chosen = os.environ.get(TORCH_INDEX_VARIABLE)
    if chosen is not None:
        url = CPU_INDEX if chosen == "cpu" else chosen
        return ("--index-url", url) if url else ()
    if sys.platform != "linux" or _has_nvidia_gpu() or not _answers(CPU_INDEX):
        return ()
    return ("--index-url", CPU_INDEX)


def _has_nvidia_gpu() -> bool:
    return shutil.which("nvidia-smi") is not None or Path("/proc/driver/nvidia").exists()


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(urllib.request.Request(url + "/", method="HEAD"), timeout=5):
            return True
    except OSError:
        return False


def _install_torch(session: nox.Session, requirements: list[str]) -> None:
    """Install torch (and torchvision) first, from the index :func:`_torch_index` picks; pip keeps them after."""
    index = _torch_index()
    source = index[-1] if index else "pip's configured index"
    session.log(f"torch from {source}")
    session.install(*index, *requirements)


@nox.session(python=PYTHON)
def tests(session: nox.Session) -> None:
    """Every package editable in one reused venv, the example third-party plugin installed, all tests."""
    _install_torch(session, TORCH_VISION)
    # pycocotools: the backend of torchmetrics' detection mAP (geotorch-trainers needs torchmetrics[detection]).
    # hypothesis: generates the GeoTIFF variants the fast header reader is checked against GDAL on.
    # nox: tests/test_noxfile.py runs the sessions' settings.
    # moto[server]: the S3 server on 127.0.0.1 of the remote-raster tests.
    session.install("pytest>=8", "pytest-xdist", "hypothesis", "pycocotools", "nox", "moto[server]>=5",
                    *(f"-e{path}" for path in PACKAGES.values()))
    session.install("--no-deps", "--force-reinstall", EXAMPLE_PLUGIN)
    session.run("pytest", *PARALLEL, *(session.posargs or ["tests"]))


@nox.session(python=PYTHON)
@nox.parametrize("package", list(ISOLATED))
def tests_isolated(session: nox.Session, package: str) -> None:
    """One package installed (not editable) with only what it declares; its own tests."""
    needed = ISOLATED[package]
    _install_torch(session, _torch_for(needed))
    # moto[server]: the S3 server of core's remote-raster tests.
    session.install("pytest>=8", "pytest-xdist", "hypothesis", *(["moto[server]>=5"] if package == "core" else []),
                    *(PACKAGES[name] for name in needed))
    if package == "core":
        session.install("--no-deps", "--force-reinstall", EXAMPLE_PLUGIN)
    session.run("pytest", *PARALLEL, f"tests/{package}", *(["tests/plugins"] if package == "core" else []),
                *session.posargs)


@nox.session(python=PYTHON)
def lint(session: nox.Session) -> None:
    """ruff on everything, mypy --strict on every package's sources, the import contracts (.importlinter)."""
    _install_torch(session, _torch_for(list(PACKAGES)))
    session.install("ruff", "mypy", "import-linter", "pytest>=8", "pandas-stubs",
                    *(f"-e{path}" for path in PACKAGES.values()))
    session.run("ruff", "check", ".")
    session.run("mypy", *(f"{path}/src/geotorch" for path in PACKAGES.values()),
                f"{PACKAGES['core']}/src/_geotorch_launcher.py")
    session.run("lint-imports", "--no-cache")


@nox.session(python=PYTHON)
def quickstart(session: nox.Session) -> None:
    """The main job, offline: generate the demo area, draw sample patches, train a U-Net on it.

    Writes quickstart-output/samples/*.png, then a checkpoint and metrics.csv under
    quickstart-output/quickstart/ (the shipped config ``quickstart``: ``geotorch configs`` lists them).
    """
    _install_torch(session, TORCH_VISION)
    session.install(*PACKAGES.values())
    session.run("geotorch", "quickstart", "--out", "quickstart-output/samples")
    session.run("geotorch", "fit", "--config", "quickstart", *session.posargs)


def _python312() -> str:
    """A Python 3.12 interpreter for TorchGeo 0.10.1 (which needs >= 3.12): on PATH, else from pyenv."""
    found = shutil.which("python3.12")
    if found and subprocess.run([found, "--version"], capture_output=True, check=False).returncode == 0:
        return found
    for candidate in sorted(Path.home().glob(".pyenv/versions/3.12*/bin/python3.12"), reverse=True):
        return str(candidate)
    raise RuntimeError("the bench session needs Python 3.12 for TorchGeo 0.10.1: install it (e.g. pyenv install 3.12)")


@nox.session(python=PYTHON)
def bench(session: nox.Session) -> None:
    """Sampling throughput, index build and import cost, GeoTorch vs TorchGeo 0.10.1 on the same generated data.

    Positional arguments go to bench/compare.py (e.g. ``-- --repeats 5``). The data (about 2 GB) is
    generated once into ``$GEOTORCH_BENCH_DATA`` (default ``.nox/bench-data``).
    """
    _install_torch(session, TORCH_LIGHT)
    session.install(PACKAGES["core"], PACKAGES["datasets"])
    torchgeo = Path(".nox/torchgeo-py312")
    if not (torchgeo / "bin" / "python").exists():
        session.run(_python312(), "-m", "venv", str(torchgeo), external=True)
    session.run(str(torchgeo / "bin" / "python"), "-m", "pip", "install", "-q", "torchgeo==0.10.1", external=True)
    data = os.environ.get("GEOTORCH_BENCH_DATA", ".nox/bench-data")
    session.run("python", "bench/generate.py", data)
    session.run("python", "bench/compare.py", "--data", data, "--torchgeo-python", str(torchgeo / "bin" / "python"),
                *session.posargs)


@nox.session(python=PYTHON)
def docs(session: nox.Session) -> None:
    """The documentation site: ``mkdocs build --strict`` into site/, running every tutorial, then the browser test.

    The API reference is generated from each package's public names (docs/hooks/reference.py); each
    tutorial's code runs during the build, offline, and its figures go into the site
    (docs/hooks/tutorials.py). tests/docs opens the site in headless Chromium (Debian's ``chromium``:
    ``apt-get install chromium``); here a missing Chromium or site fails instead of skipping.
    """
    _install_torch(session, TORCH_VISION)
    # mkdocstrings formats the signatures with ruff; the plugin tutorial builds its package with hatchling
    # offline (--no-build-isolation).
    session.install("mkdocs>=1.6,<2", "mkdocs-material>=9.5,<10", "mkdocstrings[python]>=0.26,<2", "ruff",
                    "hatchling", "playwright>=1.45,<2", "pytest>=8", *(f"-e{path}" for path in PACKAGES.values()))
    session.run("mkdocs", "build", "--strict", env={"NO_MKDOCS_2_WARNING": "1"})
    session.run("pytest", "tests/docs", *session.posargs, env={"GEOTORCH_DOCS_REQUIRED": "1"})
