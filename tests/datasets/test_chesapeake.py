"""Chesapeake Bay 7-class land cover: one archive, colour map."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from geotorch.core import ChecksumError, DatasetNotFoundError
from geotorch.datasets import Chesapeake7
from tests.datasets.fakes.geo import md5, zip_files
from tests.datasets.fakes.products import write_baywide


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
