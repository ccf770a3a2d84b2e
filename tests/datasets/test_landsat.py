"""Landsat 1-9: Collection 2 scenes, one GeoTIFF per band, Level-1 and Level-2 names."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import torch

from geotorch.core import BoundingBox, DatasetNotFoundError
from geotorch.datasets import (
    Landsat1,
    Landsat4MSS,
    Landsat5MSS,
    Landsat5TM,
    Landsat7,
    Landsat8,
    Landsat9,
)
from geotorch.datasets.landsat import Landsat
from tests.datasets.fakes.geo import write_landsat_scene

L8_ID = "LC08_L2SP_023032_20230615_20230620_02_T1"


@pytest.fixture
def landsat8_root(tmp_path: Path) -> Path:
    write_landsat_scene(tmp_path, L8_ID, (*Landsat8.all_bands, "QA_PIXEL"), 32616, -87.5, 40.0)
    return tmp_path


def test_landsat8_reads_the_default_bands_of_one_scene(landsat8_root: Path) -> None:
    dataset = Landsat8(root=landsat8_root)
    assert len(dataset) == 1
    assert dataset.bands == ("SR_B1", "SR_B2", "SR_B3", "SR_B4", "SR_B5", "SR_B6", "SR_B7")
    assert dataset.crs.to_epsg() == 32616 and dataset.res == (30.0, 30.0)
    bounds = dataset.bounds
    sample = dataset[BoundingBox(bounds.minx, bounds.minx + 480, bounds.maxy - 480, bounds.maxy,
                                 bounds.mint, bounds.maxt)]
    assert sample["image"].shape == (7, 16, 16) and sample["image"].dtype == torch.float32
    assert (sample["image"] > 0).all()


def test_the_acquisition_date_is_the_sample_time(landsat8_root: Path) -> None:
    bounds = Landsat8(root=landsat8_root).bounds
    assert datetime.fromtimestamp(bounds.mint, UTC) == datetime(2023, 6, 15, tzinfo=UTC)
    assert datetime.fromtimestamp(bounds.maxt, UTC).date() == datetime(2023, 6, 15).date()


def test_all_bands_minus_coastal_and_last_two_match_landsat7_defaults_in_count_and_meaning() -> None:
    assert Landsat8.all_bands[1:-2] == ("SR_B2", "SR_B3", "SR_B4", "SR_B5", "SR_B6")
    assert len(Landsat7.default_bands) == 5
    assert Landsat9.all_bands == Landsat8.all_bands


def test_selected_bands_are_read_in_the_requested_order(landsat8_root: Path) -> None:
    dataset = Landsat8(root=landsat8_root, bands=["SR_B4", "SR_B2"])
    bounds = dataset.bounds
    image = dataset[bounds.minx : bounds.minx + 300, bounds.maxy - 300 : bounds.maxy]["image"]
    both = Landsat8(root=landsat8_root, bands=["SR_B2", "SR_B4"])[bounds.minx : bounds.minx + 300,
                                                                   bounds.maxy - 300 : bounds.maxy]["image"]
    assert torch.equal(image, both.flip(0))


def test_level1_scenes_are_read_by_their_band_names(tmp_path: Path) -> None:
    product = "LC08_L1TP_023032_20230615_20230620_02_T1"
    write_landsat_scene(tmp_path, product, Landsat8.level1_bands, 32616, -87.5, 40.0)
    dataset = Landsat8(root=tmp_path, bands=["B4", "B3", "B2"])
    bounds = dataset.bounds
    sample = dataset[bounds.minx : bounds.minx + 300, bounds.maxy - 300 : bounds.maxy]
    assert sample["image"].shape == (3, 10, 10)
    dataset.plot(sample)


def test_unknown_band_is_a_value_error_listing_the_bands(landsat8_root: Path) -> None:
    with pytest.raises(ValueError, match=r"SR_B99.*SR_B1"):
        Landsat8(root=landsat8_root, bands=["SR_B99"])


def test_level1_and_level2_names_mixed_are_refused_listing_both_levels(landsat8_root: Path) -> None:
    with pytest.raises(ValueError, match=r"mixes Level-1 names \['B4'\] with Level-2 .*Level-1 bands \['B1'"):
        Landsat8(root=landsat8_root, bands=["B4", "SR_B3"])


@pytest.mark.parametrize(
    ("cls", "product", "bands"),
    [
        (Landsat1, "LM01_L1TP_032030_19720801_20200909_02_T2", Landsat1.all_bands),
        (Landsat4MSS, "LM04_L1TP_023032_19830115_20200903_02_T2", Landsat4MSS.all_bands),
        (Landsat5MSS, "LM05_L1TP_023032_19900115_20200903_02_T2", Landsat5MSS.all_bands),
        (Landsat5TM, "LT05_L2SP_023032_20000604_20200907_02_T1", Landsat5TM.all_bands),
        (Landsat7, "LE07_L2SP_023032_20230607_20230703_02_T1", Landsat7.all_bands),
        (Landsat9, "LC09_L2SP_023032_20230623_20230625_02_T1", Landsat9.all_bands),
    ],
)
def test_every_sensor_finds_only_its_own_scenes(
    tmp_path: Path, landsat8_root: Path, cls: type[Landsat], product: str, bands: tuple[str, ...]
) -> None:
    write_landsat_scene(landsat8_root, product, bands, 32616, -87.6, 40.1)
    dataset = cls(root=landsat8_root)
    assert len(dataset) == 1
    bounds = dataset.bounds
    sample = dataset[bounds.minx : bounds.minx + 120, bounds.maxy - 120 : bounds.maxy]
    assert sample["image"].shape[0] == len(cls.default_bands or cls.all_bands)
    dataset.plot(sample).clear()


def test_missing_scenes_say_where_and_how_to_get_them(tmp_path: Path) -> None:
    with pytest.raises(DatasetNotFoundError, match=rf"{tmp_path}.*EarthExplorer"):
        Landsat7(root=tmp_path, download=True)


@pytest.mark.parametrize("dataset", [Landsat8, Landsat9])
def test_scenes_of_one_instrument_are_read_with_those_of_both(tmp_path: Path, dataset: type[Landsat]) -> None:
    number = dataset.__name__[-1]
    reflective = ("SR_B1", "SR_B2", "SR_B3", "SR_B4", "SR_B5", "SR_B6", "SR_B7")
    write_landsat_scene(tmp_path, f"LC0{number}_L2SP_023032_20230615_20230620_02_T1", dataset.all_bands, 32616,
                        -87.5, 40.0)
    write_landsat_scene(tmp_path, f"LO0{number}_L2SR_023032_20230701_20230710_02_T1", reflective, 32616, -87.5, 40.0)
    write_landsat_scene(tmp_path, f"LT0{number}_L1GT_023032_20230717_20230725_02_T2", ("B10", "B11"), 32616,
                        -87.5, 40.0)
    with pytest.warns(UserWarning, match=rf"skipping the scene of .*LT0{number}_L1GT_.*_B10\.TIF"):
        reflectance = dataset(tmp_path, time_series=True)
    assert len(reflectance) == 2, "the OLI-only scene is read beside the OLI/TIRS one"
    with pytest.warns(UserWarning, match="skipping the scene of"):
        thermal = dataset(tmp_path, bands=["B10", "B11"], time_series=True)
    assert len(thermal) == 1
    assert thermal[thermal.bounds]["image"].shape[:2] == (1, 2), "the TIRS-only scene's two thermal bands"
