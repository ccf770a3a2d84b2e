"""The YAML configs shipped with geotorch-trainers: found by name, listed by ``geotorch configs``."""

from __future__ import annotations

import argparse
import difflib
import importlib
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

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
        value: a path to a YAML file (a leading ``~`` is the home folder, as the shell leaves it in
            ``--config=~/run.yaml``), or the name of a shipped config (``quickstart``).

    Returns:
        ``value`` unchanged when it names an existing file or looks like a path (it has a folder or a
        suffix); otherwise the path of the shipped config of that name.

    Raises:
        FileNotFoundError: if ``value`` is a bare name that no shipped config has; the message names the
            shipped config nearest to it, or lists them all.
        ValueError: if ``value`` is empty (``--config=$CONFIG`` of an unset variable), which would be the
            working folder.
    """
    if not value.strip():
        raise ValueError("--config is empty (an unset shell variable?): give a shipped config's name "
                         "(`geotorch configs` lists them) or a YAML file's path")
    value = os.path.expanduser(value)
    path = Path(value)
    if path.exists() or path.suffix or len(path.parts) != 1:
        return value
    configs = shipped_configs()
    if value in configs:
        return str(configs[value])
    missing = f"no config file {value!r} and no shipped config of that name"
    near = nearest_config(value)
    if near is not None:
        raise FileNotFoundError(f"{missing}: did you mean {near!r}? (`geotorch configs` lists the shipped configs)")
    raise FileNotFoundError(
        f"{missing}; shipped configs: {', '.join(configs)} (`geotorch configs` describes them), "
        "or give the path of a YAML file"
    )


def nearest_config(name: str) -> str | None:
    """The shipped config whose name ``name`` most likely means (``Quickstart``, ``quickstrat``), or None."""
    configs = shipped_configs()
    lowered = {config.lower(): config for config in configs}
    if name.lower() in lowered:
        return lowered[name.lower()]
    close = difflib.get_close_matches(name.lower(), list(lowered), n=1, cutoff=0.8)
    return lowered[close[0]] if close else None


def read_config(path: Path) -> dict[str, Any]:
    """The mapping in the ``--config`` file ``path``, checked before LightningCLI reads it.

    Args:
        path: the YAML file a ``--config`` option names (after :func:`resolve_config`).

    Returns:
        The file's top-level mapping (``{"model": ..., "data": ..., "trainer": ...}``).

    Raises:
        FileNotFoundError: if ``path`` does not exist, naming it.
        IsADirectoryError: if ``path`` is a folder, naming it.
        ValueError: if ``path`` is empty or not UTF-8 YAML holding a mapping (``model:``, ``data:``, ...),
            naming it and, for bad YAML, the line and column; if a mapping in it gives a key twice (which
            YAML forbids and PyYAML reads as the last one, silently), naming the key and both lines, or so does a
            YAML file it names (:func:`refuse_repeated_keys_in_named_files`); or if its ``trainer:`` holds
            neither a mapping nor a YAML file's path.
    """
    if path.is_dir():
        raise IsADirectoryError(f"--config {path}: a folder, not a YAML file")
    if not path.is_file():
        raise FileNotFoundError(f"--config {path}: no such file{_shipped_hint(path)}")
    yaml: Any = importlib.import_module("yaml")
    try:
        text = path.read_text(encoding="utf-8")
        _refuse_repeated_keys(yaml.compose(text, Loader=yaml.SafeLoader), f"--config {path}")
        document = yaml.safe_load(text)
    except UnicodeDecodeError as error:
        raise ValueError(f"--config {path}: not a YAML file (not UTF-8 text: {error.reason})") from error
    except yaml.YAMLError as error:
        raise ValueError(f"--config {path}: not valid YAML ({_yaml_problem(error)})") from error
    if not isinstance(document, dict):
        found = "nothing" if document is None else f"a {type(document).__name__}"
        raise ValueError(f"--config {path}: a config maps sections (model:, data:, trainer:) to their settings; "
                         f"this file holds {found}")
    refuse_repeated_keys_in_named_files(document, path.parent, f"--config {path}")
    trainer = document.get("trainer")
    if trainer is not None and not isinstance(trainer, dict) and not _names_yaml_file(trainer):
        raise ValueError(f"--config {path}: trainer: holds {trainer!r} ({type(trainer).__name__}), not the trainer's "
                         "settings: write them as a mapping under it (trainer: {max_epochs: 3})")
    return document


def refuse_repeated_keys(path: Path, option: str) -> None:
    """Raise a ValueError if a mapping in the YAML file ``path``, the value of ``option``, gives a key twice.

    As in a ``--config`` (:func:`read_config`), for the files other options take (``--data data.yaml``), and
    the files they name (:func:`refuse_repeated_keys_in_named_files`). A file that cannot be read or holds no
    valid YAML is left to the parser that reads it.

    Raises:
        ValueError: naming ``option``, ``path`` (and a file it names), the key and both lines.
    """
    document = _checked_document(path, f"{option} {path}")
    refuse_repeated_keys_in_named_files(document, path.parent, f"{option} {path}")


def refuse_repeated_keys_in_named_files(document: Any, folder: Path, source: str) -> None:
    """Raise a ValueError if a YAML file that a value of ``document`` names gives a key twice, at any depth.

    jsonargparse reads a value naming a YAML file (``model: model.yaml``, a callback ``- checkpoint.yaml`` in
    ``trainer.callbacks``, ``trainer: trainer.yaml``) as the file's contents, a relative path from the folder of
    the file naming it, and the files that file names alike; PyYAML keeps the last of a key given twice in
    them, silently, as in a ``--config``. A file that cannot be read or holds no valid YAML is left to the parser.

    Args:
        document: a config's contents (as ``yaml.safe_load`` gives them).
        folder: the folder of the file holding ``document``, from which its relative paths are read.
        source: how messages name that file (``--config run.yaml``).

    Raises:
        ValueError: naming ``source``, the key holding the file's path, the file, the key given twice and both
            lines (``--config run.yaml: model: sub/model.yaml: init_args.lr is given twice (lines 4 and 5); ...``).
    """
    read: set[Path] = set()
    # Containers walked, by identity: a YAML alias inside itself (list: &l [1, *l]) is a cycle.
    walked: set[int] = set()
    pending: list[tuple[Any, Path, str, str]] = [(document, folder, source, "")]
    while pending:
        value, base, named_by, where = pending.pop()
        if isinstance(value, dict | list):
            if id(value) in walked:
                continue
            walked.add(id(value))
        if isinstance(value, dict):
            pending.extend((item, base, named_by, f"{where}{key}.") for key, item in value.items())
        elif isinstance(value, list):
            pending.extend((item, base, named_by, where) for item in value)
        elif _names_yaml_file(value):
            path = base / os.path.expanduser(value)
            if path.is_file() and path.resolve() not in read:
                read.add(path.resolve())
                label = f"{named_by}: {where.rstrip('.')}: {path}"
                pending.append((_checked_document(path, label), path.parent, label, ""))


def _names_yaml_file(value: Any) -> bool:
    """Whether a config's value is a YAML file's path (``model.yaml``, ``Model.YML``): jsonargparse reads it instead.

    jsonargparse reads any file a value names; the suffix, in any case, tells the YAML ones.
    """
    return isinstance(value, str) and value.lower().endswith(SUFFIXES)


def _checked_document(path: Path, source: str) -> Any:
    """The contents of the YAML file ``path`` once no mapping in it gives a key twice; None where it is no YAML.

    Raises:
        ValueError: naming ``source``, the key and both lines.
    """
    yaml: Any = importlib.import_module("yaml")
    try:
        text = path.read_text(encoding="utf-8")
        _refuse_repeated_keys(yaml.compose(text, Loader=yaml.SafeLoader), source)
        return yaml.safe_load(text)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None


def _refuse_repeated_keys(root: Any, source: str) -> None:
    """Raise a ValueError if a mapping under the composed YAML node ``root`` of ``source`` gives a key twice.

    ``source`` names the file as the user gave it (``--config run.yaml``).

    Merge keys (``<<``) are YAML's own and may repeat; a node an alias names again is checked once.
    """
    pending: list[tuple[Any, str]] = [(root, "")]
    checked: set[int] = set()
    while pending:
        node, where = pending.pop()
        if node is None or id(node) in checked or isinstance(node.value, str):
            continue
        checked.add(id(node))
        if node.id != "mapping":
            pending.extend((item, where) for item in node.value)
            continue
        seen: dict[tuple[str, str], int] = {}
        for key, value in node.value:
            name = key.value if isinstance(key.value, str) else None
            if name is not None and name != "<<":
                line = key.start_mark.line + 1
                if (key.tag, name) in seen:
                    first = seen[key.tag, name]
                    lines = f"lines {first} and {line}" if first != line else f"line {line}"
                    raise ValueError(
                        f"{source}: {where}{name} is given twice ({lines}); YAML keeps only the last, "
                        "silently: give it once"
                    )
                seen[key.tag, name] = line
            pending.append((value, f"{where}{name}." if name is not None else where))


def _shipped_hint(path: Path) -> str:
    """A hint naming the shipped config a missing YAML path most likely means (``conf/quickstart.yaml``), or ''.

    The repository's ``conf/`` folder is not there after ``pip install``, nor is a shipped config's file in
    the working folder: they are given by name.
    """
    near = nearest_config(path.stem) if path.suffix in SUFFIXES else None
    if near is None:
        return ""
    which = "of that name" if near == path.stem else repr(near)
    return f"; the shipped config {which} is `--config {near}`"


def _yaml_problem(error: Exception) -> str:
    """What a YAML parser's error says went wrong, on one line, with the line and column where it did."""
    problem = getattr(error, "problem", None) or str(error)
    mark = getattr(error, "problem_mark", None)
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
    return " ".join(str(problem).split()) + where


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
