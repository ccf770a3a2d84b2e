"""GeoTorch core: the geospatial data model, collation, downloads and the plugin registry.

Names are imported on first use, so ``import geotorch.core`` (and every plugin that imports
``hookimpl`` from it) stays cheap: rasterio, pyogrio and shapely load only when a dataset needs them.
The ``if TYPE_CHECKING:`` imports below are the one list of public names (see
:mod:`geotorch.core.exports`): add a name by adding its line there.
"""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from geotorch.core.archive import extract_archive as extract_archive
    from geotorch.core.bbox import BoundingBox as BoundingBox
    from geotorch.core.bbox import snap_inward as snap_inward
    from geotorch.core.cache import cache_home as cache_home
    from geotorch.core.catalog import get_datamodule as get_datamodule
    from geotorch.core.catalog import get_dataset as get_dataset
    from geotorch.core.catalog import get_dataset_class as get_dataset_class
    from geotorch.core.catalog import get_entry as get_entry
    from geotorch.core.catalog import get_model as get_model
    from geotorch.core.catalog import get_task as get_task
    from geotorch.core.catalog import get_weight as get_weight
    from geotorch.core.catalog import list_datamodules as list_datamodules
    from geotorch.core.catalog import list_datasets as list_datasets
    from geotorch.core.catalog import list_models as list_models
    from geotorch.core.catalog import list_tasks as list_tasks
    from geotorch.core.catalog import list_weights as list_weights
    from geotorch.core.collate import concat_samples as concat_samples
    from geotorch.core.collate import merge_samples as merge_samples
    from geotorch.core.collate import pad_time_steps as pad_time_steps
    from geotorch.core.collate import stack_samples as stack_samples
    from geotorch.core.collate import unbind_samples as unbind_samples
    from geotorch.core.commands import CommandRegistrar as CommandRegistrar
    from geotorch.core.composition import IntersectionDataset as IntersectionDataset
    from geotorch.core.composition import UnionDataset as UnionDataset
    from geotorch.core.crs import CRSLike as CRSLike
    from geotorch.core.crs import as_crs as as_crs
    from geotorch.core.crs import same_crs as same_crs
    from geotorch.core.detection import coco_targets as coco_targets
    from geotorch.core.detection import collate_detection as collate_detection
    from geotorch.core.detection import draw_objects as draw_objects
    from geotorch.core.download import calculate_sha256 as calculate_sha256
    from geotorch.core.download import check_integrity as check_integrity
    from geotorch.core.download import download_and_extract_archive as download_and_extract_archive
    from geotorch.core.download import download_url as download_url
    from geotorch.core.errors import ChecksumError as ChecksumError
    from geotorch.core.errors import DatasetNotFoundError as DatasetNotFoundError
    from geotorch.core.errors import DownloadCutError as DownloadCutError
    from geotorch.core.errors import DownloadError as DownloadError
    from geotorch.core.errors import LabelValueError as LabelValueError
    from geotorch.core.errors import PluginError as PluginError
    from geotorch.core.errors import RasterReadError as RasterReadError
    from geotorch.core.errors import RGBBandsMissingError as RGBBandsMissingError
    from geotorch.core.errors import WeightsMismatchError as WeightsMismatchError
    from geotorch.core.errors import gdal_reason as gdal_reason
    from geotorch.core.errors import shown_cause as shown_cause
    from geotorch.core.exports import export_problems as export_problems
    from geotorch.core.exports import export_targets as export_targets
    from geotorch.core.exports import lazy_exports as lazy_exports
    from geotorch.core.files import check_utf8_path as check_utf8_path
    from geotorch.core.files import find_files as find_files
    from geotorch.core.geo import Footprint as Footprint
    from geotorch.core.geo import GeoDataset as GeoDataset
    from geotorch.core.handles import set_max_open_files as set_max_open_files
    from geotorch.core.hookspecs import hookimpl as hookimpl
    from geotorch.core.lifecycle import DatasetLifecycle as DatasetLifecycle
    from geotorch.core.lifecycle import check_choice as check_choice
    from geotorch.core.listing import describe as describe
    from geotorch.core.listing import entries as entries
    from geotorch.core.nongeo import NonGeoDataset as NonGeoDataset
    from geotorch.core.panels import LegendEntry as LegendEntry
    from geotorch.core.panels import Panel as Panel
    from geotorch.core.panels import add_legend as add_legend
    from geotorch.core.panels import class_legend as class_legend
    from geotorch.core.panels import draw_panels as draw_panels
    from geotorch.core.panels import image_panel as image_panel
    from geotorch.core.panels import label_color as label_color
    from geotorch.core.panels import label_names as label_names
    from geotorch.core.panels import label_panel as label_panel
    from geotorch.core.panels import new_figure as new_figure
    from geotorch.core.panels import plot_chip as plot_chip
    from geotorch.core.panels import rgb_channels as rgb_channels
    from geotorch.core.panels import stretch as stretch
    from geotorch.core.partial import NAME_MAX as NAME_MAX
    from geotorch.core.partial import shortened as shortened
    from geotorch.core.plotting import plot_sample as plot_sample
    from geotorch.core.plugins import list_plugins as list_plugins
    from geotorch.core.plugins import load_plugins as load_plugins
    from geotorch.core.progress import progress_bar as progress_bar
    from geotorch.core.progress import report_progress as report_progress
    from geotorch.core.raster import RasterDataset as RasterDataset
    from geotorch.core.raster_profile import RasterProfile as RasterProfile
    from geotorch.core.registry import Register as Register
    from geotorch.core.remote import Location as Location
    from geotorch.core.remote import RemotePath as RemotePath
    from geotorch.core.remote import is_remote as is_remote
    from geotorch.core.remote import open_raster as open_raster
    from geotorch.core.resources import Resource as Resource
    from geotorch.core.resources import ensure_present as ensure_present
    from geotorch.core.resources import verify_checksum as verify_checksum
    from geotorch.core.retry import Retry as Retry
    from geotorch.core.sample import Sample as Sample
    from geotorch.core.sample import Transform as Transform
    from geotorch.core.scenes import SceneRecord as SceneRecord
    from geotorch.core.url_secrets import redacted as redacted
    from geotorch.core.vector import VectorDataset as VectorDataset
    from geotorch.core.version import __version__ as __version__
    from geotorch.core.weights import Weights as Weights
    from geotorch.core.weights import WeightsSpec as WeightsSpec
else:
    from geotorch.core.exports import lazy_exports

    __getattr__, __dir__ = lazy_exports(__name__)
