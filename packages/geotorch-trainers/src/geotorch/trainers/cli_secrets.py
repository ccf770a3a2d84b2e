"""What a ``geotorch`` run writes of its configuration: values without the credentials of the URLs in them.

A signed URL given as a dataset's ``paths`` (``https://...?X-Amz-Signature=...&X-Amz-Credential=...``, an Azure
SAS ``?sig=...``, ``https://user:password@...``) is read as given, but LightningCLI would also write it whole into
the run's folder: the ``config.yaml`` beside the logs, and the hyperparameters of the task and of a datamodule that
saves them (``hparams.yaml``, the checkpoint). Run folders are shared, copied and uploaded to experiment trackers
long after the run, so what they keep of such a URL is what :func:`~geotorch.core.redacted` shows of it
(``...?X-Amz-Signature=...``): which object was read, not the key that read it, which expires anyway.
"""

from __future__ import annotations

from typing import Any

from jsonargparse import Namespace
from lightning.pytorch.cli import LightningArgumentParser, SaveConfigCallback

from geotorch.core import redacted


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
    """LightningCLI's ``config.yaml`` of the run, its URLs without their credentials (see :func:`redacted_value`).

    The configuration the run was built with is left as it is: only the copy written is redacted.
    """

    def __init__(self, parser: LightningArgumentParser, config: Namespace, *args: Any, **kwargs: Any) -> None:
        """Keep ``config`` redacted, and LightningCLI's other settings (``overwrite``, ``multifile``, ...)."""
        super().__init__(parser, redacted_value(config), *args, **kwargs)
