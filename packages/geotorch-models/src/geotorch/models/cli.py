"""The ``geotorch models`` and ``geotorch weights`` subcommands."""

from __future__ import annotations

import argparse
import difflib
import fnmatch
import json
from collections.abc import Sequence
from typing import Any

from geotorch.core import entries, get_weight

_WEIGHT_COLUMNS = ("name", "in_chans", "sensor", "dataset", "ssl_method", "license")


def run_models(argv: Sequence[str]) -> int:
    """``geotorch models [PATTERN ...] [--task TASK] [--json]``."""
    parser = argparse.ArgumentParser(prog="geotorch models", description="List registered models.")
    parser.add_argument("patterns", nargs="*", metavar="PATTERN", help="fnmatch pattern(s) of names, any case")
    parser.add_argument("--task", help="only models for this task (backbone, segmentation, change_detection, ...)")
    parser.add_argument("--json", action="store_true", help="print JSON for machines")
    options = parser.parse_args(argv)
    filters = _in_registered_case("model", {"task": options.task} if options.task else {})
    rows = _named(entries("model", **filters), options.patterns)
    if not rows:
        _refuse_unknown(parser, "model", filters)
    _print(rows, ("name", "task", "library", "distribution"), options.json, "models")
    return 0


def run_weights(argv: Sequence[str]) -> int:
    """``geotorch weights [PATTERN ...] [--sensor S] [--in-chans N] [--arch A] [--ssl-method M] [--json]``."""
    parser = argparse.ArgumentParser(prog="geotorch weights", description="List registered pretrained weights.")
    parser.add_argument("patterns", nargs="*", metavar="PATTERN", help="fnmatch pattern(s) of names, any case")
    parser.add_argument("--sensor", help="only weights for this sensor (sentinel2, landsat_oli, naip, ...)")
    parser.add_argument("--in-chans", type=int, help="only weights taking this many bands")
    parser.add_argument("--arch", help="only weights for this architecture")
    parser.add_argument("--ssl-method", help="only weights trained with this method (moco, dino, mae, ...)")
    parser.add_argument("--json", action="store_true", help="print JSON with every fact, url and checksum included")
    options = parser.parse_args(argv)
    filters = {
        key: value
        for key, value in (("sensor", options.sensor), ("in_chans", options.in_chans), ("arch", options.arch),
                           ("ssl_method", options.ssl_method))
        if value is not None
    }
    filters = _in_registered_case("weight", filters)
    rows = _named(entries("weight", **filters), options.patterns)
    if not rows:
        _refuse_unknown(parser, "weight", filters)
    if options.json:
        rows = [_with_meta(facts) for facts in rows]
    _print(rows, _WEIGHT_COLUMNS, options.json, "weights")
    return 0


def _named(rows: list[dict[str, Any]], patterns: Sequence[str]) -> list[dict[str, Any]]:
    """The ``rows`` whose name matches one of the fnmatch ``patterns`` in any case (``Unet``: ``unet``); all if none."""
    folded = [pattern.casefold() for pattern in patterns]
    return [row for row in rows
            if not folded or any(fnmatch.fnmatchcase(row["name"].casefold(), pattern) for pattern in folded)]


def _in_registered_case(kind: str, filters: dict[str, Any]) -> dict[str, Any]:
    """``filters`` whose text values are spelt as registered ones, matched in any case (``Sentinel2``: ``sentinel2``).

    The PATTERNs match names in any case; a filter's value as typed (``--arch ResNet50``) matched nothing.
    """
    every = entries(kind)
    spelt: dict[str, Any] = {}
    for key, value in filters.items():
        known = {str(row[key]).casefold(): row[key] for row in every if isinstance(row.get(key), str)}
        spelt[key] = known.get(value.casefold(), value) if isinstance(value, str) else value
    return spelt


def _refuse_unknown(parser: argparse.ArgumentParser, kind: str, filters: dict[str, Any]) -> None:
    """Exit with a usage error (status 2) when a filter's value is one no registered ``kind`` has, listing those.

    A value some entry has (``--task segmentation`` with a pattern that excludes them all) is no error.
    """
    every = entries(kind)
    problems = []
    for key, value in filters.items():
        known = sorted({str(row[key]) for row in every if row.get(key) is not None})
        if str(value) not in known:
            close = difflib.get_close_matches(str(value).casefold(), known, n=1, cutoff=0.8)
            meant = f" (did you mean {close[0]!r}?)" if close else ""
            problems.append(f"--{key.replace('_', '-')} {value!r} is none of: {', '.join(known)}{meant}")
    if problems:
        parser.error("; ".join(problems))


def _with_meta(facts: dict[str, Any]) -> dict[str, Any]:
    """A weight's registration facts, then every fact of its ``meta`` (url, checksum, ...), then its distribution."""
    registered = {key: value for key, value in facts.items() if key not in ("plugin", "distribution")}
    return {**registered, **get_weight(facts["name"]).meta, "distribution": facts["distribution"]}


def _print(rows: list[dict[str, Any]], columns: Sequence[str], as_json: bool, kind: str) -> None:
    if as_json:
        print(json.dumps(rows, indent=2, default=str))
        return
    if not rows:
        print(f"no {kind} match")
        return
    cells = [[str(row.get(column) if row.get(column) is not None else "-") for column in columns] for row in rows]
    widths = [max(len(column), *(len(line[index]) for line in cells)) for index, column in enumerate(columns)]
    print("  ".join(column.ljust(width) for column, width in zip(columns, widths, strict=True)).rstrip())
    for line in cells:
        print("  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip())
