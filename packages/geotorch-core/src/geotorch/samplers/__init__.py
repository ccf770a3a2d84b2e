"""GeoTorch samplers: where to read patches of a GeoDataset, and how to split one into train/val/test views.

Names are imported on first use, so ``import geotorch.samplers`` loads neither torch nor GDAL; the
``if TYPE_CHECKING:`` imports below are the one list of public names (see :mod:`geotorch.core.exports`).
"""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from geotorch.core.version import __version__ as __version__
    from geotorch.samplers.areas import index_entries as index_entries
    from geotorch.samplers.arguments import as_count as as_count
    from geotorch.samplers.arguments import as_count_pair as as_count_pair
    from geotorch.samplers.arguments import as_pair as as_pair
    from geotorch.samplers.batch import BatchGeoSampler as BatchGeoSampler
    from geotorch.samplers.batch import RandomBatchGeoSampler as RandomBatchGeoSampler
    from geotorch.samplers.constants import Units as Units
    from geotorch.samplers.patches import GriddedPatchSampler as GriddedPatchSampler
    from geotorch.samplers.patches import RandomPatchSampler as RandomPatchSampler
    from geotorch.samplers.places import series_places as series_places
    from geotorch.samplers.series_place import SeriesPlace as SeriesPlace
    from geotorch.samplers.single import GeoSampler as GeoSampler
    from geotorch.samplers.single import GridGeoSampler as GridGeoSampler
    from geotorch.samplers.single import PreChippedGeoSampler as PreChippedGeoSampler
    from geotorch.samplers.single import RandomGeoSampler as RandomGeoSampler
    from geotorch.samplers.single import SpatialSampler as SpatialSampler
    from geotorch.samplers.spatiotemporal import SpatioTemporalSampler as SpatioTemporalSampler
    from geotorch.samplers.splits import random_bbox_assignment as random_bbox_assignment
    from geotorch.samplers.splits import random_bbox_splitting as random_bbox_splitting
    from geotorch.samplers.splits import random_grid_cell_assignment as random_grid_cell_assignment
    from geotorch.samplers.splits import roi_split as roi_split
    from geotorch.samplers.temporal import RandomTimestampSampler as RandomTimestampSampler
    from geotorch.samplers.temporal import SequentialTimestampSampler as SequentialTimestampSampler
    from geotorch.samplers.temporal import TemporalSampler as TemporalSampler
    from geotorch.samplers.temporal_windows import RandomPeriodSampler as RandomPeriodSampler
    from geotorch.samplers.temporal_windows import RandomTimedeltaSampler as RandomTimedeltaSampler
    from geotorch.samplers.temporal_windows import SequentialPeriodSampler as SequentialPeriodSampler
    from geotorch.samplers.temporal_windows import SequentialTimedeltaSampler as SequentialTimedeltaSampler
    from geotorch.samplers.time_splits import time_series_split as time_series_split
    from geotorch.samplers.utils import get_random_bounding_box as get_random_bounding_box
    from geotorch.samplers.utils import tile_to_chips as tile_to_chips
else:
    from geotorch.core.exports import lazy_exports

    __getattr__, __dir__ = lazy_exports(__name__)
