"""What a spatiotemporal task checks in a batch before its model sees it, so that a mismatch names its argument."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from torch import Tensor


def checked_series(batch: Mapping[str, Any], in_channels: int, owner: str) -> Tensor:
    """``batch["image"]``, a ``(B, T, C, H, W)`` series whose C is ``in_channels``.

    A tensor of another rank goes to the model as it is: the time-series models name the shape they take.

    Args:
        batch: the batch, with ``image``.
        in_channels: the task's bands per step.
        owner: the task's name, for messages.

    Returns:
        ``batch["image"]``.

    Raises:
        ValueError: if the series has another band count per step than ``in_channels``, naming both.
    """
    image: Tensor = batch["image"]
    if image.ndim == 5 and image.shape[2] != in_channels:
        raise ValueError(
            f"{owner}: batch['image'] of shape {tuple(image.shape)} has {image.shape[2]} bands per step (the C of "
            f"(B, T, C, H, W)) but the task has in_channels={in_channels}; set in_channels to {image.shape[2]}"
        )
    return image
