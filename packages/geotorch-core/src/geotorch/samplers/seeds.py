"""What samplers' ``generator=`` takes: a seed, a torch generator or any numpy random source."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

Seed = (
    int
    | np.integer[Any]
    | torch.Generator
    | np.random.Generator
    | np.random.BitGenerator
    | np.random.SeedSequence
    | np.random.RandomState
)
"""What ``generator=`` takes: a seed, a torch generator, or any of numpy's random sources."""

#: Seeds below this seed torch as they are; a larger one (numpy takes any size) is hashed to 64 bits.
TORCH_SEEDS = 2**64


def torch_generator(generator: Seed | None) -> torch.Generator | None:
    """A torch generator seeded from ``generator`` (None stays None: torch's default generator).

    A seed is a non-negative integer of any size, Python's or numpy's, as
    :func:`numpy.random.default_rng` takes it; equal seeds give the same draws
    whatever their type (``3``, ``np.int64(3)``, ``np.uint8(3)``). A seed below
    :data:`TORCH_SEEDS` (2**64) is ``torch.Generator().manual_seed(seed)``'s; a larger one
    is mixed down to 64 bits by numpy's SeedSequence, so it keeps a stream of its own.

    Args:
        generator: a seed, a torch generator (returned as is), or a numpy random source (one seed is drawn).

    Returns:
        The torch generator to draw from.

    Raises:
        TypeError: for anything else (a bool, a float, a string, a tensor), naming ``generator``.
        ValueError: for a negative seed, naming ``generator`` (numpy refuses those too).
    """
    if generator is None or isinstance(generator, torch.Generator):
        return generator
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
