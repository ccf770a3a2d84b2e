"""What a ``geotorch`` run writes of its configuration: values without the credentials of the URLs in them.

A signed URL given as a dataset's ``paths`` (``https://...?X-Amz-Signature=...&X-Amz-Credential=...``, an Azure
SAS ``?sig=...``, ``https://user:password@...``) is read as given, but LightningCLI would also write it whole into
the run's folder: the ``config.yaml`` beside the logs, and the hyperparameters of the task and of a datamodule that
saves them (``hparams.yaml``, the checkpoint). Run folders are shared, copied and uploaded to experiment trackers
long after the run, so what they keep of such a URL is what :func:`~geotorch.core.redacted` shows of it
(``...?X-Amz-Signature=...``): which object was read, not the key that read it, which expires anyway. Only what
is written is redacted: a task or datamodule reading its ``self.hparams`` (``setup`` building datasets from
them, as Lightning's docs show) reads the URLs as given.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jsonargparse import Namespace
from lightning.pytorch import LightningDataModule, LightningModule, Trainer
from lightning.pytorch.cli import LightningArgumentParser, SaveConfigCallback
from lightning.pytorch.utilities import AttributeDict

from geotorch.core import redacted

#: The keys of a checkpoint holding the task's and the datamodule's hyperparameters.
HYPERPARAMETER_KEYS = (LightningModule.CHECKPOINT_HYPER_PARAMS_KEY, LightningDataModule.CHECKPOINT_HYPER_PARAMS_KEY)


def redacted_value(value: Any) -> Any:
    """``value`` with every text in it as :func:`~geotorch.core.redacted` shows it.

    Args:
        value: a configuration value: text, a number, None, or a list, tuple, dict or Namespace of them.

    Returns:
        A value of the same shape (a new container wherever something inside changed; the same one otherwise).
    """
    if isinstance(value, str):
        text = redacted(value)
        return value if text == value else text
    if isinstance(value, Namespace):
        shown = value.clone()
        for key, item in value.items():
            hidden = redacted_value(item)
            if hidden is not item:
                shown[key] = hidden
        return shown
    if isinstance(value, dict):
        items = {key: redacted_value(item) for key, item in value.items()}
        return items if any(items[key] is not value[key] for key in value) else value
    if isinstance(value, list | tuple):
        elements = [redacted_value(item) for item in value]
        if all(hidden is item for hidden, item in zip(elements, value, strict=True)):
            return value
        return elements if isinstance(value, list) else tuple(elements)
    return value


class RedactedConfigCallback(SaveConfigCallback):
    """LightningCLI's ``config.yaml`` of the run, its ``hparams.yaml`` and checkpoints without URL credentials.

    The configuration the run was built with, and the hyperparameters the task and datamodule hold, are left as
    they are: only the copies written are redacted (see :func:`redacted_value`): the config, the hyperparameters
    the loggers write (``hparams_initial``) and those of each checkpoint (redacted after the
    task's ``on_save_checkpoint`` hook, which Lightning calls for every checkpoint, weights-only ones too).
    """

    def __init__(self, parser: LightningArgumentParser, config: Namespace, *args: Any, **kwargs: Any) -> None:
        """Keep ``config`` redacted, and LightningCLI's other settings (``overwrite``, ``multifile``, ...)."""
        super().__init__(parser, redacted_value(config), *args, **kwargs)

    def setup(self, trainer: Trainer, pl_module: LightningModule, stage: str) -> None:
        """Write ``config.yaml``; the loggers, which log the hyperparameters next, and checkpoints get them redacted."""
        super().setup(trainer, pl_module, stage)
        parts: tuple[Any, ...] = (pl_module, getattr(trainer, "datamodule", None))  # the datamodule may be None
        for part in parts:
            initial = getattr(part, "_hparams_initial", None)
            if initial is not None:
                part._hparams_initial = AttributeDict(redacted_value(dict(initial)))
        # Lightning calls no callback for a weights-only checkpoint, but always the task's hook (after the callbacks).
        if not isinstance(pl_module.on_save_checkpoint, RedactingSaveHook):
            pl_module.on_save_checkpoint = RedactingSaveHook(pl_module.on_save_checkpoint)  # type: ignore[method-assign]


class RedactingSaveHook:
    """A task's ``on_save_checkpoint`` hook, then the checkpoint's hyperparameters redacted (new containers).

    Args:
        hook: the task's own hook.
    """

    def __init__(self, hook: Callable[[dict[str, Any]], None]) -> None:
        self.hook = hook

    def __call__(self, checkpoint: dict[str, Any]) -> None:
        """Run the task's hook, then redact the task's and the datamodule's hyperparameters in ``checkpoint``."""
        self.hook(checkpoint)
        for key in HYPERPARAMETER_KEYS:
            if key in checkpoint:
                checkpoint[key] = redacted_value(checkpoint[key])
