"""Samplers that yield a whole batch of query boxes at a time."""

from __future__ import annotations

import abc
import math
from collections.abc import Iterator
from typing import TYPE_CHECKING

from geotorch.core.bbox import BoundingBox
from geotorch.core.geo import GeoDataset
from geotorch.samplers.areas import RandomPatches, Roi, as_interval
from geotorch.samplers.arguments import as_count
from geotorch.samplers.constants import Units
from geotorch.samplers.distributed import Sharded, draw_seed
from geotorch.samplers.seeds import Seed
from geotorch.samplers.utils import Size

if TYPE_CHECKING:
    from geotorch.samplers.temporal_arguments import Toi


class BatchGeoSampler(Sharded[list[BoundingBox]], abc.ABC):
    """Base of samplers that yield lists of :class:`BoundingBox` queries, one list per batch.

    Use one as the ``batch_sampler`` of a DataLoader over the same dataset.
    Like :class:`~geotorch.samplers.GeoSampler`, it has :meth:`set_epoch` and
    splits its work by rank. Under Lightning's DDP, such a DataLoader needs
    ``Trainer(use_distributed_sampler=False)``: Lightning puts a
    DistributedSampler into every batch sampler that is not torch's
    ``BatchSampler`` and, unable to put one into this, raises TypeError
    ("Lightning can't inject a (distributed) sampler into your batch
    sampler"). With it, the sampler takes its rank's share itself, as the
    geo samplers of the other loaders do (GeoDataModule needs nothing: its
    loaders give them as samplers).
    """

    #: The dataset the sampler draws from.
    dataset: GeoDataset

    def __init__(self, dataset: GeoDataset, *, rank: int | None = None, world_size: int | None = None) -> None:
        """Remember the dataset and resolve the rank.

        Args:
            dataset: the dataset whose index the sampler draws from.
            rank: this process's rank (default: from torch.distributed, else 0).
            world_size: how many ranks share the work (default: from torch.distributed, else 1).
        """
        Sharded.__init__(self, rank, world_size)
        self.dataset = dataset
        self.res = dataset.res

    @abc.abstractmethod
    def __iter__(self) -> Iterator[list[BoundingBox]]:
        """Yield the batches of one pass for this rank."""

    @abc.abstractmethod
    def __len__(self) -> int:
        """The exact number of batches one pass yields on this rank."""


class RandomBatchGeoSampler(BatchGeoSampler):
    """Batches of random patches, each batch drawn from a single index entry.

    Keeping a batch within one entry (usually one file) makes its reads
    cheap. Entries are chosen and patches placed as in
    :class:`~geotorch.samplers.RandomGeoSampler`, with the same seeding,
    epochs, ranks and edge policy: a patch never reaches past its entry or
    the roi, and entries smaller than a patch in either axis are never chosen.
    Each rank draws ``ceil(length / world_size)`` patches in batches of
    ``batch_size``; only the last batch may be smaller.
    """

    def __init__(
        self,
        dataset: GeoDataset,
        size: Size,
        batch_size: int,
        length: int | None = None,
        roi: Roi | None = None,
        toi: Toi | None = None,
        units: Units = Units.PIXELS,
        generator: Seed | None = None,
        *,
        rank: int | None = None,
        world_size: int | None = None,
    ) -> None:
        """Find the areas that can hold a patch.

        Args:
            dataset: the dataset to sample.
            size: patch size, one number or ``(height, width)``, in ``units``;
                whole pixels (a value between is rounded to the nearest, halves up).
            batch_size: patches per batch, a positive whole number.
            length: patches per pass over all ranks, a positive whole number
                (default: the area inside the roi divided by the area of a patch, at least 1).
            roi: a BoundingBox, Polygon or MultiPolygon in the dataset's CRS
                (default: the whole dataset); patches lie fully inside it.
            units: :attr:`Units.PIXELS` or :attr:`Units.CRS`: what ``size`` counts.
            generator: source of all randomness: a seed (an int, or a list of ints), a torch generator or a numpy
                random source
                (default: torch's default generator).
            toi: ``(start, end)`` in POSIX seconds, datetimes or datetime64 limiting the time (a :class:`Units`
                here is read as ``units``: 0.7-era code passed it after ``roi``).
            rank: this process's rank (default: from torch.distributed, else 0).
            world_size: how many ranks share the work (default: from torch.distributed, else 1).

        Raises:
            TypeError: if ``size``, ``batch_size`` or ``length`` is not made of
                numbers, ``units`` is not a :class:`Units` value, or ``roi``/``toi``/``generator``
                has the wrong type.
            ValueError: if ``generator`` is a negative seed, ``size``, ``batch_size``, ``length`` or ``toi`` holds
                NaN or infinity, ``size`` is not positive or not between half a
                pixel and 2**31 - 1 pixels, a count is not a positive whole
                number, the pass would be longer than 2**40 patches, the roi has
                no area, misses the data or holds no whole pixel of it, no area
                can hold a patch, or an area has more than 2**40 positions along an axis.
        """
        super().__init__(dataset, rank=rank, world_size=world_size)
        owner = type(self).__name__
        self.batch_size = as_count(batch_size, "batch_size", owner)
        if isinstance(toi, Units):  # the 0.7-era positional order (..., roi, units)
            toi, units = None, toi
        interval = None if toi is None else as_interval(toi, "toi", owner)
        self.patches = RandomPatches(dataset, size, units, roi, interval, owner)
        self.size = self.patches.size
        self.length = self.patches.pass_length(length)
        self.seed = draw_seed(generator)

    def __iter__(self) -> Iterator[list[BoundingBox]]:
        """Yield ``len(self)`` batches of random patches."""
        generator = self._pass_generator(self.seed, per_rank=True)
        remaining = math.ceil(self.length / self.world_size)
        while remaining > 0:
            area = self.patches.choose(generator)
            count = min(self.batch_size, remaining)
            yield [self.patches.draw(area, generator) for _ in range(count)]
            remaining -= count

    def __len__(self) -> int:
        """Batches per pass on this rank."""
        return math.ceil(math.ceil(self.length / self.world_size) / self.batch_size)
