"""Chesapeake Bay 7-class land cover: one archive, colour map."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from geotorch.core import ChecksumError, DatasetNotFoundError
from geotorch.core.testing import GeoDatasetConformance
from geotorch.datasets import Chesapeake7
from tests.datasets.fakes.geo import md5, stripes, write_raster, zip_files


def write_baywide(folder: Path) -> Path:
    """Write ``Baywide_7class_20132014.tif`` (uint8 classes 0-7, 1 m, EPSG:5070)."""
    data = stripes((32, 32), (1, 2, 3, 4, 5, 6, 7))
    return write_raster(folder / "Baywide_7class_20132014.tif", data, 5070, 1600000.0, 2000000.0, 1.0, nodata=0)


@pytest.fixture
def served(http_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    raster = write_baywide(tmp_path / "staging")
    archive = zip_files(http_server.root / Chesapeake7.archive, [raster], raster.parent)
    monkeypatch.setattr(Chesapeake7, "url", http_server.url(archive.name))
    monkeypatch.setattr(Chesapeake7, "md5", md5(archive))
    return archive


class TestChesapeake7Conformance(GeoDatasetConformance):
    @pytest.fixture
    def dataset(self, tmp_path: Path) -> Chesapeake7:
        write_baywide(tmp_path)
        return Chesapeake7(root=tmp_path)


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
