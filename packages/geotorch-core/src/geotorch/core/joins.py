"""Joining samples of one place: their channels side by side (concat) or their pixels overlaid (merge)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

import torch
from torch import Tensor

from geotorch.core.places import check_same_place
from geotorch.core.sample import Sample
from geotorch.core.timeseries import TIME_KEY

#: The keys that say where a sample lies rather than what it holds: joining samples of one place
#: keeps the first sample's.
GEOREFERENCING_KEYS = frozenset({"crs", "bounds", "transform"})


def concat_samples(samples: Iterable[Sample]) -> Sample:
    """Join samples of the same place: tensors under one key are concatenated along channels (axis 0).

    A single-band ``(H, W)`` mask counts as one channel. Non-tensor values and
    the georeferencing (``crs``, ``bounds``, ``transform``) are taken from the first sample.
    A time series' ``(T, C, H, W)`` tensor is joined along ``C``; a ``(C, H, W)`` one beside it
    (a DEM beside an image series) is repeated at every step. A time series' single-band
    ``(T, H, W)`` mask counts as ``(T, 1, H, W)`` when joined: two such masks give
    ``(T, 2, H, W)``, one beside a single-date ``(H, W)`` label too. A sample is a time series
    when its ``time`` is a ``(T,)`` tensor. Series join step by step at equal times: series of
    different times are first cut to the times they all have (an intersection of series reads the
    dates both have), as :func:`merge_samples` brings them to the union of theirs.

    Raises:
        ValueError: if tensors under one key differ in height or width (or series in their
            steps), naming the key, series share no time (or repeat one), naming their times,
            or a sample lies elsewhere than the first (its ``bounds`` in x or y, or its ``crs``).
    """
    listed = list(samples)
    check_same_place(listed, "concat_samples")
    joined: Sample = {}
    # The keys whose joined tensor is a single-band series' (T, H, W), joined as (T, 1, H, W).
    flat: set[str] = set()
    for sample in _on_shared_times(listed):
        steps = _steps(sample)
        for key, value in sample.items():
            single_band = key not in GEOREFERENCING_KEYS and key != TIME_KEY and _single_band_steps(value, steps)
            if key not in joined:
                joined[key] = value
                if single_band:
                    flat.add(key)
            elif key == TIME_KEY and isinstance(value, Tensor):
                if not torch.equal(joined[key], value):
                    raise ValueError(
                        f"concat_samples: time series of different times {joined[key].tolist()} and "
                        f"{value.tolist()} cannot be joined step by step"
                    )
            elif isinstance(value, Tensor) and key not in GEOREFERENCING_KEYS and (
                single_band or key in flat or 4 in (value.ndim, joined[key].ndim)
            ):
                current = joined[key].unsqueeze(1) if key in flat else joined[key]
                joined[key] = _join_series(key, current, value.unsqueeze(1) if single_band else value)
                flat.discard(key)
            elif isinstance(value, Tensor) and key not in GEOREFERENCING_KEYS:
                current, extra = _with_channels(joined[key]), _with_channels(value)
                if current.shape[1:] != extra.shape[1:]:
                    raise ValueError(
                        f"concat_samples: {key!r} sizes differ: {tuple(current.shape)} vs {tuple(extra.shape)}"
                    )
                joined[key] = torch.cat([current, extra], dim=0)
    return joined


def _on_shared_times(samples: list[Sample]) -> list[Sample]:
    """Time series of different times cut to the times all of them have; other samples as they are.

    Each step-wise tensor of a series (its tensors with ``T`` first, ``time`` included) keeps the steps
    at those times, in its order.

    Raises:
        ValueError: if the series share no time, naming their times.
    """
    series_times = [sample[TIME_KEY] for sample in samples if _steps(sample) is not None]
    if len(series_times) < 2 or all(torch.equal(series_times[0], time) for time in series_times[1:]):
        return samples
    shared = series_times[0]
    for time in series_times[1:]:
        shared = shared[torch.isin(shared, time)]
    if not len(shared):
        shown = " and ".join(str(time.tolist()) for time in series_times)
        raise ValueError(
            f"concat_samples: time series of times {shown} share no time, so no step of one can be joined "
            f"to a step of the other"
        )
    cut: list[Sample] = []
    for sample in samples:
        time = sample.get(TIME_KEY)
        if _steps(sample) is None or not isinstance(time, Tensor):
            cut.append(sample)
            continue
        keep = torch.isin(time, shared)
        cut.append(
            {
                key: value[keep]
                if isinstance(value, Tensor) and key not in GEOREFERENCING_KEYS and value.shape[:1] == time.shape
                else value
                for key, value in sample.items()
            }
        )
    return cut


def _steps(sample: Sample) -> int | None:
    """A time series' number of steps ``T`` (its ``time`` is a ``(T,)`` tensor); None for other samples."""
    time = sample.get(TIME_KEY)
    return len(time) if isinstance(time, Tensor) and time.ndim == 1 else None


def _single_band_steps(value: object, steps: int | None) -> bool:
    """Whether ``value`` is a single-band ``(T, H, W)`` tensor of a series of ``steps`` steps (a label series' mask).

    A series' other 3-D tensors (a ``(C, H, W)`` composite of its steps, which keeps ``time``) are not.
    """
    return isinstance(value, Tensor) and steps is not None and value.ndim == 3 and value.shape[0] == steps


def _with_channels(tensor: Tensor) -> Tensor:
    return tensor.unsqueeze(0) if tensor.ndim == 2 else tensor


def _join_series(key: str, current: Tensor, extra: Tensor) -> Tensor:
    """Join along channels where one tensor (at least) is a ``(T, C, H, W)`` series."""
    steps = current.shape[0] if current.ndim == 4 else extra.shape[0]
    parts = [part if part.ndim == 4 else _with_channels(part).expand(steps, -1, -1, -1) for part in (current, extra)]
    if parts[0].shape[0] != parts[1].shape[0] or parts[0].shape[2:] != parts[1].shape[2:]:
        raise ValueError(f"concat_samples: {key!r} sizes differ: {tuple(current.shape)} vs {tuple(extra.shape)}")
    return torch.cat(parts, dim=1)


def merge_samples(
    samples: Iterable[Sample],
    fills: Sequence[float | Mapping[str, float]] | None = None,
    fill: float | Mapping[str, float] | None = None,
) -> Sample:
    """Overlay samples of the same grid: the first sample with data at a pixel wins.

    A pixel counts as empty in a sample when every channel there holds the
    sample's fill (the value that fills pixels without data: 0 unless ``fills``
    says otherwise, NaN matching NaN); such pixels are taken from the next
    sample that has data there, and keep the first sample's fill (or ``fill``)
    where none has. Non-tensor values and the georeferencing (``crs``,
    ``bounds``, ``transform``) come from the first sample. Time series
    (samples whose ``time`` is a ``(T,)`` tensor) are overlaid step by step, at each pixel
    of each step (a single-band ``(T, H, W)`` mask pixel by pixel); series of different
    times are first brought to the union of their times, in time order, a series' steps
    where it has no time being empty (its fill, where its type holds it, else 0), as one
    dataset holding the files of both would give them.

    Args:
        samples: the samples, first first.
        fills: the fill of each sample, in order (a :class:`~geotorch.core.GeoDataset`'s ``fill``:
            NaN or a nodata value such as -9999 for a raster whose files have one), or its fill per
            key (``{"image": nan, "mask": 0}``, a key not given 0); 0 for every sample when None
            (TorchGeo's rule).
        fill: the value (or the value per key) of pixels empty in every sample, where a tensor's
            type holds it (a union's fill where only its second operand was read); when None
            (or for a key not given) they keep the first sample's fill.

    Raises:
        ValueError: if tensors under one key differ in shape (other than in their steps, for
            series), naming the key, a series of different times repeats a time, ``fills``
            does not give one value per sample, or a sample lies elsewhere than the first (its
            ``bounds`` in x or y, or its ``crs``).
    """
    given = list(samples)
    check_same_place(given, "merge_samples")
    values: list[float | Mapping[str, float]] = [0.0] * len(given) if fills is None else list(fills)
    if len(values) != len(given):
        raise ValueError(f"merge_samples: fills gives {len(values)} value(s) for {len(given)} sample(s)")
    listed = _on_common_times(given, values)
    steps = _steps(listed[0]) if listed and all(_steps(sample) is not None for sample in listed) else None
    merged: Sample = {}
    # Where each merged tensor is still empty, by the fill of the sample its pixels came from.
    empty_in: dict[str, Tensor] = {}
    for sample, fills_of_sample in zip(listed, values, strict=True):
        for key, value in sample.items():
            own = _fill_of(fills_of_sample, key)
            if key not in merged:
                merged[key] = value.clone() if isinstance(value, Tensor) else value
                if isinstance(value, Tensor) and key not in GEOREFERENCING_KEYS and key != TIME_KEY:
                    empty_in[key] = _empty_pixels(value, own, steps)
                continue
            if not isinstance(value, Tensor) or key in GEOREFERENCING_KEYS or key == TIME_KEY:
                continue
            current = merged[key]
            if current.shape != value.shape:
                raise ValueError(
                    f"merge_samples: {key!r} shapes differ: {tuple(current.shape)} vs {tuple(value.shape)}"
                )
            taken = empty_in[key] & ~_empty_pixels(value, own, steps)
            merged[key] = torch.where(taken, value, current)
            empty_in[key] = empty_in[key] & ~taken
    if fill is not None:
        for key, empty in empty_in.items():
            value = fill.get(key) if isinstance(fill, Mapping) else fill
            tensor = merged[key]
            if value is not None and _holds(tensor, value):
                merged[key] = tensor.masked_fill(empty, value)
    return merged


def _fill_of(fill: float | Mapping[str, float], key: str) -> float:
    """The fill of tensor ``key``: ``fill``, or its value for ``key`` (0 when it has none)."""
    return fill.get(key, 0.0) if isinstance(fill, Mapping) else fill


def _holds(tensor: Tensor, value: float) -> bool:
    """Whether ``tensor``'s type holds ``value``: any value a float type, integers alone an integer type."""
    if tensor.is_floating_point():
        return True
    return math.isfinite(value) and value == round(value)


def _empty_pixels(tensor: Tensor, fill: float, steps: int | None) -> Tensor:
    """Which pixels of ``tensor`` hold ``fill`` in every channel (NaN matching NaN), broadcastable to it."""
    empty = torch.isnan(tensor) if math.isnan(fill) else tensor == fill
    # Channels are the third axis from the end, but for the (T, H, W) mask of a single-band series.
    banded = tensor.ndim >= 3 and not _single_band_steps(tensor, steps)
    return empty.all(dim=-3, keepdim=True) if banded else empty


def _on_common_times(samples: list[Sample], fills: list[float | Mapping[str, float]]) -> list[Sample]:
    """Time series of different times brought to the union of their times; other samples as they are.

    Each step-wise tensor (a series' tensors with ``T`` first, but ``time``) gets its sample's fill
    (of ``fills``) at the times its series lacks.

    Raises:
        ValueError: if the series differ in their times and one of them repeats a time.
    """
    if len(samples) < 2 or any(_steps(sample) is None for sample in samples):
        return samples
    series_times = [time for time in (sample[TIME_KEY] for sample in samples) if isinstance(time, Tensor)]
    if all(torch.equal(series_times[0], time) for time in series_times[1:]):
        return samples
    if any(len(torch.unique(time)) != len(time) for time in series_times):
        shown = " and ".join(str(time.tolist()) for time in series_times)
        raise ValueError(
            f"merge_samples: time series of different times {shown} cannot be overlaid step by step: "
            f"one of them has two steps at one time"
        )
    union = torch.unique(torch.cat(series_times))
    aligned: list[Sample] = []
    for sample, time, fill in zip(samples, series_times, fills, strict=True):
        steps = torch.searchsorted(union, time)
        spread: Sample = {}
        for key, value in sample.items():
            if key == TIME_KEY:
                spread[key] = union
            elif isinstance(value, Tensor) and key not in GEOREFERENCING_KEYS and value.shape[:1] == time.shape:
                # An integer tensor cannot hold a NaN or fractional fill: its empty steps are 0.
                empty = _fill_of(fill, key)
                spread[key] = value.new_full((len(union), *value.shape[1:]), empty if _holds(value, empty) else 0)
                spread[key][steps] = value
            else:
                spread[key] = value
        aligned.append(spread)
    return aligned
