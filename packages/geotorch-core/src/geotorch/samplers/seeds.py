"""What samplers' ``generator=`` takes: a seed, a torch generator or any numpy random source."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

Seed = (
    int
    | np.integer[Any]
    | Sequence[int | np.integer[Any]]
    | torch.Generator
    | np.random.Generator
    | np.random.BitGenerator
    | np.random.SeedSequence
    | np.random.RandomState
)
"""What ``generator=`` takes: a seed (an int, or a list or tuple of ints), a torch or numpy random generator."""

#: Seeds below this seed torch as they are; a larger one (numpy takes any size) is hashed to 64 bits.
TORCH_SEEDS = 2**64


def torch_generator(generator: Seed | None) -> torch.Generator | None:
    """A torch generator seeded from ``generator`` (None stays None: torch's default generator).

    A seed is a non-negative integer of any size, Python's or numpy's, as
    :func:`numpy.random.default_rng` takes it; equal seeds give the same draws
    whatever their type (``3``, ``np.int64(3)``, ``np.uint8(3)``). A seed below
    :data:`TORCH_SEEDS` (2**64) is ``torch.Generator().manual_seed(seed)``'s; a larger one
    is mixed down to 64 bits by numpy's SeedSequence, so it keeps a stream of its own.
    A list or tuple of such integers (numpy's entropy of several words, ``[run, worker]``)
    draws as ``numpy.random.default_rng`` of it does.

    Args:
        generator: a seed (an integer, or a non-empty list or tuple of them), a torch generator
            (returned as is), or a numpy random source (one seed is drawn).

    Returns:
        The torch generator to draw from.

    Raises:
        TypeError: for anything else (a bool, a float, a string, a tensor, a list holding one), naming
            ``generator``.
        ValueError: for a negative seed (numpy refuses those too) or an empty list (which numpy would take
            for a fixed stream: most likely a mistake), naming ``generator``.
    """
    if generator is None or isinstance(generator, torch.Generator):
        return generator
    if isinstance(generator, list | tuple):
        return torch_generator(np.random.SeedSequence(_entropy(generator)))
    if isinstance(generator, bool) or not isinstance(
        generator,
        int
        | np.integer
        | np.random.Generator
        | np.random.BitGenerator
        | np.random.SeedSequence
        | np.random.RandomState,
    ):
        raise TypeError(
            f"generator={generator!r}; give a seed (a non-negative int), a torch.Generator or a numpy random generator"
        )
    if isinstance(generator, int | np.integer):
        seed = int(generator)
        if seed < 0:
            raise ValueError(f"generator={generator!r}: a seed must be a non-negative integer, as numpy's are")
        if seed >= TORCH_SEEDS:
            seed = int(np.random.SeedSequence(seed).generate_state(1, dtype=np.uint64)[0])
        return torch.Generator().manual_seed(seed)
    if isinstance(generator, np.random.RandomState):
        seed = int(generator.randint(2**31))
    else:
        seed = int(np.random.default_rng(generator).integers(2**62))
    return torch.Generator().manual_seed(seed)


def _entropy(words: Sequence[object]) -> list[int]:
    """The non-negative integers of a list or tuple seed, as numpy's SeedSequence takes them.

    Raises:
        TypeError: if one is not an integer (a bool, a float), naming ``generator``.
        ValueError: if one is negative or there is none, naming ``generator``.
    """
    if not words:
        raise ValueError(f"generator={words!r}: a list of seeds needs at least one non-negative integer")
    entropy: list[int] = []
    for word in words:
        if isinstance(word, bool | np.bool_) or not isinstance(word, int | np.integer):
            raise TypeError(f"generator={words!r}: {word!r} is not an integer; a list of seeds holds non-negative ints")
        if word < 0:
            raise ValueError(f"generator={words!r}: {word!r} is negative; seeds are non-negative, as numpy's are")
        entropy.append(int(word))
    return entropy
