"""Checks of ``geotorch fit|validate|test|predict``'s arguments made before LightningCLI builds anything.

A task or datamodule named in a ``--config`` or an option must be registered (or an import path), and a
``--ckpt_path`` must name a checkpoint file; a leading ``~`` of a ``--ckpt_path`` value is the home folder.
The folders a run writes into must not be (or lie under) a file.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from jsonargparse import Namespace

from geotorch.trainers.configs import SUFFIXES, read_config, refuse_repeated_keys

#: ``ckpt_path`` values Lightning reads as a choice, not as a file.
LIGHTNING_CHECKPOINT_CHOICES = ("best", "last", "hpc", "registry")
#: The arguments of loggers and callbacks that name a folder they write into, by how the error names them.
OUTPUT_FOLDER_ARGUMENTS = ("save_dir", "dirpath", "output_dir")
#: How the files ``torch.save`` writes begin: a zip archive, or (the legacy format) a pickle's protocol opcode.
ZIP_MAGIC, PICKLE_PROTOCOL = b"PK\x03\x04", b"\x80"


def check_names(argv: Sequence[str]) -> None:
    """Refuse, before anything is built, a task or datamodule that is neither registered nor an import path.

    A ``--ckpt_path`` (option or config key) that names no checkpoint file is refused too (see
    :func:`check_checkpoint`).

    The names come from the ``--config`` files (``model:`` and ``data:``, as a class name or
    ``class_path``) and from ``--model`` / ``--data`` options, the later winning.

    Raises:
        KeyError: naming the unknown name and listing the registered ones.
        OSError, ValueError: if a ``--config`` file is missing, a folder, empty or not a YAML mapping
            (see :func:`~geotorch.trainers.configs.read_config`), a YAML file an option names gives a key
            twice (:func:`~geotorch.trainers.configs.refuse_repeated_keys`), or the checkpoint is no
            checkpoint file, naming it.
    """
    from geotorch.core import get_entry

    chosen: dict[str, str] = {}
    checkpoint: object = None
    for key, value in _options(argv):
        if key not in ("--config", "-c") and value.lower().endswith(SUFFIXES) and Path(value).is_file():
            refuse_repeated_keys(Path(value), key)
        if key in ("--config", "-c"):
            config = read_config(Path(value))
            checkpoint = config.get("ckpt_path", checkpoint)
            for section in ("model", "data"):
                name = _class_name(config.get(section))
                if name is not None:
                    chosen[section] = name
        elif key == "--ckpt_path":
            checkpoint = value
        elif key in ("--model", "--model.class_path", "--data", "--data.class_path") and not value.startswith("{"):
            chosen[key.removeprefix("--").split(".")[0]] = value
    for section, kind in (("model", "task"), ("data", "datamodule")):
        name = chosen.get(section)
        if name is not None and "." not in name and not name.endswith((".yaml", ".yml")):
            get_entry(kind, name)
    if isinstance(checkpoint, str):
        check_checkpoint(checkpoint)


def check_checkpoint(value: str) -> None:
    """Refuse a ``ckpt_path`` that is a file path but no checkpoint file, before a model is built.

    Lightning's choices (``best``, ``last``, ``hpc``, ``registry[:...]``) and URLs (``s3://...``) are
    left to Lightning.

    Raises:
        FileNotFoundError: if no file has that path.
        IsADirectoryError: if it is a folder.
        ValueError: if the file is neither a zip archive (as ``torch.save`` writes) nor a pickle, or ``value``
            is empty (``--ckpt_path=$CKPT`` of an unset variable; the working folder).
    """
    if not value.strip():
        raise ValueError("--ckpt_path is empty (an unset shell variable?): give a checkpoint file, as `geotorch fit` "
                         "names one at its end")
    if value in LIGHTNING_CHECKPOINT_CHOICES or value.startswith("registry:") or "://" in value:
        return
    path = Path(value)
    if path.is_dir():
        raise IsADirectoryError(f"--ckpt_path {path}: a folder, not a checkpoint file (`geotorch fit` writes "
                                "them under <default_root_dir>/<name>/version_N/checkpoints/ and names one at its end)")
    if not path.is_file():
        raise FileNotFoundError(f"--ckpt_path {path}: no such file")
    with path.open("rb") as file:
        head = file.read(4)
    if head != ZIP_MAGIC and head[:1] != PICKLE_PROTOCOL:
        what = "not a PyTorch checkpoint (neither torch.save's zip archive nor a pickle)" if head else "an empty file"
        raise ValueError(f"--ckpt_path {path}: {what}")


def check_output_folders(trainer: Namespace, subcommand: str) -> None:
    """Refuse, before anything is built, a folder the run writes into that is a file or lies under one.

    Lightning would fail only once the data is set up (``[Errno 20] Not a directory: '/runs/afile/quickstart'``,
    ``[Errno 17] File exists``), naming neither the option nor the file in the way. The folders are
    ``trainer.default_root_dir`` and every logger's ``save_dir`` and callback's ``dirpath`` or ``output_dir``
    (a checkpoint callback, a prediction writer); ``geotorch predict`` runs without loggers, so theirs are not
    checked there. URLs (``s3://...``) are left to the logger or callback.

    Args:
        trainer: the ``trainer`` section of the parsed configuration.
        subcommand: ``fit``, ``validate``, ``test`` or ``predict``.

    Raises:
        NotADirectoryError: naming the option, its value and the file in the way.
    """
    given = [("--trainer.default_root_dir", trainer.get("default_root_dir"))]
    sections = ("callbacks",) if subcommand == "predict" else ("logger", "callbacks")
    for section in sections:
        for item in _listed(trainer.get(section)):
            arguments = item.get("init_args") if isinstance(item, Namespace) else None
            if isinstance(arguments, Namespace):
                class_name = str(item.get("class_path", "")).rpartition(".")[2]
                given += [(f"trainer.{section}'s {class_name} {name}", arguments.get(name))
                          for name in OUTPUT_FOLDER_ARGUMENTS]
    for option, value in given:
        if not isinstance(value, (str, os.PathLike)) or "://" in str(value):
            continue
        folder = Path(value)
        file = next((path for path in (folder, *folder.parents) if path.exists() and not path.is_dir()), None)
        if file is not None:
            raise NotADirectoryError(f"{option} {folder}: {file} is a file, not a folder; give a folder for the "
                                     "run to write into")


def _listed(value: Any) -> list[Any]:
    """A ``logger`` or ``callbacks`` setting as a list (one item, several, or none for ``true``/``false``/null)."""
    if isinstance(value, (list, tuple)):
        return list(value)
    return [] if value is None or isinstance(value, bool) else [value]


def checkpoint_in_home(argv: Sequence[str]) -> list[str]:
    """``argv`` with a leading ``~`` of a ``--ckpt_path`` value read as the home folder.

    The shell leaves it in ``--ckpt_path=~/runs/last.ckpt`` (not a word of its own); Lightning would not read it.
    """
    arguments = list(argv)
    for number, argument in enumerate(arguments):
        if argument.startswith("--ckpt_path=~"):
            arguments[number] = "--ckpt_path=" + os.path.expanduser(argument.partition("=")[2])
        elif number > 0 and arguments[number - 1] == "--ckpt_path" and argument.startswith("~"):
            arguments[number] = os.path.expanduser(argument)
    return arguments


def _options(argv: Sequence[str]) -> Iterator[tuple[str, str]]:
    """``(option, value)`` pairs of ``--name value`` and ``--name=value`` arguments."""
    arguments = list(argv)
    for number, argument in enumerate(arguments):
        if not argument.startswith("-"):
            continue
        if "=" in argument:
            key, _, value = argument.partition("=")
            yield key, value
        elif number + 1 < len(arguments) and not arguments[number + 1].startswith("-"):
            yield argument, arguments[number + 1]


def _class_name(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and isinstance(value.get("class_path"), str):
        return str(value["class_path"])
    return None
