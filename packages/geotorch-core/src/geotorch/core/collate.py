"""Combining and splitting sample dicts: the collate functions of GeoTorch DataLoaders."""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import torch
from torch import Tensor
from torch.utils.data import default_collate, get_worker_info

from geotorch.core.places import check_same_place
from geotorch.core.sample import Sample
from geotorch.core.timeseries import LENGTH_KEY, TIME_KEY

#: The keys that say where a sample lies rather than what it holds: joining samples of one place
#: keeps the first sample's.
GEOREFERENCING_KEYS = frozenset({"crs", "bounds", "transform"})


def stack_samples(samples: Iterable[Sample]) -> Sample:
    """Collate samples into a batch: tensors are stacked on a new first axis, other values listed.

    A batch's ``transform`` is ``(B, 9)``, as in TorchGeo; ``crs`` and ``bounds`` are lists.
    Time series (samples with a ``(T,)`` ``time``, see ``RasterDataset(time_series=True)``) give
    ``image`` ``(B, T, C, H, W)`` and ``time`` ``(B, T)``. Series of different lengths are padded
    at the end to the longest: tensors whose first axis is the sample's ``T`` get zeros, ``time``
    gets no time, of its own dtype (see :func:`pad_time_steps`): NaN when floating, the dtype's
    smallest value when an integer (int64's -2**63 is numpy's NaT; an unsigned one's largest), so
    that real times stay exact. The batch gets ``length``, int64 ``(B,)``, the number of real steps
    of each sample (only then: equal lengths give no ``length``, as in TorchGeo).

    In a DataLoader worker the stacked tensors are written straight into shared memory (as
    PyTorch's own collation does), so that sending a batch to the main process copies nothing.
    In the main process (``num_workers=0``) CPU tensors are copied into the batch on the calling
    thread only (see :func:`_stack`).

    Raises:
        ValueError: if the samples have different keys (a key would be dropped or its values
            misaligned with the samples), naming the keys and the samples, if tensors under one key
            differ in shape other than by padded time steps, naming the key and the shapes, or a
            bool ``time`` is padded.
    """
    listed = list(samples)
    check_same_keys(listed, "stack_samples")
    lengths = _series_lengths(listed)
    padded = len(set(lengths)) > 1
    batch: Sample = {}
    for key in listed[0] if listed else []:
        values = [sample[key] for sample in listed]
        if isinstance(values[0], Tensor):
            shapes = {tuple(value.shape) for value in values}
            if len(shapes) > 1 and padded and _along_time(values, lengths):
                values = pad_time_steps(values, max(lengths), float("nan") if key == TIME_KEY else 0.0, key=key)
            elif len(shapes) > 1:
                raise ValueError(f"stack_samples: {key!r} tensors have different shapes {sorted(shapes)}")
            batch[key] = _stack(values)
        else:
            batch[key] = values
    if padded:
        batch[LENGTH_KEY] = torch.tensor(lengths, dtype=torch.int64)
    return batch


def check_same_keys(samples: list[Sample], owner: str) -> None:
    """Refuse samples whose keys differ from the first's, naming the keys and the first sample that differs.

    A batch of samples of different keys would drop a key in silence or misalign its values with the samples.

    Args:
        samples: the samples to batch.
        owner: the collate function, for the message.

    Raises:
        ValueError: if a sample lacks a key of the first or has one the first lacks.
    """
    keys = set(samples[0]) if samples else set()
    for position, sample in enumerate(samples[1:], start=1):
        if set(sample) != keys:
            missing, extra = sorted(keys - set(sample)), sorted(set(sample) - keys)
            raise ValueError(
                f"{owner}: sample {position} has keys {sorted(sample)}, sample 0 {sorted(keys)}"
                + (f"; it lacks {missing}" if missing else "")
                + (f"; sample 0 lacks {extra}" if extra else "")
                + ": every sample of a batch needs the same keys"
            )


def _stack(values: list[Tensor]) -> Tensor:
    """``values`` stacked on a new first axis, as ``default_collate`` stacks them.

    In the main process, plain CPU tensors of one type are copied by numpy on this thread: stacking
    is a memory-bound copy, and torch's intra-op threads gain little on it while, on a machine whose
    cores are busy, they wait for each other spinning (``torch.stack`` of 16 chips of 7 x 256 x 256
    float32 on 2 threads of 2 loaded cores took 70-100 ms of CPU, against 5-7 ms on one). In a
    DataLoader worker (one intra-op thread there) ``default_collate`` writes into shared memory.
    """
    first = values[0]
    plain = (
        get_worker_info() is None
        and first.dtype in _NUMPY_TYPES
        and all(
            type(value) is Tensor
            and value.device.type == "cpu"
            and value.layout == torch.strided
            and value.dtype == first.dtype
            and not (value.requires_grad or value.is_conj() or value.is_neg())
            for value in values
        )
    )
    if not plain:
        stacked: Tensor = default_collate(values)
        return stacked
    # Into numpy's own new array (writing into a torch.empty one was ~25% slower: fresh pages of torch's allocator).
    return torch.from_numpy(np.stack([value.numpy() for value in values]))


#: Tensor types numpy holds (``Tensor.numpy()`` works for them).
_NUMPY_TYPES = frozenset(
    {
        torch.bool,
        torch.uint8,
        torch.int8,
        torch.int16,
        torch.int32,
        torch.int64,
        torch.float16,
        torch.float32,
        torch.float64,
        torch.complex64,
        torch.complex128,
    }
)


def _series_lengths(samples: list[Sample]) -> list[int]:
    """Each sample's number of time steps when every sample is a time series (a 1-D ``time``), else ``[]``."""
    times = [sample.get(TIME_KEY) for sample in samples]
    if not all(isinstance(time, Tensor) and time.ndim == 1 for time in times):
        return []
    return [len(time) for time in times if isinstance(time, Tensor)]


def _along_time(values: list[Tensor], lengths: list[int]) -> bool:
    """Whether ``values`` differ only in their first axis, which is each sample's number of steps."""
    steps = all(value.ndim >= 1 and value.shape[0] == length for value, length in zip(values, lengths, strict=True))
    return steps and len({tuple(value.shape[1:]) for value in values}) == 1


def pad_time_steps(values: Sequence[Tensor], steps: int, fill: float = 0.0, *, key: str = "series") -> list[Tensor]:
    """The tensors of a batch of time series under one key, brought to ``steps`` steps each.

    Shorter series get steps of ``fill`` appended; longer ones keep their first ``steps``. The
    collate functions of time series (:func:`stack_samples`, PASTIS's ``pad_time_series``) pad with
    this, then stack. The tensors are first brought to the dtype stacking would give them all
    (``torch.promote_types``: an int64 time beside a float64 one becomes float64). A NaN ``fill``
    (no value, as for ``time``) pads an integer tensor, which holds no NaN, with its dtype's smallest
    value (int64's -2**63 is numpy's NaT, so that an int64 time read as ``datetime64`` shows its
    padding as NaT), an unsigned one with its largest: tensors of one integer dtype keep it and their
    values, exactly.

    Args:
        values: one tensor per sample, time on the first axis: ``(T, ...)``, ``T`` differing.
        steps: the number of steps of every result.
        fill: the value of appended steps (e.g. NaN for ``time``).
        key: the samples' key, for messages.

    Returns:
        One tensor per sample, ``(steps, ...)``, of the samples' common dtype, on its device.

    Raises:
        ValueError: if the tensors differ in anything but their number of steps, naming the key and shapes,
            or a bool tensor is padded with NaN.
    """
    shapes = {tuple(value.shape[1:]) for value in values}
    if len(shapes) > 1:
        raise ValueError(f"{key!r} steps have different shapes {sorted(shapes)}; series stack only with equal steps")
    # Brought to the dtype stacking gives them first: an int64 time padded with its no time (-2**63) beside a
    # float64 one was stacked as float64 -9.2e18, a time, instead of NaN.
    dtypes = {value.dtype for value in values}
    if len(dtypes) > 1:
        common = functools.reduce(torch.promote_types, dtypes)
        values = [value.to(common) for value in values]
    return [
        value[:steps]
        if len(value) >= steps
        else torch.cat([value, value.new_full((steps - len(value), *value.shape[1:]), _no_value(value, fill, key))])
        for value in values
    ]


def _no_value(value: Tensor, fill: float, key: str) -> float | int:
    """``fill``, but for a NaN ``fill`` of an integer ``value``: its dtype's smallest value (an unsigned one's largest).

    Raises:
        ValueError: for a NaN ``fill`` of a bool tensor, naming ``key``.
    """
    if not math.isnan(fill) or value.dtype.is_floating_point or value.dtype.is_complex:
        return fill
    if value.dtype == torch.bool:
        raise ValueError(f"{key!r} is a bool tensor: it holds no NaN to pad steps with; give its steps another dtype")
    limits = torch.iinfo(value.dtype)
    return limits.min if value.dtype.is_signed else limits.max


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


def unbind_samples(sample: Sample) -> list[Sample]:
    """Split a batch back into samples: the inverse of :func:`stack_samples` (``transform`` rows become ``(9,)``).

    A padded batch of time series (with ``length``, int ``(B,)``, beside a ``(B, T)`` ``time``, as
    :func:`stack_samples` and PASTIS's ``pad_time_series`` give it) gives each sample its own ``length``
    steps only, as it was before stacking: ``time`` and every tensor of 3 axes or more whose first axis
    is the batch's ``T`` (``image`` ``(T, C, H, W)``, a label series' ``(T, H, W)`` mask) keep their
    first ``length`` steps, and the samples get no ``length``. As in :func:`concat_samples`, a
    ``(C, H, W)`` tensor whose ``C`` equals ``T`` counts as steps; ``(H, W)`` and georeferencing do not.

    Args:
        sample: the batch (TorchGeo 0.10.1's name for the argument).

    Raises:
        ValueError: if the batch's entries have different lengths.
    """
    sizes = {len(value) for value in sample.values() if isinstance(value, (Tensor, Sequence))}
    if len(sizes) > 1:
        raise ValueError(f"unbind_samples: batch entries have different lengths {sorted(sizes)}")
    count = sizes.pop() if sizes else 0
    padding = _padded_steps(sample)
    lengths: list[int | None] = list(padding[1]) if padding else [None] * count
    samples: list[Sample] = [{} for _ in range(count)]
    for key, value in sample.items():
        if padding and key == LENGTH_KEY:
            continue
        parts = torch.unbind(value) if isinstance(value, Tensor) else list(value)
        along_time = (
            padding is not None
            and isinstance(value, Tensor)
            and key not in GEOREFERENCING_KEYS
            and (key == TIME_KEY or (value.ndim >= 4 and value.shape[1] == padding[0]))
        )
        for one, part, length in zip(samples, parts, lengths, strict=True):
            one[key] = part[:length] if along_time else part
    return samples


def _padded_steps(batch: Sample) -> tuple[int, list[int]] | None:
    """A padded batch of series' ``T`` and each sample's number of real steps (its ``length``); None for others."""
    lengths, times = batch.get(LENGTH_KEY), batch.get(TIME_KEY)
    if not (isinstance(lengths, Tensor) and isinstance(times, Tensor) and times.ndim == 2):
        return None
    return times.shape[1], [int(length) for length in lengths]
