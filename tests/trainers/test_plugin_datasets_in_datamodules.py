"""Datamodules find their datasets in the registry: a plugin's dataset can be named in a constructor or a config."""

from __future__ import annotations

import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pytest
import torch
from jsonargparse import ActionConfigFile, ArgumentParser

from geotorch.core import NonGeoDataset, RasterDataset, hookimpl, plugins
from geotorch.datamodules import ImageLabelDataModule, NonGeoDataModule
from tests.datasets.fakes.geo import reflectance, stripes, write_raster

SIZE, PATCH = 80, 8  # strips of the default splits (0.8, 0.1, 0.1) at least a patch wide


class StrangerScenes(RasterDataset):
    """Two-band imagery of a plugin: ``scene_*.tif``."""

    filename_glob = "scene_*.tif"
    all_bands: ClassVar[tuple[str, ...]] = ("red", "nir")


class StrangerLabels(RasterDataset):
    """A plugin's class raster: ``labels_*.tif``."""

    filename_glob = "labels_*.tif"
    is_image = False


class StrangerChips(NonGeoDataset):
    """A plugin's benchmark: ``<root>/<split>/*.npy`` chips of shape (2, 8, 8), labelled by the file's first digit."""

    def __init__(self, root: str | Path = "data", split: str = "train", transforms: Any = None) -> None:
        self.files = sorted((Path(root) / split).glob("*.npy"))
        self.transforms = transforms

    def __len__(self) -> int:
        return len(self.files)

    def __getitem__(self, index: int) -> dict[str, Any]:
        path = self.files[index]
        return {"image": torch.from_numpy(np.load(path)), "label": torch.tensor(int(path.stem[0]))}


def _stranger_plugin() -> types.ModuleType:
    module = types.ModuleType("stranger_plugin")

    @hookimpl
    def register_datasets(register):
        register(StrangerScenes, geospatial=True)
        register(StrangerLabels, geospatial=True)
        register(StrangerChips, geospatial=False)

    module.register_datasets = register_datasets
    return module


@pytest.fixture(autouse=True)
def stranger_plugin() -> Iterator[None]:
    """The plugin above, registered in this process beside the installed ones."""
    plugins.reset()
    plugins.register_plugin(_stranger_plugin(), "stranger_plugin", distribution="stranger-dist")
    yield
    plugins.unregister_plugin("stranger_plugin")
    plugins.reset()


def write_scene_and_labels(root: Path) -> None:
    """A two-band scene in EPSG:32616 (10 m) and a class raster covering it (20 m)."""
    bands = np.stack([reflectance((SIZE, SIZE), seed) for seed in range(2)])
    write_raster(root / "scenes" / "scene_1.tif", bands, 32616, 500000.0, 4650000.0, 10.0)
    write_raster(root / "labels" / "labels_1.tif", stripes((SIZE, SIZE), (1, 2, 3), width=2), 32616, 499980.0,
                 4650020.0, 20.0, nodata=0)


def write_chips(root: Path) -> None:
    rng = np.random.default_rng(0)
    for split in ("train", "val", "test"):
        (root / split).mkdir(parents=True)
        for number in range(4):
            np.save(root / split / f"{number % 2}_{number}.npy", rng.random((2, 8, 8), dtype=np.float32))


def test_a_geospatial_datamodule_pairs_a_plugins_datasets_by_name(tmp_path: Path) -> None:
    write_scene_and_labels(tmp_path)
    datamodule = ImageLabelDataModule(image_dataset="StrangerScenes", label_dataset="StrangerLabels",
                                      image_kwargs={"paths": tmp_path / "scenes"},
                                      label_kwargs={"paths": tmp_path / "labels"},
                                      batch_size=2, patch_size=PATCH, length=2, splits=(0.5, 0.25, 0.25))
    assert (datamodule.image_class, datamodule.label_class) == (StrangerScenes, StrangerLabels)
    datamodule.setup("fit")
    batch = next(iter(datamodule.train_dataloader()))
    assert batch["image"].shape == (2, 2, PATCH, PATCH)
    assert batch["mask"].shape == (2, PATCH, PATCH)


def test_a_config_naming_a_plugins_datasets_builds_the_datamodule(tmp_path: Path) -> None:
    write_scene_and_labels(tmp_path)
    config = tmp_path / "data.yaml"
    config.write_text(
        "data:\n"
        "  image_dataset: StrangerScenes\n"
        "  label_dataset: StrangerLabels\n"
        f"  image_kwargs: {{paths: {tmp_path / 'scenes'}}}\n"
        f"  label_kwargs: {{paths: {tmp_path / 'labels'}}}\n"
        f"  patch_size: {PATCH}\n"
        "  length: 1\n"
        "  batch_size: 1\n"
    )
    parser = ArgumentParser()
    parser.add_argument("--config", action=ActionConfigFile)
    parser.add_class_arguments(ImageLabelDataModule, "data")
    datamodule = parser.instantiate(parser.parse_args(["--config", str(config)]))["data"]
    datamodule.setup("fit")
    batch = next(iter(datamodule.train_dataloader()))
    assert batch["image"].shape == (1, 2, PATCH, PATCH)


def test_a_benchmark_datamodule_builds_a_plugins_dataset_by_name(tmp_path: Path) -> None:
    write_chips(tmp_path)
    datamodule = NonGeoDataModule("StrangerChips", batch_size=4, root=tmp_path)
    assert datamodule.dataset_class is StrangerChips
    datamodule.setup("fit")
    batch = next(iter(datamodule.train_dataloader()))
    assert batch["image"].shape == (4, 2, 8, 8)
    assert sorted(batch["label"].tolist()) == [0, 0, 1, 1]


def test_an_unknown_dataset_name_lists_the_registered_ones() -> None:
    with pytest.raises(KeyError, match=r"unknown dataset 'StrangerChip'; did you mean StrangerChips"):
        NonGeoDataModule("StrangerChip")
    with pytest.raises(ValueError, match=r"'StrangerChips' is not a GeoDataset in the registry; known: .*Scenes"):
        ImageLabelDataModule(image_dataset="StrangerChips", label_dataset="StrangerLabels")
