"""Lazy exports: a package lists its public names once, as the ``if TYPE_CHECKING:`` imports of its __init__."""

import importlib
import itertools
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import geotorch.core
from geotorch.core import export_problems, export_targets

CORE_PACKAGES = ["geotorch.core", "geotorch.samplers", "geotorch.transforms"]

_LAZY_ELSE = """\
else:
    from geotorch.core import lazy_exports

    __getattr__, __dir__ = lazy_exports(__name__)
"""

_numbers = itertools.count()

WritePackage = Callable[..., str]


@pytest.fixture
def write_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[WritePackage]:
    """Write a package with lazy exports under tmp_path; returns its (unique) import name."""
    names: list[str] = []

    def write(block: str, modules: dict[str, str], tail: str = _LAZY_ELSE) -> str:
        name = f"lazy_exports_fixture_{next(_numbers)}"
        names.append(name)
        folder = tmp_path / name
        folder.mkdir()
        source = '"""A package for the tests."""\n\nfrom typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n'
        source += textwrap.indent(textwrap.dedent(block).format(pkg=name), "    ") + tail
        (folder / "__init__.py").write_text(source)
        for module, text in modules.items():
            (folder / f"{module}.py").write_text(textwrap.dedent(text))
        return name

    monkeypatch.syspath_prepend(str(tmp_path))
    yield write
    for module in list(sys.modules):
        if module.split(".")[0] in names:
            del sys.modules[module]


def test_a_name_is_imported_on_first_use_only_and_kept(write_package: WritePackage) -> None:
    name = write_package(
        "from {pkg}.scenes import Scenes as Scenes\nfrom {pkg}.scenes import load as load\n",
        {"scenes": "class Scenes: ...\n\ndef load() -> None: ...\n"},
    )
    package = importlib.import_module(name)
    assert f"{name}.scenes" not in sys.modules
    assert package.Scenes is importlib.import_module(f"{name}.scenes").Scenes
    assert vars(package)["Scenes"] is package.Scenes  # kept: the next lookup is a plain attribute
    assert package.load.__module__ == f"{name}.scenes"


def test_all_and_dir_are_the_block_names_in_order(write_package: WritePackage) -> None:
    name = write_package(
        "from {pkg}.b import Zeta as Zeta\nfrom {pkg}.a import alpha as alpha\n",
        {"a": "alpha = 1\n", "b": "Zeta = 2\n"},
    )
    package = importlib.import_module(name)
    assert package.__all__ == ["Zeta", "alpha"]
    assert {"Zeta", "alpha", "__all__"} <= set(dir(package))
    namespace: dict[str, object] = {}
    exec(f"from {name} import *", namespace)
    assert (namespace["Zeta"], namespace["alpha"]) == (2, 1)
    assert export_targets(name) == {"Zeta": f"{name}.b:Zeta", "alpha": f"{name}.a:alpha"}


def test_an_unknown_name_is_an_attribute_error_naming_the_package(write_package: WritePackage) -> None:
    name = write_package("from {pkg}.a import alpha as alpha\n", {"a": "alpha = 1\n"})
    package = importlib.import_module(name)
    with pytest.raises(AttributeError, match=rf"^module '{name}' has no attribute 'beta'$"):
        _ = package.beta
    assert not hasattr(package, "beta")


@pytest.mark.parametrize(
    ("block", "message"),
    [
        ("from {pkg}.a import alpha\n", r"__init__.py:6: write 'from .*\.a import alpha as alpha'.*mypy --strict"),
        ("from .a import alpha as alpha\n", r"__init__.py:6: .* holds only absolute 'from module import Name as Name'"),
        ("import os\n", r"__init__.py:6: .* holds only absolute"),
    ],
)
def test_a_block_mypy_would_not_read_as_exports_is_refused(
    write_package: WritePackage, block: str, message: str
) -> None:
    name = write_package(block, {"a": "alpha = 1\n"})
    package = importlib.import_module(name)
    with pytest.raises(ValueError, match=message):
        _ = package.alpha


def test_a_package_without_its_block_is_refused(write_package: WritePackage) -> None:
    name = write_package("from {pkg}.a import alpha as alpha\n", {"a": "alpha = 1\n"})
    init = Path(importlib.import_module(name).__file__ or "")
    init.write_text(init.read_text().replace("if TYPE_CHECKING:", "if False:"))
    with pytest.raises(ValueError, match=r"exactly one module-level 'if TYPE_CHECKING:' block .* found 0"):
        export_targets(name)


def test_export_problems_finds_a_second_list_a_shadowing_submodule_and_a_broken_path(
    write_package: WritePackage,
) -> None:
    name = write_package(
        "from {pkg}.a import alpha as alpha\nfrom {pkg}.a import gone as gone\nfrom {pkg}.b import b as b\n",
        {"a": "alpha = 1\n", "b": "b = 2\n"},
        tail=_LAZY_ELSE + '\n__all__ = ["alpha", "gone", "b"]\n',
    )
    problems = export_problems(name)
    assert len(problems) == 4, problems
    assert problems[0].startswith(f"{name}.gone: {name}.a:gone does not import")
    # importing the submodule b replaced the export b, which is why a submodule may not share its name
    assert problems[1].startswith(f"{name}.b is <module '{name}.b'")
    assert problems[2] == f"{name}.b: a submodule has the name of the export"
    assert "__init__.py:14: " in problems[3] and "__all__ = " in problems[3]
    assert problems[3].endswith("beside the one list of names")


def test_a_clean_package_has_no_export_problems(write_package: WritePackage) -> None:
    name = write_package("from {pkg}.a import alpha as alpha\n", {"a": "alpha = 1\n"})
    assert export_problems(name) == []


@pytest.mark.parametrize("package", CORE_PACKAGES)
def test_every_core_export_imports_and_the_init_holds_one_list(package: str) -> None:
    assert export_problems(package) == []


@pytest.mark.parametrize("package", CORE_PACKAGES)
def test_all_and_dir_of_core_packages_are_their_name_tables(package: str) -> None:
    module = importlib.import_module(package)
    names = list(export_targets(package))
    assert module.__all__ == names
    assert set(names) <= set(dir(module))
    with pytest.raises(AttributeError, match=rf"^module '{package}' has no attribute 'NoSuchName'$"):
        _ = module.NoSuchName


def test_core_exports_sample_transform_and_its_own_helpers() -> None:
    targets = export_targets("geotorch.core")
    assert targets["Sample"] == "geotorch.core.sample:Sample"
    assert targets["Transform"] == "geotorch.core.sample:Transform"
    assert targets["lazy_exports"] == "geotorch.core.exports:lazy_exports"
    assert geotorch.core.ChecksumError.__module__ == "geotorch.core.errors"


def test_importing_core_samplers_and_transforms_loads_no_heavy_library() -> None:
    code = (
        "import sys; import geotorch.core, geotorch.samplers, geotorch.transforms; "
        "print([m for m in ('torch', 'rasterio', 'pyogrio', 'shapely', 'kornia', 'rtree') if m in sys.modules])"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
