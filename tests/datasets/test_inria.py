"""InriaAerialImageLabeling on fake data in the real layout (AerialImageDataset/train|test/images, train/gt)."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from matplotlib.figure import Figure

from geotorch.core import ChecksumError, DatasetNotFoundError, Resource
from geotorch.datasets import InriaAerialImageLabeling
from tests.datasets.fakes.dense import md5, zip_members
from tests.datasets.fakes.segmentation import SIZE, make_inria


@pytest.fixture(scope="module")
def inria_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_inria(tmp_path_factory.mktemp("inria"))


def test_inria_sample_has_rgb_image_and_binary_mask(inria_root: Path) -> None:
    dataset = InriaAerialImageLabeling(inria_root)
    sample = dataset[0]
    assert set(sample) == {"image", "mask"}
    assert sample["image"].shape == (3, SIZE, SIZE) and sample["image"].dtype == torch.float32
    assert sample["mask"].dtype == torch.int64 and sample["mask"].shape == (SIZE, SIZE)
    assert sample["mask"].unique().tolist() == [0, 1] and int(sample["mask"].sum()) == 4 * SIZE


def test_inria_val_is_the_first_five_tiles_of_each_town(inria_root: Path) -> None:
    train = InriaAerialImageLabeling(inria_root, split="train")
    val = InriaAerialImageLabeling(inria_root, split="val")
    assert [image.name for image, _ in train.files] == ["austin6.tif", "austin7.tif", "tyrol-w6.tif", "tyrol-w7.tif"]
    assert len(val) == 10 and val.files[4][0].name == "austin5.tif" and val.files[4][1].parent.name == "gt"


def test_inria_test_split_is_unlabelled(inria_root: Path) -> None:
    test = InriaAerialImageLabeling(inria_root, split="test")
    assert len(test) == 4 and set(test[0]) == {"image"}
    assert isinstance(test.plot(test[0]), Figure)


def test_inria_plot_shows_mask_and_prediction(inria_root: Path) -> None:
    dataset = InriaAerialImageLabeling(inria_root, split="val")
    sample = dataset[0]
    sample["prediction"] = 1 - sample["mask"]
    figure = dataset.plot(sample, suptitle="Inria")
    assert isinstance(figure, Figure) and [axis.get_title() for axis in figure.axes] == ["Image", "Mask", "Prediction"]


def test_inria_rejects_an_unknown_split(inria_root: Path) -> None:
    with pytest.raises(ValueError, match=r"'validation'"):
        InriaAerialImageLabeling(inria_root, split="validation")


def test_inria_cannot_be_downloaded_and_says_where_to_get_it(tmp_path: Path) -> None:
    with pytest.raises(DatasetNotFoundError, match=rf"{tmp_path}.*registration.*project\.inria\.fr"):
        InriaAerialImageLabeling(tmp_path, download=True)


@pytest.fixture
def archive(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """NEW2-AerialImageDataset.zip placed by hand in the root; the published MD5 is that of the fake."""
    staging = make_inria(tmp_path / "staging")
    root = tmp_path / "data"
    zipped = zip_members(staging, ["AerialImageDataset"], root / "NEW2-AerialImageDataset.zip")
    placed = InriaAerialImageLabeling.archive
    monkeypatch.setattr(InriaAerialImageLabeling, "archive", Resource(placed.url, placed.filename, md5=md5(zipped)))
    return zipped


def test_inria_verifies_and_extracts_an_archive_placed_by_hand(archive: Path) -> None:
    dataset = InriaAerialImageLabeling(archive.parent, split="val", checksum=True)
    assert (archive.parent / "AerialImageDataset" / "train" / "gt" / "austin3.tif").is_file() and len(dataset) == 10


def test_inria_archive_with_a_wrong_checksum_names_the_file_and_is_not_kept(
    archive: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    placed = InriaAerialImageLabeling.archive
    monkeypatch.setattr(InriaAerialImageLabeling, "archive", Resource(placed.url, placed.filename, md5="0" * 32))
    with pytest.raises(ChecksumError, match=r"NEW2-AerialImageDataset.zip"):
        InriaAerialImageLabeling(archive.parent, checksum=True, download=True)
    assert not list(archive.parent.iterdir())

