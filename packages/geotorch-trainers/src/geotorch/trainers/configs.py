"""The YAML configs shipped with geotorch-trainers: found by name, listed by ``geotorch configs``."""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path

#: The folder of the shipped configs (the repository's ``conf/`` links to it).
CONFIG_FOLDER = Path(__file__).parent / "conf"
SUFFIXES = (".yaml", ".yml")


def shipped_configs() -> dict[str, Path]:
    """Every shipped config, by name (its file name without ``.yaml``), sorted by name."""
    found = (path for path in CONFIG_FOLDER.iterdir() if path.suffix in SUFFIXES and path.is_file())
    return {path.stem: path for path in sorted(found)}


def config_description(path: Path) -> str:
    """The first line of the comment that opens the config: what it trains, in one line ('' if none)."""
    with path.open(encoding="utf-8") as file:
        first = file.readline().strip()
    return first.removeprefix("#").strip() if first.startswith("#") else ""


def resolve_config(value: str) -> str:
    """The file a ``--config`` value means: an existing path as given, else a shipped config's name.

    Args:
        value: a path to a YAML file, or the name of a shipped config (``quickstart``).

    Returns:
        ``value`` unchanged when it names an existing file or looks like a path (it has a folder or a
        suffix); otherwise the path of the shipped config of that name.

    Raises:
        FileNotFoundError: if ``value`` is a bare name that no shipped config has; the message lists them.
    """
    path = Path(value)
    if path.exists() or path.suffix or len(path.parts) != 1:
        return value
    configs = shipped_configs()
    if value in configs:
        return str(configs[value])
    raise FileNotFoundError(
        f"no config file {value!r} and no shipped config of that name; shipped configs: "
        f"{', '.join(configs)} (`geotorch configs` describes them), or give the path of a YAML file"
    )


def resolve_config_arguments(argv: Sequence[str]) -> list[str]:
    """``argv`` with the value of every ``--config`` / ``-c`` option resolved by :func:`resolve_config`."""
    resolved: list[str] = []
    arguments = list(argv)
    for number, argument in enumerate(arguments):
        key, equals, value = argument.partition("=")
        if equals and key in ("--config", "-c"):
            resolved.append(f"{key}={resolve_config(value)}")
        elif number > 0 and arguments[number - 1] in ("--config", "-c") and not argument.startswith("-"):
            resolved.append(resolve_config(argument))
        else:
            resolved.append(argument)
    return resolved


def list_configs(argv: Sequence[str]) -> int:
    """Run ``geotorch configs [--json]``: each shipped config's name and what it trains; return 0."""
    parser = argparse.ArgumentParser(
        prog="geotorch configs",
        description="The configs shipped with geotorch-trainers; run one with `geotorch fit --config NAME`.",
    )
    parser.add_argument("--json", action="store_true", help="print name, description and path of each as JSON")
    options = parser.parse_args(list(argv))
    configs = shipped_configs()
    if options.json:
        rows = [{"name": name, "description": config_description(path), "path": str(path)}
                for name, path in configs.items()]
        print(json.dumps(rows, indent=2))
        return 0
    width = max((len(name) for name in configs), default=0)
    for name, path in configs.items():
        print(f"{name.ljust(width)}  {config_description(path)}")
    return 0
