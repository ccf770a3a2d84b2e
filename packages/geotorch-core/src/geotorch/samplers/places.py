"""Where spatial samplers draw from a time series: each place of its files once, over all of its dates."""

from __future__ import annotations

import copy
from typing import Any, TypeVar

from geotorch.core.bbox import BoundingBox
from geotorch.core.geo import GeoDataset, build_index
from geotorch.core.timeseries import is_time_series
from geotorch.samplers.areas import index_entries

Dataset = TypeVar("Dataset", bound=GeoDataset)


def series_places(dataset: Dataset) -> Dataset:
    """A view of a time series for spatial samplers: each footprint of its index entries once, over all its dates.

    A spatial sampler (:class:`~geotorch.samplers.RandomGeoSampler`, :class:`~geotorch.samplers.RandomBatchGeoSampler`,
    :class:`~geotorch.samplers.GridGeoSampler`) lays its patches on each index entry and dates each query as its
    entry: over a series of 12 dates of one tile, a grid yields every window 12 times, each query reading one date
    (a ``(1, C, H, W)`` sample), and random patches weigh a tile by its number of dates. The view's index holds
    each distinct footprint (x/y box) of the entries once, dated from the first to the last instant of ``dataset``
    (its bounds' ``mint`` and ``maxt``): over it a grid yields each window once, random patches weigh places by
    their area alone, and every query, read from ``dataset``, gives all the dates there, ``(T, C, H, W)``.

    Read samples from ``dataset``, not from the view: the view keeps one file of each place. A dataset that is
    no time series (``time_series`` not True) is returned as it is, as is an empty one.

    Args:
        dataset: the dataset the samples will be read from.

    Returns:
        The view (a shallow copy of ``dataset`` with its own index), or ``dataset`` itself.
    """
    if not is_time_series(dataset) or len(dataset) == 0:
        return dataset
    bounds = dataset.bounds
    places: dict[tuple[float, float, float, float], tuple[BoundingBox, Any]] = {}
    for box, item in index_entries(dataset):
        footprint = (box.minx, box.maxx, box.miny, box.maxy)
        places.setdefault(footprint, (BoundingBox(*footprint, bounds.mint, bounds.maxt), item))
    view = copy.copy(dataset)
    view.index = build_index((tuple(box), item) for box, item in places.values())
    # The footprints describe the files: reprojecting them in ``to`` would undo the view.
    view._footprints = None
    return view
