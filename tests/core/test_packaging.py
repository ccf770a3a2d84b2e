"""What a published wheel promises: licence, typing marker, classifiers and version, for each installed distribution."""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.resources
import re
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


#: The links every distribution's PyPI page shows (pyproject's [project.urls]).
URLS = {"Homepage", "Documentation", "Source", "Issues", "Changelog"}
#: What each README's first Python example needs installed to run.
NEEDS = {
    "geotorch-core": ("geotorch-core",),
    "geotorch-datasets": ("geotorch-core", "geotorch-datasets"),
    "geotorch-models": ("geotorch-core", "geotorch-models"),
    "geotorch-trainers": tuple(PACKAGES),
}


@pytest.mark.parametrize("distribution", sorted(PACKAGES))
def test_each_distribution_links_its_project_and_declares_python_3_11_to_3_13(distribution: str) -> None:
    metadata = _installed(distribution).metadata

    urls = dict(entry.split(", ", 1) for entry in metadata.get_all("Project-URL") or [])
    assert set(urls) == URLS
    assert all(url.startswith("https://github.com/geotorch/") or url.startswith("https://geotorch.github.io/")
               for url in urls.values())
    assert metadata["Author"] == "The GeoTorch contributors"
    assert metadata["Requires-Python"] == ">=3.11"
    classifiers = set(metadata.get_all("Classifier") or [])
    assert {f"Programming Language :: Python :: 3.{minor}" for minor in (11, 12, 13)} <= classifiers


@pytest.mark.parametrize("distribution", sorted(PACKAGES))
def test_each_distribution_s_readme_is_a_pypi_page(distribution: str) -> None:
    metadata = _installed(distribution).metadata
    page = metadata.get_payload()

    assert metadata["Description-Content-Type"] == "text/markdown"
    assert page.startswith(f"# {distribution}\n")
    assert f"pip install {distribution}" in page
    assert "https://download.pytorch.org/whl/cpu" in page
    # PyPI shows the page away from the repository: a relative link would be broken there.
    links = re.findall(r"\]\(([^)\s]+)\)", page)
    assert links and [link for link in links if not link.startswith("https://")] == []


@pytest.mark.slow
@pytest.mark.parametrize("distribution", sorted(PACKAGES))
def test_each_readme_s_first_python_example_runs(distribution: str, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    for needed in NEEDS[distribution]:
        _installed(needed)
    page = _installed(distribution).metadata.get_payload()
    example = re.findall(r"```python\n(.*?)```", page, re.DOTALL)[0]
    monkeypatch.chdir(tmp_path)
    if distribution == "geotorch-core":  # its example reads the user's folder of GeoTIFFs
        from tests.core.rasters import grid, random_bands, write_raster

        for number in range(2):
            write_raster(tmp_path / "scenes" / f"scene_{number}.tif", random_bands((3, 96, 96), seed=number),
                         32633, grid(500_000 + 1920 * number, 5_000_000))

    exec(compile(example, f"{distribution}/README.md", "exec"), {"__name__": "readme_example"})
