"""OSCD on fake data in the real layout (one GeoTIFF per band and date per city, cm/cm.png labels per split)."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from matplotlib.figure import Figure

from geotorch.core import ChecksumError, DatasetNotFoundError
from geotorch.datasets import OSCD
from geotorch.datasets.raster_chips import read_array
from tests.datasets.fakes.change import PREFIX, SIZE, make_oscd
from tests.datasets.fakes.dense import damaged, served, zip_members


@pytest.fixture(scope="module")
def oscd_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_oscd(tmp_path_factory.mktemp("oscd"))


def test_oscd_sample_stacks_13_bands_of_both_dates(oscd_root: Path) -> None:
    dataset = OSCD(oscd_root)
    assert len(dataset) == 2 and dataset.files[1].mask.parent.parent.name == "beihai"
    sample = dataset[0]
    assert set(sample) == {"image", "mask"}
    assert sample["image"].shape == (2, 13, SIZE, SIZE) and sample["image"].dtype == torch.float32
    assert sample["mask"].shape == (1, SIZE, SIZE) and sample["mask"].dtype == torch.int64
    assert int(sample["mask"].sum()) == 3 * SIZE


def test_oscd_bands_are_read_in_the_order_asked(oscd_root: Path) -> None:
    dataset = OSCD(oscd_root, split="test", bands=["B8A", "B04"])
    stored = read_array(oscd_root / f"{PREFIX}Images" / "brasilia" / "imgs_2_rect" / "B8A.tif")
    image = dataset[0]["image"]
    assert image.shape == (2, 2, SIZE, SIZE) and torch.equal(image[1, 0], torch.from_numpy(stored[0].astype("float32")))


def test_oscd_plot_shows_rgb_or_one_band_and_prediction(oscd_root: Path) -> None:
    dataset = OSCD(oscd_root)
    sample = dataset[0]
    sample["prediction"] = sample["mask"]
    figure = dataset.plot(sample)
    assert isinstance(figure, Figure) and len(figure.axes) == 4
    one_band = OSCD(oscd_root, bands=["B11"])
    assert isinstance(one_band.plot(one_band[1], show_titles=False, suptitle="B11"), Figure)


def test_oscd_rejects_unknown_split_and_band(oscd_root: Path) -> None:
    with pytest.raises(ValueError, match=r"'val'.*'train', 'test'"):
        OSCD(oscd_root, split="val")
    with pytest.raises(ValueError, match=r"B13"):
        OSCD(oscd_root, bands=["B13"])


def test_oscd_missing_without_download_names_the_folder(tmp_path: Path) -> None:
    with pytest.raises(DatasetNotFoundError, match=str(tmp_path)):
        OSCD(tmp_path)


@pytest.fixture
def published(oscd_root: Path, tmp_path: Path, http_server, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The Images and Test Labels zips served locally; OSCD's URLs (and MD5s) point at them."""
    upload = tmp_path / "upload"
    images = zip_members(oscd_root, [f"{PREFIX}Images"], upload / "images.zip")
    labels = zip_members(oscd_root, [f"{PREFIX}Test Labels"], upload / "test-labels.zip")
    monkeypatch.setattr(OSCD, "images", served(http_server, images, f"{PREFIX}Images.zip"))
    test_labels = served(http_server, labels, f"{PREFIX}Test Labels.zip")
    monkeypatch.setattr(OSCD, "labels", {**OSCD.labels, "test": test_labels})
    return tmp_path / "data"


def test_oscd_downloads_verifies_and_extracts_once(published: Path, http_server) -> None:
    dataset = OSCD(published, split="test", download=True, checksum=True)
    assert len(dataset) == 1 and dataset[0]["image"].shape == (2, 13, SIZE, SIZE)
    assert (published / f"{PREFIX}Test Labels" / "brasilia" / "cm" / "cm.png").is_file()
    OSCD(published, split="test", download=True, checksum=True)
    assert http_server.hits("images.zip") == 1 and http_server.hits("test-labels.zip") == 1


def test_oscd_wrong_checksum_names_the_file_and_keeps_nothing(
    published: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(OSCD, "images", damaged(OSCD.images))
    with pytest.raises(ChecksumError, match=r"Images.zip"):
        OSCD(published, split="test", download=True, checksum=True)
    assert not list(published.iterdir())
