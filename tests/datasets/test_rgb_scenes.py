"""UC Merced, RESISC45 and PatternNet (RGB scene chips in class folders) on fake data in their real layouts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import torch
from matplotlib.figure import Figure

from geotorch.core import ChecksumError, DatasetNotFoundError, Resource
from geotorch.datasets import RESISC45, PatternNet, UCMerced
from geotorch.datasets.image_folder import ClassFolderDataset
from tests.datasets.fakes.benchmark import (
    publish_class_folders,
)
from tests.datasets.fakes.classification import SIZE, make_patternnet, make_resisc45, make_ucmerced


@dataclass(frozen=True)
class Case:
    dataset: type[ClassFolderDataset]
    make: Callable[[Path], Path]
    split: str | None
    length: int
    size: int

    def open(self, root: Path, **kwargs: Any) -> ClassFolderDataset:
        if self.split is None:
            return self.dataset(root, **kwargs)
        return self.dataset(root, split=self.split, **kwargs)


CASES = [
    Case(UCMerced, make_ucmerced, "train", 3, 256),
    Case(RESISC45, make_resisc45, "val", 3, SIZE),
    Case(PatternNet, make_patternnet, None, 9, SIZE),
]


@pytest.fixture(params=CASES, ids=lambda case: case.dataset.__name__)
def case(request: pytest.FixtureRequest) -> Case:
    return request.param  # type: ignore[no-any-return]


def test_sample_is_a_float_rgb_chip_and_a_class_index(case: Case, tmp_path: Path) -> None:
    dataset = case.open(case.make(tmp_path))
    assert len(dataset) == case.length
    sample = dataset[len(dataset) - 1]
    assert set(sample) == {"image", "label"}
    assert sample["image"].shape == (3, case.size, case.size) and sample["image"].dtype == torch.float32
    assert sample["label"].dtype == torch.int64 and int(sample["label"]) == 2
    assert float(sample["image"].min()) >= 0 and float(sample["image"].max()) <= 255


def test_plot_returns_a_figure_with_the_prediction(case: Case, tmp_path: Path) -> None:
    dataset = case.open(case.make(tmp_path))
    sample = {**dataset[0], "prediction": torch.tensor(1)}
    figure = dataset.plot(sample, suptitle="sample")
    assert isinstance(figure, Figure)
    assert f"Prediction: {case.dataset.classes[1]}" in figure.get_supxlabel()


def test_missing_without_download_names_the_folder(case: Case, tmp_path: Path) -> None:
    with pytest.raises(DatasetNotFoundError, match=str(tmp_path / "empty")):
        case.open(tmp_path / "empty")


def test_downloads_verifies_and_extracts_once(
    case: Case, tmp_path: Path, http_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    publish_class_folders(http_server, monkeypatch, case.dataset, case.make(tmp_path / "staging"), case.split)
    root = tmp_path / "data"
    dataset = case.open(root, download=True, checksum=True)
    assert len(dataset) == case.length and (root / case.dataset.images_folder).is_dir()
    case.open(root, download=True, checksum=True)
    assert http_server.hits(case.dataset.archive.filename) == 1


def test_wrong_checksum_names_the_file_and_keeps_nothing(
    case: Case, tmp_path: Path, http_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    publish_class_folders(http_server, monkeypatch, case.dataset, case.make(tmp_path / "staging"), case.split)
    name = case.dataset.archive.filename
    monkeypatch.setattr(case.dataset, "archive", Resource(case.dataset.archive.url, name, md5="0" * 32))
    with pytest.raises(ChecksumError, match=name.replace(".", r"\.")):
        case.open(tmp_path / "data", download=True, checksum=True)
    assert not (tmp_path / "data" / name).exists()


def test_ucmerced_resamples_odd_sized_chips_to_256(tmp_path: Path) -> None:
    dataset = UCMerced(make_ucmerced(tmp_path), split="train")
    odd = dataset.files.index(tmp_path / UCMerced.images_folder / "airplane" / "airplane00.tif")
    assert dataset[odd]["image"].shape == (3, 256, 256)


def test_split_names_and_an_unknown_split(tmp_path: Path) -> None:
    root = make_resisc45(tmp_path)
    assert [p.name for p in RESISC45(root, split="test").files] == [f"{c}_003.jpg" for c in RESISC45.classes[:3]]
    with pytest.raises(ValueError, match="'validation'"):
        RESISC45(root, split="validation")
