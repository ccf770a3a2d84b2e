"""IntersectionDataset and UnionDataset: the results of ``&`` and ``|`` on GeoDatasets."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Self

from geotorch.core.bbox import MAX_TIME, MIN_TIME, BoundingBox, format_time, snap_inward
from geotorch.core.collate import concat_samples, merge_samples
from geotorch.core.geo import GeoDataset, build_index
from geotorch.core.nodata import same_value
from geotorch.core.sample import Sample, Transform
from geotorch.core.timeseries import is_time_series, on_series_time, operand_query, operands_under

if TYPE_CHECKING:
    import rtree.index
    from rasterio.crs import CRS

    from geotorch.core.crs import CRSLike

Collate = Callable[[list[Sample]], Sample]


def _on_grid(dataset: GeoDataset, crs: CRS, res: tuple[float, float]) -> GeoDataset:
    """``dataset`` itself when already on the grid, else a view of it on the grid."""
    from geotorch.core.crs import same_crs

    if same_crs(dataset.crs, crs) and dataset.res == res:
        return dataset
    return dataset.to(crs, res)


def _listed(times: set[float]) -> str:
    """Times in POSIX seconds for a message, earliest first: all of up to 4, else the first 3 and how many."""
    ordered = [format_time(time) for time in sorted(times)]
    return ", ".join(ordered) if len(ordered) <= 4 else f"{', '.join(ordered[:3])}, ... ({len(ordered)} dates)"


class _Composite(GeoDataset):
    """Two datasets seen on the first one's CRS and resolution."""

    def __init__(
        self,
        first: GeoDataset,
        second: GeoDataset,
        collate_fn: Collate,
        transforms: Transform | None = None,
    ) -> None:
        for operand in (first, second):
            if not isinstance(operand, GeoDataset):
                raise TypeError(f"{type(self).__name__}: operands must be GeoDatasets, got {type(operand).__name__}")
        self._crs = first.crs
        self._res = first.res
        self.datasets = (first, _on_grid(second, first.crs, first.res))
        #: Whether an operand stacks its samples along time (``time_series=True``).
        self.time_series = is_time_series(first) or is_time_series(second)
        self.collate_fn = collate_fn
        self.transforms = transforms
        self._build_index()

    def _build_index(self) -> None:
        raise NotImplementedError

    def to(self, crs: CRSLike | None = None, res: float | tuple[float, float] | None = None) -> Self:
        """A view of the composition on another grid; the operands are unchanged.

        Without ``res``, the first operand's ``res`` in the units of ``crs`` (see :meth:`GeoDataset.to`).
        """
        first = self.datasets[0].to(crs, res)
        return type(self)(first, self.datasets[1], self.collate_fn, self.transforms)

    def _names(self) -> str:
        return " and ".join(type(dataset).__name__ for dataset in self.datasets)


class IntersectionDataset(_Composite):
    """Samples where both datasets have data; their tensors are concatenated.

    The result is on the first dataset's CRS and resolution; the second is
    read through a view on that grid, so neither operand is modified. Each
    index entry is the overlap of an entry of each operand and carries the
    first operand's item (for ``images & labels``, the image file), so
    per-file consumers such as prediction writers name it after that file.

    When an operand is a time series (``time_series=True``), the datasets intersect in space
    only (TorchGeo's ``spatial_only=True``): ``series & label`` keeps every date of the series
    beside a label of another date. Each entry then carries the time of the series' entry (its
    date), so temporal samplers see the series' dates; the series is read at the query's time
    (which selects its dates), the other operand at the query's time where it has data then, else
    over its whole time span. The result is itself a time series (``time_series`` True). Two time
    series join their steps at equal start times, as :func:`concat_samples` does (a step's ``time`` is
    the start of its interval): only the entries of the first whose date starts when a date of the
    second starts where they overlap are indexed, so samplers pick the dates both have, and a query
    over dates only one of them has reads the steps both have. Intervals that merely overlap do not
    join: a daily series & a monthly one join on the first day of each month only.
    """

    def __init__(
        self,
        dataset1: GeoDataset,
        dataset2: GeoDataset,
        collate_fn: Collate = concat_samples,
        transforms: Transform | None = None,
    ) -> None:
        """Intersect two datasets.

        Raises:
            ValueError: if the datasets share no area and time span (no area, for a time series), or
                both are time series and no date of one starts when a date of the other starts where
                they overlap (their steps, joined at equal start times, would never match), naming
                both and their start dates there.
        """
        super().__init__(dataset1, dataset2, collate_fn, transforms)

    def _build_index(self) -> None:
        first, second = self.datasets
        overlaps = []
        both_series = is_time_series(first) and is_time_series(second)
        for hit in sorted(first.index.intersection(first.index.bounds, objects=True), key=lambda hit: hit.id):
            box = BoundingBox(*hit.bounds)
            window = (*hit.bounds[:4], MIN_TIME, MAX_TIME) if self.time_series else hit.bounds
            for other in second.index.intersection(window, objects=True):
                pair = (box, BoundingBox(*other.bounds))
                mine, theirs = on_series_time(*pair, is_time_series(first)) if self.time_series else pair
                # On the first entry's pixels (a file's, in the dataset's CRS): patches sampled from
                # the intersection then read that file exactly, without resampling.
                shared = snap_inward(mine & theirs, mine, first.res)
                if shared is not None:
                    overlaps.append((tuple(shared), hit.object, (pair[0].mint, pair[1].mint)))
        if not overlaps:
            raise ValueError(
                f"IntersectionDataset: {self._names()} do not overlap in space and time "
                f"(bounds {first.bounds} and {second.bounds} in {first.crs})"
            )
        # Two series join their steps at equal start times (concat_samples): only such entries are indexed.
        entries = [(shared, item) for shared, item, starts in overlaps if starts[0] == starts[1] or not both_series]
        if not entries:
            dates = " and ".join(_listed({starts[side] for _, _, starts in overlaps}) for side in (0, 1))
            raise ValueError(
                f"IntersectionDataset: {self._names()} are both time series, and where they overlap no date of "
                f"one starts when a date of the other starts (dates starting {dates}), so no window would have "
                f"steps to join (steps join at equal start times, not where their intervals overlap); give them "
                f"the same dates, or make one a single-date dataset (time_series=False)"
            )
        self.index = build_index(entries)

    @property
    def fill(self) -> float:
        """The operands' fill when they share one (NaN matching NaN), else 0 (the default of a sample)."""
        first, second = (dataset.fill for dataset in self.datasets)
        return first if same_value(first, second) else 0.0

    def fill_of(self, key: str) -> float:
        """The fill of ``key`` in the operand giving it (``image`` from one, ``mask`` from the other).

        A key both operands give has their fill when they share one, else 0.
        """
        fills = [dataset.fill_of(key) for dataset in self.datasets if key in dataset.channels]
        if len(fills) == 1 or (len(fills) == 2 and same_value(*fills)):
            return fills[0]
        return 0.0

    @property
    def channels(self) -> Mapping[str, int]:
        """Channels of both operands added up per key."""
        total: dict[str, int] = {}
        for dataset in self.datasets:
            for key, count in dataset.channels.items():
                total[key] = total.get(key, 0) + count
        return total

    def _getitem(self, query: BoundingBox, hits: Sequence[rtree.index.Item]) -> Sample:
        # Each operand is read through its own __getitem__ (a subclass may post-process its samples there),
        # which asks its own index once.
        if self.time_series:
            return self.collate_fn([dataset[operand_query(dataset, query)] for dataset in self.datasets])
        return self.collate_fn([dataset[query] for dataset in self.datasets])


class UnionDataset(_Composite):
    """Samples where either dataset has data; where both do, the first wins pixel by pixel.

    The result is on the first dataset's CRS and resolution; neither operand
    is modified. Both must give the same sample keys and channel counts. The
    index holds every entry of both operands, each with its own item (the
    file it was read from).

    A pixel is taken from the second operand where the first holds its
    fill in every channel (its :meth:`~GeoDataset.fill_of` the key: its nodata, NaN,
    -9999, ... for rasters whose files have one, else 0); pixels where neither has data hold the
    first's fill, also in windows only the second operand meets. A ``collate_fn``
    other than :func:`merge_samples` gets the samples alone.
    """

    def __init__(
        self,
        dataset1: GeoDataset,
        dataset2: GeoDataset,
        collate_fn: Collate = merge_samples,
        transforms: Transform | None = None,
    ) -> None:
        """Unite two datasets.

        Raises:
            ValueError: if their samples differ in keys (an image and a mask: pair those with ``&``) or channel
                counts (naming both), or one is a time series
                and the other is not (their samples would differ in shape).
        """
        if is_time_series(dataset1) != is_time_series(dataset2):
            series, single = (dataset1, dataset2) if is_time_series(dataset1) else (dataset2, dataset1)
            raise ValueError(
                f"UnionDataset: {type(series).__name__} is a time series (time_series=True, samples (T, C, H, W)) "
                f"but {type(single).__name__} is not (samples (C, H, W)); give both time_series=True to overlay "
                f"them date by date, or neither to mosaic all files into one image"
            )
        if dict(dataset1.channels) != dict(dataset2.channels):
            # Other keys (an image beside a mask) are no matter of bands: they are paired with &, not overlaid.
            fix = "select bands so both match" if set(dataset1.channels) == set(dataset2.channels) else (
                "a union overlays datasets of the same keys; to pair images with masks, use & (IntersectionDataset)"
            )
            raise ValueError(
                f"UnionDataset: {type(dataset1).__name__} gives {dict(dataset1.channels)} but "
                f"{type(dataset2).__name__} gives {dict(dataset2.channels)}; {fix}"
            )
        super().__init__(dataset1, dataset2, collate_fn, transforms)

    def _build_index(self) -> None:
        entries: list[tuple[tuple[float, ...], Any]] = []
        for dataset in self.datasets:
            if len(dataset):
                # In the operands' insertion order, not the R-tree's (a packed tree lists entries by place).
                hits = sorted(dataset.index.intersection(dataset.index.bounds, objects=True), key=lambda hit: hit.id)
                entries += [(tuple(hit.bounds), hit.object) for hit in hits]
        self.index = build_index(entries)

    @property
    def channels(self) -> Mapping[str, int]:
        """The operands' (equal) channels."""
        return self.datasets[0].channels

    @property
    def fill(self) -> float:
        """The first operand's fill: the value of pixels where neither operand has data."""
        return self.datasets[0].fill

    def fill_of(self, key: str) -> float:
        """The first operand's fill of ``key``."""
        return self.datasets[0].fill_of(key)

    def _getitem(self, query: BoundingBox, hits: Sequence[rtree.index.Item]) -> Sample:
        # Only the operands that have data there are read; each through its own __getitem__ (a subclass may
        # post-process its samples there), which asks its index again: the price of honouring such overrides.
        operands = operands_under(self.datasets, query)
        samples = [dataset[query] for dataset in operands]
        if self.collate_fn is merge_samples:
            # Each operand's pixels without data hold its own fill (NaN, a nodata value), not always 0, key by key.
            fills = [{key: dataset.fill_of(key) for key in dataset.channels} for dataset in operands]
            return merge_samples(samples, fills=fills, fill={key: self.fill_of(key) for key in self.channels})
        return self.collate_fn(samples)
