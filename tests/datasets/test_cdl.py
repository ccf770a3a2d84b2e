"""Cropland Data Layer: yearly archives, download and checksum, class subsets, colour map."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from matplotlib.figure import Figure

from geotorch.core import ChecksumError, DatasetNotFoundError
from geotorch.datasets import CDL
from tests.datasets.fakes.geo import md5, stripes, zip_files
from tests.datasets.fakes.products import CDL_VALUES, write_cdl_year


def serve_cdl(http_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, year: int) -> str:
    """Zip a fake year as NASS publishes it, serve it locally, point CDL at it; return the archive name."""
    staging = tmp_path / "staging"
    raster = write_cdl_year(staging, year)
    archive = zip_files(http_server.root / f"{year}_30m_cdls.zip", [raster], staging)
    monkeypatch.setattr(CDL, "url", http_server.base_url + "{year}_30m_cdls.zip")
    monkeypatch.setattr(CDL, "md5s", {**CDL.md5s, year: md5(archive)})
    return str(archive.name)


def test_all_classes_keep_their_order_as_labels(tmp_path: Path) -> None:
    write_cdl_year(tmp_path, 2023)
    dataset = CDL(root=tmp_path)
    assert len(dataset.classes) == 134 and dataset.classes[0] == 0
    mask = dataset[dataset.bounds]["mask"]
    assert mask.dtype == torch.int64 and mask.shape == (32, 32)
    expected = {dataset.classes.index(value) for value in CDL_VALUES}
    assert set(mask.unique().tolist()) == expected


def test_a_class_subset_becomes_ordinal_labels_and_the_rest_background(tmp_path: Path) -> None:
    write_cdl_year(tmp_path, 2023)
    dataset = CDL(root=tmp_path, classes=[0, 24, 1])
    mask = dataset[dataset.bounds]["mask"]
    raw = torch.from_numpy(stripes((32, 32), CDL_VALUES).astype(np.int64))
    assert torch.equal(mask == 1, raw == 24)
    assert torch.equal(mask == 2, raw == 1)
    assert torch.equal(mask == 0, (raw != 24) & (raw != 1))
    assert dataset.ordinal_cmap.shape == (3, 4)
    assert tuple(dataset.ordinal_cmap[2]) == (255, 211, 0, 255)  # corn's NASS yellow


def test_unknown_class_or_year_is_a_value_error(tmp_path: Path) -> None:
    write_cdl_year(tmp_path, 2023)
    with pytest.raises(ValueError, match=r"unknown class value.*\[7\]"):
        CDL(root=tmp_path, classes=[0, 7])
    with pytest.raises(ValueError, match=r"1999.*2008"):
        CDL(root=tmp_path, years=[1999])


def test_only_the_chosen_years_are_indexed(tmp_path: Path) -> None:
    write_cdl_year(tmp_path, 2022)
    write_cdl_year(tmp_path, 2023)
    assert len(CDL(root=tmp_path)) == 1
    assert len(CDL(root=tmp_path, years=[2022, 2023])) == 2


def test_plot_draws_mask_and_prediction_in_the_legend_colours(tmp_path: Path) -> None:
    write_cdl_year(tmp_path, 2023)
    dataset = CDL(root=tmp_path, classes=[1, 5])
    sample = dataset[dataset.bounds]
    sample["prediction"] = sample["mask"].clone()
    figure = dataset.plot(sample, suptitle="CDL")
    assert isinstance(figure, Figure) and len(figure.axes) == 2


def test_download_verifies_extracts_and_never_fetches_twice(
    http_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = serve_cdl(http_server, tmp_path, monkeypatch, 2023)
    root = tmp_path / "cdl"
    dataset = CDL(root=root, download=True, checksum=True)
    assert (root / "2023_30m_cdls.tif").is_file()
    assert dataset[dataset.bounds]["mask"].shape == (32, 32)
    CDL(root=root, download=True, checksum=True)
    assert http_server.hits(name) == 1


def test_an_archive_on_disk_is_extracted_without_download(
    http_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = serve_cdl(http_server, tmp_path, monkeypatch, 2023)
    root = tmp_path / "cdl"
    root.mkdir()
    (root / name).write_bytes((http_server.root / name).read_bytes())
    assert len(CDL(root=root, checksum=True)) == 1
    assert http_server.hits(name) == 0


def test_a_wrong_checksum_names_the_file_and_keeps_nothing(
    http_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    name = serve_cdl(http_server, tmp_path, monkeypatch, 2023)
    monkeypatch.setattr(CDL, "md5s", {**CDL.md5s, 2023: "0" * 32})
    root = tmp_path / "cdl"
    with pytest.raises(ChecksumError, match=name):
        CDL(root=root, download=True, checksum=True)
    assert not list(root.glob("*.zip"))


def test_nothing_on_disk_without_download_names_the_folder(tmp_path: Path) -> None:
    with pytest.raises(DatasetNotFoundError, match=str(tmp_path)):
        CDL(root=tmp_path)


def test_published_checksums_cover_every_year_since_2008() -> None:
    assert sorted(CDL.md5s) == list(range(2008, 2025))
    assert all(len(value) == 32 for value in CDL.md5s.values())


def test_a_missing_year_is_named_with_the_years_the_folder_holds(tmp_path: Path) -> None:
    write_cdl_year(tmp_path, 2021)
    write_cdl_year(tmp_path, 2022)
    with pytest.raises(DatasetNotFoundError, match=r"year\(s\) \[2023\] \(2023_30m_cdls\.tif\).*years=\[2021, 2022\]"):
        CDL(root=tmp_path)
