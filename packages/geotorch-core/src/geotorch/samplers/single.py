"""Samplers that yield one query box at a time: random patches, a sliding grid, pre-chipped tiles."""

from __future__ import annotations

import abc
import math
from collections.abc import Iterator
from typing import TYPE_CHECKING, ClassVar, Literal

import numpy as np
import torch

from geotorch.core.bbox import BoundingBox
from geotorch.core.geo import GeoDataset
from geotorch.samplers.areas import (
    RandomPatches,
    Roi,
    as_interval,
    as_region,
    find_areas,
    index_entries,
)
from geotorch.samplers.arguments import as_flag
from geotorch.samplers.constants import Units
from geotorch.samplers.distributed import Sharded, draw_seed, rank_positions
from geotorch.samplers.grid import WindowGrid
from geotorch.samplers.seeds import Seed
from geotorch.samplers.utils import Size, as_pixels, edge_slack

if TYPE_CHECKING:
    from geotorch.samplers.spatiotemporal import SpatioTemporalSampler
    from geotorch.samplers.temporal_arguments import Toi


class GeoSampler(Sharded[BoundingBox], abc.ABC):
    """Base of samplers that yield :class:`BoundingBox` queries of a :class:`GeoDataset`.

    Use one as the ``sampler`` of a DataLoader over the same dataset. Every
    sampler has :meth:`set_epoch` and splits its work by rank when
    :mod:`torch.distributed` is initialized or ``rank``/``world_size`` are given.
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
    def __iter__(self) -> Iterator[BoundingBox]:
        """Yield the queries of one pass for this rank."""

    @abc.abstractmethod
    def __len__(self) -> int:
        """The exact number of queries one pass yields on this rank."""


class SpatialSampler(GeoSampler):
    """Base of samplers that choose where: patches or windows of the dataset's x/y extent.

    TorchGeo 0.10's name for the spatial samplers; every GeoTorch sampler
    that yields one box at a time (:class:`RandomGeoSampler`,
    :class:`GridGeoSampler`, :class:`PreChippedGeoSampler` and their TorchGeo
    0.10 spellings) is one. ``spatial @ temporal`` combines one with a
    :class:`~geotorch.samplers.TemporalSampler` into a
    :class:`~geotorch.samplers.SpatioTemporalSampler`.

    Attributes:
        strategy: ``"random"`` (locations drawn anew each pass) or
            ``"sequential"`` (the same locations every pass): how
            :class:`~geotorch.samplers.SpatioTemporalSampler` pairs the
            locations with time windows.
    """

    strategy: ClassVar[Literal["random", "sequential"]]

    def __matmul__(self, other: object) -> SpatioTemporalSampler:
        """``spatial @ temporal``: :class:`~geotorch.samplers.SpatioTemporalSampler` ``(self, other)``."""
        # Imported here: the spatiotemporal module builds on this one.
        from geotorch.samplers.spatiotemporal import SpatioTemporalSampler
        from geotorch.samplers.temporal import TemporalSampler

        if not isinstance(other, TemporalSampler):
            return NotImplemented
        return SpatioTemporalSampler(self, other)


class RandomGeoSampler(SpatialSampler):
    """Patches of a fixed size at random places, for training.

    An index entry is chosen with probability proportional to its area inside
    the roi, then a position on that entry's pixel grid, uniformly among those
    that keep the whole patch inside the entry and the roi (with a polygon roi,
    inside the polygons).

    Edge policy: a patch never reaches past its entry or the roi, so it holds
    no fill; a patch may end at the last row or column, so every pixel can be
    drawn, but pixels near the edges are drawn less often than central ones
    (fewer positions cover them). Entries (or their parts inside the roi)
    smaller than a patch in either axis are never chosen; if no entry can hold
    a patch, construction fails. Use :class:`GridGeoSampler` to predict over
    areas smaller than a patch.

    All randomness comes from ``generator``: the same seed gives the same
    patches. Each pass draws new patches; after :meth:`set_epoch`, a pass
    depends only on the seed, the epoch and the rank, so epochs are
    reproducible and ranks draw different patches. Every rank yields
    ``ceil(length / world_size)`` patches, so all ranks take the same number of steps.
    """

    strategy = "random"

    def __init__(
        self,
        dataset: GeoDataset,
        size: Size,
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
            TypeError: if ``size`` or ``length`` is not made of numbers, ``units``
                is not a :class:`Units` value, or ``roi``/``toi``/``generator`` has the wrong type.
            ValueError: if ``generator`` is a negative seed, ``size``, ``length`` or ``toi`` holds NaN or infinity,
                ``size`` is not positive or not between half a pixel and
                2**31 - 1 pixels, ``length`` is not a positive whole number or
                the pass would be longer than 2**40 patches, the roi has no
                area, misses the data or holds no whole pixel of it, no area can
                hold a patch, or an area has more than 2**40 positions along an axis.
        """
        if isinstance(toi, Units):  # the 0.7-era positional order (..., roi, units)
            toi, units = None, toi
        interval = None if toi is None else as_interval(toi, "toi", type(self).__name__)
        super().__init__(dataset, rank=rank, world_size=world_size)
        self.patches = RandomPatches(dataset, size, units, roi, interval, type(self).__name__)
        self.size = self.patches.size
        self.length = self.patches.pass_length(length)
        self.seed = draw_seed(generator)

    def __iter__(self) -> Iterator[BoundingBox]:
        """Yield ``len(self)`` random patches."""
        generator = self._pass_generator(self.seed, per_rank=True)
        for _ in range(len(self)):
            yield self.patches.draw(self.patches.choose(generator), generator)

    def __len__(self) -> int:
        """Patches per pass on this rank: ``ceil(length / world_size)``."""
        return math.ceil(self.length / self.world_size)


class GridGeoSampler(SpatialSampler):
    """Windows laid on a regular grid over every index entry, for inference and evaluation.

    Pixels: ``size`` and ``stride`` are whole pixels of the dataset's grid (a
    value between is rounded to the nearest, halves up; under half a pixel is
    refused), and every window starts on a pixel edge of the entry it is laid
    on, counted from the entry's top-left corner: windows line up with the
    entry's pixels (for files in the dataset's CRS and res, the file's own
    pixels), so reads need no resampling.

    Areas: the part of each entry inside the roi (its *area*) is the entry's
    whole pixels inside the roi; an roi that holds no whole pixel along an
    axis (one thinner than a pixel, or off the grid and under two pixels)
    takes the pixels it shares some length with along that axis instead.

    Edge policy: each area is tiled from its top-left corner every
    ``stride``. The last row and column are shifted back to end exactly at the
    area's bottom and right edges, so no window reaches past the data and,
    with ``stride <= size``, every pixel of every area is covered by at least
    one window.

    Areas smaller than a window: along an axis where an area is shorter than
    the window, it gets one window starting at its top (left) edge; where an
    roi edge cuts a pixel, that pixel too (its centre may lie in a field), so
    the window holds every pixel the roi shares some area with. Where the roi
    (the dataset's bounds without roi), within the dataset's bounds, holds
    at least a window's length of pixels along that axis, the window is
    moved back as needed to stay inside them; elsewhere the window keeps the
    full requested size, anchored at the area's top-left corner, and reaches
    past the roi or the data, where a dataset reads its fill value (nodata,
    else 0). So a field smaller than a patch is still predicted, whole, in one
    window holding it at the top-left.

    With a polygon roi, the windows that share some area with the polygons are
    kept, so every pixel inside the polygons is covered; windows may reach
    past the polygons (mask the predictions with them). Windows are per index
    entry; a window identical to one already laid (an entry on the same pixel
    lattice, with the same time span, overlapping an earlier one) is yielded
    once.

    Windows are laid out lazily: memory grows with the number of entries (and
    of rows of windows, with polygons), not of windows. A pass of more than
    :data:`~geotorch.samplers.constants.MAX_WINDOWS` (2**40) windows is refused.

    A pass is split across ranks window by window. By default (``even``) every
    rank yields ``ceil(windows / world_size)`` of them, a short rank repeating
    one window of another, as torch's DistributedSampler (and Lightning's
    wrapper of TorchGeo's samplers) pads a pass: DDP training needs every rank
    to take the same number of steps. With ``even=False`` every window is
    visited exactly once over all ranks and rank lengths differ by at most
    one: for validation, testing and prediction, whose ranks may differ. A
    prediction loop of its own (``DataLoader(dataset,
    sampler=GridGeoSampler(dataset, size))`` under ``trainer.predict``)
    predicts one window twice on each short rank unless given
    ``even=False``; ``GeoDataModule.predict_dataloader`` pads nothing.
    """

    strategy = "sequential"

    def __init__(
        self,
        dataset: GeoDataset,
        size: Size,
        stride: Size | None = None,
        roi: Roi | None = None,
        toi: Toi | None = None,
        units: Units = Units.PIXELS,
        *,
        rank: int | None = None,
        world_size: int | None = None,
        even: bool = True,
    ) -> None:
        """Lay out every window.

        Args:
            dataset: the dataset to tile.
            size: window size, one number or ``(height, width)``, in ``units``;
                whole pixels (a value between is rounded to the nearest, halves up).
            stride: step between windows, like ``size`` (default: ``size``, no overlap).
            roi: a BoundingBox, Polygon or MultiPolygon in the dataset's CRS
                (default: the whole dataset); see the edge policy above.
            units: :attr:`Units.PIXELS` or :attr:`Units.CRS`: what ``size`` and ``stride`` count.
            toi: ``(start, end)`` in POSIX seconds, datetimes or datetime64 limiting the time (a :class:`Units`
                here is read as ``units``: 0.7-era code passed it after ``roi``).
            rank: this process's rank (default: from torch.distributed, else 0).
            world_size: how many ranks share the work (default: from torch.distributed, else 1).
            even: give every rank as many windows, repeating up to one window of another rank each (see above);
                False: each window once over all ranks.

        Raises:
            TypeError: if ``size`` or ``stride`` is not one or two numbers,
                ``units`` is not a :class:`Units` value, or ``roi``/``toi`` has the wrong type.
            ValueError: if ``size``, ``stride`` or ``toi`` holds a number that is
                NaN, infinite or (for sizes) not positive, a size or stride is
                under half a pixel or over 2**31 - 1 pixels, the roi has no area
                or misses the data, the pass would hold more than 2**40 windows
                (or, with polygons, 2**22 rows of them), or no window shares area
                with the roi polygons.
        """
        if isinstance(toi, Units):  # the 0.7-era positional order (..., roi, units)
            toi, units = None, toi
        super().__init__(dataset, rank=rank, world_size=world_size)
        owner = type(self).__name__
        interval = None if toi is None else as_interval(toi, "toi", owner)
        pixels = as_pixels(size, units, self.res, owner=owner)
        steps = pixels if stride is None else as_pixels(stride, units, self.res, "stride", owner)
        self.size = (pixels[0] * self.res[1], pixels[1] * self.res[0])
        self.stride = (steps[0] * self.res[1], steps[1] * self.res[0])
        self.region = as_region(roi, interval, dataset, owner)
        areas = find_areas(dataset, self.region, owner, touching=True)
        limits = self.region.bbox & dataset.bounds
        given = f"size={size!r}" if stride is None else f"size={size!r}, stride={stride!r}"
        describe = f"{owner}: {given} ({pixels[0]} x {pixels[1]} pixels every {steps[0]} x {steps[1]})"
        self.grid = WindowGrid(areas, limits, self.region, pixels, steps, self.res, describe)
        if len(self.grid) == 0:
            raise ValueError(
                f"{owner}: no window of size={size!r} shares area with the roi polygon {self.region.bbox}; "
                f"the polygon lies between whole pixels of the data: use a wider roi"
            )
        self.even = as_flag(even, "even", type(self).__name__)

    def __iter__(self) -> Iterator[BoundingBox]:
        """Yield this rank's windows, entry by entry, row by row, then the window repeated to even out ranks."""
        total = len(self.grid)
        positions = rank_positions(total, self.rank, self.world_size, even=self.even)
        yield from self.grid.windows(self.rank, self.world_size)
        for position in positions[len(range(self.rank, total, self.world_size)):]:
            yield next(self.grid.windows(position % total, total))

    def __len__(self) -> int:
        """Windows this rank yields."""
        return len(rank_positions(len(self.grid), self.rank, self.world_size, even=self.even))


class PreChippedGeoSampler(SpatialSampler):
    """Each index entry once, whole: for datasets whose files are already chips.

    Edge policy: a query is an entry's own box, whatever its size, so nothing
    is cut, shifted or padded here; chips of different sizes give samples of
    different sizes (collate them with care). With an roi, only entries fully
    inside it (and, with a polygon roi, inside the polygons) are yielded, an
    edge within a millionth of a pixel of the roi's counting as on it; an
    entry crossing the roi's edge is left out, not cut. Identical entries
    (same footprint and time) are yielded once. A pass is split across ranks
    entry by entry, after shuffling when asked: by default (``even``) every
    rank yields ``ceil(entries / world_size)`` chips, a short rank repeating
    one chip of another, as torch's DistributedSampler pads a pass (DDP
    training needs every rank to take the same number of steps); with
    ``even=False`` every entry is visited exactly once over all ranks: for
    validation, testing and prediction, whose ranks may differ. All
    ranks must shuffle alike: give every rank the same ``generator`` seed;
    without one, a sampler of more than one rank shuffles from seed 0 (new orders each epoch and pass, as torch's
    DistributedSampler), one of a single rank from torch's default generator.
    """

    strategy = "sequential"

    def __init__(
        self,
        dataset: GeoDataset,
        roi: Roi | None = None,
        toi: Toi | None = None,
        shuffle: bool = False,
        generator: Seed | None = None,
        *,
        rank: int | None = None,
        world_size: int | None = None,
        even: bool = True,
    ) -> None:
        """Collect the entries inside the roi.

        Args:
            dataset: the dataset whose entries are the chips.
            roi: a BoundingBox, Polygon or MultiPolygon in the dataset's CRS
                (default: the whole dataset).
            toi: ``(start, end)`` in POSIX seconds, datetimes or datetime64: entries overlapping it, their
                times cut to it.
            shuffle: visit the entries in a new random order each pass.
            generator: source of the shuffling: a seed (an int, or a list of ints), a torch generator or a numpy
                random source (default: torch's default generator on one rank, seed 0 shared by several).
            rank: this process's rank (default: from torch.distributed, else 0).
            world_size: how many ranks share the work (default: from torch.distributed, else 1).
            even: give every rank as many chips, repeating up to one chip of another rank each (see above);
                False: each chip once over all ranks.

        Raises:
            TypeError: if ``generator`` has the wrong type.
            ValueError: if no entry lies inside the roi, or ``generator`` is a negative seed.
        """
        super().__init__(dataset, rank=rank, world_size=world_size)
        interval = None if toi is None else as_interval(toi, "toi", type(self).__name__)
        self.region = as_region(roi, interval, dataset, type(self).__name__)
        box = self.region.bbox
        # A chip edge within LATTICE_TOLERANCE pixels of the roi's counts as on it: an roi computed from
        # coordinates (-105 + 64 * res) differs from the files' edges (GDAL's left + width * res) in the last bits;
        # one given in float32 by up to float32's spacing there (see edge_slack).
        slack_x = max(edge_slack(box.minx, self.res[0]), edge_slack(box.maxx, self.res[0]))
        slack_y = max(edge_slack(box.miny, self.res[1]), edge_slack(box.maxy, self.res[1]))
        area = BoundingBox(box.minx - slack_x, box.maxx + slack_x, box.miny - slack_y, box.maxy + slack_y)
        chips = np.array([
            tuple(entry) for entry, _ in index_entries(dataset)
            if entry in area and entry.mint <= box.maxt and entry.maxt >= box.mint
        ])
        chips = chips.reshape(-1, 6)
        # As in TorchGeo 0.10.1, a chip's time is its entry's cut to the toi.
        chips[:, 4] = np.maximum(chips[:, 4], box.mint)
        chips[:, 5] = np.minimum(chips[:, 5], box.maxt)
        _, first = np.unique(chips, axis=0, return_index=True)
        chips = chips[np.sort(first)]
        self.chips = chips[self.region.covers(chips + np.array([slack_x, -slack_x, slack_y, -slack_y, 0, 0]))]
        if len(self.chips) == 0:
            raise ValueError(
                f"{type(self).__name__}: no entry of {type(dataset).__name__} lies inside the roi "
                f"{self.region.bbox} (dataset bounds {dataset.bounds})"
            )
        self.shuffle = shuffle
        self.seed = draw_seed(generator) if shuffle else 0
        self._seeded = generator is not None
        self.even = as_flag(even, "even", type(self).__name__)

    def __iter__(self) -> Iterator[BoundingBox]:
        """Yield this rank's chips, in index order or shuffled, then the chip repeated to even out ranks."""
        total = len(self.chips)
        order = torch.arange(total)
        if self.shuffle:
            seed = self._shared_seed(self.seed, self._seeded)
            order = torch.randperm(total, generator=self._pass_generator(seed, per_rank=False))
        for position in rank_positions(total, self.rank, self.world_size, even=self.even):
            yield BoundingBox(*self.chips[int(order[position % total])].tolist())

    def __len__(self) -> int:
        """Chips this rank yields."""
        return len(rank_positions(len(self.chips), self.rank, self.world_size, even=self.even))
