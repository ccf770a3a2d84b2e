"""GeoDataset: the base of every dataset queried by a spatiotemporal bounding box."""

from __future__ import annotations

import abc
import itertools
import math
import sys
import warnings
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar, Self, cast

import numpy as np
import rtree.index
import torch
from torch.utils.data import Dataset

from geotorch.core.bbox import BoundingBox, as_seconds
from geotorch.core.index import Footprint as Footprint
from geotorch.core.index import UnexpressedFootprint as UnexpressedFootprint
from geotorch.core.index import build_index as build_index
from geotorch.core.index import footprint_boxes as footprint_boxes
from geotorch.core.index import packed_index as packed_index
from geotorch.core.reals import as_real
from geotorch.core.sample import Sample, Transform
from geotorch.core.url_secrets import redacted

if TYPE_CHECKING:
    from rasterio.crs import CRS

    from geotorch.core.composition import IntersectionDataset, UnionDataset
    from geotorch.core.crs import CRSLike

Query = BoundingBox | tuple[slice, ...]


class GeoDataset(Dataset[Sample], abc.ABC):
    """A dataset indexed by space and time and queried with a :class:`BoundingBox`.

    Subclasses set ``crs``, ``res`` and ``index`` (usually with
    :meth:`_index_footprints`) and implement :meth:`_getitem`, which receives the
    index entries :meth:`__getitem__` found for the query: the R-tree is asked once
    per sample, not again by the read. Slices are
    accepted too: ``ds[minx:maxx, miny:maxy]`` or ``ds[minx:maxx, miny:maxy, mint:maxt]``,
    where a missing limit defaults to the dataset's bounds.

    ``ds1 & ds2`` and ``ds1 | ds2`` build an :class:`IntersectionDataset` and a
    :class:`UnionDataset` on the first operand's grid; neither operand is changed.

    Every sample carries ``crs``, ``bounds`` (the query as a BoundingBox) and
    ``transform``: the affine of the sample's grid as TorchGeo 0.10 gives it,
    ``torch.tensor(Affine(res_x, 0, minx, 0, -res_y, maxy))``, 9 numbers of the
    default float dtype (see :func:`grid_transform`). :meth:`__getitem__` adds it
    when :meth:`_getitem` has not: a subclass whose samples lie on another grid
    (another resolution) sets its own.
    """

    _crs: CRS
    _res: tuple[float, float]
    index: rtree.index.Index
    transforms: Transform | None = None
    _footprints: list[Footprint] | None = None
    #: Whether :meth:`_getitem` reads a geographic item whose longitudes run past the antimeridian
    #: (a 0..360 grid) where it lies on the globe; its index entries then lie there too, within the
    #: canonical longitudes of a geographic CRS. Otherwise items are indexed at their own longitudes.
    wraps_longitudes: ClassVar[bool] = False

    @property
    def crs(self) -> CRS:
        """The coordinate reference system of queries and samples."""
        return self._crs

    @property
    def res(self) -> tuple[float, float]:
        """Pixel size ``(x, y)`` of samples, in CRS units."""
        return self._res

    @property
    def bounds(self) -> BoundingBox:
        """The box covering every indexed item.

        Raises:
            ValueError: if the index is empty.
        """
        if len(self.index) == 0:
            raise ValueError(f"{type(self).__name__} has an empty index: it has no bounds")
        minx, maxx, miny, maxy, mint, maxt = self.index.bounds
        return BoundingBox(minx, maxx, miny, maxy, mint, maxt)

    @property
    def fill(self) -> float:
        """The value samples hold, in every channel, at pixels where the dataset has no data (0 here).

        A :class:`~geotorch.core.RasterDataset`'s is its ``nodata``, else its first file's, else 0
        (NaN for a float file of NaN nodata), as read: before ``labels_of`` and ``transforms``
        (see :meth:`fill_of`).
        """
        return 0.0

    def fill_of(self, key: str) -> float:
        """The value the samples' tensor ``key`` (``"image"``, ``"mask"``) holds at pixels without data.

        :attr:`fill` here. A :class:`~geotorch.core.RasterDataset`'s mask holds its fill as
        ``labels_of`` maps it; an :class:`IntersectionDataset` gives each key the fill of the operand
        that reads it (an image of NaN nodata beside a mask of 0). :class:`UnionDataset` takes a
        pixel from its second operand where the first holds this value in every channel. Values
        ``transforms`` change are not followed.
        """
        return self.fill

    @property
    @abc.abstractmethod
    def channels(self) -> Mapping[str, int]:
        """How many channels each tensor key of a sample carries, e.g. ``{"image": 7}``."""

    @property
    def files(self) -> list[str]:
        """The indexed items (file paths, URLs), sorted, each once: TorchGeo 0.10.1's ``files``.

        For a ``separate_files`` product each scene is listed once, by the file its index entry names; a
        union or intersection lists its datasets' files; a split (see :mod:`geotorch.samplers.splits`)
        the files of its own index entries.
        """
        footprints = getattr(self, "_footprints", None)
        index = getattr(self, "index", None)
        if footprints is not None:
            items = {str(footprint.item) for footprint in footprints}
        elif isinstance(index, rtree.index.Index) and len(index):
            # A split's view keeps its entries' items in its index only.
            items = {str(hit.object) for hit in index.intersection(index.bounds, objects=True)}
        else:
            items = set()
        for dataset in getattr(self, "datasets", ()):
            items.update(dataset.files)
        return sorted(items)

    def __len__(self) -> int:
        """Number of items (files, scenes, feature collections) in the index."""
        return len(self.index)

    def __getitem__(self, query: Query) -> Sample:
        """Read the sample covering ``query``.

        Args:
            query: a BoundingBox in the dataset's CRS, or a tuple of slices.

        Returns:
            A sample dict with ``crs``, ``bounds``, ``transform`` and ``image`` and/or ``mask``.

        Raises:
            IndexError: if the query intersects no indexed item.
        """
        bbox = self.as_bbox(query)
        # The one R-tree lookup of the sample: its entries are handed to the read.
        hits = sorted(self.index.intersection(tuple(bbox), objects=True), key=lambda hit: hit.id)
        if not hits:
            raise IndexError(f"{type(self).__name__}: query {bbox} is outside the data (bounds {self.bounds})")
        sample = self._getitem(bbox, hits)
        if "transform" not in sample:
            sample["transform"] = grid_transform(bbox, self.res)
        if self.transforms is not None:
            sample = self.transforms(sample)
        return sample

    @abc.abstractmethod
    def _getitem(self, query: BoundingBox, hits: Sequence[rtree.index.Item]) -> Sample:
        """Read the sample covering ``query`` from ``hits``: the entries it intersects, in index order (never empty)."""

    def as_bbox(self, query: Query) -> BoundingBox:
        """Turn a query (a BoundingBox or slices) into a BoundingBox.

        Slice limits are numbers; time limits also datetimes (pandas Timestamps
        included) or numpy datetime64; naive ones are read as UTC, like the dates
        in file names. A missing limit (None) is the dataset's bound.

        Raises:
            TypeError: if ``query`` is neither.
            ValueError: if a slice has a step or there are not 2 or 3 slices, or a limit is NaN,
                infinite or NaT (pandas' or numpy's), naming it (as the BoundingBox does).
        """
        if isinstance(query, BoundingBox):
            return query
        if not isinstance(query, tuple) or not all(isinstance(part, slice) for part in query):
            raise TypeError(f"{type(self).__name__}: query must be a BoundingBox or slices, got {query!r}")
        if len(query) not in (2, 3):
            raise ValueError(f"{type(self).__name__}: give x and y slices, optionally t, got {len(query)} slices")
        bounds = self.bounds
        defaults = ((bounds.minx, bounds.maxx), (bounds.miny, bounds.maxy), (bounds.mint, bounds.maxt))
        limits: list[float] = []
        for part, (low, high) in zip(query + (slice(None),) * (3 - len(query)), defaults, strict=True):
            if part.step is not None:
                raise ValueError(f"{type(self).__name__}: slice steps are not supported, got {part}")
            limits += [_as_float(part.start, low), _as_float(part.stop, high)]
        return BoundingBox(*limits)

    def to(self, crs: CRSLike | None = None, res: float | tuple[float, float] | None = None) -> Self:
        """A view of this dataset on another CRS and/or resolution; this one is unchanged.

        Args:
            crs: the view's CRS (this dataset's when None).
            res: the view's pixel size in the view's CRS units. When None, this dataset's
                ``res`` expressed in the units of ``crs`` (GDAL's suggestion for warping this
                dataset's grid there: 30 m pixels in UTM become about 0.00027 degrees in
                EPSG:4326, not 30 degrees), or this dataset's when the CRS does not change.

        Returns:
            A shallow copy whose index and samples are in ``crs`` at ``res``.

        Raises:
            TypeError: if ``res`` is not a number or a pair of numbers.
            ValueError: if ``res`` is not positive and finite, ``crs`` is not a CRS rasterio reads, or
                PROJ relates it to the dataset's CRS by no operation (one of them engineering, local).
            NotImplementedError: if the view has no footprints to move to another CRS (a split).
        """
        # A plain shallow copy: copy.copy would go through __getstate__ and rebuild the index for nothing.
        view = type(self).__new__(type(self))
        view.__dict__.update(self.__dict__)
        from geotorch.core.crs import as_crs, same_crs

        view._crs = self.crs if crs is None else as_crs(crs, type(self).__name__)
        # Moved to another CRS, the pixel size is measured in its units (metres are not degrees).
        view._res = self._res_in(view._crs) if res is None else as_res(res)
        if not same_crs(view._crs, self.crs):
            view._retarget_index()
        return view

    def _res_in(self, crs: CRS) -> tuple[float, float]:
        """This dataset's ``res`` in ``crs`` units, as GDAL suggests it for a warp of its first entry there.

        The first entry (usually a file), as the constructor takes the first file's pixel size: the
        bounds of a whole dataset may span a continent, or the globe for a file across the antimeridian.
        """
        from pyproj.exceptions import ProjError

        from geotorch.core.crs import crs_name, same_crs
        from geotorch.core.geotransform import res_in

        if same_crs(crs, self.crs) or len(self.index) == 0:
            return self.res
        first = min(self.index.intersection(self.index.bounds, objects=True), key=lambda hit: hit.id)
        minx, maxx, miny, maxy = first.bounds[:4]
        try:
            return res_in(self.crs, crs, (minx, miny, maxx, maxy), self.res)
        except ProjError as error:
            raise ValueError(f"{type(self).__name__}: cannot move to crs={crs_name(crs)}: {error}") from error

    def _retarget_index(self) -> None:
        """Rebuild the index in ``self.crs`` (after :meth:`to` changed it)."""
        if self._footprints is None:
            raise NotImplementedError(
                f"{type(self).__name__}: this view (a split, or a subclass without footprints) cannot be moved to "
                "another CRS; build the dataset on the wanted CRS first (crs=...), then split or compose it"
            )
        self._index_footprints(self._footprints)

    def _index_footprints(self, footprints: list[Footprint]) -> None:
        """Index ``footprints`` in ``self.crs`` and keep them for later reprojection.

        A footprint crossing the antimeridian of ``self.crs`` becomes two entries, one each side.
        When the dataset :attr:`wraps_longitudes`, a geographic ``self.crs`` is indexed in its
        canonical longitudes (-180 to 180 degrees) whatever the items' longitudes: the half of
        a 0..360 grid east of 180 answers queries at -180..0.

        A footprint ``self.crs`` cannot express (a tile on the far side of the Earth from a geostationary
        view) is left out of the index with a warning naming its item, as TorchGeo skips files it cannot
        open: one such file does not stop a dataset of many; all of them are kept for :meth:`to`.

        Raises:
            ValueError: if PROJ relates no operation between a footprint's CRS and ``self.crs`` (a local
                CRS), or no footprint can be indexed in ``self.crs``, naming the first item and why.
        """
        owner = type(self).__name__
        self._footprints = footprints
        entries: list[tuple[tuple[float, ...], Any]] = []
        refused: list[UnexpressedFootprint] = []
        for footprint in footprints:
            try:
                boxes = footprint_boxes(footprint, self.crs, self.wraps_longitudes)
            except UnexpressedFootprint as error:
                refused.append(error)
                continue
            entries.extend(((*box, footprint.mint, footprint.maxt), footprint.item) for box in boxes)
        if refused and not entries:
            raise refused[0]
        for skipped in refused:
            warnings.warn(redacted(f"{owner}: skipping {skipped.item}: {skipped.reason}"), UserWarning, stacklevel=3)
        self.index = build_index(entries)

    def __getstate__(self) -> dict[str, Any]:
        """The dataset's attributes, its R-tree as a list of entries: an rtree index pickles empty."""
        state = self.__dict__.copy()
        index = state.get("index")
        if isinstance(index, rtree.index.Index):
            hits = index.intersection(index.bounds, objects=True) if len(index) else []
            state["index"] = [(hit.id, tuple(hit.bounds), hit.object) for hit in hits]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        """Restore the attributes and rebuild the R-tree with the same ids, bounds and items."""
        entries = state.get("index")
        if isinstance(entries, list):
            state = {**state, "index": packed_index([(number, tuple(box), item) for number, box, item in entries])}
        self.__dict__.update(state)

    def __and__(self, other: GeoDataset) -> IntersectionDataset:
        """Samples where both datasets have data, on this dataset's grid."""
        from geotorch.core.composition import IntersectionDataset

        return IntersectionDataset(self, other)

    def __or__(self, other: GeoDataset) -> UnionDataset:
        """Samples where either dataset has data, on this dataset's grid."""
        from geotorch.core.composition import UnionDataset

        return UnionDataset(self, other)

    def __str__(self) -> str:
        """A one-paragraph summary: type, size, CRS, resolution and bounds."""
        return (
            f"{type(self).__name__} with {len(self)} items\n"
            f"    crs: {self.crs}\n    res: {self.res}\n    bounds: {self.bounds if len(self) else None}"
        )


def as_res(res: float | tuple[float, float]) -> tuple[float, float]:
    """Normalise a resolution to ``(x, y)`` positive finite floats.

    Args:
        res: one pixel size for both axes, or ``(x, y)``, in CRS units; numbers
            may be numpy numbers or 0-d tensors or arrays.

    Raises:
        TypeError: if ``res`` is not a number or a pair of numbers (bools and strings are not numbers).
        ValueError: if a component is not positive, not finite (NaN, inf), or
            subnormal (below ``sys.float_info.min``, about 2.2e-308), where a
            count of pixels over any extent overflows.
    """
    single = as_real(res)
    parts: tuple[float | None, ...] = ()
    if single is not None:
        parts = (single, single)
    elif isinstance(res, Iterable) and not isinstance(res, (str, bytes)) and getattr(res, "ndim", 1) != 0:
        # Three at most: enough to tell a pair from anything longer, without reading a huge iterable.
        parts = tuple(as_real(part) for part in itertools.islice(res, 3))
    sizes = [part for part in parts if part is not None]
    if len(parts) != 2 or len(sizes) != 2:
        raise TypeError(f"res={res!r} must be a number or an (x, y) pair of numbers")
    if not all(math.isfinite(size) and size > 0 for size in sizes):
        raise ValueError(f"res={res!r} must be positive and finite (not NaN or infinite)")
    if min(sizes) < sys.float_info.min:
        raise ValueError(
            f"res={res!r} is subnormal (below {sys.float_info.min:.3g}): the pixel count of any extent "
            f"would overflow; give the pixel size in the dataset's CRS units"
        )
    return sizes[0], sizes[1]


def grid_transform(bbox: BoundingBox, res: tuple[float, float]) -> torch.Tensor:
    """The ``transform`` of a sample covering ``bbox`` at pixel size ``res``, as TorchGeo 0.10 gives it.

    Args:
        bbox: the sample's box; its top-left corner ``(minx, maxy)`` is the grid's origin.
        res: pixel size ``(x, y)`` in CRS units; rows run southwards (north-up).

    Returns:
        ``torch.tensor(rasterio.transform.from_origin(minx, maxy, *res))``: the 9 numbers
        ``(a, b, c, d, e, f, g, h, i)`` of the affine, of the default float dtype (float32):
        ``Affine(*transform[:6].tolist())`` rebuilds it (``bounds`` holds the exact corner).
    """
    return torch.tensor([res[0], 0.0, bbox.minx, 0.0, -res[1], bbox.maxy, 0.0, 0.0, 1.0])


def _as_float(value: Any, default: float) -> float:
    if value is None:
        return default
    if isinstance(value, datetime | np.datetime64):
        # File dates are parsed as UTC, so a naive limit must be too, whatever the local time zone. A NaT is NaN,
        # refused by BoundingBox as a NaN limit is (None, not NaT, is the open limit).
        return as_seconds(value)
    # Left to BoundingBox, which refuses a string or a bool naming the field (float() takes "10" and True).
    return cast(float, value)
