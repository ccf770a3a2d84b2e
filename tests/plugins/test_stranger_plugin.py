"""A stranger rewrites UC Merced and its datamodule as a plugin on geotorch.core alone; ``geotorch fit`` trains on it.

The distribution ``tests/plugins/geotorch-stranger-plugin`` is installed into a folder of its own (a
``*.dist-info`` with its ``geotorch`` entry point, its sources on the path), found through that entry
point like any installed plugin, checked by the conformance kit, fed by a local HTTP server, and
named in a ``geotorch fit`` configuration run in a child process.
"""

from __future__ import annotations

import ast
import hashlib
import importlib
import os
import subprocess
import sys
import tomllib
import warnings
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pytest
import rasterio
import torch
from rasterio.errors import NotGeoreferencedWarning

from geotorch.core import (
    NonGeoDataset,
    Resource,
    get_dataset,
    get_dataset_class,
    get_entry,
    list_datamodules,
    list_datasets,
    list_plugins,
    list_tasks,
)
from geotorch.core.testing import NonGeoDatasetConformance

DISTRIBUTION = Path(__file__).parent / "geotorch-stranger-plugin"
SOURCES = DISTRIBUTION / "src"
PACKAGE = "geotorch_stranger_plugin"
IMAGES = "UCMerced_LandUse/Images"
#: Chips of the fake archive: three classes, one chip of each per split (n = 0 train, 1 val, 2 test).
CLASSES = ("agricultural", "airplane", "baseballdiamond")
SPLITS = ("train", "val", "test")


@pytest.fixture
def stranger_plugin(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The plugin installed as pip leaves it: metadata and entry point in a site folder, its sources on the path.

    Yields the ``PYTHONPATH`` that makes it installed in a child process too.
    """
    metadata = tomllib.loads((DISTRIBUTION / "pyproject.toml").read_text())["project"]
    site = tmp_path_factory.mktemp("site-packages")
    info = site / f"{metadata['name'].replace('-', '_')}-{metadata['version']}.dist-info"
    info.mkdir()
    requires = "".join(f"Requires-Dist: {name}\n" for name in metadata["dependencies"])
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {metadata['name']}\nVersion: {metadata['version']}\n{requires}"
    )
    points = metadata["entry-points"]["geotorch"]
    (info / "entry_points.txt").write_text("[geotorch]\n" + "".join(f"{k} = {v}\n" for k, v in points.items()))
    monkeypatch.syspath_prepend(str(SOURCES))
    monkeypatch.syspath_prepend(str(site))
    importlib.invalidate_caches()
    yield os.pathsep.join([str(site), str(SOURCES), *filter(None, [os.environ.get("PYTHONPATH")])])
    for module in [name for name in sys.modules if name == PACKAGE or name.startswith(PACKAGE + ".")]:
        del sys.modules[module]


def write_chip(path: Path, height: int, width: int, seed: int) -> None:
    """A three-band uint8 TIFF without georeferencing, as UC Merced's chips are: smooth ramps plus noise."""
    path.parent.mkdir(parents=True, exist_ok=True)
    rows, columns = np.mgrid[0:height, 0:width]
    noise = np.random.default_rng(seed).integers(0, 40, (3, height, width))
    bands = np.stack([rows * 200 // height, columns * 200 // width, (rows + columns) * 100 // (height + width)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotGeoreferencedWarning)
        with rasterio.open(path, "w", driver="GTiff", width=width, height=height, count=3, dtype="uint8") as out:
            out.write((bands + noise).astype(np.uint8))


def write_merced(root: Path) -> Path:
    """UC Merced's extracted layout and split files in ``root``; one chip is 20 x 16 px, like the odd real ones."""
    for label, name in enumerate(CLASSES):
        for n in range(len(SPLITS)):
            height, width = (20, 16) if (label, n) == (1, 0) else (24, 24)
            write_chip(root / IMAGES / name / f"{name}{n:02d}.tif", height, width, seed=10 * label + n)
    for n, split in enumerate(SPLITS):
        (root / f"uc_merced-{split}.txt").write_text("".join(f"{name}{n:02d}.tif\n" for name in CLASSES))
    return root


@pytest.fixture(scope="module")
def merced_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_merced(tmp_path_factory.mktemp("merced"))


def test_the_plugin_imports_nothing_of_geotorch_but_core() -> None:
    imported: dict[str, set[str]] = {}
    for path in sorted((SOURCES / PACKAGE).glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                imported.setdefault(path.name, set()).update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module is not None:
                imported.setdefault(path.name, set()).add(node.module)
    assert set(imported) == {"dataset.py", "datamodule.py", "plugin.py"}
    for name, modules in imported.items():
        geotorch = {module for module in modules if module.split(".")[0] == "geotorch"}
        assert geotorch <= {"geotorch.core"}, f"{name} imports {sorted(geotorch - {'geotorch.core'})}"
    assert "geotorch.core" in imported["dataset.py"] and "lightning.pytorch" in imported["datamodule.py"]
    dependencies = tomllib.loads((DISTRIBUTION / "pyproject.toml").read_text())["project"]["dependencies"]
    assert dependencies == ["geotorch-core", "lightning"]


def test_its_dataset_and_datamodule_are_found_through_its_entry_point(stranger_plugin: str) -> None:
    assert "MercedLandUse" in list_datasets(task="classification")
    assert "MercedLandUseDataModule" in list_datamodules()
    (info,) = [info for info in list_plugins() if info.name == "stranger"]
    assert (info.distribution, info.version) == ("geotorch-stranger-plugin", "0.1.0")
    assert info.contributes == {"dataset": ["MercedLandUse"], "datamodule": ["MercedLandUseDataModule"]}
    entry = get_entry("datamodule", "MercedLandUseDataModule")
    assert (entry.distribution, entry.metadata["dataset"]) == ("geotorch-stranger-plugin", "MercedLandUse")
    # Registered by import path: listing it imported neither its module nor Lightning's through it.
    assert f"{PACKAGE}.datamodule" not in sys.modules


class TestMercedLandUse(NonGeoDatasetConformance):
    """The stranger's dataset, built by its registered name, through GeoTorch's conformance kit."""

    variants: ClassVar = [{"split": "train"}, {"split": "val"}, {"split": "test"}]

    def build(self, **kwargs: Any) -> Any:
        return get_dataset("MercedLandUse", **kwargs)

    @pytest.fixture
    def dataset_kwargs(self, stranger_plugin: str, merced_root: Path) -> dict[str, Any]:
        return {"root": merced_root, "download": False}


def test_its_chips_are_resampled_to_256_pixels_and_labelled_by_folder(stranger_plugin: str,
                                                                      merced_root: Path) -> None:
    dataset = get_dataset("MercedLandUse", root=merced_root, split="train")
    assert isinstance(dataset, NonGeoDataset) and len(dataset) == 3
    samples = [dataset[index] for index in range(3)]
    assert [int(sample["label"]) for sample in samples] == [0, 1, 2]
    assert {tuple(sample["image"].shape) for sample in samples} == {(3, 256, 256)}
    odd = samples[1]["image"]
    assert odd.dtype == torch.float32
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotGeoreferencedWarning)
        with rasterio.open(merced_root / IMAGES / "airplane" / "airplane00.tif") as source:
            assert source.shape == (20, 16)
            means = source.read().reshape(3, -1).mean(axis=1)
    # Bilinear resampling keeps each band's level.
    assert odd.reshape(3, -1).mean(dim=1).numpy() == pytest.approx(means, abs=2)


def serve(http_server: Any, dataset_class: Any, monkeypatch: pytest.MonkeyPatch, source: Path) -> None:
    """Put ``source``'s chips in a zip and its split files on ``http_server``; point the dataset's resources there."""
    archive = http_server.root / "UCMerced_LandUse.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for path in sorted((source / IMAGES).rglob("*.tif")):
            zipped.write(path, path.relative_to(source).as_posix())

    def resource(path: Path, extract: bool) -> Resource:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        return Resource(http_server.url(path.name), path.name, sha256=digest, extract=extract)

    listings = {split: http_server.root / f"uc_merced-{split}.txt" for split in SPLITS}
    for path in listings.values():
        path.write_bytes((source / path.name).read_bytes())
    monkeypatch.setattr(dataset_class, "archive", resource(archive, extract=True))
    monkeypatch.setattr(dataset_class, "split_files", {split: resource(path, extract=False)
                                                       for split, path in listings.items()})


def download_every_split(http_server: Any, monkeypatch: pytest.MonkeyPatch, merced_root: Path, root: Path) -> None:
    dataset_class = get_dataset_class("MercedLandUse")
    serve(http_server, dataset_class, monkeypatch, merced_root)
    for split in SPLITS:
        assert len(dataset_class(root, split, download=True, checksum=True)) == len(CLASSES)


def test_its_archive_and_split_files_download_verify_and_extract(stranger_plugin: str, http_server: Any,
                                                                monkeypatch: pytest.MonkeyPatch, merced_root: Path,
                                                                tmp_path: Path) -> None:
    download_every_split(http_server, monkeypatch, merced_root, tmp_path)
    assert http_server.hits("UCMerced_LandUse.zip") == 1
    assert [http_server.hits(f"uc_merced-{split}.txt") for split in SPLITS] == [1, 1, 1]
    assert sorted(path.name for path in (tmp_path / IMAGES).iterdir()) == sorted(CLASSES)


def test_geotorch_fit_trains_one_step_on_a_config_naming_its_datamodule(
    stranger_plugin: str, http_server: Any, monkeypatch: pytest.MonkeyPatch, merced_root: Path, tmp_path: Path
) -> None:
    pytest.importorskip("lightning")
    if "ClassificationTask" not in list_tasks():
        pytest.skip("geotorch-trainers is not installed: no ClassificationTask to train")
    data = tmp_path / "ucmerced"
    download_every_split(http_server, monkeypatch, merced_root, data)
    output = tmp_path / "output"
    config = tmp_path / "merced.yaml"
    config.write_text(f"""\
model:
  class_path: ClassificationTask
  init_args: {{model: resnet18, weights: null, in_channels: 3, num_classes: 21, scheduler: none}}
data:
  class_path: MercedLandUseDataModule
  init_args: {{root: {data}, batch_size: 2}}
trainer:
  accelerator: cpu
  devices: 1
  max_steps: 1
  limit_val_batches: 0
  logger: false
  enable_progress_bar: false
  enable_model_summary: false
  default_root_dir: {output}
""")
    environment = {**os.environ, "PYTHONPATH": stranger_plugin}
    done = subprocess.run([sys.executable, "-m", "geotorch.core.cli", "fit", "--config", str(config)],
                          env=environment, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    (checkpoint,) = output.glob("checkpoints/*.ckpt")
    state = torch.load(checkpoint, map_location="cpu", weights_only=False)
    assert state["global_step"] == 1
