"""MkDocs hook: the API reference, one page per package, generated from the packages' public names.

A package's public names are the ``if TYPE_CHECKING:`` imports of its ``__init__.py`` (what
``lazy_exports`` serves), so a name added there appears in the reference without editing the docs.
Each page lists the names in that order, each rendered by mkdocstrings from its Google-style docstring.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parents[2]
#: Package -> the distribution folder that holds it, in the order of the reference's index.
PACKAGES = {
    "geotorch.core": "geotorch-core",
    "geotorch.samplers": "geotorch-core",
    "geotorch.transforms": "geotorch-core",
    "geotorch.datasets": "geotorch-datasets",
    "geotorch.models": "geotorch-models",
    "geotorch.trainers": "geotorch-trainers",
    "geotorch.datamodules": "geotorch-trainers",
    "geotorch.tasks": "geotorch-trainers",
    "geotorch.losses": "geotorch-trainers",
}
#: Names every package exports that need no entry of their own.
SKIPPED = {"__version__"}


def init_file(package: str) -> Path:
    """The ``__init__.py`` of ``package`` (``geotorch.x``) in its distribution's source folder."""
    return ROOT / "packages" / PACKAGES[package] / "src" / Path(*package.split(".")) / "__init__.py"


def public_names(package: str) -> list[str]:
    """The names imported under ``if TYPE_CHECKING:`` in ``package``'s ``__init__.py``, in source order.

    Raises:
        ValueError: if the file has no such block (the reference would silently be empty).
    """
    path = init_file(package)
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in tree.body:
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            return [
                alias.asname or alias.name
                for statement in node.body
                if isinstance(statement, ast.ImportFrom)
                for alias in statement.names
                if (alias.asname or alias.name) not in SKIPPED
            ]
    raise ValueError(f"{path} has no 'if TYPE_CHECKING:' block of public names")


def package_summary(package: str) -> str:
    """The first paragraph of ``package``'s docstring."""
    path = init_file(package)
    docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    return docstring.split("\n\n")[0].replace("\n", " ")


def package_page(package: str) -> str:
    """The Markdown of ``package``'s reference page: its docstring, then one mkdocstrings block per name."""
    lines = [f"# `{package}`", "", package_summary(package), ""]
    names = public_names(package)
    lines += [f"Public names: {', '.join(f'[`{name}`][{package}.{name}]' for name in names)}.", ""]
    for name in names:
        lines += [f"::: {package}.{name}", ""]
    return "\n".join(lines)


def index_page() -> str:
    """The reference's landing page: each package with its summary and the number of public names."""
    lines = [
        "# API reference",
        "",
        "Generated from the docstrings of every public name: a package's public names are the",
        "`if TYPE_CHECKING:` imports of its `__init__.py`.",
        "",
        "| package | distribution | names | what it holds |",
        "| --- | --- | --- | --- |",
    ]
    for package, distribution in PACKAGES.items():
        count = len(public_names(package))
        lines.append(f"| [`{package}`]({package}.md) | `{distribution}` | {count} | {package_summary(package)} |")
    return "\n".join(lines) + "\n"


def on_files(files: Files, config: Any) -> Files:
    """Add ``reference/index.md`` and ``reference/<package>.md`` to the site's files."""
    files.append(File.generated(config, "reference/index.md", content=index_page()))
    for package in PACKAGES:
        files.append(File.generated(config, f"reference/{package}.md", content=package_page(package)))
    return files
