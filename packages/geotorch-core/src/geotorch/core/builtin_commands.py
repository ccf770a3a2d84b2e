"""Core's own ``geotorch`` subcommands, added through ``register_commands`` like any plugin's."""

from __future__ import annotations

import argparse
import fnmatch
import json
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

from geotorch.core.catalog import get_dataset, list_datasets
from geotorch.core.commands import CommandRegistrar
from geotorch.core.hookspecs import hookimpl
from geotorch.core.listing import DATASET_FACTS, entries
from geotorch.core.plugins import list_plugins

#: What ``geotorch datasets`` reports about each dataset, in this order.
DATASET_COLUMNS = ("name", *DATASET_FACTS, "plugin", "distribution")


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


def run_datasets(argv: Sequence[str]) -> int:
    """``geotorch datasets [--json] [PATTERN ...]``: the registered datasets whose names match, ignoring case."""
    parser = argparse.ArgumentParser(prog="geotorch datasets", description="List registered datasets.")
    parser.add_argument("patterns", nargs="*", metavar="PATTERN",
                        help="fnmatch pattern(s) a name must match, in any case (eurosat, 'sentinel*')")
    parser.add_argument("--json", action="store_true", help="print JSON for machines")
    options = parser.parse_args(argv)
    rows = [{key: facts[key] for key in DATASET_COLUMNS} for facts in entries("dataset")
            if matches_any_case(facts["name"], options.patterns)]
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


def matches_any_case(name: str, patterns: Sequence[str]) -> bool:
    """Whether ``name`` matches one of the fnmatch ``patterns`` in any case (``eurosat``: ``EuroSAT``); True if none."""
    folded = name.casefold()
    return not patterns or any(fnmatch.fnmatchcase(folded, pattern.casefold()) for pattern in patterns)


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
    """``geotorch download NAME --root DIR``.

    Raises:
        KeyError: if ``NAME`` is no registered dataset, naming the one it means when only its case differs.
        NotADirectoryError: if ``--root`` or a folder above it is a file, naming both.
        OSError: if ``--root`` cannot be made (no permission, a name too long, a read-only file system), naming it.
    """
    parser = argparse.ArgumentParser(
        prog="geotorch download",
        description="Download a registered dataset, verify its checksums and report where it is.",
    )
    parser.add_argument("name", help="a registered dataset name (see `geotorch datasets`)")
    parser.add_argument("--root", required=True, type=Path, help="folder to download into")
    options = parser.parse_args(argv)
    registered = list_datasets()
    if options.name not in registered:
        same = [name for name in registered if name.casefold() == options.name.casefold()]
        if same:
            raise KeyError(f"unknown dataset {options.name!r}: did you mean {same[0]!r}? (names are case-sensitive; "
                           "`geotorch datasets` lists them)")
    file = next((path for path in (options.root, *options.root.parents) if _is_file(path)), None)
    if file is not None:
        raise NotADirectoryError(
            f"--root {options.root}: {file} is a file, not a folder; give a folder to download into"
        )
    try:
        options.root.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise type(error)(f"--root {options.root}: cannot make this folder ({error.strerror}); give a folder you "
                          "can write to") from None
    dataset = get_dataset(options.name, root=options.root, download=True, checksum=True)
    print(f"{options.name} is ready in {options.root.resolve()}")
    print(dataset)
    return 0


def _is_file(path: Path) -> bool:
    """Whether ``path`` is something other than a folder; False where it cannot be looked at (a name too long)."""
    try:
        return path.exists() and not path.is_dir()
    except OSError:
        return False
