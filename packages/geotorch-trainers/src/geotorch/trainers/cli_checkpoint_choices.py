"""``--ckpt_path best`` and ``last`` in ``geotorch validate|test|predict``: a checkpoint Lightning finds, or an error.

Lightning resolves these choices from the checkpoint callbacks of the running process. A
``geotorch validate|test|predict`` process runs no fit: ``best`` is never known in it (Lightning says its
``ModelCheckpoint`` "is not configured to save the best model", though the config saves one), and ``last``
finds a ``last.ckpt`` only in a checkpoint callback's own ``dirpath``, not in an earlier fit's version
folder; finding none, Lightning warns and runs the task untrained, writing or scoring random weights.
Finding one, Lightning would load it into the task built as configured, not as fitted: ``geotorch``
finds it first (:func:`last_checkpoint`) and reads it as the file given by its path.
"""

from __future__ import annotations

import importlib
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

#: Lightning's warning that ``ckpt_path="last"`` found no checkpoint, after which it loads none.
NO_LAST_CHECKPOINT = r'\.\w+\(ckpt_path="last"\) is set, but there is no last checkpoint available'
#: What to give instead of a choice no checkpoint answers.
GIVE_THE_FILE = "give the checkpoint file `geotorch fit` names at its end (--ckpt_path=<run>/checkpoints/<file>.ckpt)"


@contextmanager
def checkpoint_choice_answered(subcommand: str, ckpt_path: object) -> Iterator[None]:
    """Run ``subcommand`` refusing a ``ckpt_path`` choice that loads no checkpoint, so no untrained task runs.

    ``fit`` is left as Lightning runs it (``last`` there resumes a fit if one was saved, else starts one).

    Args:
        subcommand: ``fit``, ``validate``, ``test`` or ``predict``.
        ckpt_path: the ``--ckpt_path`` value (a path, a Lightning choice or None).

    Raises:
        ValueError: for ``best`` outside ``fit``, before anything runs.
        FileNotFoundError: for ``last`` outside ``fit`` when Lightning finds no last checkpoint, before the
            task runs.
    """
    if subcommand == "fit" or ckpt_path not in ("best", "last"):
        yield
        return
    if ckpt_path == "best":
        raise ValueError(f"--ckpt_path best: `geotorch {subcommand}` runs no fit, so no best checkpoint is known "
                         f"in it; {GIVE_THE_FILE}")
    with warnings.catch_warnings():
        warnings.filterwarnings("error", NO_LAST_CHECKPOINT, UserWarning)
        try:
            yield
        except UserWarning as warning:
            if re.search(NO_LAST_CHECKPOINT, str(warning)) is None:
                raise
            raise FileNotFoundError(
                f"--ckpt_path last: no last checkpoint in this run's checkpoint folder (a ModelCheckpoint's dirpath; "
                f"an earlier fit's version folder is not searched), and `geotorch {subcommand}` would run the task "
                f"untrained; {GIVE_THE_FILE}"
            ) from None


def last_checkpoint(callbacks: object) -> Path | None:
    """The last checkpoint Lightning's ``ckpt_path="last"`` loads, from the configured checkpoint callbacks.

    As Lightning looks (``ModelCheckpoint._find_last_checkpoints``): in the ``dirpath`` of every
    :class:`~lightning.pytorch.callbacks.ModelCheckpoint` (or subclass), the files named ``last*.ckpt``
    (``CHECKPOINT_NAME_LAST``, ``FILE_EXTENSION``), the newest winning. A callback without ``dirpath``
    would look in this run's new logger version folder, which holds no checkpoint yet.

    Args:
        callbacks: the parsed ``trainer.callbacks`` (a list of ``class_path``/``init_args`` namespaces),
            or None.

    Returns:
        The newest such file, or None if there is none.
    """
    from lightning.pytorch.callbacks import ModelCheckpoint

    found: list[Path] = []
    for callback in callbacks if isinstance(callbacks, list) else []:
        class_path = getattr(callback, "class_path", None)
        dirpath = getattr(getattr(callback, "init_args", None), "dirpath", None)
        if not isinstance(class_path, str) or dirpath is None or not Path(dirpath).is_dir():
            continue
        module, _, name = class_path.rpartition(".")
        kind = getattr(importlib.import_module(module), name, None)
        if not (isinstance(kind, type) and issubclass(kind, ModelCheckpoint)):
            continue
        last = re.compile(rf"^{kind.CHECKPOINT_NAME_LAST}(-(\d+))?")
        found += [path for path in Path(dirpath).iterdir()
                  if path.suffix == kind.FILE_EXTENSION and last.match(path.stem) and path.is_file()]
    return max(found, key=lambda path: path.stat().st_mtime) if found else None
