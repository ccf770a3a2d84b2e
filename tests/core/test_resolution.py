"""The ``res`` argument of datasets: one or two positive finite numbers, refused otherwise naming ``res``."""

from __future__ import annotations

import math
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
import shapely
import torch
from affine import Affine

from geotorch.core import RasterDataset, VectorDataset
from geotorch.core.geo import as_res
from tests.core.rasters import grid, random_bands, write_raster, write_vector

BAD_VALUES = [math.nan, math.inf, -math.inf, (10.0, math.nan), (math.inf, 10.0), 0, -10.0]
BAD_TYPES = ["10", True, (10.0,), (10.0, 10.0, 10.0), (10.0, "10")]


@pytest.fixture
def raster_folder(tmp_path: Path) -> Path:
    write_raster(tmp_path / "scene.tif", random_bands((1, 8, 8)), "EPSG:32616", grid(600000, 4000300, 30.0))
    return tmp_path


@pytest.fixture
def vector_folder(tmp_path: Path) -> Path:
    write_vector(tmp_path / "fields.geojson", [shapely.box(600000, 4000000, 600300, 4000300)], "EPSG:32616")
    return tmp_path


@pytest.mark.parametrize("res", BAD_VALUES, ids=str)
def test_raster_dataset_refuses_a_non_finite_or_non_positive_res(raster_folder: Path, res: object) -> None:
    with pytest.raises(ValueError, match=r"res=.* must be positive and finite"):
        RasterDataset(raster_folder, res=res)  # type: ignore[arg-type]


@pytest.mark.parametrize("res", BAD_VALUES, ids=str)
def test_vector_dataset_refuses_a_non_finite_or_non_positive_res(vector_folder: Path, res: object) -> None:
    with pytest.raises(ValueError, match=r"res=.* must be positive and finite"):
        VectorDataset(vector_folder, res=res)  # type: ignore[arg-type]


@pytest.mark.parametrize("res", BAD_TYPES, ids=str)
def test_res_that_is_not_one_or_two_numbers_is_a_type_error(raster_folder: Path, res: object) -> None:
    with pytest.raises(TypeError, match=r"res=.* must be a number or an \(x, y\) pair"):
        RasterDataset(raster_folder, res=res)  # type: ignore[arg-type]


def test_view_with_a_nan_res_is_refused(raster_folder: Path) -> None:
    dataset = RasterDataset(raster_folder)
    with pytest.raises(ValueError, match="res=nan"):
        dataset.to("EPSG:32616", res=math.nan)


@pytest.mark.parametrize("res", [10, 10.0, (10, 20), [10.0, 20.0], np.float32(10), np.array([10.0, 20.0])], ids=str)
def test_res_accepts_numbers_and_pairs_of_numbers(res: object) -> None:
    expected = (10.0, 10.0) if np.size(res) == 1 else (10.0, 20.0)
    assert as_res(res) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize("res", [1e-320, 5e-324, (30.0, 1e-310)], ids=str)
def test_subnormal_res_is_refused_by_both_dataset_kinds(raster_folder: Path, vector_folder: Path, res: object) -> None:
    with pytest.raises(ValueError, match=r"res=.* is subnormal .*would overflow"):
        RasterDataset(raster_folder, res=res)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"res=.* is subnormal .*would overflow"):
        VectorDataset(vector_folder, res=res)  # type: ignore[arg-type]


def test_smallest_normal_res_is_accepted() -> None:
    assert as_res(sys.float_info.min) == (sys.float_info.min, sys.float_info.min)


@pytest.mark.parametrize(
    ("res", "expected"),
    [
        (torch.tensor(10.0), (10.0, 10.0)),
        (torch.tensor(10), (10.0, 10.0)),
        (np.array(10.0), (10.0, 10.0)),
        (torch.tensor([10.0, 20.0]), (10.0, 20.0)),
        ((torch.tensor(10), np.array(20)), (10.0, 20.0)),
    ],
    ids=str,
)
def test_res_accepts_0_d_tensors_and_arrays_as_numbers(
    raster_folder: Path, res: object, expected: tuple[float, float]
) -> None:
    assert RasterDataset(raster_folder, res=res).res == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "res", [torch.tensor(True), np.bool_(True), (10.0, np.bool_(False)), torch.tensor(1 + 2j), b"10", range(10**15)]
)
def test_res_of_bools_strings_or_other_things_is_a_type_error_naming_res(raster_folder: Path, res: object) -> None:
    with pytest.raises(TypeError, match=r"res=.* must be a number or an \(x, y\) pair"):
        RasterDataset(raster_folder, res=res)  # type: ignore[arg-type]


@pytest.mark.parametrize("res", [math.nan, -10.0, "10"], ids=str)
@pytest.mark.parametrize("kind", [RasterDataset, VectorDataset])
def test_a_bad_res_is_named_before_any_file_is_searched(
    tmp_path: Path, kind: type[RasterDataset] | type[VectorDataset], res: object
) -> None:
    with pytest.raises((ValueError, TypeError), match=r"res=.* must be"):
        kind(tmp_path, res=res)  # type: ignore[arg-type]


def test_a_res_in_metres_for_a_geographic_dataset_is_warned_of(tmp_path: Path) -> None:
    # 0.01 degree pixels; res=30 meant metres: every sample would be one 30-degree pixel.
    write_raster(tmp_path / "g.tif", random_bands((1, 100, 100)), "EPSG:4326", Affine(0.01, 0, 10, 0, -0.01, 50))
    with pytest.warns(UserWarning, match=r"res=\(30.0, 30.0\) is 3e\+03 times the files' pixel size \(0.01, 0.01\) "
                                         r"in EPSG:4326; res is in the CRS's units \(degree\)"):
        dataset = RasterDataset(tmp_path, res=30)
    assert dataset[dataset.bounds]["image"].shape == (1, 1, 1)


def test_a_res_in_degrees_for_a_projected_dataset_is_warned_of(tmp_path: Path) -> None:
    write_raster(tmp_path / "u.tif", random_bands((1, 8, 8)), "EPSG:32616", grid(600000, 4000300, 30.0))
    with pytest.warns(UserWarning, match=r"res=\(0.0003, 0.0003\) is 1e-05 times .* \(metre\)"):
        RasterDataset(tmp_path, res=0.0003)


def test_a_res_within_a_thousand_times_the_files_is_not_warned_of(raster_folder: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for res in (0.1, 30, 10000):
            RasterDataset(raster_folder, res=res)


@pytest.mark.real_data
def test_a_vector_res_in_degrees_for_a_projected_crs_is_warned_of(real_data: Path) -> None:
    # The park read in UTM at the default res 0.0001 (meant as degrees, as TorchGeo's): 0.1 mm pixels, and a
    # 10 m window raised numpy's "Unable to allocate 74.5 GiB for an array with shape (100000, 100000)".
    expected = (
        r"res=\(0.0001, 0.0001\) \(the default, as TorchGeo's, meant as degrees: about 11 m\) is in the units of "
        r"EPSG:32613, metre: pixels of about 0.0001"
    )
    with pytest.warns(UserWarning, match=expected):
        VectorDataset(real_data / "rmnp.geojson", crs="EPSG:32613")


@pytest.mark.real_data
def test_a_vector_res_in_metres_for_a_geographic_crs_is_warned_of(real_data: Path) -> None:
    # res=10 meant metres: 10-degree pixels, the whole park one pixel.
    expected = r"res=\(10.0, 10.0\) is in the units of EPSG:4326, degree: pixels of about 1.11e\+06 x 1.11e\+06 m"
    with pytest.warns(UserWarning, match=expected):
        dataset = VectorDataset(real_data / "rmnp.geojson", res=10)
    assert dataset[dataset.bounds]["mask"].shape == (1, 1)


@pytest.mark.real_data
def test_vector_res_from_a_millimetre_to_1000_km_is_not_warned_of(real_data: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for crs, res in (("EPSG:32613", 0.001), ("EPSG:32613", 30), ("EPSG:2263", 3), ("EPSG:4326", 0.00001)):
            VectorDataset(real_data / "rmnp.geojson", crs=crs, res=res)
        VectorDataset(real_data / "rmnp.geojson")
