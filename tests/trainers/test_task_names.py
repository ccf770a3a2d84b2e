"""geotorch.tasks: TorchGeo 0.10's task names are GeoTorch's task classes."""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.resources

import pytest

import geotorch.tasks
import geotorch.trainers
from geotorch.core import export_problems

NAMES = {
    "BaseTask": "BaseTask",
    "BYOL": "BYOLTask",
    "ChangeDetection": "ChangeDetectionTask",
    "Classification": "ClassificationTask",
    "InstanceSegmentation": "InstanceSegmentationTask",
    "MoCo": "MoCoTask",
    "ObjectDetection": "ObjectDetectionTask",
    "PixelwiseRegression": "PixelwiseRegressionTask",
    "Regression": "RegressionTask",
    "SemanticSegmentation": "SemanticSegmentationTask",
    "SimCLR": "SimCLRTask",
    "SpatioTemporalPixelwiseRegression": "SpatioTemporalPixelwiseRegressionTask",
    "SpatioTemporalSegmentation": "SpatioTemporalSegmentationTask",
    "TemporalRegression": "TemporalRegressionTask",
}


def test_the_tasks_package_lists_its_names_once() -> None:
    assert export_problems("geotorch.tasks") == []
    assert sorted(geotorch.tasks.__all__) == sorted([*NAMES, "__version__"])


@pytest.mark.parametrize(("name", "task"), NAMES.items())
def test_each_0_10_name_is_the_trainers_class(name: str, task: str) -> None:
    assert getattr(geotorch.tasks, name) is getattr(geotorch.trainers, task)


def test_from_import_works_as_in_torchgeo() -> None:
    from geotorch.tasks import Classification, SemanticSegmentation

    assert SemanticSegmentation.__name__ == "SemanticSegmentationTask"
    assert issubclass(Classification, geotorch.trainers.BaseTask)


def test_losses_package_lists_its_names_once() -> None:
    assert export_problems("geotorch.losses") == []


@pytest.mark.parametrize("package", ["geotorch.tasks", "geotorch.losses"])
def test_the_new_packages_are_typed_and_versioned_as_geotorch_trainers(package: str) -> None:
    module = importlib.import_module(package)
    assert (importlib.resources.files(package) / "py.typed").is_file()
    assert module.__version__ == importlib.metadata.version("geotorch-trainers")
