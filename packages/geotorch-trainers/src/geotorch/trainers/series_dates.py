"""The dates of a batch's steps as the day numbers that date-aware time-series models (U-TAE, L-TAE) take."""

from __future__ import annotations

import datetime
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
#: The day positions count from by default: PASTIS's reference date, as U-TAE's published code
#: (``PASTIS_Dataset(reference_date="2018-09-01")``) dates the steps its released weights were trained on.
REFERENCE_DATE = "2018-09-01"


def reference_seconds(reference_date: str, owner: str) -> float:
    """POSIX seconds of midnight UTC of ``reference_date``, the day from which positions count.

    Args:
        reference_date: an ISO date, ``YYYY-MM-DD``.
        owner: the task, for messages.

    Returns:
        The seconds, float.

    Raises:
        ValueError: if ``reference_date`` is not an ISO date (a date with a time, a number, 2019-02-29).
    """
    try:
        day = datetime.date.fromisoformat(reference_date)
    except (TypeError, ValueError):
        raise ValueError(f"{owner}: reference_date={reference_date!r} must be a date as YYYY-MM-DD, the day from "
                         f"which the steps' positions count (U-TAE's PASTIS weights: {REFERENCE_DATE})") from None
    midnight = datetime.datetime(day.year, day.month, day.day, tzinfo=datetime.UTC)
    return midnight.timestamp()


def takes_positions(model: nn.Module) -> bool:
    """Whether ``model`` encodes its steps by their dates: its ``forward`` takes ``positions`` and none were fixed.

    An L-TAE built with ``positions=[...]`` keeps the positions it was given.
    """
    return "positions" in inspect.signature(model.forward).parameters and getattr(model, "positions", None) is None


def step_positions(batch: Mapping[str, Any], owner: str, reference_date: str = REFERENCE_DATE) -> Tensor | None:
    """``batch["time"]`` as day numbers ``(B, T)`` float32: whole days since ``reference_date``.

    This is U-TAE's and PASTIS's convention: a step's position is the number of days from one reference date,
    the same for every series (their published code counts from 2018-09-01, PASTIS's, the default here), to the
    UTC date of its acquisition (a datatake at 10:30 and one at 23:59 of one day share a position). The same date
    is then at the same position in every series and batch, whichever year a series begins in; steps keep their
    true spacing (30 days apart are 30 positions apart, where step indices would make every gap one), and
    positions before the reference date are negative. Padded steps (NaN time, see
    :func:`~geotorch.core.stack_samples`) are 0, and their weight none (the batch's ``length``).

    Args:
        batch: the batch; ``time`` is float64 (or integer) POSIX seconds ``(B, T)``, oldest first, as GeoTorch's
            time-series datasets and collate functions give it.
        owner: the task, for messages.
        reference_date: the ISO date (``YYYY-MM-DD``, UTC) of position 0; give the one a pretrained model's
            positions counted from.

    Returns:
        The positions on ``time``'s device, or None when the batch has no ``(B, T)`` ``time`` tensor.

    Raises:
        ValueError: if ``time`` holds an infinite value (no date), or is not one time per step of the batch's
            series (``image`` ``(B, T, C, H, W)`` or ``input`` ``(B, T, C)``), naming it; or if
            ``reference_date`` is no ISO date.
    """
    start = reference_seconds(reference_date, owner)
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
    days = np.nan_to_num(np.floor((seconds - start) / SECONDS_PER_DAY), nan=0.0)
    return torch.from_numpy(days.astype(np.float32)).to(time.device)
