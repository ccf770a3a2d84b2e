"""Annual NLCD: yearly archives, class subsets, MRLC colours."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import torch

from geotorch.core import ChecksumError, DatasetNotFoundError
from geotorch.datasets import NLCD
from tests.datasets.fakes.geo import md5, zip_files
from tests.datasets.fakes.products import write_nlcd_year


def test_classes_map_to_labels_and_no_data_to_background(tmp_path: Path) -> None:
    write_nlcd_year(tmp_path, 2024)
    dataset = NLCD(root=tmp_path, classes=[82, 11])
    mask = dataset[dataset.bounds]["mask"]
    assert mask.dtype == torch.int64 and set(mask.unique().tolist()) == {0, 1, 2}
    assert (mask[:, :4] == 2).all() and (mask[:, 12:16] == 0).all()
    assert tuple(dataset.ordinal_cmap[1]) == (171, 108, 40, 255)
    dataset.plot(dataset[dataset.bounds])


def test_download_checksum_and_extraction(http_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    raster = write_nlcd_year(tmp_path / "staging", 2019)
    archive = zip_files(http_server.root / "Annual_NLCD_LndCov_2019_CU_C1V1.zip", [raster], raster.parent)
    monkeypatch.setattr(NLCD, "url", http_server.base_url + "Annual_NLCD_LndCov_{year}_CU_C1V1.zip")
    monkeypatch.setattr(NLCD, "md5s", {**NLCD.md5s, 2019: md5(archive)})
    root = tmp_path / "nlcd"
    assert len(NLCD(root=root, years=[2019], download=True, checksum=True)) == 1
    NLCD(root=root, years=[2019], download=True, checksum=True)
    assert http_server.hits(archive.name) == 1
    monkeypatch.setattr(NLCD, "md5s", {**NLCD.md5s, 2019: "f" * 32})
    with pytest.raises(ChecksumError, match=archive.name):
        NLCD(root=tmp_path / "other", years=[2019], download=True, checksum=True)
    assert not list((tmp_path / "other").glob("*.zip"))


def test_missing_year_without_download_names_the_folder(tmp_path: Path) -> None:
    write_nlcd_year(tmp_path, 2024)
    with pytest.raises(DatasetNotFoundError, match=str(tmp_path)):
        NLCD(root=tmp_path, years=[2023])
    assert sorted(NLCD.md5s) == list(range(1985, 2025))


def test_a_missing_year_of_several_is_named_with_the_years_the_folder_holds(tmp_path: Path) -> None:
    write_nlcd_year(tmp_path, 2021)
    with pytest.raises(DatasetNotFoundError, match=r"year\(s\) \[2020\] .*holds year\(s\) \[2021\]: pass years="):
        NLCD(root=tmp_path, years=[2021, 2020])
