"""The ``crs`` argument of products that read it themselves: core's ``as_crs`` names a bad one, as RasterDataset.

Sentinel2 (its default res is 10 m in any CRS), EuroCrops and CanadianBuildingFootprints (1 m in a
projected CRS) parsed ``crs`` with rasterio before the core did: crs='32633' raised rasterio's bare
CRSError 'The WKT could not be parsed. OGR Error code 5', naming neither crs nor the product.
"""

from __future__ import annotations

import typing
from pathlib import Path

import pyproj
import pytest

from geotorch.core import DatasetNotFoundError
from geotorch.datasets import EUDEM, CanadianBuildingFootprints, Chesapeake, EuroCrops, Sentinel2, STACDataset
from tests.datasets.fakes.geo import write_sentinel2_safe
from tests.datasets.fakes.products import write_cbf_province, write_eurocrops_country

NOT_CRSS = ["32633", "EPSG:99999", 4326.0]


@pytest.fixture
def eurocrops(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(EuroCrops, "md5s", {"AT_2021.zip": ""})
    write_eurocrops_country(tmp_path)
    return tmp_path


@pytest.mark.parametrize("crs", NOT_CRSS, ids=repr)
def test_eurocrops_names_a_bad_crs(eurocrops: Path, crs: object) -> None:
    with pytest.raises(ValueError, match=r"^EuroCrops: crs=.* is not a coordinate reference system"):
        EuroCrops(root=eurocrops, crs=crs)


@pytest.mark.parametrize("crs", NOT_CRSS, ids=repr)
def test_canadian_building_footprints_name_a_bad_crs(tmp_path: Path, crs: object) -> None:
    path = write_cbf_province(tmp_path, "Alberta", -114.0)
    with pytest.raises(ValueError, match=r"^CanadianBuildingFootprints: crs=.* is not a coordinate reference system"):
        CanadianBuildingFootprints(paths=[path], crs=crs)


@pytest.mark.parametrize("crs", NOT_CRSS, ids=repr)
def test_sentinel2_names_a_bad_crs(tmp_path: Path, crs: object) -> None:
    write_sentinel2_safe(tmp_path, "L2A")
    with pytest.raises(ValueError, match=r"^Sentinel2: crs=.* is not a coordinate reference system"):
        Sentinel2(root=tmp_path, crs=crs, bands=["B02"])


def test_a_bad_crs_is_named_before_the_data_is_looked_for(tmp_path: Path) -> None:
    # Before a download (of gigabytes, for EuroCrops), as RasterDataset names it before any file is searched.
    for product in (EuroCrops, CanadianBuildingFootprints):
        with pytest.raises(ValueError, match=rf"^{product.__name__}: crs='32633' is not"):
            product(root=tmp_path / "missing", crs="32633")
        with pytest.raises(DatasetNotFoundError):
            product(root=tmp_path / "missing", crs="EPSG:32633")


@pytest.mark.parametrize(
    "crs", ["EPSG:32633", 32633, pyproj.CRS.from_epsg(32633), pyproj.CRS.from_epsg(32633).to_json()], ids=str
)
def test_every_spelling_of_a_projected_crs_gets_one_metre_pixels(eurocrops: Path, crs: object) -> None:
    dataset = EuroCrops(root=eurocrops, crs=crs)
    assert dataset.crs.to_epsg() == 32633 and dataset.res == (1.0, 1.0)


@pytest.mark.parametrize("product", [Sentinel2, EuroCrops, CanadianBuildingFootprints, STACDataset, Chesapeake, EUDEM])
def test_crs_annotations_take_a_pyproj_crs(product: type) -> None:
    # TorchGeo's own annotation is a pyproj CRS: code passing one failed a type check (rasterio CRS, str, int only).
    accepted = typing.get_args(typing.get_type_hints(product.__init__)["crs"])
    assert pyproj.CRS in accepted and str in accepted and int in accepted
