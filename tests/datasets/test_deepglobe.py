"""DeepGlobeLandCover on fake data in the real layout (data/training_data|test_data/images|masks)."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from matplotlib.figure import Figure

from geotorch.core import ChecksumError, DatasetNotFoundError, Resource
from geotorch.datasets import DeepGlobeLandCover
from tests.datasets.fakes.dense import md5, zip_members
from tests.datasets.fakes.segmentation import SIZE, make_deepglobe


@pytest.fixture(scope="module")
def deepglobe_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_deepglobe(tmp_path_factory.mktemp("deepglobe"))


def test_deepglobe_sample_decodes_the_colour_classes(deepglobe_root: Path) -> None:
    dataset = DeepGlobeLandCover(deepglobe_root)
    assert len(dataset) == 2 and dataset.files[0][1].name == "119_mask.png"
    sample = dataset[0]
    assert set(sample) == {"image", "mask"}
    assert sample["image"].shape == (3, SIZE, SIZE) and sample["image"].dtype == torch.float32
    assert sample["mask"].shape == (SIZE, SIZE) and sample["mask"].dtype == torch.int64
    assert sample["mask"][::2, 0].tolist() == [0, 1, 2, 3, 4, 5, 6, 6]


def test_deepglobe_test_split_and_plot(deepglobe_root: Path) -> None:
    dataset = DeepGlobeLandCover(deepglobe_root, split="test")
    sample = dataset[0]
    sample["prediction"] = torch.full((SIZE, SIZE), 3)
    figure = dataset.plot(sample, suptitle="DeepGlobe")
    assert len(dataset) == 1 and isinstance(figure, Figure) and len(figure.axes) == 3


def test_deepglobe_rejects_an_unknown_split(deepglobe_root: Path) -> None:
    with pytest.raises(ValueError, match=r"'val'.*'train', 'test'"):
        DeepGlobeLandCover(deepglobe_root, split="val")


def test_deepglobe_cannot_be_downloaded_and_says_where_to_get_it(tmp_path: Path) -> None:
    with pytest.raises(DatasetNotFoundError, match=rf"{tmp_path}.*data\.zip.*kaggle\.com"):
        DeepGlobeLandCover(tmp_path, download=True)


@pytest.fixture
def archive(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """data.zip placed by hand in the root; the published MD5 is that of the fake."""
    staging = make_deepglobe(tmp_path / "staging")
    zipped = zip_members(staging, ["data"], tmp_path / "root" / "data.zip")
    placed = DeepGlobeLandCover.archive
    monkeypatch.setattr(DeepGlobeLandCover, "archive", Resource(placed.url, placed.filename, md5=md5(zipped)))
    return zipped


def test_deepglobe_verifies_and_extracts_an_archive_placed_by_hand(archive: Path) -> None:
    assert len(DeepGlobeLandCover(archive.parent, split="test", checksum=True)) == 1
    assert (archive.parent / "data" / "training_data" / "masks" / "855_mask.png").is_file()


def test_deepglobe_archive_with_a_wrong_checksum_names_the_file_and_is_not_kept(
    archive: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    placed = DeepGlobeLandCover.archive
    monkeypatch.setattr(DeepGlobeLandCover, "archive", Resource(placed.url, placed.filename, md5="0" * 32))
    with pytest.raises(ChecksumError, match=r"data\.zip.*the file was not kept") as error:
        DeepGlobeLandCover(archive.parent, checksum=True)
    assert not error.value.kept
    assert not list(archive.parent.iterdir())
