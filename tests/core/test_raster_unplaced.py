"""A raster at no place on the Earth, or none the dataset's CRS draws, is skipped naming it; the others are indexed."""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path

import numpy as np
import pytest

from geotorch.core import RasterDataset
from geotorch.samplers import GridGeoSampler
from tests.conftest import LocalHTTPServer
from tests.core.rasters import grid, write_raster

#: Files at no place on the Earth in their own CRS: latitudes past the north or south pole, an export's
#: 'no coordinate' sentinel (1e30 m) and a UTM tile 1e8 m out (both past the transverse Mercator's image).
NOWHERE = [
    ("EPSG:4326", grid(10.0, 105.0, 1.0)),
    ("EPSG:4326", grid(10.0, -91.0, 1.0)),
    ("EPSG:32633", grid(1e30, 1e30, 1e28)),
    ("EPSG:32633", grid(1e8, 1e8, 1e6)),
]
IDS = ["past-the-north-pole", "past-the-south-pole", "sentinel-1e30", "utm-1e8-m"]

#: A presigned S3 URL's query: neither credential may reach a message.
SIGNED = "?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=SECRET5EC&X-Amz-Credential=AKIASECRET%2F20261203"

#: GOES-East's full disk: Australia lies on the far side of the Earth, which it does not draw.
GOES_EAST = "+proj=geos +h=35786023 +lon_0=-75 +sweep=x +datum=WGS84 +units=m"


def _folder(tmp_path: Path, real_data: Path, bad_name: str, crs: str, transform: object) -> Path:
    """A folder of the real Landsat scene (UTM 18N) as ``m_good.tif`` and a 10 x 10 px file ``bad_name``."""
    folder = tmp_path / "scenes"
    folder.mkdir()
    shutil.copy(real_data / "RGB.byte.tif", folder / "m_good.tif")
    write_raster(folder / bad_name, np.ones((3, 10, 10), dtype=np.uint8), crs, transform)  # type: ignore[arg-type]
    return folder


def _items(dataset: RasterDataset) -> list[str]:
    """The names of the files the dataset's index holds."""
    hits = dataset.index.intersection(dataset.index.bounds, objects=True)
    return sorted({Path(str(hit.object)).name for hit in hits})


@pytest.mark.parametrize("bad_name", ["a_bad.tif", "z_bad.tif"], ids=["found-first", "found-last"])
@pytest.mark.parametrize(("crs", "transform"), NOWHERE, ids=IDS)
def test_a_file_at_no_place_is_skipped_naming_it_and_the_others_are_indexed(
    tmp_path: Path, real_data: Path, bad_name: str, crs: str, transform: object
) -> None:
    # Found last, it stopped the dataset ('cannot index ...: its box ... = (inf, inf, inf, inf ...) is not a box',
    # or 'cannot convert float NaN to integer'); found first, its CRS became the dataset's and the index reached
    # 105 N or 1.1e30 m.
    folder = _folder(tmp_path, real_data, bad_name, crs, transform)
    with pytest.warns(UserWarning, match=rf"skipping {folder / bad_name}: its footprint .* in {crs} lies at no "
                                         r"place on the Earth"):
        dataset = RasterDataset(folder)
    assert dataset.crs.to_epsg() == 32618
    assert _items(dataset) == ["m_good.tif"]
    assert dataset.bounds.maxy < 3e6
    windows = list(GridGeoSampler(dataset, 256))
    assert len(windows) == 12  # 791 x 718 px
    assert dataset[windows[0]]["image"].shape == (3, 256, 256)


def test_a_file_the_datasets_crs_does_not_draw_is_skipped_naming_it(tmp_path: Path, real_data: Path) -> None:
    # A tile of Australia read on GOES-East's disk (the far side of the Earth) stopped the dataset with
    # 'cannot index .../z_australia.tif: its box ... = (inf, inf, inf, inf, open, open) is not a box'.
    folder = _folder(tmp_path, real_data, "z_australia.tif", "EPSG:4326", grid(130.0, -20.0, 1.0))
    with pytest.warns(UserWarning, match=r"skipping .*z_australia.tif: its footprint .* cannot be expressed in"):
        dataset = RasterDataset(folder, crs=GOES_EAST, res=300.0)
    assert _items(dataset) == ["m_good.tif"]
    assert dataset[next(iter(GridGeoSampler(dataset, 64)))]["image"].shape == (3, 64, 64)


def test_a_file_reaching_past_the_pole_is_indexed_without_a_word(tmp_path: Path, real_data: Path) -> None:
    # Its rows at 80..90 N are places: only a file wholly past a pole is skipped.
    folder = _folder(tmp_path, real_data, "z_arctic.tif", "EPSG:4326", grid(10.0, 95.0, 1.5))
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        dataset = RasterDataset(folder)
    assert _items(dataset) == ["m_good.tif", "z_arctic.tif"]


@pytest.mark.parametrize(("crs", "transform"), NOWHERE[:3], ids=IDS[:3])
def test_a_dataset_of_only_files_at_no_place_names_them(tmp_path: Path, crs: str, transform: object) -> None:
    path = write_raster(tmp_path / "bad.tif", np.ones((1, 10, 10), dtype=np.uint8), crs, transform)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=rf"{path}: its footprint .* lies at no place on the Earth"):
        RasterDataset(path)


def test_a_lone_file_the_datasets_crs_does_not_draw_is_refused_naming_it(tmp_path: Path) -> None:
    path = write_raster(tmp_path / "australia.tif", np.ones((1, 10, 10), dtype=np.uint8), "EPSG:4326",
                        grid(130.0, -20.0, 1.0))
    with pytest.raises(ValueError, match=rf"{path}: its footprint .* cannot be expressed in"):
        RasterDataset(path, crs=GOES_EAST, res=3000.0)


def test_a_crs_given_as_a_proj_string_is_named_by_it(tmp_path: Path) -> None:
    # Messages named it 'unknown' (PROJ's name of a CRS built from a PROJ string).
    path = write_raster(tmp_path / "australia.tif", np.ones((1, 10, 10), dtype=np.uint8), "EPSG:4326",
                        grid(130.0, -20.0, 1.0))
    with pytest.raises(ValueError, match=r"cannot be expressed in '\+proj=geos \+lon_0=-75 \+h=35786023 .*\+units=m'"):
        RasterDataset(path, crs=GOES_EAST, res=3000.0)


def test_a_signed_url_the_datasets_crs_does_not_draw_is_named_without_its_credentials(
    http_server: LocalHTTPServer,
) -> None:
    # The ValueError quoted the URL whole: 'cannot index http://.../australia.tif?...X-Amz-Signature=SECRET5EC...'.
    http_server.ranges = True
    write_raster(http_server.root / "australia.tif", np.ones((1, 10, 10), dtype=np.uint8), "EPSG:4326",
                 grid(130.0, -20.0, 1.0))
    url = http_server.url("australia.tif") + SIGNED
    with pytest.raises(ValueError, match=r"australia\.tif\?.*: its footprint .* cannot be expressed in") as raised:
        RasterDataset(url, crs=GOES_EAST, res=3000.0)
    assert "SECRET5EC" not in str(raised.value)
    assert "AKIASECRET" not in str(raised.value)
