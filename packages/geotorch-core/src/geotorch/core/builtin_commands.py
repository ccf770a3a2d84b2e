"""Core's own ``geotorch`` subcommands, added through ``register_commands`` like any plugin's."""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from geotorch.core.catalog import get_dataset
from geotorch.core.commands import CommandRegistrar
from geotorch.core.geo import GeoDataset
from geotorch.core.hookspecs import hookimpl
from geotorch.core.nongeo import NonGeoDataset
from geotorch.core.plugins import list_plugins, registry
from geotorch.core.registry import Entry

#: Facts ``geotorch datasets`` reports, read from registration metadata or class attributes.
DATASET_FACTS = ("task", "geospatial", "size", "license")


@hookimpl
def register_commands(cli: CommandRegistrar) -> None:
    """Add ``plugins``, ``datasets`` and ``download``."""
    cli.add("plugins", run_plugins, help="list installed plugins, their versions and what each contributes")
    cli.add("datasets", run_datasets, help="list registered datasets with task, size on disk and licence")
    cli.add("download", run_download, help="download and verify a dataset into a folder")


def run_plugins(argv: Sequence[str]) -> int:
    """``geotorch plugins [--json] [--all]``."""
    parser = argparse.ArgumentParser(prog="geotorch plugins", description="List installed GeoTorch plugins.")
    parser.add_argument("--json", action="store_true", help="print JSON for machines")
    parser.add_argument("--all", action="store_true", help="include core's built-in plugins")
    options = parser.parse_args(argv)
    infos = list_plugins(include_builtins=options.all)
    if options.json:
        print(json.dumps([asdict(info) for info in infos], indent=2))
        return 0
    if not infos:
        print("no plugins installed")
    for info in infos:
        print(f"{info.name} ({info.distribution} {info.version})")
        print(f"    hooks: {', '.join(info.hooks) or '-'}")
        for kind, names in sorted(info.contributes.items()):
            print(f"    {kind}s: {', '.join(names)}")
    return 0


def describe_dataset(entry: Entry) -> dict[str, Any]:
    """What ``geotorch datasets`` reports about one registry entry, without importing it.

    Registration metadata wins; when the entry holds a class (not an import
    path), its ``task``, ``license`` and ``size`` attributes fill the gaps and
    its base class tells whether it is geospatial.

    Returns:
        ``name``, ``task``, ``geospatial``, ``size`` (bytes, or text as
        registered), ``license``, ``plugin`` and ``distribution``; unknown facts are None.
    """
    facts: dict[str, Any] = {key: entry.metadata.get(key) for key in DATASET_FACTS}
    target = entry.target
    if isinstance(target, type):
        for key in ("task", "license", "size"):
            declared = getattr(target, key, None)
            if facts[key] is None and isinstance(declared, (str, int, float)):
                facts[key] = declared
        if facts["geospatial"] is None and issubclass(target, (GeoDataset, NonGeoDataset)):
            facts["geospatial"] = issubclass(target, GeoDataset)
    return {"name": entry.name, **facts, "plugin": entry.plugin, "distribution": entry.distribution}


def run_datasets(argv: Sequence[str]) -> int:
    """``geotorch datasets [--json] [PATTERN ...]``."""
    parser = argparse.ArgumentParser(prog="geotorch datasets", description="List registered datasets.")
    parser.add_argument("patterns", nargs="*", metavar="PATTERN", help="fnmatch pattern(s) a name must match")
    parser.add_argument("--json", action="store_true", help="print JSON for machines")
    options = parser.parse_args(argv)
    datasets = registry("dataset")
    rows = [describe_dataset(datasets[name]) for name in datasets.names(options.patterns or None)]
    if options.json:
        print(json.dumps(rows, indent=2))
        return 0
    if not rows:
        wanted = f" matching {' '.join(options.patterns)}" if options.patterns else ""
        print(f"no datasets registered{wanted}")
        return 0
    header = ("NAME", "TASK", "GEO", "SIZE", "LICENSE", "DISTRIBUTION")
    table = [header] + [
        (row["name"], row["task"] or "-", _yes_no(row["geospatial"]), _size(row["size"]), row["license"] or "-",
         row["distribution"])
        for row in rows
    ]
    widths = [max(len(str(line[column])) for line in table) for column in range(len(header))]
    for line in table:
        print("  ".join(str(cell).ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip())
    return 0


def _yes_no(value: bool | None) -> str:
    return "-" if value is None else "yes" if value else "no"


def _size(value: str | float | None) -> str:
    """Human-readable size on disk (decimal units) of a byte count; text is shown as given."""
    if value is None:
        return "-"
    if isinstance(value, str):
        return value
    units = ("B", "kB", "MB", "GB", "TB")
    amount, exponent = float(value), 0
    while amount >= 1000 and exponent < len(units) - 1:
        amount, exponent = amount / 1000, exponent + 1
    return f"{amount:.0f} B" if exponent == 0 else f"{amount:.1f} {units[exponent]}"


def run_download(argv: Sequence[str]) -> int:
    """``geotorch download NAME --root DIR``."""
    parser = argparse.ArgumentParser(
        prog="geotorch download",
        description="Download a registered dataset, verify its checksums and report where it is.",
    )
    parser.add_argument("name", help="a registered dataset name (see `geotorch datasets`)")
    parser.add_argument("--root", required=True, type=Path, help="folder to download into")
    options = parser.parse_args(argv)
    dataset = get_dataset(options.name, root=options.root, download=True, checksum=True)
    print(f"{options.name} is ready in {options.root.resolve()}")
    print(dataset)
    return 0
