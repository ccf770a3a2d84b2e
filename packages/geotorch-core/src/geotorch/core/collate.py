"""Batching samples: stacking sample dicts into a batch and unbinding a batch into samples."""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Sequence

import numpy as np
import torch
from torch import Tensor
from torch.utils.data import default_collate, get_worker_info

from geotorch.core.joins import GEOREFERENCING_KEYS as GEOREFERENCING_KEYS
from geotorch.core.joins import concat_samples as concat_samples
from geotorch.core.joins import merge_samples as merge_samples
from geotorch.core.sample import Sample
from geotorch.core.timeseries import LENGTH_KEY, TIME_KEY


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
