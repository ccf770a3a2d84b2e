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


def check_lengths(lengths: object, batch: int) -> None:
    """Refuse ``lengths`` that are not a ``(B,)`` integer tensor of counts of at least 1.

    Raises:
        TypeError: if ``lengths`` is not an integer tensor (a list, floats: 2.7 steps).
        ValueError: if it is not ``(B,)`` or holds a value below 1, showing it.
    """
    if (
        not isinstance(lengths, Tensor)
        or lengths.is_floating_point()
        or lengths.is_complex()
        or lengths.dtype == torch.bool
    ):
        shown = f"a {lengths.dtype} tensor" if isinstance(lengths, Tensor) else f"{lengths!r}"
        raise TypeError(f"lengths must be an integer tensor (B,) of valid steps per sample, such as a batch's "
                        f"'length'; got {shown}")
    if lengths.shape != (batch,):
        raise ValueError(f"lengths must be (B,) = ({batch},), one step count per sample; got {tuple(lengths.shape)}")
    if bool((lengths < 1).any()):
        raise ValueError(
            f"lengths must be at least 1 (a series without valid steps has no output); got {lengths.tolist()}"
        )


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
        TypeError, ValueError: as :func:`check_lengths`.
    """
    if lengths is None:
        return torch.full((batch,), steps - 1, dtype=torch.long, device=device)
    check_lengths(lengths, batch)
    return lengths.to(device=device, dtype=torch.long).clamp(max=steps) - 1


def step_mask(lengths: Tensor | None, batch: int, steps: int, device: torch.device) -> Tensor | None:
    """A ``(B, T)`` boolean mask, True at the steps beyond each sample's length (padding), or None.

    Raises:
        TypeError, ValueError: as :func:`check_lengths`.
    """
    if lengths is None:
        return None
    last = last_valid_index(lengths, batch, steps, device)
    return torch.arange(steps, device=device)[None, :] > last[:, None]
