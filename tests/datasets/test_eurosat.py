"""EuroSAT, EuroSATSpatial and EuroSAT100 on fake data in the real layout."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import rasterio
import torch
from matplotlib.figure import Figure

from geotorch.core import ChecksumError, DatasetNotFoundError, Resource
from geotorch.datasets import EuroSAT, EuroSAT100, EuroSATSpatial
from tests.datasets.fakes.benchmark import publish_class_folders
from tests.datasets.fakes.classification import SIZE, make_eurosat


@pytest.fixture(scope="module")
def eurosat_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_eurosat(tmp_path_factory.mktemp("eurosat"))


def test_eurosat_sample_has_13_float_bands_and_a_class_index(eurosat_root: Path) -> None:
    dataset = EuroSAT(eurosat_root, split="train")
    assert len(dataset) == 10
    sample = dataset[3]
    assert set(sample) == {"image", "label"}
    assert sample["image"].shape == (13, SIZE, SIZE) and sample["image"].dtype == torch.float32
    assert sample["label"].dtype == torch.int64 and sample["label"].ndim == 0
    assert EuroSAT.classes[int(sample["label"])] == "Highway"
    assert sorted(int(dataset[i]["label"]) for i in range(len(dataset))) == list(range(10))


def test_eurosat_splits_are_disjoint_and_follow_the_split_files(eurosat_root: Path) -> None:
    files = {split: {p.name for p in EuroSAT(eurosat_root, split=split).files} for split in ("train", "val", "test")}
    assert files["train"] == {f"{name}_1.tif" for name in EuroSAT.classes}
    assert not files["train"] & files["val"] and not files["val"] & files["test"]


def test_eurosat_rgb_reads_b04_b03_b02_and_b8a_is_the_13th_stored_band(eurosat_root: Path) -> None:
    dataset = EuroSAT(eurosat_root, bands=EuroSAT.rgb_bands)
    with rasterio.open(dataset.files[0]) as source:
        stored = source.read().astype("float32")
    assert torch.equal(dataset[0]["image"], torch.from_numpy(stored[[3, 2, 1]]))
    assert torch.equal(EuroSAT(eurosat_root, bands=["B8A"])[0]["image"][0], torch.from_numpy(stored[12]))


def test_eurosat_plot_shows_label_and_prediction(eurosat_root: Path) -> None:
    dataset = EuroSAT(eurosat_root)
    sample = dataset[0]
    sample["prediction"] = torch.tensor(4)
    figure = dataset.plot(sample, suptitle="EuroSAT")
    assert isinstance(figure, Figure)
    assert "Prediction: Industrial" in figure.get_supxlabel() and "Label: AnnualCrop" in figure.get_supxlabel()
    assert isinstance(EuroSAT(eurosat_root, bands=["B08"]).plot(sample, show_titles=False), Figure)


def test_eurosat_rejects_unknown_split_and_band(eurosat_root: Path) -> None:
    with pytest.raises(ValueError, match=r"'validation'.*'test', 'train', 'val'"):
        EuroSAT(eurosat_root, split="validation")
    with pytest.raises(ValueError, match="B8"):
        EuroSAT(eurosat_root, bands=["B8"])


def test_eurosat_missing_without_download_names_the_folder(tmp_path: Path) -> None:
    with pytest.raises(DatasetNotFoundError, match=str(tmp_path / "empty")):
        EuroSAT(tmp_path / "empty")


def test_eurosat_subsets_read_their_own_split_files(eurosat_root: Path, tmp_path: Path) -> None:
    root = shutil.copytree(eurosat_root, tmp_path / "copy")
    for prefix in ("eurosat-spatial", "eurosat-100"):
        for split in ("train", "val", "test"):
            shutil.copy(root / f"eurosat-{split}.txt", root / f"{prefix}-{split}.txt")
    assert len(EuroSATSpatial(root, split="val")) == len(EuroSAT100(root, split="test")) == 10


@pytest.fixture
def published(tmp_path: Path, http_server: Any, monkeypatch: pytest.MonkeyPatch) -> Path:
    """EuroSATallBands.zip and eurosat-train.txt served locally; EuroSAT's URLs (and checksums) point at them."""
    publish_class_folders(http_server, monkeypatch, EuroSAT, make_eurosat(tmp_path / "staging"), "train")
    return tmp_path / "data"


def test_eurosat_downloads_verifies_and_extracts_once(published: Path, http_server: Any) -> None:
    dataset = EuroSAT(published, download=True, checksum=True)
    assert (published / EuroSAT.images_folder / "Forest" / "Forest_2.tif").is_file()
    assert len(dataset) == 10 and dataset[0]["image"].shape == (13, SIZE, SIZE)
    EuroSAT(published, download=True, checksum=True)
    assert http_server.hits("EuroSATallBands.zip") == 1 and http_server.hits("eurosat-train.txt") == 1


def test_eurosat_extracts_an_archive_already_downloaded(published: Path, http_server: Any) -> None:
    published.mkdir()
    (published / "EuroSATallBands.zip").write_bytes((http_server.root / "EuroSATallBands.zip").read_bytes())
    (published / "eurosat-train.txt").write_bytes((http_server.root / "eurosat-train.txt").read_bytes())
    assert len(EuroSAT(published, checksum=True)) == 10
    assert http_server.hits("EuroSATallBands.zip") == 0


def test_eurosat_wrong_checksum_names_the_file_and_keeps_nothing(
    published: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    damaged = Resource(EuroSAT.archive.url, EuroSAT.archive.filename, md5="0" * 32)
    monkeypatch.setattr(EuroSAT, "archive", damaged)
    with pytest.raises(ChecksumError, match=r"EuroSATallBands\.zip"):
        EuroSAT(published, download=True, checksum=True)
    assert not (published / "EuroSATallBands.zip").exists()
    assert not list(published.glob(".*part*"))


def test_fake_chips_are_georeferenced_uint16_like_the_real_ones(eurosat_root: Path) -> None:
    with rasterio.open(EuroSAT(eurosat_root).files[0]) as source:
        assert source.count == 13 and source.dtypes[0] == "uint16" and source.crs is not None
