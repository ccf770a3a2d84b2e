"""Splitting a sampler's work across processes: rank, world size, epochs and per-pass seeds."""

from __future__ import annotations

import copy
import warnings
from typing import Self, TypeVar

import numpy as np
import torch
import torch.distributed as dist
from torch.utils.data import DistributedSampler

from geotorch.samplers.arguments import as_count
from geotorch.samplers.seeds import Seed, torch_generator

#: What a sampler yields: a box, or a batch of them.
Item = TypeVar("Item")


def resolve_rank(rank: int | None, world_size: int | None) -> tuple[int, int]:
    """This process's ``(rank, world_size)``.

    Values not given come from :mod:`torch.distributed` when it is
    initialized, else rank 0 of a world of 1.

    Raises:
        TypeError: if ``rank`` or ``world_size`` is not a number.
        ValueError: if either is not a whole number (NaN, infinity, 1.5), ``world_size < 1``
            or ``rank`` is not in ``[0, world_size)``.
    """
    initialized = dist.is_available() and dist.is_initialized()
    resolved_world = world_size if world_size is not None else dist.get_world_size() if initialized else 1
    resolved_rank = rank if rank is not None else dist.get_rank() if initialized else 0
    resolved_world = as_count(resolved_world, "world_size")
    resolved_rank = as_count(resolved_rank, "rank", minimum=0)
    if resolved_rank >= resolved_world:
        raise ValueError(f"rank={resolved_rank} must be in [0, world_size) with world_size={resolved_world} >= 1")
    return resolved_rank, resolved_world


def rank_positions(total: int, rank: int, world_size: int, *, even: bool) -> range:
    """The positions of a pass of ``total`` queries that a rank takes: every ``world_size``-th from ``rank``.

    Even, the pass is lengthened to ``ceil(total / world_size) * world_size`` positions, as torch's
    DistributedSampler (``drop_last=False``) pads it, so that every rank takes as many queries (and, training
    under DDP, as many optimizer steps); a position ``p`` past the pass stands for query ``p % total``, so at
    most one query of a rank repeats one of another rank. Not even, each query is taken once over all ranks and
    rank lengths differ by at most one.

    Args:
        total: queries in the whole pass, at least 1.
        rank: this process's rank, in ``[0, world_size)``.
        world_size: how many ranks share the pass.
        even: give every rank ``ceil(total / world_size)`` positions.

    Returns:
        The positions, in the order the rank takes them.
    """
    stop = -(-total // world_size) * world_size if even else total
    return range(rank, stop, world_size)


def draw_seed(generator: Seed | None) -> int:
    """A base seed drawn from ``generator``: a seed, a torch generator or a numpy random source.

    None draws from torch's default generator (see :func:`~geotorch.samplers.seeds.torch_generator`).

    Raises:
        TypeError: if ``generator`` is not a seed, a torch generator or a numpy random source.
        ValueError: if it is a negative seed.
    """
    return int(torch.randint(2**62, (1,), generator=torch_generator(generator)))


#: The seed an unseeded random split is drawn from once torch.distributed runs several ranks (as torch's
#: DistributedSampler's default seed, and PreChippedGeoSampler's unseeded shuffle over several ranks).
SHARED_SEED = 0


def split_generator(generator: Seed | None, owner: str) -> torch.Generator | None:
    """The torch generator a random split draws from, the same on every rank of a DDP run.

    ``generator`` given is taken as :func:`~geotorch.samplers.seeds.torch_generator` takes it. None is torch's
    default generator (None) in a single process, as TorchGeo 0.10.1's splitters; but once torch.distributed is
    initialized with more than one rank, each rank's default generator draws its own split unless every rank
    seeded torch alike, so that one rank's training entries would be another's validation entries, silently:
    then the split is drawn from :data:`SHARED_SEED`, which every rank shares, with a UserWarning (Python shows
    it once per calling line) asking for a ``generator``. A split made before the process group exists (at the
    top of a script that Lightning's DDP runs once per rank) cannot tell it will be shared: give it a seed.

    Args:
        generator: a seed (an int, or a list of ints), a torch generator or a numpy random source; or None.
        owner: the split function's name, for the warning.

    Returns:
        The generator to draw from (None: torch's default generator).

    Raises:
        TypeError: if ``generator`` is not a seed, a torch generator or a numpy random source.
        ValueError: if it is a negative seed.
    """
    if generator is not None or not (dist.is_available() and dist.is_initialized()):
        return torch_generator(generator)
    world_size = dist.get_world_size()
    if world_size == 1:
        return None
    warnings.warn(
        f"{owner}: no generator given under torch.distributed ({world_size} ranks): the split is drawn from "
        f"seed {SHARED_SEED}, which every rank shares, not from each rank's torch default generator (ranks not "
        f"seeded alike would split differently, and one rank's training entries would be another's validation "
        f"entries); give generator=<seed> to choose the split",
        UserWarning,
        stacklevel=3,
    )
    return torch.Generator().manual_seed(SHARED_SEED)


class Sharded(DistributedSampler[Item]):
    """Rank, world size and epoch of a sampler that splits its work across processes.

    Samplers run in the main process of a DataLoader, so its workers never
    see the same index twice; splitting is only needed across ranks.

    A sharded sampler is a :class:`~torch.utils.data.DistributedSampler`, so that
    Lightning, which wraps every other sampler of a DDP run in one, does not split
    its share of a pass a second time (each rank would see a ``world_size``-th of
    its share). A rank or world size not given is read from :mod:`torch.distributed`
    whenever it is needed, so a sampler built before the process group (in a script
    that DDP runs once per process) still splits its work once it exists.

    Attributes:
        epoch: the epoch given to :meth:`set_epoch` (0 until then).
    """

    def __init__(self, rank: int | None = None, world_size: int | None = None) -> None:
        """Check the rank now (see :func:`resolve_rank`); one not given is resolved again when used."""
        resolve_rank(rank, world_size)
        self._shard = (rank, world_size)
        self.epoch = 0
        self._passes = 0
        # The sampler whose ranks this one orders its passes with (None: itself; see every_rank).
        self._ordered_with: Sharded[Item] | None = None

    @property
    def shard(self) -> tuple[int | None, int | None]:
        """``(rank, world_size)`` as given; None where torch.distributed's (or 0 and 1) is read when used."""
        return self._shard

    @property
    def rank(self) -> int:
        """This process's rank: as given, else torch.distributed's, else 0."""
        return resolve_rank(*self._shard)[0]

    @rank.setter
    def rank(self, value: int) -> None:
        self._shard = (value, self._shard[1])

    @property
    def world_size(self) -> int:
        """How many processes share the work: as given, else torch.distributed's, else 1."""
        return resolve_rank(*self._shard)[1]

    @world_size.setter
    def world_size(self, value: int) -> None:
        self._shard = (self._shard[0], value)

    @property
    def num_replicas(self) -> int:
        """:attr:`world_size`, under DistributedSampler's name."""
        return self.world_size

    @num_replicas.setter
    def num_replicas(self, value: int) -> None:
        self._shard = (self._shard[0], value)

    def set_epoch(self, epoch: int) -> None:
        """Start epoch ``epoch``: the next pass depends only on the seed, the epoch and the rank.

        Raises:
            TypeError: if ``epoch`` is not a number.
            ValueError: if ``epoch`` is negative or not a whole number (NaN, infinity, 1.5).
        """
        self.epoch = as_count(epoch, "epoch", "set_epoch", minimum=0)
        self._passes = 0

    def every_rank(self) -> Self:
        """A copy whose passes yield every rank's queries (rank 0 of 1), ordered as this sampler's ranks order them.

        A shuffle that ranks split comes from a seed they share (see :meth:`_shared_seed`): the copy shares it
        whenever this sampler has several ranks (read when used), so that each rank can walk the whole pass
        and take its part of it.
        """
        whole = copy.copy(self)
        whole._shard = (0, 1)
        whole._ordered_with = self._ordered_with or self
        return whole

    def _shared_seed(self, seed: int, seeded: bool) -> int:
        """The seed of an order all ranks split: ``seed`` when given or alone, else 0.

        Unseeded, ``seed`` came from this process's torch default generator, which differs between
        ranks unless every rank seeded torch alike; 0 is shared, as torch's DistributedSampler's seed.
        """
        return seed if seeded or (self._ordered_with or self).world_size == 1 else 0

    def _pass_generator(self, seed: int, *, per_rank: bool) -> torch.Generator:
        """A generator for the next pass, seeded from ``seed``, the epoch, the passes since, and the rank if asked.

        Mixing the numbers with numpy's SeedSequence keeps the streams of
        neighbouring epochs and ranks independent.
        """
        words = [seed, self.epoch, self._passes, *([self.rank] if per_rank else [])]
        self._passes += 1
        state = np.random.SeedSequence(words).generate_state(1, dtype=np.uint64)[0]
        return torch.Generator().manual_seed(int(state))
