"""TorchGeo 0.10's task names (``Classification``) in ``geotorch`` command lines and configs, as GeoTorch's."""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from geotorch.trainers.configs import read_config

#: Options whose value names the task.
MODEL_OPTIONS = ("--model", "--model.class_path")


def task_name(name: str) -> str:
    """GeoTorch's registered name for ``name``: ``Classification`` -> ``ClassificationTask``; others unchanged.

    A name is translated only when it is not registered as a task and its ``*Task`` form is, so plugins'
    names and import paths pass through.
    """
    from geotorch.core import list_tasks

    registered = set(list_tasks())
    return f"{name}Task" if name not in registered and f"{name}Task" in registered else name


def translated_config(path: Path, workdir: Path) -> Path:
    """``path``, or a copy of it in ``workdir`` whose ``model`` names the task by GeoTorch's name when it used 0.10's.

    Raises:
        yaml.YAMLError: if the file is not YAML (LightningCLI would refuse it too).
    """
    if not path.is_file():
        return path
    yaml: Any = importlib.import_module("yaml")
    config = read_config(path)
    model = config.get("model") if isinstance(config, dict) else None
    if isinstance(model, str) and task_name(model) != model:
        config["model"] = task_name(model)
    elif isinstance(model, dict) and isinstance(model.get("class_path"), str) and (
        task_name(model["class_path"]) != model["class_path"]
    ):
        model["class_path"] = task_name(model["class_path"])
    else:
        return path
    copy = workdir / f"{len(list(workdir.iterdir()))}-{path.name}"
    copy.write_text(yaml.safe_dump(config, sort_keys=False))
    return copy


def torchgeo_task_names(argv: Sequence[str], workdir: Path) -> list[str]:
    """``argv`` with TorchGeo 0.10's task names read as GeoTorch's, in ``--model`` options and ``--config`` files.

    A config that names a 0.10 task is read from a translated copy written into ``workdir`` (its other
    values unchanged); other arguments are kept as given.
    """
    arguments = list(argv)
    result: list[str] = []
    for number, argument in enumerate(arguments):
        key, equals, value = argument.partition("=")
        previous = arguments[number - 1] if number > 0 else ""
        if equals and key in ("--config", "-c"):
            result.append(f"{key}={translated_config(Path(value), workdir)}")
        elif equals and key in MODEL_OPTIONS:
            result.append(f"{key}={task_name(value)}")
        elif previous in ("--config", "-c") and not argument.startswith("-"):
            result.append(str(translated_config(Path(argument), workdir)))
        elif previous in MODEL_OPTIONS and not argument.startswith("-"):
            result.append(task_name(argument))
        else:
            result.append(argument)
    return result
