"""Combining and splitting sample dicts: the collate functions of GeoTorch DataLoaders."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import torch
from torch import Tensor
from torch.utils.data import default_collate

from geotorch.core.sample import Sample

#: The keys that say where a sample lies rather than what it holds: joining samples of one place
#: keeps the first sample's.
GEOREFERENCING_KEYS = frozenset({"crs", "bounds", "transform"})


def stack_samples(samples: Iterable[Sample]) -> Sample:
    """Collate samples into a batch: tensors are stacked on a new first axis, other values listed.

    A batch's ``transform`` is ``(B, 9)``, as in TorchGeo; ``crs`` and ``bounds`` are lists.

    In a DataLoader worker the stacked tensors are written straight into shared memory (as
    PyTorch's own collation does), so that sending a batch to the main process copies nothing.

    Raises:
        ValueError: if tensors under one key differ in shape, naming the key.
    """
    listed = list(samples)
    batch: Sample = {}
    for key in listed[0] if listed else []:
        values = [sample[key] for sample in listed]
        if isinstance(values[0], Tensor):
            shapes = {tuple(value.shape) for value in values}
            if len(shapes) > 1:
                raise ValueError(f"stack_samples: {key!r} tensors have different shapes {sorted(shapes)}")
            batch[key] = default_collate(values)
        else:
            batch[key] = values
    return batch


def concat_samples(samples: Iterable[Sample]) -> Sample:
    """Join samples of the same place: tensors under one key are concatenated along channels (axis 0).

    A single-band ``(H, W)`` mask counts as one channel. Non-tensor values and
    the georeferencing (``crs``, ``bounds``, ``transform``) are taken from the first sample.

    Raises:
        ValueError: if tensors under one key differ in height or width, naming the key.
    """
    joined: Sample = {}
    for sample in samples:
        for key, value in sample.items():
            if key not in joined:
                joined[key] = value
            elif isinstance(value, Tensor) and key not in GEOREFERENCING_KEYS:
                current, extra = _with_channels(joined[key]), _with_channels(value)
                if current.shape[1:] != extra.shape[1:]:
                    raise ValueError(
                        f"concat_samples: {key!r} sizes differ: {tuple(current.shape)} vs {tuple(extra.shape)}"
                    )
                joined[key] = torch.cat([current, extra], dim=0)
    return joined


def _with_channels(tensor: Tensor) -> Tensor:
    return tensor.unsqueeze(0) if tensor.ndim == 2 else tensor


def merge_samples(samples: Iterable[Sample]) -> Sample:
    """Overlay samples of the same grid: the first sample with data at a pixel wins.

    A pixel counts as empty in a sample when every channel there is 0 (the
    value that fills pixels without data); such pixels are taken from the
    next sample that has data. Non-tensor values and the georeferencing
    (``crs``, ``bounds``, ``transform``) come from the first sample.

    Raises:
        ValueError: if tensors under one key differ in shape, naming the key.
    """
    merged: Sample = {}
    for sample in samples:
        for key, value in sample.items():
            if key not in merged:
                merged[key] = value.clone() if isinstance(value, Tensor) else value
                continue
            if not isinstance(value, Tensor) or key in GEOREFERENCING_KEYS:
                continue
            current = merged[key]
            if current.shape != value.shape:
                raise ValueError(
                    f"merge_samples: {key!r} shapes differ: {tuple(current.shape)} vs {tuple(value.shape)}"
                )
            empty = (current == 0).all(dim=0) if current.ndim == 3 else current == 0
            merged[key] = torch.where(empty, value, current)
    return merged


def unbind_samples(batch: Sample) -> list[Sample]:
    """Split a batch back into samples: the inverse of :func:`stack_samples` (``transform`` rows become ``(9,)``).

    Raises:
        ValueError: if the batch's entries have different lengths.
    """
    sizes = {len(value) for value in batch.values() if isinstance(value, (Tensor, Sequence))}
    if len(sizes) > 1:
        raise ValueError(f"unbind_samples: batch entries have different lengths {sorted(sizes)}")
    count = sizes.pop() if sizes else 0
    samples: list[Sample] = [{} for _ in range(count)]
    for key, value in batch.items():
        parts = torch.unbind(value) if isinstance(value, Tensor) else list(value)
        for sample, part in zip(samples, parts, strict=True):
            sample[key] = part
    return samples
