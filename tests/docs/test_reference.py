"""The built API reference documents every public name of every package (its ``TYPE_CHECKING`` imports)."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "site"
REQUIRED = os.environ.get("GEOTORCH_DOCS_REQUIRED") == "1"


def _reference_hook() -> ModuleType:
    """docs/hooks/reference.py, which builds the reference pages (it imports mkdocs)."""
    if importlib.util.find_spec("mkdocs") is None or not (SITE / "reference" / "index.html").is_file():
        reason = f"mkdocs is not installed or no built site at {SITE}: run `nox -s docs`"
        if REQUIRED:
            pytest.fail(reason)
        pytest.skip(reason)
    spec = importlib.util.spec_from_file_location("geotorch_docs_reference", ROOT / "docs/hooks/reference.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_public_name_has_its_entry() -> None:
    hook = _reference_hook()
    counts = {}
    for package in hook.PACKAGES:
        names = hook.public_names(package)
        html = (SITE / "reference" / package / "index.html").read_text(encoding="utf-8")
        missing = [name for name in names if f'id="{package}.{name}"' not in html]
        assert missing == [], f"{package}: no entry for {missing}"
        counts[package] = len(names)
    # The lists are the __init__ files' own: RasterDataset is core's, predict_raster the trainers'.
    assert "RasterDataset" in hook.public_names("geotorch.core")
    assert "predict_raster" in hook.public_names("geotorch.trainers")
    assert "__version__" not in hook.public_names("geotorch.core")
    assert all(count > 0 for count in counts.values()), counts


def test_public_names_are_the_type_checking_imports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    hook = _reference_hook()
    init = tmp_path / "packages/geotorch-core/src/geotorch/core/__init__.py"
    init.parent.mkdir(parents=True)
    init.write_text(
        '"""A package."""\n\nfrom typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n'
        "    from geotorch.core.a import B as B\n    from geotorch.core.c import (\n        D as D,\n    )\n"
        "    from geotorch.core.version import __version__ as __version__\n"
    )
    monkeypatch.setattr(hook, "ROOT", tmp_path)
    assert hook.public_names("geotorch.core") == ["B", "D"]
    assert "::: geotorch.core.D" in hook.package_page("geotorch.core")
    init.write_text('"""No public names."""\n')
    with pytest.raises(ValueError, match="TYPE_CHECKING"):
        hook.public_names("geotorch.core")
