"""The ``geotorch`` console script: checks that ``geotorch`` is GeoTorch's namespace, then runs the command.

It lives outside the ``geotorch`` namespace on purpose: when the unrelated PyPI package named ``geotorch``
(constrained parametrizations) is installed, its regular ``geotorch/__init__.py`` hides every
``geotorch.*`` package of GeoTorch, and a script inside that namespace would die with a bare
``No module named 'geotorch.core'``.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
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


#: PyTorch's switch (read once, as torch is imported) for transparent huge pages under CPU tensors of 2 MB and more.
HUGE_PAGES_VARIABLE = "THP_MEM_ALLOC_ENABLE"


def configure_allocator() -> None:
    """Back large CPU tensors with transparent huge pages, unless ``$THP_MEM_ALLOC_ENABLE`` says otherwise already.

    Must run before torch is imported. Each fresh tensor's memory is faulted in by the kernel a
    page at a time: with 4 KiB pages a model's 84 MB output (8 windows of 10 classes at 512 x 512
    px, float32) costs 20,480 page faults on every batch, which made a 1x1 convolution's CPU
    forward pass three times slower (3.6 s instead of 1.2 s for 529 windows) and slowed
    ``geotorch predict`` and ``fit`` alike; with 2 MiB pages it costs 42. Where the kernel offers
    no transparent huge pages (``/sys/kernel/mm/transparent_hugepage/enabled`` is ``never``)
    nothing changes; ``THP_MEM_ALLOC_ENABLE=0`` turns it off.
    """
    os.environ.setdefault(HUGE_PAGES_VARIABLE, "1")


def main() -> int:
    """Run ``geotorch ARGS``; with another ``geotorch`` package installed, say so first (and stop if it breaks us).

    Returns:
        The command's exit status; 1 when GeoTorch cannot be imported because of the other package.
    """
    configure_allocator()
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
