"""Fixtures of the plugin tests: a clean plugin state, the installed example plugin, fake distributions."""

from __future__ import annotations

import importlib
import importlib.metadata
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
import rasterio
from rasterio.transform import from_origin

from geotorch.core import plugins

EXAMPLE_DISTRIBUTION = "geotorch-example-plugin"
FIRST_PARTY = {
    "geotorch_datasets": "geotorch-datasets",
    "geotorch_models": "geotorch-models",
    "geotorch_trainers": "geotorch-trainers",
}


def is_installed(distribution: str) -> bool:
    try:
        importlib.metadata.distribution(distribution)
    except importlib.metadata.PackageNotFoundError:
        return False
    return True


@pytest.fixture(autouse=True)
def fresh_plugins(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every test starts with no plugin loaded and no selection from the environment, and leaves none behind."""
    monkeypatch.delenv(plugins.DISABLE_VARIABLE, raising=False)
    monkeypatch.delenv(plugins.LOAD_VARIABLE, raising=False)
    plugins.reset()
    yield
    plugins.reset()


@pytest.fixture
def example_plugin() -> str:
    """The example plugin's distribution name; the test is skipped when it is not installed."""
    if not is_installed(EXAMPLE_DISTRIBUTION):
        pytest.skip(f"{EXAMPLE_DISTRIBUTION} is not installed: pip install tests/plugins/geotorch-example-plugin")
    return EXAMPLE_DISTRIBUTION


@pytest.fixture
def first_party() -> dict[str, str]:
    """Entry-point name -> distribution of the first-party plugins; skipped unless all three are installed."""
    missing = [distribution for distribution in FIRST_PARTY.values() if not is_installed(distribution)]
    if missing:
        pytest.skip(f"first-party plugin distribution(s) not installed: {', '.join(missing)}")
    return FIRST_PARTY


MakeDistribution = Callable[..., Path]


@pytest.fixture
def make_distribution(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[MakeDistribution]:
    """Write real installed distributions (a ``*.dist-info`` folder and a module) into a folder on sys.path.

    ``make_distribution(name, module, source, entry_point=None)`` writes ``module.py`` with ``source`` and a
    distribution ``name`` 1.0 whose ``geotorch`` entry point (``entry_point``, default: ``module``) names it.
    The modules are removed from ``sys.modules`` afterwards.
    """
    site = tmp_path / "site-packages"
    site.mkdir()
    monkeypatch.syspath_prepend(str(site))
    modules: list[str] = []

    def make(name: str, module: str, source: str, entry_point: str | None = None) -> Path:
        (site / f"{module}.py").write_text(textwrap.dedent(source))
        info = site / f"{name.replace('-', '_')}-1.0.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
        (info / "entry_points.txt").write_text(f"[geotorch]\n{entry_point or module} = {module}\n")
        modules.append(module)
        importlib.invalidate_caches()
        return info

    yield make
    for module in modules:
        sys.modules.pop(module, None)


@pytest.fixture
def example_scenes(tmp_path: Path) -> Path:
    """A folder of two side-by-side ``example_YYYYMMDD.tif`` scenes (ExampleScenes' layout) in EPSG:32616."""
    folder = tmp_path / "scenes"
    _write_example_scene(folder, "20240601", (500_000.0, 4_200_000.0))
    _write_example_scene(folder, "20240602", (500_320.0, 4_200_000.0))
    return folder


def _write_example_scene(folder: Path, date: str = "20240601", origin: tuple[float, float] = (500_000.0, 4_200_000.0),
                        size: int = 32, epsg: int = 32616) -> Path:
    """Write ``example_<date>.tif``: 3 uint16 bands of ``size`` x ``size`` 10 m pixels, as ExampleScenes reads."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"example_{date}.tif"
    values = np.arange(3 * size * size, dtype=np.uint16).reshape(3, size, size) + 1
    with rasterio.open(path, "w", driver="GTiff", width=size, height=size, count=3, dtype="uint16",
                       crs=f"EPSG:{epsg}", transform=from_origin(*origin, 10.0, 10.0)) as target:
        target.write(values)
    return path
