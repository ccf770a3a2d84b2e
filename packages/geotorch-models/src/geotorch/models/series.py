"""The shape and the padding of time-series inputs: checks and step masks shared by the time-series models."""

from __future__ import annotations

import torch
from torch import Tensor


def check_series(series: Tensor, owner: str) -> None:
    """Refuse anything but a ``(B, T, C, H, W)`` series with at least one step.

    Raises:
        ValueError: naming ``owner`` and the shape it got.
    """
    if series.ndim != 5 or series.shape[1] == 0:
        raise ValueError(f"{owner} takes image series (B, T, C, H, W) with T >= 1; got shape {tuple(series.shape)}")


def last_valid_index(lengths: Tensor | None, batch: int, steps: int, device: torch.device) -> Tensor:
    """The index of each sample's last valid step: ``lengths - 1``, or the last step where ``lengths`` is None.

    Lengths above ``steps`` mean the series was cut to ``steps``: its last step is used (as TorchGeo does).

    Args:
        lengths: valid steps per sample ``(B,)``, or None.
        batch: the batch size B.
        steps: the steps T of the padded series.
        device: where the index goes.

    Returns:
        A ``(B,)`` int64 index.

    Raises:
        ValueError: if ``lengths`` is not ``(B,)`` or holds a value below 1.
    """
    if lengths is None:
        return torch.full((batch,), steps - 1, dtype=torch.long, device=device)
    if lengths.shape != (batch,):
        raise ValueError(f"lengths must be (B,) = ({batch},), one step count per sample; got {tuple(lengths.shape)}")
    index = lengths.to(device=device, dtype=torch.long)
    if bool((index < 1).any()):
        raise ValueError(f"lengths must be at least 1 (a series without valid steps has no output); got {lengths}")
    return index.clamp(max=steps) - 1


def step_mask(lengths: Tensor | None, batch: int, steps: int, device: torch.device) -> Tensor | None:
    """A ``(B, T)`` boolean mask, True at the steps beyond each sample's length (padding), or None.

    Raises:
        ValueError: as :func:`last_valid_index`.
    """
    if lengths is None:
        return None
    last = last_valid_index(lengths, batch, steps, device)
    return torch.arange(steps, device=device)[None, :] > last[:, None]
