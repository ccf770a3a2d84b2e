"""TorchGeo 0.10.1's torchgeo.datasets names that live elsewhere in GeoTorch are importable from geotorch.datasets."""

from __future__ import annotations

import geotorch.core
import geotorch.samplers
from geotorch.datasets import (
    RGBBandsMissingError,
    random_bbox_assignment,
    random_bbox_splitting,
    random_grid_cell_assignment,
    roi_split,
    time_series_split,
)


def test_splitters_are_the_samplers_splitters() -> None:
    assert random_bbox_assignment is geotorch.samplers.random_bbox_assignment
    assert random_bbox_splitting is geotorch.samplers.random_bbox_splitting
    assert random_grid_cell_assignment is geotorch.samplers.random_grid_cell_assignment
    assert roi_split is geotorch.samplers.roi_split
    assert time_series_split is geotorch.samplers.time_series_split


def test_rgb_bands_missing_error_is_core_s() -> None:
    assert RGBBandsMissingError is geotorch.core.RGBBandsMissingError
