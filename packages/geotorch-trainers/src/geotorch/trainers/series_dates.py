"""The dates of a batch's steps as the day numbers that date-aware time-series models (U-TAE, L-TAE) take."""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from typing import Any

import numpy as np
import torch
from torch import Tensor, nn

#: The key of a batch's acquisition times, as GeoTorch's time-series datasets give them.
TIME_KEY = "time"
#: The keys of a batch's series: image series of the segmentation and pixelwise tasks, sequences of the others.
SERIES_KEYS = ("image", "input")
#: Seconds in a day: ``time`` is POSIX seconds, positions are days.
SECONDS_PER_DAY = 86_400.0


def takes_positions(model: nn.Module) -> bool:
    """Whether ``model`` encodes its steps by their dates: its ``forward`` takes ``positions`` and none were fixed.

    An L-TAE built with ``positions=[...]`` keeps the positions it was given.
    """
    return "positions" in inspect.signature(model.forward).parameters and getattr(model, "positions", None) is None


def step_positions(batch: Mapping[str, Any], owner: str) -> Tensor | None:
    """``batch["time"]`` as day numbers ``(B, T)`` float32: days since 1 January of each series' first step's year.

    Counted from the year of each series' first date, a date falls at the same position in any year (day 31 is
    1 February), so a model learns seasons, not years; steps keep their true spacing (30 days apart are 30
    positions apart, where step indices would make every gap one). Padded steps (NaN time, see
    :func:`~geotorch.core.stack_samples`) are 0, and their weight none (the batch's ``length``).

    Args:
        batch: the batch; ``time`` is float64 (or integer) POSIX seconds ``(B, T)``, oldest first, as GeoTorch's
            time-series datasets and collate functions give it.
        owner: the task, for messages.

    Returns:
        The positions on ``time``'s device, or None when the batch has no ``(B, T)`` ``time`` tensor.

    Raises:
        ValueError: if ``time`` holds an infinite value (no date), or is not one time per step of the batch's
            series (``image`` ``(B, T, C, H, W)`` or ``input`` ``(B, T, C)``), naming it.
    """
    time = batch.get(TIME_KEY)
    if not isinstance(time, Tensor) or time.ndim != 2:
        return None
    series = next((batch[key] for key in SERIES_KEYS if isinstance(batch.get(key), Tensor)), None)
    if series is not None and series.ndim >= 3 and tuple(time.shape) != tuple(series.shape[:2]):
        raise ValueError(f"{owner}: batch['time'] of shape {tuple(time.shape)} is not one time per step of the "
                         f"series of shape {tuple(series.shape)}, (B, T) = {tuple(series.shape[:2])}: did a transform "
                         "change the steps of the image but not its times?")
    seconds = time.detach().to("cpu", torch.float64).numpy()
    if np.isinf(seconds).any():
        raise ValueError(f"{owner}: batch['time'] holds {seconds[np.isinf(seconds)][0]}, no date; give each step's "
                         "acquisition time in POSIX seconds (NaN for padded steps)")
    firsts = seconds[:, :1] if seconds.shape[1] else np.zeros((len(seconds), 1))
    known = np.isfinite(firsts)
    whole = np.floor(np.where(known, firsts, 0.0)).astype(np.int64).astype("datetime64[s]")
    years = whole.astype("datetime64[Y]").astype("datetime64[s]").astype(np.int64).astype(np.float64)
    days = np.nan_to_num((seconds - years) / SECONDS_PER_DAY, nan=0.0)
    return torch.from_numpy(days.astype(np.float32)).to(time.device)
