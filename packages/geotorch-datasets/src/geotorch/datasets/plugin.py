"""The geotorch-datasets plugin: registers its catalog's datasets by import path, and ``geotorch quickstart``."""

from __future__ import annotations

from collections.abc import Sequence

from geotorch.core import CommandRegistrar, Register, hookimpl
from geotorch.datasets.catalog import ENTRIES


@hookimpl
def register_datasets(register: Register) -> None:
    """Register every catalog entry (the demo area's imagery and land cover, ...) with its metadata."""
    for target, metadata in ENTRIES:
        register(target, **metadata)


@hookimpl
def register_commands(cli: CommandRegistrar) -> None:
    """Add ``geotorch quickstart``."""
    cli.add("quickstart", quickstart, help="sample training batches from the demo area and draw a few of them")


def quickstart(argv: Sequence[str]) -> int:
    """Run ``geotorch quickstart``, importing its module (torch DataLoader, samplers) only now."""
    from geotorch.datasets.quickstart import run

    return run(argv)
