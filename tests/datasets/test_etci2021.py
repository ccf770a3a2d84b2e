"""ETCI2021 on fake data in the real layout (<split folder>/<region>/tiles/{vv,vh,flood_label,water_body_label})."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from matplotlib.figure import Figure

from geotorch.core import ChecksumError, DatasetNotFoundError
from geotorch.datasets import ETCI2021
from tests.datasets.fakes.dense import damaged, served, zip_members
from tests.datasets.fakes.segmentation import SIZE, make_etci


@pytest.fixture(scope="module")
def etci_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_etci(tmp_path_factory.mktemp("etci"))


def test_etci_sample_stacks_vv_vh_and_water_flood_masks(etci_root: Path) -> None:
    dataset = ETCI2021(etci_root)
    assert len(dataset) == 4
    sample = dataset[1]
    assert set(sample) == {"image", "mask"}
    assert sample["image"].shape == (6, SIZE, SIZE) and sample["image"].dtype == torch.float32
    assert sample["mask"].shape == (2, SIZE, SIZE) and sample["mask"].dtype == torch.int64
    assert sample["mask"].sum(dim=(1, 2)).tolist() == [2 * SIZE, 5 * SIZE]
    assert dataset.files[1].vh.name == "bangladesh_20170314t115609_x-1_y-0_vh.png"


def test_etci_val_reads_the_test_folder_and_test_has_no_flood_label(etci_root: Path) -> None:
    assert ETCI2021(etci_root, split="val").folder.name == "test"
    test = ETCI2021(etci_root, split="test")
    assert test[0]["mask"].shape == (1, SIZE, SIZE)
    assert isinstance(test.plot(test[0]), Figure)


def test_etci_plot_shows_both_masks_and_prediction(etci_root: Path) -> None:
    dataset = ETCI2021(etci_root)
    sample = dataset[0]
    sample["prediction"] = sample["mask"][1]
    figure = dataset.plot(sample, suptitle="ETCI 2021")
    assert [axis.get_title() for axis in figure.axes] == ["VV", "VH", "Water body", "Flood", "Prediction"]


def test_etci_rejects_an_unknown_split(etci_root: Path) -> None:
    with pytest.raises(ValueError, match=r"'validation'"):
        ETCI2021(etci_root, split="validation")


def test_etci_missing_without_download_names_the_folder(tmp_path: Path) -> None:
    with pytest.raises(DatasetNotFoundError, match=str(tmp_path)):
        ETCI2021(tmp_path, split="val")


@pytest.fixture
def published(etci_root: Path, tmp_path: Path, http_server, monkeypatch: pytest.MonkeyPatch) -> Path:
    """val_with_ref_labels.zip (holding test/) served locally; ETCI2021's val URL (and MD5) point at it."""
    archive = zip_members(etci_root, ["test"], tmp_path / "upload" / "val_with_ref_labels.zip")
    monkeypatch.setattr(ETCI2021, "splits", {**ETCI2021.splits, "val": ("test", served(http_server, archive))})
    return tmp_path / "data"


def test_etci_downloads_verifies_and_extracts_once(published: Path, http_server) -> None:
    assert len(ETCI2021(published, split="val", download=True, checksum=True)) == 4
    assert (published / "test" / "nebraska_20170309t002110" / "tiles" / "flood_label").is_dir()
    ETCI2021(published, split="val", download=True, checksum=True)
    assert http_server.hits("val_with_ref_labels.zip") == 1


def test_etci_wrong_checksum_names_the_file_and_keeps_nothing(
    published: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, resource = ETCI2021.splits["val"]
    monkeypatch.setattr(ETCI2021, "splits", {**ETCI2021.splits, "val": (folder, damaged(resource))})
    with pytest.raises(ChecksumError, match=r"val_with_ref_labels.zip"):
        ETCI2021(published, split="val", download=True, checksum=True)
    assert not list(published.iterdir())
