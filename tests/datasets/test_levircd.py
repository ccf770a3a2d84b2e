"""LEVIRCD on fake data in the real layout (train/val/test zips extracting into A/, B/, label/)."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from matplotlib.figure import Figure

from geotorch.core import ChecksumError, DatasetNotFoundError, stack_samples
from geotorch.datasets import LEVIRCD
from tests.datasets.fakes.change import COUNTS, SIZE, make_levircd
from tests.datasets.fakes.dense import damaged, served, zip_members


@pytest.fixture(scope="module")
def levircd_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_levircd(tmp_path_factory.mktemp("levircd"), {**COUNTS, "train": 11})


def test_levircd_sample_stacks_both_dates_and_a_binary_change_mask(levircd_root: Path) -> None:
    dataset = LEVIRCD(levircd_root, split="test")
    assert len(dataset) == 2
    sample = dataset[1]
    assert set(sample) == {"image", "mask"}
    assert sample["image"].shape == (2, 3, SIZE, SIZE) and sample["image"].dtype == torch.float32
    assert sample["mask"].shape == (1, SIZE, SIZE) and sample["mask"].dtype == torch.int64
    assert sample["mask"].unique().tolist() == [0, 1] and int(sample["mask"].sum()) == 2 * SIZE


def test_levircd_pairs_follow_their_numbers_and_batch(levircd_root: Path) -> None:
    dataset = LEVIRCD(levircd_root, split="train")
    assert [pair.mask.name for pair in dataset.files][:3] == ["train_1.png", "train_2.png", "train_3.png"]
    assert dataset.files[10].before[0].name == "train_11.png"
    batch = stack_samples([dataset[0], dataset[1]])
    assert batch["image"].shape == (2, 2, 3, SIZE, SIZE) and batch["mask"].shape == (2, 1, SIZE, SIZE)


def test_levircd_plot_shows_both_dates_mask_and_prediction(levircd_root: Path) -> None:
    dataset = LEVIRCD(levircd_root, split="val")
    sample = dataset[0]
    sample["prediction"] = sample["mask"][0]
    figure = dataset.plot(sample, suptitle="LEVIR-CD")
    assert isinstance(figure, Figure)
    assert [axis.get_title() for axis in figure.axes] == ["Before", "After", "Mask", "Prediction"]


def test_levircd_rejects_an_unknown_split(levircd_root: Path) -> None:
    with pytest.raises(ValueError, match=r"'trainval'"):
        LEVIRCD(levircd_root, split="trainval")


def test_levircd_missing_without_download_names_the_folder(tmp_path: Path) -> None:
    with pytest.raises(DatasetNotFoundError, match=str(tmp_path)):
        LEVIRCD(tmp_path)


@pytest.fixture
def published(tmp_path: Path, http_server, monkeypatch: pytest.MonkeyPatch) -> Path:
    """train.zip and val.zip served locally; LEVIRCD's URLs (and MD5s) point at them."""
    zipped = {}
    for split in ("train", "val"):
        staging = make_levircd(tmp_path / f"staging-{split}", {split: COUNTS[split]})
        archive = zip_members(staging, ["A", "B", "label"], tmp_path / "upload" / f"{split}.zip")
        zipped[split] = served(http_server, archive)
    monkeypatch.setattr(LEVIRCD, "archives", {**LEVIRCD.archives, **zipped})
    return tmp_path / "data"


def test_levircd_downloads_each_split_once_into_shared_folders(published: Path, http_server) -> None:
    assert len(LEVIRCD(published, download=True, checksum=True)) == 3
    assert len(LEVIRCD(published, split="val", download=True, checksum=True)) == 1
    LEVIRCD(published, download=True, checksum=True)
    assert sorted(path.name for path in (published / "label").iterdir()) == [
        "train_1.png", "train_2.png", "train_3.png", "val_1.png"]
    assert http_server.hits("train.zip") == 1 and http_server.hits("val.zip") == 1


def test_levircd_wrong_checksum_names_the_file_and_keeps_nothing(
    published: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(LEVIRCD, "archives", {**LEVIRCD.archives, "val": damaged(LEVIRCD.archives["val"])})
    with pytest.raises(ChecksumError, match=r"val.zip"):
        LEVIRCD(published, split="val", download=True, checksum=True)
    assert not list(published.iterdir())
