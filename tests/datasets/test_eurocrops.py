"""EuroCrops: country shapefiles of parcels with HCAT codes, mapped to chosen classes through the hierarchy."""

from __future__ import annotations

import re
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from geotorch.core import BoundingBox, ChecksumError, DatasetNotFoundError, LabelValueError, Resource
from geotorch.datasets import EuroCrops
from tests.datasets.fakes.geo import md5, square, write_shapefile, zip_files
from tests.datasets.fakes.products import EUROCROPS_HCAT, write_eurocrops_country


def labels_of_parcels(dataset: EuroCrops) -> list[int]:
    """The label at the centre of each of the three parcels."""
    box = BoundingBox(14.0, 14.003, 48.0, 48.001, dataset.bounds.mint, dataset.bounds.maxt)
    mask = dataset.to(res=0.0001)[box]["mask"]
    return [int(mask[5, 5 + 10 * number]) for number in range(3)]


@pytest.fixture
def local(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(EuroCrops, "md5s", {"AT_2021.zip": ""})
    write_eurocrops_country(tmp_path)
    return tmp_path


def test_every_code_of_the_table_is_a_class_by_default(local: Path) -> None:
    dataset = EuroCrops(root=local)
    assert dataset.classes == ("3301010100", "3301010101", "3301010600", "3301000000")
    assert labels_of_parcels(dataset) == [2, 3, 0]


def test_codes_fall_back_to_their_nearest_listed_ancestor(local: Path) -> None:
    dataset = EuroCrops(root=local, classes=["3301010100", "3301000000"])
    assert labels_of_parcels(dataset) == [1, 2, 0]
    assert dataset.label_of(3301010101) == 1 and dataset.label_of(3399000000) == 0
    sample = dataset.to(res=0.0001)[BoundingBox(14.0, 14.003, 48.0, 48.001, dataset.bounds.mint, dataset.bounds.maxt)]
    assert dataset.plot(sample) is not None


def test_files_time_span_is_their_year(local: Path) -> None:
    bounds = EuroCrops(root=local).bounds
    assert datetime.fromtimestamp(bounds.mint, UTC) == datetime(2021, 1, 1, tzinfo=UTC)


def test_download_checksum_extraction_and_not_found(
    http_server: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shapefile = write_eurocrops_country(tmp_path / "staging")
    archive = zip_files(http_server.root / "AT_2021.zip", sorted(shapefile.parent.iterdir()), shapefile.parent.parent)
    (http_server.root / "HCAT2.csv").write_text(EUROCROPS_HCAT)
    monkeypatch.setattr(EuroCrops, "url", http_server.base_url)
    table = Resource(http_server.url("HCAT2.csv"), "HCAT2.csv", md5=md5(http_server.root / "HCAT2.csv"), extract=False)
    monkeypatch.setattr(EuroCrops, "hcat", table)
    monkeypatch.setattr(EuroCrops, "md5s", {"AT_2021.zip": md5(archive)})
    root = tmp_path / "eurocrops"
    assert len(EuroCrops(root=root, download=True, checksum=True)) == 1
    EuroCrops(root=root, download=True, checksum=True)
    assert http_server.hits("AT_2021.zip") == 1 and http_server.hits("HCAT2.csv") == 1
    monkeypatch.setattr(EuroCrops, "md5s", {"AT_2021.zip": "0" * 32})
    with pytest.raises(ChecksumError, match=r"AT_2021\.zip"):
        EuroCrops(root=tmp_path / "other", download=True, checksum=True)
    with pytest.raises(DatasetNotFoundError, match=str(tmp_path / "other")):
        EuroCrops(root=tmp_path / "other")


@pytest.mark.parametrize("typo", ["330101010", "3301010199", "wheat"])
def test_classes_not_in_the_code_table_are_refused_naming_them(local: Path, typo: str) -> None:
    with pytest.raises(ValueError, match=rf"classes=\['{typo}'\] are not HCAT codes of .*HCAT2\.csv"):
        EuroCrops(root=local, classes=["3301010100", typo])


def test_parcels_without_a_code_are_background(local: Path) -> None:
    parcels = [square(14.0 + 0.001 * number, 48.0, 0.001) for number in range(3)]
    write_shapefile(local / "AT_2021_EC21" / "AT_2021_EC21.shp", parcels, "EC_hcat_c", ["3301010101", None, ""])
    assert labels_of_parcels(EuroCrops(root=local)) == [2, 0, 0]


def test_the_default_res_is_one_metre_in_a_projected_crs(local: Path) -> None:
    dataset = EuroCrops(root=local, crs="EPSG:32633")
    assert dataset.res == (1.0, 1.0), "about 1 m, as the default is in degrees, not 0.00001 m"
    assert EuroCrops(root=local).res == (0.00001, 0.00001)
    assert EuroCrops(root=local, crs="EPSG:2263").res == pytest.approx((3.2808, 3.2808), rel=1e-4), "1 m in US feet"


@contextmanager
def deadline(seconds: int) -> Iterator[None]:
    """Fail with TimeoutError where the block runs past ``seconds`` (a hang otherwise stalls the suite)."""
    if not hasattr(signal, "SIGALRM"):
        pytest.skip("needs SIGALRM to stop a hang")

    def expire(*_: object) -> None:
        raise TimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.mark.parametrize("code", ["-1", "3301010100.7", "wheat"])
def test_a_parcel_code_that_is_no_hcat_code_is_refused_naming_file_and_parcel(local: Path, code: str) -> None:
    # '-1' hung (the walk up the hierarchy never reached 0), '3301010100.7' was cut to 3301010100 and labelled
    # as that code silently, 'wheat' raised int()'s "invalid literal for int() with base 10" naming no file.
    parcels = [square(14.0 + 0.001 * number, 48.0, 0.001) for number in range(3)]
    path = write_shapefile(local / "AT_2021_EC21" / "AT_2021_EC21.shp", parcels, "EC_hcat_c", ["3301010101", code, ""])
    dataset = EuroCrops(root=local)
    with deadline(20), pytest.raises(LabelValueError, match=rf"feature 1: label value '{re.escape(code)}' ") as raised:
        labels_of_parcels(dataset)
    assert str(path) in str(raised.value) and "'EC_hcat_c'" in str(raised.value)


def test_codes_of_a_real_field_are_labelled_exactly(local: Path) -> None:
    dataset = EuroCrops(root=local)
    codes = np.array([3301010101.0, np.nan, 3301010600.0, 3399000000.0])
    np.testing.assert_array_equal(dataset.labels_of(codes), [2, 0, 3, 0])
    with deadline(20), pytest.raises(LabelValueError, match=r"feature 1: label value 3301010100\.7 is not an integer"):
        dataset.labels_of(np.array([3301010101.0, 3301010100.7]))
    with deadline(20), pytest.raises(ValueError, match=r"-3301010100 is no HCAT code"):
        dataset.label_of(-3301010100)
