"""TorchGeo 0.10.1 import paths work after replacing ``torchgeo`` with ``geotorch`` (the names of issue 14's list)."""

from __future__ import annotations

import importlib

import pytest

#: TorchGeo 0.10.1 module -> names imported from it in TorchGeo's docs and tutorials, which GeoTorch provides.
PATHS = {
    "torchgeo.datasets.utils": (
        "BoundingBox",
        "check_integrity",
        "concat_samples",
        "download_and_extract_archive",
        "download_url",
        "extract_archive",
        "find_files",
        "merge_samples",
        "percentile_normalization",
        "array_to_tensor",
        "stack_samples",
        "unbind_samples",
        "working_dir",
    ),
    "torchgeo.datasets": (
        "RGBBandsMissingError",
        "random_bbox_assignment",
        "random_bbox_splitting",
        "random_grid_cell_assignment",
        "roi_split",
        "time_series_split",
    ),
    "torchgeo.samplers": ("GriddedPatchSampler", "RandomPatchSampler", "GridGeoSampler", "RandomGeoSampler"),
    "torchgeo.transforms": ("AppendEVI", "AppendMNDWI", "AppendSAVI", "LeeFilter"),
    "torchgeo.losses": ("QRLoss", "RQLoss"),
    "torchgeo.tasks": (
        "BYOL",
        "BaseTask",
        "ChangeDetection",
        "Classification",
        "InstanceSegmentation",
        "MoCo",
        "ObjectDetection",
        "PixelwiseRegression",
        "Regression",
        "SemanticSegmentation",
        "SimCLR",
    ),
    "torchgeo.trainers": ("ClassificationTask", "SemanticSegmentationTask", "ObjectDetectionTask"),
    "torchgeo.models": (
        "get_model", "get_model_weights", "get_weight", "list_models", "ConvLSTM", "Conv3dLSTM", "LTAE"
    ),
}


@pytest.mark.parametrize(
    ("module", "name"), [(module, name) for module, names in PATHS.items() for name in names], ids=str
)
def test_name_imports_from_the_renamed_torchgeo_path(module: str, name: str) -> None:
    renamed = importlib.import_module(module.replace("torchgeo", "geotorch", 1))
    assert getattr(renamed, name) is not None
