"""TorchGeo 0.10's SpatioTemporalSampler: a spatial sampler's locations, each over a temporal sampler's windows."""

from __future__ import annotations

import copy
import itertools
from collections.abc import Iterator

import torch

from geotorch.core.bbox import BoundingBox
from geotorch.samplers.distributed import draw_seed, rank_positions
from geotorch.samplers.single import GeoSampler, RandomGeoSampler, SpatialSampler
from geotorch.samplers.temporal import TemporalSampler
from geotorch.samplers.timeline import Timeline

STRATEGIES = ("random", "sequential")

#: The seed of the reference pass whose queries random locations' ranks share (see SpatioTemporalSampler).
REFERENCE_SEED = 0

#: The fewest random locations the reference pass counts windows at; a shorter pass's count is scaled down.
REFERENCE_PLACES = 64


class SpatioTemporalSampler(GeoSampler):
    """Patches over time windows: where from a spatial sampler, when from a temporal one.

    Also written ``spatial_sampler @ temporal_sampler``. Each query has the
    x/y extent of a location of the spatial sampler (whose own time bounds
    are dropped) and the time bounds of a window of the temporal sampler,
    chosen among the dated entries that share some area with that location
    (entries that only touch its edge do not count). How they pair depends
    on the two ``strategy`` values:

    - random @ random: each location of a pass gets one random window;
    - random @ sequential: each location gets every window present there, in time order;
    - sequential @ random: each location gets ``temporal_sampler.length`` random windows;
    - sequential @ sequential: each location gets every window present there.

    A sequential sampler's locations are taken once each by x/y (a grid over
    twelve dates of one tile gives each window once, not twelve times); a
    location where no window is present (no dated entry inside ``toi``)
    yields nothing. Time windows are the same everywhere (anchored at the
    temporal sampler's first date): a location only keeps those with data.

    Length: :func:`len` is exact. With a sequential spatial sampler it is
    counted once, over all locations (every location's index entries are
    looked up). With a random one alone (or on ranks that are not even) it
    depends on where the next pass's locations fall, so it is counted by
    drawing them (the pass then draws the same ones); on even ranks it is
    their share (see Ranks).

    Ranks: they come from the spatial sampler (the temporal sampler must
    agree). With a sequential spatial sampler, the (location, window) pairs of
    a pass are split one by one. When both samplers are even (``even=True``,
    their default) every rank yields ``ceil(pairs / world_size)`` pairs, a
    short rank repeating one pair of another (with a random temporal sampler,
    one location of another with a new window), as torch's DistributedSampler
    pads a pass, so that DDP ranks training on them take the same steps; when
    either was given ``even=False`` (or the spatial sampler has no ``even``),
    each pair is visited once over all ranks, rank lengths differing by at
    most one: for validation, testing and prediction, give the spatial sampler
    ``even=False``. With a random spatial sampler, each rank pairs its own
    locations (drawn from its own stream). Alone, a pass yields the queries of
    the spatial sampler's ``length`` locations: one each with a random
    temporal sampler, every window there with a sequential one, none where a
    location holds no window. On several ranks, when the temporal sampler is
    even (its default), every rank yields ``ceil(reference / world_size)``
    queries, ``reference`` being the queries of a pass of all ``length``
    locations as a RandomGeoSampler of ``generator=0`` draws them at epoch 0
    (counted once, over at least 64 locations for a shorter pass, scaled to it
    and rounded up: the same on every rank whatever their seeds): a rank takes
    its locations' queries in turn, its last location's windows cut short
    where the share is full, and draws further locations where its own hold
    fewer queries, so that DDP ranks training on them take the same steps;
    with ``even=False`` on the temporal sampler, rank lengths follow the
    windows at their locations. Random windows come from the temporal
    sampler's seed, the epoch (:meth:`set_epoch`) and the rank.

    Attributes:
        spatial_sampler: where.
        temporal_sampler: when.
        even: whether every rank yields as many queries: the pairs of a sequential spatial sampler's pass
            padded to one length a rank, or a random one's ranks given one share each.
    """

    def __init__(self, spatial_sampler: SpatialSampler, temporal_sampler: TemporalSampler) -> None:
        """Pair the two samplers.

        Args:
            spatial_sampler: a :class:`~geotorch.samplers.SpatialSampler` (RandomGeoSampler, GridGeoSampler...).
            temporal_sampler: a :class:`~geotorch.samplers.TemporalSampler`.

        Raises:
            TypeError: if either is of the wrong kind, or has no ``strategy`` of ``"random"``/``"sequential"``.
            ValueError: if their ranks or world sizes differ.
        """
        if not isinstance(spatial_sampler, SpatialSampler):
            raise TypeError(
                f"SpatioTemporalSampler: spatial_sampler must be a SpatialSampler (RandomGeoSampler, GridGeoSampler, "
                f"...), got {type(spatial_sampler).__name__}"
            )
        if not isinstance(temporal_sampler, TemporalSampler):
            raise TypeError(
                f"SpatioTemporalSampler: temporal_sampler must be a TemporalSampler (RandomTimestampSampler, ...), "
                f"got {type(temporal_sampler).__name__}"
            )
        for name, sampler in (("spatial_sampler", spatial_sampler), ("temporal_sampler", temporal_sampler)):
            if getattr(sampler, "strategy", None) not in STRATEGIES:
                raise TypeError(
                    f"SpatioTemporalSampler: {name} {type(sampler).__name__} must have a strategy class attribute "
                    f"'random' or 'sequential'"
                )
        spatial_ranks = (spatial_sampler.rank, spatial_sampler.world_size)
        temporal_ranks = (temporal_sampler.rank, temporal_sampler.world_size)
        if spatial_ranks != temporal_ranks:
            raise ValueError(
                f"SpatioTemporalSampler: the spatial sampler has rank {spatial_ranks[0]} of {spatial_ranks[1]} and "
                f"the temporal sampler rank {temporal_ranks[0]} of {temporal_ranks[1]}; give both the same "
                f"rank= and world_size="
            )
        # The spatial sampler's rank as given: one not given is read from torch.distributed when used, so a
        # sampler built before the process group splits its pairs once the group exists.
        given_rank, given_world_size = spatial_sampler.shard
        super().__init__(spatial_sampler.dataset, rank=given_rank, world_size=given_world_size)
        self.spatial_sampler = spatial_sampler
        self.temporal_sampler = temporal_sampler
        # Exact coverage wins: a spatial sampler of no ``even`` (a custom one) split exactly before there was one.
        # Random locations cover nothing exactly: there the temporal sampler alone says whether ranks even out.
        spatial_even = spatial_sampler.strategy == "random" or bool(getattr(spatial_sampler, "even", False))
        self.even = spatial_even and temporal_sampler.even
        self._all_locations: SpatialSampler | None = None
        if spatial_sampler.strategy == "sequential":
            # A copy that yields every rank's locations: the pairs, not the locations, are split across ranks.
            self._all_locations = spatial_sampler.every_rank()
        self._total: int | None = None

    def set_epoch(self, epoch: int) -> None:
        """Start epoch ``epoch`` here and in the spatial sampler (see :meth:`GeoSampler.set_epoch`)."""
        super().set_epoch(epoch)
        self.spatial_sampler.set_epoch(epoch)
        if self._all_locations is not None:
            self._all_locations.set_epoch(epoch)

    def _windows_at(self, location: BoundingBox) -> tuple[Timeline, int]:
        """The temporal sampler's windows at ``location``, and how many queries the location gives a pass."""
        temporal = self.temporal_sampler
        timeline = temporal.timeline(temporal.intervals_at(location))
        if temporal.strategy == "sequential":
            return timeline, len(timeline)
        if not len(timeline.intervals):
            return timeline, 0
        return timeline, 1 if self.spatial_sampler.strategy == "random" else temporal.length

    @staticmethod
    def _unique_locations(sampler: SpatialSampler) -> Iterator[BoundingBox]:
        """The locations of a pass of ``sampler``, each x/y extent once."""
        seen: set[tuple[float, float, float, float]] = set()
        for location in sampler:
            extent = (location.minx, location.maxx, location.miny, location.maxy)
            if extent not in seen:
                seen.add(extent)
                yield location

    def _pair(self, location: BoundingBox, timeline: Timeline, number: int, generator: torch.Generator) -> BoundingBox:
        """The query of the ``number``-th pair at ``location``: its window, or a random one of ``timeline``."""
        if self.temporal_sampler.strategy == "sequential":
            return self.temporal_sampler.query(timeline[number], location)
        return self.temporal_sampler.query(timeline.draw(generator), location)

    def _located(self, locations: SpatialSampler) -> Iterator[tuple[BoundingBox, Timeline, int, int]]:
        """Each location of a pass of ``locations``, its windows, its pair count and the position of its first pair."""
        position = 0
        for location in self._unique_locations(locations):
            timeline, count = self._windows_at(location)
            yield location, timeline, count, position
            position += count

    def __iter__(self) -> Iterator[BoundingBox]:
        """Yield this rank's queries of one pass (see the class docstring)."""
        generator = self._pass_generator(self.temporal_sampler.seed, per_rank=True)
        if self._all_locations is None:
            yield from self._random_locations(generator)
            return
        # The pass's first world_size pairs: a position past the pass stands for one of them.
        leading: list[tuple[BoundingBox, Timeline, int]] = []
        total = 0
        for location, timeline, count, start in self._located(self._all_locations):
            leading += [(location, timeline, number) for number in range(min(count, self.world_size - start))]
            first = start + (self.rank - start) % self.world_size
            for own in range(first, start + count, self.world_size):
                yield self._pair(location, timeline, own - start, generator)
            total = start + count
        # Padded from this pass's own locations: walking a shuffled spatial sampler again would shuffle anew.
        padding = rank_positions(total, self.rank, self.world_size, even=self.even)
        for position in padding[len(range(self.rank, total, self.world_size)):]:
            yield self._pair(*leading[position % total], generator)

    def _queries_at(self, location: BoundingBox, generator: torch.Generator) -> Iterator[BoundingBox]:
        """The queries a pass gives ``location``: each of its windows, or its random ones."""
        timeline, count = self._windows_at(location)
        for number in range(count):
            yield self._pair(location, timeline, number, generator)

    def _random_locations(self, generator: torch.Generator) -> Iterator[BoundingBox]:
        """This rank's queries over the random spatial sampler's locations (see the class docstring)."""
        if not self._shares_random_pass():
            for location in self.spatial_sampler:
                yield from self._queries_at(location, generator)
            return
        queries = (query for location in self._endless_locations() for query in self._queries_at(location, generator))
        yield from itertools.islice(queries, self._random_share())

    def _shares_random_pass(self) -> bool:
        """Whether ranks of a random spatial sampler each yield one share of a reference pass (see the class)."""
        return self.even and self.world_size > 1

    def _endless_locations(self) -> Iterator[BoundingBox]:
        """The random spatial sampler's locations, pass after pass, until a pass draws none (a custom sampler's).

        A rank whose own locations hold fewer queries than its share draws more.
        """
        drawn = True
        while drawn:
            drawn = False
            for location in self.spatial_sampler:
                drawn = True
                yield location

    def _random_share(self) -> int:
        """Queries every rank of a random spatial sampler yields: ``ceil(reference / world_size)``.

        ``reference`` is the queries a pass of all ranks' ``length`` locations holds, counted over at least
        :data:`REFERENCE_PLACES` locations drawn at epoch 0 as a RandomGeoSampler given ``generator=0`` draws
        them (scaled to ``length``, rounded up), so every rank counts the same whatever its own seed, and a
        short pass is not given none because its few reference places hold no window; it is counted once.
        """
        if self._total is None:
            reference = self.spatial_sampler.every_rank()
            places = len(reference)
            if isinstance(reference, RandomGeoSampler):
                reference.seed = draw_seed(REFERENCE_SEED)
                reference.length = max(reference.length, REFERENCE_PLACES)
            reference.set_epoch(0)
            found = sum(self._windows_at(location)[1] for location in reference)
            self._total = -(-found * places // len(reference))
        return -(-self._total // self.world_size)

    def __len__(self) -> int:
        """Queries this rank yields in the next pass."""
        if self._all_locations is None:
            if self._shares_random_pass():
                return self._random_share()
            # A copy draws the next pass's locations without using them up.
            upcoming = copy.copy(self.spatial_sampler)
            return sum(self._windows_at(location)[1] for location in upcoming)
        return len(rank_positions(self._pass_total(self._all_locations), self.rank, self.world_size, even=self.even))

    def _pass_total(self, locations: SpatialSampler) -> int:
        """Pairs of a pass of ``locations`` (every rank's locations) over all ranks, counted once.

        Counted over a copy: a pass of ``locations`` itself would advance its shuffle, so a rank asked its length
        would order its next pass unlike the others.
        """
        if self._total is None:
            self._total = sum(count for _, _, count, _ in self._located(copy.copy(locations)))
        return self._total
