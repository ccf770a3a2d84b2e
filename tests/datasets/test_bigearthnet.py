"""BigEarthNet v1 on fake S1 / S2 patch folders in the real layout, served as .tar.gz archives for download."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import torch
from matplotlib.figure import Figure

from geotorch.core import ChecksumError, DatasetNotFoundError, Resource
from geotorch.datasets import BigEarthNet
from tests.datasets.fakes.benchmark import served, tar_tree
from tests.datasets.fakes.classification import make_bigearthnet


@pytest.fixture(scope="module")
def ben_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_bigearthnet(tmp_path_factory.mktemp("bigearthnet"))


@pytest.mark.parametrize(("bands", "channels"), [("all", 14), ("s1", 2), ("s2", 12)])
def test_bigearthnet_sample_is_120_px_float_bands_and_a_multi_hot_label(
    ben_root: Path, bands: str, channels: int
) -> None:
    dataset = BigEarthNet(ben_root, split="train", bands=bands)
    assert len(dataset) == 2
    sample = dataset[0]
    assert set(sample) == {"image", "label"}
    assert sample["image"].shape == (channels, 120, 120) and sample["image"].dtype == torch.float32
    assert sample["label"].dtype == torch.int64 and sample["label"].shape == (19,)


def test_bigearthnet_labels_map_43_classes_to_19(ben_root: Path) -> None:
    names_43 = BigEarthNet.class_sets[43]
    full = BigEarthNet(ben_root, num_classes=43)[1]["label"]
    assert {names_43[i] for i in torch.nonzero(full).flatten()} == {"Continuous urban fabric", "Airports",
                                                                      "Sea and ocean"}
    # Airports has no 19-class counterpart; the other two become Urban fabric and Marine waters.
    reduced = BigEarthNet(ben_root, num_classes=19)[1]["label"]
    assert torch.nonzero(reduced).flatten().tolist() == [0, 18]
    s1_only, s2_only = BigEarthNet(ben_root, bands="s1"), BigEarthNet(ben_root, bands="s2")
    assert torch.equal(s1_only[0]["label"], s2_only[0]["label"])


def test_bigearthnet_stacks_s1_before_s2(ben_root: Path) -> None:
    image = BigEarthNet(ben_root, bands="all")[0]["image"]
    assert float(image[:2].mean()) < 0 < float(image[2:].min())


def test_bigearthnet_plot_shows_both_sensors_and_the_predicted_labels(ben_root: Path) -> None:
    dataset = BigEarthNet(ben_root, split="val")
    prediction = torch.zeros(19, dtype=torch.int64)
    prediction[17] = 1
    figure = dataset.plot({**dataset[0], "prediction": prediction}, suptitle="BigEarthNet")
    assert isinstance(figure, Figure) and len(figure.axes) == 2
    assert "Label: Inland waters" in figure.get_supxlabel() and "Prediction: Inland waters" in figure.get_supxlabel()


def test_bigearthnet_rejects_unknown_arguments(ben_root: Path) -> None:
    for kwargs in ({"split": "validation"}, {"bands": "rgb"}, {"num_classes": 10}):
        with pytest.raises(ValueError, match=r"validation|rgb|10"):
            BigEarthNet(ben_root, **kwargs)


def test_bigearthnet_missing_without_download_names_the_folder(tmp_path: Path) -> None:
    with pytest.raises(DatasetNotFoundError, match=str(tmp_path)):
        BigEarthNet(tmp_path)


@pytest.fixture
def published(tmp_path: Path, http_server: Any, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Both sensors' archives and the train split served locally; BigEarthNet's URLs and checksums point at them."""
    staging = make_bigearthnet(tmp_path / "staging")
    upload = tmp_path / "upload"
    archives = {
        "s1": served(http_server, tar_tree(staging, "BigEarthNet-S1-v1.0", upload / "BigEarthNet-S1-v1.0.tar.gz")),
        "s2": served(http_server, tar_tree(staging, "BigEarthNet-v1.0", upload / "BigEarthNet-S2-v1.0.tar.gz")),
    }
    monkeypatch.setattr(BigEarthNet, "archives", archives)
    split = served(http_server, staging / "bigearthnet-train.csv", extract=False)
    monkeypatch.setattr(BigEarthNet, "split_files", {**BigEarthNet.split_files, "train": split})
    return tmp_path / "data"


def test_bigearthnet_downloads_only_the_sensor_asked_then_never_again(published: Path, http_server: Any) -> None:
    assert len(BigEarthNet(published, bands="s2", download=True, checksum=True)) == 2
    assert http_server.hits("BigEarthNet-S2-v1.0.tar.gz") == 1 and http_server.hits("BigEarthNet-S1-v1.0.tar.gz") == 0
    dataset = BigEarthNet(published, bands="all", download=True, checksum=True)
    assert dataset[1]["image"].shape == (14, 120, 120)
    BigEarthNet(published, bands="all", download=True, checksum=True)
    assert http_server.hits("BigEarthNet-S1-v1.0.tar.gz") == 1 and http_server.hits("bigearthnet-train.csv") == 1


def test_bigearthnet_wrong_checksum_names_the_file_and_keeps_nothing(
    published: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = BigEarthNet.archives["s1"]
    monkeypatch.setattr(BigEarthNet, "archives", {**BigEarthNet.archives, "s1": Resource(good.url, good.filename,
                                                                                          md5="0" * 32)})
    with pytest.raises(ChecksumError, match=r"BigEarthNet-S1-v1\.0\.tar\.gz"):
        BigEarthNet(published, bands="s1", download=True, checksum=True)
    assert not (published / good.filename).exists()
