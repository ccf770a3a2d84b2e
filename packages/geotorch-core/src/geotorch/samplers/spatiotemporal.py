"""TorchGeo 0.10's SpatioTemporalSampler: a spatial sampler's locations, each over a temporal sampler's windows."""

from __future__ import annotations

import copy
from collections.abc import Iterator

import torch

from geotorch.core.bbox import BoundingBox
from geotorch.samplers.single import GeoSampler, SpatialSampler
from geotorch.samplers.temporal import TemporalSampler
from geotorch.samplers.timeline import Timeline

STRATEGIES = ("random", "sequential")


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
    looked up). With a random one it depends on where the next pass's
    locations fall, so it is counted by drawing them (the pass then draws
    the same ones).

    Ranks come from the spatial sampler (the temporal sampler must agree).
    With a sequential spatial sampler, the (location, window) pairs of a pass
    are split one by one: each pair once over all ranks, rank lengths
    differing by at most one. With a random one, each rank pairs its own
    locations: with a random temporal sampler every rank yields the spatial
    sampler's ``ceil(length / world_size)`` queries (fewer where locations
    hold no window); with a sequential one, rank lengths follow the number
    of windows at their locations. Random windows come from the temporal
    sampler's seed, the epoch (:meth:`set_epoch`) and the rank.

    Attributes:
        spatial_sampler: where.
        temporal_sampler: when.
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
        self._all_locations: SpatialSampler | None = None
        if spatial_sampler.strategy == "sequential":
            # A copy that yields every rank's locations: the pairs, not the locations, are split across ranks.
            self._all_locations = copy.copy(spatial_sampler)
            self._all_locations.rank, self._all_locations.world_size = 0, 1
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

    def _pair(self, location: BoundingBox, window: tuple[int, int]) -> BoundingBox:
        return self.temporal_sampler.query(window, location)

    def __iter__(self) -> Iterator[BoundingBox]:
        """Yield this rank's queries of one pass (see the class docstring)."""
        generator = self._pass_generator(self.temporal_sampler.seed, per_rank=True)
        if self._all_locations is None:
            yield from self._random_locations(generator)
            return
        position = 0
        for location in self._unique_locations(self._all_locations):
            timeline, count = self._windows_at(location)
            first = position + (self.rank - position) % self.world_size
            for own in range(first, position + count, self.world_size):
                if self.temporal_sampler.strategy == "sequential":
                    yield self._pair(location, timeline[own - position])
                else:
                    yield self._pair(location, timeline.draw(generator))
            position += count

    def _random_locations(self, generator: torch.Generator) -> Iterator[BoundingBox]:
        """This rank's queries over the random spatial sampler's locations."""
        for location in self.spatial_sampler:
            timeline, count = self._windows_at(location)
            if self.temporal_sampler.strategy == "sequential":
                for position in range(count):
                    yield self._pair(location, timeline[position])
            elif count:
                yield self._pair(location, timeline.draw(generator))

    def __len__(self) -> int:
        """Queries this rank yields in the next pass."""
        if self._all_locations is None:
            # A copy draws the next pass's locations without using them up.
            upcoming = copy.copy(self.spatial_sampler)
            return sum(self._windows_at(location)[1] for location in upcoming)
        if self._total is None:
            self._total = sum(self._windows_at(location)[1] for location in self._unique_locations(self._all_locations))
        return len(range(self.rank, self._total, self.world_size))
