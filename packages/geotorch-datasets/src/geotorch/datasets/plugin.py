"""The geotorch-datasets plugin: registers its catalog's datasets by import path, and ``geotorch quickstart``."""

from __future__ import annotations

from collections.abc import Sequence

from geotorch.core import CommandRegistrar, Register, export_targets, hookimpl
from geotorch.datasets.catalog import DATASETS


@hookimpl
def register_datasets(register: Register) -> None:
    """Register every dataset of the catalog (the demo area's imagery and land cover, ...) with its metadata.

    The import paths come from the package's name table, so nothing is imported before a dataset is built.
    """
    targets = export_targets("geotorch.datasets")
    for name, metadata in DATASETS.items():
        register(targets[name], name=name, **metadata)


@hookimpl
def register_commands(cli: CommandRegistrar) -> None:
    """Add ``geotorch quickstart`` and ``geotorch stac``."""
    cli.add("quickstart", quickstart, help="sample training batches from the demo area and draw a few of them")
    cli.add("stac", stac, help="stac index: search a STAC API once and keep the items as a GeoParquet table")


def quickstart(argv: Sequence[str]) -> int:
    """Run ``geotorch quickstart``, importing its module (torch DataLoader, samplers) only now."""
    from geotorch.datasets.quickstart import run

    return run(argv)


def stac(argv: Sequence[str]) -> int:
    """Run ``geotorch stac index ...``, importing pystac-client and stac-geoparquet only now."""
    from geotorch.datasets.stac_index import run

    return run(argv)
