"""Esri 2020 Land Cover: UTM tiles spanning 2020, one archive, 10 classes."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from geotorch.core import ChecksumError, DatasetNotFoundError
from geotorch.datasets import Esri2020
from tests.datasets.fakes.geo import md5, zip_files
from tests.datasets.fakes.products import write_esri2020_tile


def test_tiles_span_2020_and_keep_chosen_classes(tmp_path: Path) -> None:
    write_esri2020_tile(tmp_path)
    dataset = Esri2020(root=tmp_path, classes=[1, 7])
    assert datetime.fromtimestamp(dataset.bounds.mint, UTC) == datetime(2020, 1, 1, tzinfo=UTC)
    assert datetime.fromtimestamp(dataset.bounds.maxt, UTC).date() == datetime(2020, 12, 31).date()
    mask = dataset[dataset.bounds]["mask"]
    assert set(mask.unique().tolist()) == {0, 1, 2}
    assert len(Esri2020.class_names) == 11


def test_download_checksum_and_not_found(http_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    raster = write_esri2020_tile(tmp_path / "staging")
    archive = zip_files(http_server.root / Esri2020.archive, [raster], raster.parent)
    monkeypatch.setattr(Esri2020, "url", http_server.url(archive.name))
    monkeypatch.setattr(Esri2020, "md5", md5(archive))
    assert len(Esri2020(root=tmp_path / "esri", download=True, checksum=True)) == 1
    Esri2020(root=tmp_path / "esri", download=True, checksum=True)
    assert http_server.hits(archive.name) == 1
    monkeypatch.setattr(Esri2020, "md5", "0" * 32)
    with pytest.raises(ChecksumError, match=archive.name):
        Esri2020(root=tmp_path / "other", download=True, checksum=True)
    with pytest.raises(DatasetNotFoundError, match=str(tmp_path / "other")):
        Esri2020(root=tmp_path / "other")


def test_the_map_of_2020_does_not_meet_a_scene_of_1_january_2021(tmp_path: Path) -> None:
    # The span's end date (20210101, exclusive) was read as a whole day of the map, so a Sentinel-2
    # scene of 2021-01-01 was paired with the 2020 labels.
    write_esri2020_tile(tmp_path)
    dataset = Esri2020(root=tmp_path)
    bounds = dataset.bounds
    new_year = datetime(2021, 1, 1, 10, 33, 31, tzinfo=UTC).timestamp()
    assert bounds.maxt < new_year
    last_day = datetime(2020, 12, 31, 10, 33, 31, tzinfo=UTC).timestamp()
    assert bounds.mint <= last_day <= bounds.maxt
