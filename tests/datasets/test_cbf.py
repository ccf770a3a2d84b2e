"""Canadian Building Footprints: per-province GeoJSON archives rasterized to building masks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from geotorch.core import BoundingBox, ChecksumError, DatasetNotFoundError
from geotorch.datasets import CanadianBuildingFootprints
from tests.datasets.fakes.geo import md5, square, write_geojson, zip_files
from tests.datasets.fakes.products import write_cbf_province

PROVINCES = ("Alberta", "Nunavut")


@pytest.fixture
def served(http_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Two provinces zipped as published and served locally; the dataset points at them only."""
    checksums = {}
    for number, name in enumerate(PROVINCES):
        geojson = write_cbf_province(tmp_path / "staging", name, -114.0 + number)
        checksums[name] = md5(zip_files(http_server.root / f"{name}.zip", [geojson], geojson.parent))
    monkeypatch.setattr(CanadianBuildingFootprints, "url", http_server.base_url)
    monkeypatch.setattr(CanadianBuildingFootprints, "md5s", checksums)
    return checksums


def test_download_extracts_every_province_once_and_burns_buildings(
    served: dict[str, str], http_server: Any, tmp_path: Path
) -> None:
    dataset = CanadianBuildingFootprints(root=tmp_path / "cbf", download=True, checksum=True)
    assert len(dataset) == 2 and dataset.crs.to_epsg() == 4326
    sample = dataset[BoundingBox(-114.0, -113.9992, 53.0, 53.0001, dataset.bounds.mint, dataset.bounds.maxt)]
    assert sample["mask"].shape == (10, 80)
    assert 0.2 < float(sample["mask"].float().mean()) < 0.5
    CanadianBuildingFootprints(root=tmp_path / "cbf", download=True, checksum=True)
    assert all(http_server.hits(f"{name}.zip") == 1 for name in PROVINCES)
    assert dataset.plot(sample) is not None


def test_wrong_checksum_and_missing_province(
    served: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(CanadianBuildingFootprints, "md5s", {**served, "Nunavut": "0" * 32})
    with pytest.raises(ChecksumError, match=r"Nunavut\.zip"):
        CanadianBuildingFootprints(root=tmp_path / "cbf", download=True, checksum=True)
    assert not (tmp_path / "cbf" / "Nunavut.zip").exists()
    with pytest.raises(DatasetNotFoundError, match=str(tmp_path / "cbf")):
        CanadianBuildingFootprints(root=tmp_path / "cbf")


def test_other_geojson_files_beside_the_provinces_are_not_buildings(tmp_path: Path) -> None:
    for name in CanadianBuildingFootprints.md5s:
        write_cbf_province(tmp_path, name, -114.0)
    write_geojson(tmp_path / "area_of_interest.geojson", [square(-114.001, 52.999, 0.003)], [{"name": "aoi"}])
    dataset = CanadianBuildingFootprints(root=tmp_path)
    sample = dataset[BoundingBox(-114.0, -113.9992, 53.0, 53.0001, dataset.bounds.mint, dataset.bounds.maxt)]
    assert 0.2 < float(sample["mask"].float().mean()) < 0.5, "the three buildings, not the area's square"
    assert len(dataset) == 13


def test_the_default_res_is_one_metre_in_a_projected_crs(tmp_path: Path) -> None:
    path = write_cbf_province(tmp_path, "Alberta", -114.0)
    assert CanadianBuildingFootprints(paths=[path], crs="EPSG:32612").res == (1.0, 1.0)
    assert CanadianBuildingFootprints(paths=[path], crs="EPSG:32612", res=0.5).res == (0.5, 0.5)
