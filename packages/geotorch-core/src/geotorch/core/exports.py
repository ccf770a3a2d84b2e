"""Lazy package exports read from one name table: the ``if TYPE_CHECKING:`` imports of a package's ``__init__``.

A package's ``__init__.py`` lists its public names once, as the imports a type checker reads, and
hands the rest to :func:`lazy_exports`::

    from typing import TYPE_CHECKING

    if TYPE_CHECKING:
        from geotorch.core.bbox import BoundingBox as BoundingBox
        from mypackage.scenes import Scenes as Scenes
    else:
        from geotorch.core import lazy_exports

        __getattr__, __dir__ = lazy_exports(__name__)

mypy (``--strict``) reads the imports, so ``from mypackage import Scenes`` has its real type, and an
unknown name is an error (the lazy ``__getattr__`` is hidden from it). At run time the same block is
read from the package's source the first time a name is asked for: ``import mypackage`` imports
nothing more, ``mypackage.Scenes`` imports ``mypackage.scenes`` only then, and ``__all__`` and
``dir()`` list exactly the block's names. Adding a public name is adding one import line.

Plugins register their classes by the import paths :func:`export_targets` reads from the same block,
and a package's tests check it with ``assert export_problems("mypackage") == []``.
"""

import importlib
import sys
from collections.abc import Callable
from functools import cache
from typing import Any

#: Module-level statements of a package ``__init__`` with lazy exports, besides its docstring.
_ALLOWED_STATEMENTS = ("from __future__ import annotations", "from typing import TYPE_CHECKING", "if TYPE_CHECKING:")
#: The ``else:`` of its ``if TYPE_CHECKING:`` block (the helper imported from core's face, or from this
#: module by core's own packages).
_LAZY_ELSE = tuple(
    f"from {helper} import lazy_exports\n__getattr__, __dir__ = lazy_exports(__name__)\n"
    for helper in ("geotorch.core", "geotorch.core.exports")
)

#: ``__getattr__`` and ``__dir__`` of a package whose public names are imported on first use.
LazyAttributes = tuple[Callable[[str], Any], Callable[[], list[str]]]


def lazy_exports(package: str) -> LazyAttributes:
    """Build the module ``__getattr__`` and ``__dir__`` (PEP 562) of a package with lazy exports.

    The package's public names are the imports of the ``if TYPE_CHECKING:`` block of its
    ``__init__.py`` (see the module docstring); ``__all__`` is derived from them too.

    Args:
        package: the package's import name, ``__name__`` in its ``__init__.py``.

    Returns:
        ``(__getattr__, __dir__)``. ``__getattr__(name)`` imports the module that defines ``name``,
        keeps the value as a module attribute (later lookups cost nothing) and returns it;
        ``__getattr__("__all__")`` returns the public names in the block's order. An unknown
        name raises ``AttributeError("module 'package' has no attribute 'name'")``.
        ``__dir__()`` lists the module's attributes and every public name.
    """

    def __getattr__(name: str) -> Any:
        table = _export_table(package)
        if name == "__all__":
            value: Any = list(table)
        elif name in table:
            module, _, attribute = table[name].partition(":")
            value = getattr(importlib.import_module(module), attribute)
        else:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        setattr(sys.modules[package], name, value)
        return value

    def __dir__() -> list[str]:
        return sorted({*vars(sys.modules[package]), *_export_table(package), "__all__"})

    return __getattr__, __dir__


def export_targets(package: str) -> dict[str, str]:
    """Every public name of a package with lazy exports, with the import path of what it names.

    Plugins register their classes by these paths (``registry.register(path, name=...)``), so
    the registry and the package's exports come from the same table.

    Args:
        package: the package's import name (``"geotorch.models"``); it is imported if it is not yet.

    Returns:
        public name -> ``"defining.module:attribute"``, in the order of the package's
        ``if TYPE_CHECKING:`` block. A name the package re-exports from another package with
        lazy exports points at that package (``"geotorch.core:BoundingBox"``).

    Raises:
        ValueError: the package's ``__init__.py`` has no ``if TYPE_CHECKING:`` block, or one that
            holds something else than ``from module import Name as Name`` lines.
    """
    return dict(_export_table(package))


def export_problems(package: str) -> list[str]:
    """Check that a package with lazy exports keeps one list of names, and that every name imports.

    Meant for a package's tests (``assert export_problems("mypackage") == []``). It imports every
    public name, so it loads everything the package holds.

    Args:
        package: the package's import name.

    Returns:
        One line per problem, empty when there is none: a name that fails to import or that the
        package's module attribute holds something else for, a submodule named like a public name
        (importing it would replace the export), or a module-level statement of the ``__init__``
        besides its docstring, ``from typing import TYPE_CHECKING`` and the ``if TYPE_CHECKING:``
        block whose ``else:`` is ``__getattr__, __dir__ = lazy_exports(__name__)`` (a second list of
        names would go there).

    Raises:
        ValueError: see :func:`export_targets`.
    """
    import ast
    import pkgutil

    table = _export_table(package)
    module = importlib.import_module(package)
    problems: list[str] = []
    for name, target in table.items():
        defining, _, attribute = target.partition(":")
        try:
            expected = getattr(importlib.import_module(defining), attribute)
            found = getattr(module, name)
        except (ImportError, AttributeError) as error:
            problems.append(f"{package}.{name}: {target} does not import: {error}")
            continue
        if found is not expected:
            problems.append(f"{package}.{name} is {found!r}, not {target}")
    submodules = {info.name for info in pkgutil.iter_modules(getattr(module, "__path__", []))}
    problems += [
        f"{package}.{name}: a submodule has the name of the export" for name in sorted(submodules & set(table))
    ]
    path = str(module.__file__)
    with open(path, encoding="utf-8") as source:
        tree = ast.parse(source.read(), path)
    lazy_else = {ast.dump(ast.parse(source)) for source in _LAZY_ELSE}
    for position, node in enumerate(tree.body):
        if position == 0 and isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue
        header = ast.unparse(node).splitlines()[0]
        if header not in _ALLOWED_STATEMENTS:
            problems.append(f"{path}:{node.lineno}: {header!r} beside the one list of names")
        elif isinstance(node, ast.If) and ast.dump(ast.Module(node.orelse, [])) not in lazy_else:
            problems.append(f"{path}:{node.lineno}: the else: of 'if TYPE_CHECKING:' is not the lazy_exports call")
    return problems


@cache
def _export_table(package: str) -> dict[str, str]:
    """Read the public names of a package from the ``if TYPE_CHECKING:`` block of its ``__init__.py``.

    The result is cached: read-only, use :func:`export_targets` for a copy.

    Args:
        package: the package's import name.

    Returns:
        public name -> ``"defining.module:attribute"``.

    Raises:
        ValueError: see :func:`export_targets`.
    """
    # ast is imported here, not at module level: importing a package must stay as cheap as it was.
    import ast

    path = importlib.import_module(package).__file__
    if path is None or not path.endswith(".py"):
        raise ValueError(f"{package}: lazy exports are read from the package's __init__.py source, found {path}")
    with open(path, encoding="utf-8") as source:
        tree = ast.parse(source.read(), path)
    blocks = [
        node
        for node in tree.body
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"
    ]
    if len(blocks) != 1:
        raise ValueError(
            f"{path}: lazy exports need exactly one module-level 'if TYPE_CHECKING:' block listing the public "
            f"names, found {len(blocks)}"
        )
    table: dict[str, str] = {}
    for statement in blocks[0].body:
        if not isinstance(statement, ast.ImportFrom) or statement.level or statement.module is None:
            raise ValueError(
                f"{path}:{statement.lineno}: the 'if TYPE_CHECKING:' block of lazy exports holds only absolute "
                "'from module import Name as Name' lines"
            )
        for alias in statement.names:
            if alias.asname != alias.name:
                raise ValueError(
                    f"{path}:{statement.lineno}: write 'from {statement.module} import {alias.name} as "
                    f"{alias.name}': the redundant alias is what makes mypy --strict see the name re-exported"
                )
            table[alias.name] = f"{statement.module}:{alias.name}"
    return table
