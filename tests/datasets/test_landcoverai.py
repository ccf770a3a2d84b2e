"""LandCover.ai on fake data in the real layout: orthophotos, masks and split lists, cut into chips on first use."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
import rasterio
import torch
from matplotlib.figure import Figure

from geotorch.core import ChecksumError, DatasetNotFoundError
from geotorch.datasets import LandCoverAI
from geotorch.datasets.landcoverai import cut_chips
from geotorch.datasets.raster_chips import read_array, read_label
from tests.datasets.fakes.dense import damaged, served, zip_members
from tests.datasets.fakes.segmentation import NAMES, SPLITS, make_landcoverai

CHIP = 16


@pytest.fixture(autouse=True)
def small_chips(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(LandCoverAI, "chip_size", CHIP)


@pytest.fixture
def landcoverai_root(tmp_path: Path) -> Path:
    return make_landcoverai(tmp_path / "landcoverai")


def test_landcoverai_cuts_chips_then_reads_them(landcoverai_root: Path) -> None:
    dataset = LandCoverAI(landcoverai_root, split="train")
    assert len(dataset) == 4
    sample = dataset[0]
    assert set(sample) == {"image", "mask"}
    assert sample["image"].shape == (3, CHIP, CHIP) and sample["image"].dtype == torch.float32
    assert sample["mask"].shape == (CHIP, CHIP) and sample["mask"].dtype == torch.int64
    output = sorted(path.name for path in (landcoverai_root / "output").iterdir())
    assert output == sorted(f"{name}_{k}{suffix}" for name in NAMES for k in (0, 1, 3, 4)
                            for suffix in (".jpg", "_m.png"))


def test_chips_are_the_tiles_numbered_row_by_row(landcoverai_root: Path) -> None:
    cut_chips(landcoverai_root / "images", landcoverai_root / "masks", landcoverai_root / "output", CHIP)
    with rasterio.open(landcoverai_root / "masks" / f"{NAMES[0]}.tif") as source:
        stored = source.read(1)
    assert np.array_equal(read_label(landcoverai_root / "output" / f"{NAMES[0]}_4_m.png"), stored[16:32, 16:32])
    assert read_array(landcoverai_root / "output" / f"{NAMES[0]}_3.jpg").shape == (3, CHIP, CHIP)


def test_landcoverai_uses_chips_already_cut_without_the_orthophotos(landcoverai_root: Path) -> None:
    LandCoverAI(landcoverai_root, split="test")
    shutil.rmtree(landcoverai_root / "images")
    shutil.rmtree(landcoverai_root / "masks")
    assert len(LandCoverAI(landcoverai_root, split="test")) == 3


def test_landcoverai_plot_shows_mask_and_prediction(landcoverai_root: Path) -> None:
    dataset = LandCoverAI(landcoverai_root, split="val")
    sample = dataset[0]
    sample["prediction"] = torch.zeros(CHIP, CHIP, dtype=torch.int64)
    figure = dataset.plot(sample, show_titles=False)
    assert isinstance(figure, Figure) and len(figure.axes) == 3


def test_landcoverai_rejects_an_unknown_split(landcoverai_root: Path) -> None:
    with pytest.raises(ValueError, match=r"'trainval'"):
        LandCoverAI(landcoverai_root, split="trainval")


def test_landcoverai_missing_without_download_names_the_folder(tmp_path: Path) -> None:
    with pytest.raises(DatasetNotFoundError, match=str(tmp_path)):
        LandCoverAI(tmp_path)


@pytest.fixture
def published(tmp_path: Path, http_server, monkeypatch: pytest.MonkeyPatch) -> Path:
    """landcover.ai.v1.zip served locally; LandCoverAI's URL (and MD5) point at it."""
    staging = make_landcoverai(tmp_path / "staging")
    members = ["images", "masks", "split.py", *(f"{split}.txt" for split in SPLITS)]
    archive = zip_members(staging, members, tmp_path / "upload" / "landcover.ai.v1.zip")
    monkeypatch.setattr(LandCoverAI, "archive", served(http_server, archive))
    return tmp_path / "data"


def test_landcoverai_downloads_verifies_extracts_and_cuts_once(published: Path, http_server) -> None:
    dataset = LandCoverAI(published, download=True, checksum=True)
    assert (published / "images" / f"{NAMES[1]}.tif").is_file() and len(dataset) == 4
    assert dataset[3]["image"].shape == (3, CHIP, CHIP)
    LandCoverAI(published, split="val", download=True, checksum=True)
    assert http_server.hits("landcover.ai.v1.zip") == 1


def test_landcoverai_wrong_checksum_names_the_file_and_keeps_nothing(
    published: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(LandCoverAI, "archive", damaged(LandCoverAI.archive))
    with pytest.raises(ChecksumError, match=r"landcover.ai.v1.zip"):
        LandCoverAI(published, download=True, checksum=True)
    assert not list(published.iterdir())
