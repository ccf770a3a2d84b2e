"""LoveDA on fake data in the real layout (Train/Val/Test zips of Urban and Rural PNG chips)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import torch
from matplotlib.figure import Figure

from geotorch.core import ChecksumError, DatasetNotFoundError
from geotorch.datasets import LoveDA
from tests.datasets.fakes.dense import damaged, served, zip_members
from tests.datasets.fakes.segmentation import SIZE, make_loveda


@pytest.fixture(scope="module")
def loveda_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_loveda(tmp_path_factory.mktemp("loveda"))


def test_loveda_sample_is_an_rgb_chip_with_raw_class_values(loveda_root: Path) -> None:
    dataset = LoveDA(loveda_root, split="train")
    assert len(dataset) == 4
    sample = dataset[0]
    assert set(sample) == {"image", "mask"}
    assert sample["image"].shape == (3, SIZE, SIZE) and sample["image"].dtype == torch.float32
    assert sample["mask"].shape == (SIZE, SIZE) and sample["mask"].dtype == torch.int64
    assert set(sample["mask"].unique().tolist()) == set(range(8))
    assert LoveDA.classes[LoveDA.ignore_index] == "no-data"


def test_loveda_scenes_select_folders_and_test_has_no_masks(loveda_root: Path) -> None:
    rural = LoveDA(loveda_root, split="val", scene=["rural"])
    assert [image.name for image, _ in rural.files] == ["20.png", "21.png"]
    assert LoveDA(loveda_root, split="val", scene="urban").files[0][0].name == "10.png"
    test = LoveDA(loveda_root, split="test")
    assert len(test) == 4 and set(test[3]) == {"image"}


def test_loveda_plot_shows_mask_and_prediction(loveda_root: Path) -> None:
    dataset = LoveDA(loveda_root)
    sample = dataset[0]
    sample["prediction"] = sample["mask"].clone()
    figure = dataset.plot(sample, suptitle="LoveDA")
    assert isinstance(figure, Figure) and len(figure.axes) == 3
    assert isinstance(LoveDA(loveda_root, split="test").plot(LoveDA(loveda_root, split="test")[0]), Figure)


def test_loveda_rejects_unknown_split_and_scene(loveda_root: Path) -> None:
    with pytest.raises(ValueError, match=r"'validation'.*'train', 'val', 'test'"):
        LoveDA(loveda_root, split="validation")
    with pytest.raises(ValueError, match=r"suburban"):
        LoveDA(loveda_root, scene=["suburban"])


def test_loveda_missing_without_download_names_the_folder(tmp_path: Path) -> None:
    with pytest.raises(DatasetNotFoundError, match=str(tmp_path / "empty")):
        LoveDA(tmp_path / "empty")


@pytest.fixture
def published(loveda_root: Path, tmp_path: Path, http_server, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Train.zip served locally; LoveDA's Train URL (and MD5) point at it."""
    archive = zip_members(loveda_root, ["Train"], tmp_path / "upload" / "Train.zip")
    monkeypatch.setattr(LoveDA, "archives", {**LoveDA.archives, "train": served(http_server, archive)})
    return tmp_path / "data"


def test_loveda_downloads_verifies_and_extracts_once(published: Path, http_server) -> None:
    dataset = LoveDA(published, download=True, checksum=True)
    assert (published / "Train" / "Rural" / "masks_png" / "21.png").is_file()
    assert len(dataset) == 4 and dataset[0]["mask"].shape == (SIZE, SIZE)
    LoveDA(published, download=True, checksum=True)
    assert http_server.hits("Train.zip") == 1


def test_loveda_extracts_a_zip_already_downloaded(published: Path, http_server) -> None:
    published.mkdir()
    shutil.copy(http_server.root / "Train.zip", published / "Train.zip")
    assert len(LoveDA(published, checksum=True)) == 4
    assert http_server.hits("Train.zip") == 0


def test_loveda_wrong_checksum_names_the_file_and_keeps_nothing(
    published: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(LoveDA, "archives", {**LoveDA.archives, "train": damaged(LoveDA.archives["train"])})
    with pytest.raises(ChecksumError, match=r"Train.zip"):
        LoveDA(published, download=True, checksum=True)
    assert not list(published.iterdir())
