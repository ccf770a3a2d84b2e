"""What a published wheel promises: licence, typing marker, classifiers and version, for each installed distribution."""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.resources
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

#: Each first-party distribution and the packages it ships.
PACKAGES = {
    "geotorch-core": ("geotorch.core", "geotorch.samplers", "geotorch.transforms"),
    "geotorch-datasets": ("geotorch.datasets",),
    "geotorch-models": ("geotorch.models",),
    "geotorch-trainers": ("geotorch.trainers", "geotorch.datamodules"),
}


def _installed(distribution: str) -> importlib.metadata.Distribution:
    try:
        return importlib.metadata.distribution(distribution)
    except importlib.metadata.PackageNotFoundError:
        pytest.skip(f"{distribution} is not installed")


@pytest.mark.parametrize("distribution", sorted(PACKAGES))
def test_each_distribution_declares_its_licence_typing_and_topic(distribution: str) -> None:
    metadata = _installed(distribution).metadata

    assert metadata["License-Expression"] == "MIT"
    assert metadata.get_all("License-File") == ["LICENSE"]
    classifiers = metadata.get_all("Classifier") or []
    assert {"Typing :: Typed", "Topic :: Scientific/Engineering :: GIS"} <= set(classifiers)
    assert metadata.get_all("Keywords") or metadata["Keywords"]


@pytest.mark.parametrize("distribution", sorted(PACKAGES))
def test_each_distribution_ships_the_licence_file(distribution: str) -> None:
    shipped = [path for path in _installed(distribution).files or [] if path.name == "LICENSE"]

    assert [path.read_text() for path in shipped] == [(ROOT / "LICENSE").read_text()]
    assert (ROOT / "packages" / distribution / "LICENSE").read_text() == (ROOT / "LICENSE").read_text()


@pytest.mark.parametrize(("distribution", "package"), [(d, p) for d, ps in PACKAGES.items() for p in ps])
def test_each_package_is_marked_typed_and_reports_its_version(distribution: str, package: str) -> None:
    version = _installed(distribution).version

    assert (importlib.resources.files(package) / "py.typed").is_file()
    assert importlib.import_module(package).__version__ == version
