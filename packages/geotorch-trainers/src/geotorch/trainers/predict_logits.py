"""A model's output over a batch of windows: checked for logits, made probabilities, weighted for blending."""

from __future__ import annotations

import torch
from torch import Tensor

from geotorch.trainers.probabilities import sigmoid, softmax


def described(output: object) -> str:
    """A model's output for messages: a tensor's shape and dtype (``(4, 1, 16, 16) int64``), else its type's name."""
    if isinstance(output, Tensor):
        return f"{tuple(output.shape)} {str(output.dtype).removeprefix('torch.')}"
    return type(output).__name__


def probabilities_of(logits: Tensor, labels: bool, owned: set[int] | None = None) -> Tensor:
    """Each window's probabilities, as a segmentation task's ``predict_step`` gives them, float32.

    A softmax across the channels, or a sigmoid of each where they are labels (a ``multilabel`` task's) or of
    a single binary channel. These, not logits, are blended: the mean of windows' probabilities, as
    :class:`~geotorch.trainers.GeoTIFFPredictionWriter` blends ``predict_step``'s (the mean of logits can choose
    another class where windows disagree). A window's probabilities are the same bits in any batch, at any
    thread count (see :mod:`geotorch.trainers.probabilities`).

    Args:
        logits: ``(B, K, H, W)`` floating point.
        labels: whether the channels are labels (a sigmoid each).
        owned: with the model's storages (see :func:`weighted_logits`), the probabilities are written over
            ``logits`` where they are a tensor of their own: no second batch is allocated and faulted in.
    """
    values = logits.float()
    inplace = owned is not None and (values is not logits or _own(logits, owned))
    if labels or values.shape[1] == 1:
        return sigmoid(values, inplace=inplace)
    return softmax(values, dim=1, inplace=inplace)


def _own(logits: Tensor, owned: set[int]) -> bool:
    """Whether ``logits`` may be written over: contiguous, and none of the model's parameters or buffers."""
    return logits.is_contiguous() and logits.untyped_storage().data_ptr() not in owned


def is_logits(logits: object, windows: int, size: tuple[int, int]) -> bool:
    """Whether the model gave ``(windows, K, *size)``, ``K >= 1``, real floating point: logits for every pixel.

    Integer outputs (classes already chosen) and complex ones are no logits: they would be read as such.
    """
    return (
        isinstance(logits, Tensor)
        and logits.is_floating_point()
        and logits.ndim == 4
        and logits.shape[0] == windows
        and logits.shape[1] >= 1
        and tuple(logits.shape[-2:]) == size
    )


def writable(logits: Tensor, owned: set[int]) -> Tensor:
    """``logits`` as float32 that may be written over: themselves where they are a tensor of their own, else a copy."""
    values = logits.float()
    return values.clone() if values is logits and not _own(logits, owned) else values


def weighted_logits(logits: Tensor, weights: Tensor, owned: set[int]) -> Tensor:
    """``logits`` (float32) times the blending ``weights``, in place where the logits are a tensor of their own.

    Multiplying in place saves allocating (and faulting in) a batch of logits; the model's
    parameters and buffers (``owned`` storages) are never written to.
    """
    values = logits.float()
    if values is logits and not _own(logits, owned):
        return torch.mul(values, weights)
    return values.mul_(weights)
