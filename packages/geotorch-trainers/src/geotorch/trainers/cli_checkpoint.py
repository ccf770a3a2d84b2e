"""The task a ``--ckpt_path`` checkpoint was fitted as, read before it is built, or an error naming the file."""

from __future__ import annotations

import importlib
import pickle
from pathlib import Path
from typing import Any

import torch

#: Keys every checkpoint Lightning writes holds (``Trainer.save_checkpoint``, ``ModelCheckpoint``).
LIGHTNING_KEYS = ("pytorch-lightning_version", "state_dict")


def read_checkpoint(path: Path) -> dict[str, Any]:
    """The contents of the Lightning checkpoint ``path``, its hyperparameters and weights (plain tensors).

    Raises:
        ValueError: if ``torch.load`` cannot read the file (truncated, damaged) or it holds no
            Lightning checkpoint (a ``torch.save`` of weights alone), naming it.
    """
    try:
        checkpoint = torch.load(path, weights_only=True, map_location="cpu")
    except (RuntimeError, OSError, EOFError, ValueError, pickle.UnpicklingError) as error:
        lines = str(error).strip().splitlines()
        raise ValueError(
            f"--ckpt_path {path}: torch.load cannot read it ({lines[0] if lines else type(error).__name__}); "
            "a truncated or damaged file (an interrupted copy or download) cannot be read"
        ) from None
    missing = [key for key in LIGHTNING_KEYS if not isinstance(checkpoint, dict) or key not in checkpoint]
    if missing:
        raise ValueError(
            f"--ckpt_path {path}: not a Lightning checkpoint (no {' or '.join(map(repr, missing))}); "
            "give one that `geotorch fit` or Trainer.save_checkpoint wrote, not a torch.save of weights alone"
        )
    return dict(checkpoint)


def checkpoint_model(path: Path, configured: str | None) -> dict[str, Any] | None:
    """The ``model`` configuration of the checkpoint ``path``: its task's class path and hyperparameters.

    The task is the one ``geotorch fit`` recorded in the checkpoint, else (a checkpoint that a
    script's ``Trainer`` wrote) the configured one, ``configured``.

    Args:
        path: a Lightning checkpoint file.
        configured: the class path of the configuration's ``model``, or None where it has none.

    Returns:
        ``{"class_path": ..., "dict_kwargs": hyperparameters}``; the hyperparameters alone when
        neither names a task; None when the checkpoint has no hyperparameters (the configured
        task is built as configured).

    Raises:
        ValueError: if the file is no checkpoint (see :func:`read_checkpoint`), or its task is not
            the configured one (nor a subclass of it), naming both.
    """
    hyperparameters = dict(read_checkpoint(path).get("hyper_parameters") or {})
    hyperparameters.pop("_instantiator", None)
    if not hyperparameters:
        return None
    class_path = hyperparameters.pop("_class_path", None) or configured
    if class_path is None:
        return hyperparameters
    if configured is not None and class_path != configured:
        task, wanted = _imported(class_path, path), _imported(configured, path)
        if not (isinstance(task, type) and isinstance(wanted, type) and issubclass(task, wanted)):
            raise ValueError(
                f"--ckpt_path {path}: a checkpoint of {class_path}, but the configured model is {configured}; "
                "give a checkpoint of that task, or the config the checkpoint was fitted with"
            )
    return {"class_path": class_path, "dict_kwargs": hyperparameters}


def _imported(class_path: str, path: Path) -> object:
    """The object ``class_path`` (``package.module.Name``) names.

    Raises:
        ValueError: if it cannot be imported, naming the checkpoint ``path``.
    """
    module, _, name = class_path.rpartition(".")
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError, ValueError) as error:
        raise ValueError(f"--ckpt_path {path}: its task {class_path} cannot be imported ({error})") from None

