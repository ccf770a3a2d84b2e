"""What samplers' ``generator=`` takes: a seed, a torch generator or any numpy random source."""

from __future__ import annotations

import numpy as np
import torch

Seed = (
    int
    | torch.Generator
    | np.random.Generator
    | np.random.BitGenerator
    | np.random.SeedSequence
    | np.random.RandomState
)
"""What ``generator=`` takes: a seed, a torch generator, or any of numpy's random sources."""


def torch_generator(generator: Seed | None) -> torch.Generator | None:
    """A torch generator seeded from ``generator`` (None stays None: torch's default generator).

    Args:
        generator: a seed, a torch generator (returned as is), or a numpy random source (one seed is drawn).

    Returns:
        The torch generator to draw from.

    Raises:
        TypeError: for anything else.
    """
    if generator is None or isinstance(generator, torch.Generator):
        return generator
    if isinstance(generator, bool) or not isinstance(
        generator, int | np.random.Generator | np.random.BitGenerator | np.random.SeedSequence | np.random.RandomState
    ):
        raise TypeError(f"generator={generator!r}; give a seed (int), a torch.Generator or a numpy random generator")
    if isinstance(generator, int):
        return torch.Generator().manual_seed(generator)
    if isinstance(generator, np.random.RandomState):
        seed = int(generator.randint(2**31))
    else:
        seed = int(np.random.default_rng(generator).integers(2**62))
    return torch.Generator().manual_seed(seed)
