"""Chesapeake Bay land cover: the 7-class bay-wide map (one archive, colour map) and the states' 2022 Edition LULC."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

from geotorch.core import ChecksumError, DatasetNotFoundError
from geotorch.datasets import (
    Chesapeake,
    Chesapeake7,
    ChesapeakeDC,
    ChesapeakeDE,
    ChesapeakeMD,
    ChesapeakeNY,
    ChesapeakePA,
    ChesapeakeVA,
    ChesapeakeWV,
)
from tests.datasets.fakes.geo import md5, zip_files
from tests.datasets.fakes.products import CHESAPEAKE_LULC_VALUES, write_baywide, write_chesapeake_lulc

#: TorchGeo 0.10.1's state classes and the years each publishes.
STATES = {
    ChesapeakeDC: ("dc", (2013, 2017)),
    ChesapeakeDE: ("de", (2013, 2018)),
    ChesapeakeMD: ("md", (2013, 2018)),
    ChesapeakeNY: ("ny", (2013, 2017)),
    ChesapeakePA: ("pa", (2013, 2017)),
    ChesapeakeVA: ("va", (2014, 2018)),
    ChesapeakeWV: ("wv", (2014, 2018)),
}


@pytest.fixture
def served(http_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    raster = write_baywide(tmp_path / "staging")
    archive = zip_files(http_server.root / Chesapeake7.archive, [raster], raster.parent)
    monkeypatch.setattr(Chesapeake7, "url", http_server.url(archive.name))
    monkeypatch.setattr(Chesapeake7, "md5", md5(archive))
    return archive


def test_labels_and_colours(tmp_path: Path) -> None:
    write_baywide(tmp_path)
    dataset = Chesapeake7(root=tmp_path)
    mask = dataset[dataset.bounds]["mask"]
    assert set(mask.unique().tolist()) == set(range(1, 8))
    assert tuple(dataset.ordinal_cmap[1]) == (0, 197, 255, 255)
    assert dataset.class_names[7] == "Aberdeen Proving Ground"


def test_download_once_with_checksum(served: Path, http_server: Any, tmp_path: Path) -> None:
    dataset = Chesapeake7(root=tmp_path / "bay", download=True, checksum=True)
    assert dataset[dataset.bounds]["mask"].shape == (32, 32)
    Chesapeake7(root=tmp_path / "bay", download=True, checksum=True)
    assert http_server.hits(served.name) == 1


def test_wrong_checksum_and_missing_data(served: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Chesapeake7, "md5", "0" * 32)
    with pytest.raises(ChecksumError, match=served.name):
        Chesapeake7(root=tmp_path / "bay", download=True, checksum=True)
    with pytest.raises(DatasetNotFoundError, match=str(tmp_path / "bay")):
        Chesapeake7(root=tmp_path / "bay")


@pytest.mark.parametrize("cls", list(STATES), ids=lambda cls: cls.__name__)
def test_each_state_declares_its_files_and_two_yearly_archives(cls: type[Chesapeake]) -> None:
    state, years = STATES[cls]
    assert issubclass(cls, Chesapeake) and cls.state == state
    assert cls.filename_glob == f"{state}_lulc_*_2022-Edition.tif"
    assert tuple(cls.sha256s) == years and all(len(digest) == 64 for digest in cls.sha256s.values())


@pytest.mark.parametrize("cls", list(STATES), ids=lambda cls: cls.__name__)
def test_a_state_reads_only_its_own_rasters_with_the_published_codes(cls: type[Chesapeake], tmp_path: Path) -> None:
    state, years = STATES[cls]
    write_chesapeake_lulc(tmp_path, state, years[0])
    write_chesapeake_lulc(tmp_path, "zz", years[0])
    dataset = cls(tmp_path)
    assert len(dataset) == 1
    sample = dataset[dataset.bounds]
    assert set(sample["mask"].unique().tolist()) == set(CHESAPEAKE_LULC_VALUES)
    assert dataset.plot(sample) is not None


def test_chosen_lulc_codes_become_labels(tmp_path: Path) -> None:
    write_chesapeake_lulc(tmp_path)
    mask = ChesapeakeDE(tmp_path, classes=[41, 11])[ChesapeakeDE(tmp_path).bounds]["mask"]
    assert set(mask.unique().tolist()) == {0, 1, 2}
    with pytest.raises(ValueError, match="unknown class"):
        ChesapeakeDE(tmp_path, classes=[12345])


def test_a_state_downloads_both_years_into_the_first_folder_of_paths(
    http_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    digests = {}
    for year in (2013, 2018):
        raster = write_chesapeake_lulc(tmp_path / "staging", "de", year)
        archive = zip_files(http_server.root / f"de_lulc_{year}_2022-Edition.zip", [raster], raster.parent)
        digests[year] = hashlib.sha256(archive.read_bytes()).hexdigest()
    monkeypatch.setattr(ChesapeakeDE, "url", http_server.base_url)
    monkeypatch.setattr(ChesapeakeDE, "sha256s", digests)
    dataset = ChesapeakeDE([tmp_path / "de", tmp_path / "elsewhere"], download=True, checksum=True)
    assert len(dataset) == 2 and (tmp_path / "de" / "de_lulc_2018_2022-Edition.tif").is_file()
    monkeypatch.setattr(ChesapeakeDE, "sha256s", {2013: "0" * 64, 2018: digests[2018]})
    with pytest.raises(ChecksumError):
        ChesapeakeDE(tmp_path / "again", download=True, checksum=True)
    with pytest.raises(DatasetNotFoundError, match=str(tmp_path / "missing")):
        ChesapeakeDE(tmp_path / "missing")
