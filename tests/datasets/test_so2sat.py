"""So2Sat LCZ42 on fake HDF5 files in the real layout (``sen1``, ``sen2``, one-hot ``label``)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import torch
from matplotlib.figure import Figure

from geotorch.core import ChecksumError, DatasetNotFoundError
from geotorch.datasets import So2Sat
from tests.datasets.fakes.benchmark import md5
from tests.datasets.fakes.classification import CHIPS, write_so2sat


@pytest.fixture(scope="module")
def so2sat_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("so2sat")
    for name in ("training.h5", "validation.h5", "testing.h5", "random/training.h5", "random/testing.h5"):
        write_so2sat(root / name)
    return root


def test_so2sat_sample_stacks_s1_and_s2_as_float32(so2sat_root: Path) -> None:
    dataset = So2Sat(so2sat_root, split="validation")
    assert len(dataset) == CHIPS
    sample = dataset[2]
    assert set(sample) == {"image", "label"}
    assert sample["image"].shape == (18, 32, 32) and sample["image"].dtype == torch.float32
    assert sample["label"].dtype == torch.int64 and int(sample["label"]) == 2
    assert torch.allclose(sample["image"][8:, 0, 0], torch.arange(1, 11) / 100 + 2)


def test_so2sat_reads_the_bands_asked_s1_first(so2sat_root: Path) -> None:
    dataset = So2Sat(so2sat_root, bands=["S2_B04", "S2_B03", "S1_B5", "S2_B02"])
    assert dataset.bands == ("S1_B5", "S2_B04", "S2_B03", "S2_B02")
    assert torch.allclose(dataset[1]["image"][1:, 0, 0], torch.tensor([1.03, 1.02, 1.01]))
    assert So2Sat(so2sat_root, bands=So2Sat.BAND_SETS["s1"])[0]["image"].shape == (8, 32, 32)


def test_so2sat_version_3_reads_its_subfolder(so2sat_root: Path) -> None:
    assert So2Sat(so2sat_root, version="3_random", split="test").path == so2sat_root / "random" / "testing.h5"
    with pytest.raises(ValueError, match=re.escape("version 3_random has no split 'validation'")):
        So2Sat(so2sat_root, version="3_random", split="validation")
    with pytest.raises(ValueError, match="'4'"):
        So2Sat(so2sat_root, version="4")
    with pytest.raises(ValueError, match="B13"):
        So2Sat(so2sat_root, bands=["B13"])


def test_so2sat_plot_shows_rgb_label_and_prediction(so2sat_root: Path) -> None:
    dataset = So2Sat(so2sat_root)
    figure = dataset.plot({**dataset[0], "prediction": torch.tensor(16)})
    assert isinstance(figure, Figure) and "Prediction: Water" in figure.get_supxlabel()
    assert isinstance(So2Sat(so2sat_root, bands=So2Sat.BAND_SETS["s1"]).plot(dataset[0]), Figure)


def test_so2sat_missing_says_it_cannot_be_downloaded_and_where_to_get_it(tmp_path: Path) -> None:
    for download in (False, True):
        with pytest.raises(DatasetNotFoundError, match=r"cannot be downloaded.*mediatum\.ub\.tum\.de/1483140") as error:
            So2Sat(tmp_path, split="test", download=download)
        assert str(tmp_path) in str(error.value)


def test_so2sat_checksum_names_a_damaged_file_and_keeps_it(
    so2sat_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(ChecksumError, match=r"testing\.h5.*the file was kept") as error:
        So2Sat(so2sat_root, split="test", checksum=True)
    assert error.value.kept
    assert (so2sat_root / "testing.h5").is_file()
    versions = {**So2Sat.md5s_by_version, "2": {"test": md5(so2sat_root / "testing.h5")}}
    monkeypatch.setattr(So2Sat, "md5s_by_version", versions)
    assert len(So2Sat(so2sat_root, split="test", checksum=True)) == CHIPS
