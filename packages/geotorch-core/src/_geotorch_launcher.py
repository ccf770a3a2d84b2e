"""The ``geotorch`` console script: checks that ``geotorch`` is GeoTorch's namespace, then runs the command.

It lives outside the ``geotorch`` namespace on purpose: when the unrelated PyPI package named ``geotorch``
(constrained parametrizations) is installed, its regular ``geotorch/__init__.py`` hides every
``geotorch.*`` package of GeoTorch, and a script inside that namespace would die with a bare
``No module named 'geotorch.core'``.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import sys

PROG = "geotorch"


def shadowing_package() -> str | None:
    """Say, in one line with the fix, why ``geotorch`` is not GeoTorch's namespace package; None when it is.

    GeoTorch's distributions ship no ``geotorch/__init__.py``, so a regular package found under that
    name is another distribution's. Nothing is imported to find out.
    """
    spec = importlib.util.find_spec("geotorch")
    if spec is None or spec.origin in (None, "namespace"):
        return None
    try:
        version = f" {importlib.metadata.version('geotorch')}"
    except importlib.metadata.PackageNotFoundError:
        version = ""
    return (
        f"{spec.origin} is not GeoTorch's: the unrelated PyPI package 'geotorch'{version} is installed "
        "and its regular package hides GeoTorch's geotorch.* packages; fix: pip uninstall geotorch"
    )


def main() -> int:
    """Run ``geotorch ARGS``; with another ``geotorch`` package installed, say so first (and stop if it breaks us).

    Returns:
        The command's exit status; 1 when GeoTorch cannot be imported because of the other package.
    """
    problem = shadowing_package()
    if problem is None:
        from geotorch.core.cli import main as run
    else:
        try:
            from geotorch.core.cli import main as run
        except ImportError:
            print(f"{PROG}: error: {problem}", file=sys.stderr)
            return 1
        print(f"{PROG}: warning: {problem}", file=sys.stderr)
    return run()


if __name__ == "__main__":
    raise SystemExit(main())
