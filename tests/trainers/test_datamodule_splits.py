"""Datamodules check the shares they hold out or split and the bands they normalise when built, naming them."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from geotorch.core import RasterDataset
from geotorch.datamodules import (
    EuroSATDataModule,
    GeoDataModule,
    OSCDDataModule,
    PatternNetDataModule,
    spatial_split,
)
from tests.datasets.fakes.geo import write_raster


@pytest.mark.parametrize(
    ("value", "error", "message"),
    [
        (20, ValueError, r"val_split_pct=20 must be a share from 0 to below 1 \(a percentage\? give 0.2\)"),
        (1.0, ValueError, r"val_split_pct=1.0 must be a share from 0 to below 1"),
        (-0.1, ValueError, r"val_split_pct=-0.1 must be a share from 0 to below 1"),
        (math.nan, ValueError, r"val_split_pct=nan must be a share"),
        ("0.2", TypeError, r"val_split_pct='0.2' must be a number from 0 to below 1"),
        (True, TypeError, r"val_split_pct=True must be a number"),
    ],
)
def test_a_val_split_pct_that_is_not_a_share_is_refused_when_built(value: object, error: type[Exception],
                                                                   message: str) -> None:
    with pytest.raises(error, match=rf"OSCDDataModule: {message}"):
        OSCDDataModule(val_split_pct=value)  # type: ignore[arg-type]


def test_held_out_shares_leaving_nothing_to_train_on_are_refused_when_built() -> None:
    with pytest.raises(ValueError, match=r"PatternNetDataModule: val_split_pct \+ test_split_pct must be below 1, "
                                         r"got 0.5 \+ 0.5: nothing would be left to train on"):
        PatternNetDataModule(val_split_pct=0.5, test_split_pct=0.5)


def test_shares_from_0_to_below_1_are_kept() -> None:
    assert OSCDDataModule(val_split_pct=0).val_split_pct == 0
    datamodule = PatternNetDataModule(val_split_pct=0.1, test_split_pct=0.3)
    assert (datamodule.val_split_pct, datamodule.test_split_pct) == (0.1, 0.3)


@pytest.mark.parametrize(
    ("bands", "error", "message"),
    [
        (["B4", "B3", "B2"], ValueError, r"bands \['B4', 'B3', 'B2'\] are not EuroSAT bands; choose from \['B01'"),
        ("rgb", TypeError, r"bands='rgb' must be a list of band names, such as \['B04', 'B03', 'B02'\]"),
    ],
)
def test_eurosat_bands_it_has_no_statistics_for_are_refused_naming_them(bands: object, error: type[Exception],
                                                                        message: str) -> None:
    with pytest.raises(error, match=rf"EuroSATDataModule: {message}"):
        EuroSATDataModule(bands=bands)  # type: ignore[arg-type]
    datamodule = EuroSATDataModule(bands=["B8A", "B04"])
    assert (datamodule.mean, datamodule.std, datamodule.num_channels) == ((2594.1, 947.6), (1231.6, 593.8), 2)


class Scene(RasterDataset):
    filename_glob = "scene.tif"


@pytest.fixture
def scene_folder(tmp_path: Path) -> Path:
    """A 3-band uint8 GeoTIFF, 100 x 40 px of 10 m in UTM 31N from x = 500000 (its longer side west to east)."""
    write_raster(tmp_path / "scene.tif", np.arange(3 * 40 * 100, dtype="uint32").reshape(3, 40, 100).astype("uint8"),
                 32631, 500_000.0, 4_000_400.0, 10.0)
    return tmp_path


@pytest.mark.parametrize(
    ("splits", "error", "message"),
    [
        ((0.8, 0.2), ValueError, r"splits=\[0.8, 0.2\] must hold 3 shares \(train, validation, test\), not 2"),
        ((80, 10, 10), ValueError, r"splits=\[80, 10, 10\] must be positive shares summing to 1 \(percentages\? "
                                   r"give \(0.8, 0.1, 0.1\)\)"),
        ((0.9, 0.1, 0.0), ValueError, r"splits=\[0.9, 0.1, 0.0\] must be positive shares summing to 1; each strip"),
        ((0.5, 0.5, math.nan), ValueError, r"splits=\[0.5, 0.5, nan\] must be positive shares summing to 1"),
        ("0.8", TypeError, r"splits='0.8' must be three numbers"),
        ((0.8, "0.1", 0.1), TypeError, r"splits=\(0.8, '0.1', 0.1\) must be three numbers, the train, validation "
                                       r"and test shares"),
    ],
)
def test_spatial_splits_that_are_not_three_shares_are_refused_when_built(
    scene_folder: Path, splits: object, error: type[Exception], message: str
) -> None:
    # Before: built, then setup raised "not enough values to unpack (expected 3, got 2)", "spatial_split:
    # fractions=[80, 10, 10] must be positive and sum to 1" or "'<=' not supported between instances of 'str'
    # and 'int'", naming no argument.
    with pytest.raises(error, match=rf"GeoDataModule: {message}"):
        GeoDataModule(Scene, patch_size=8, splits=splits, paths=scene_folder)  # type: ignore[arg-type]


def test_spatial_splits_cut_the_area_west_to_east(scene_folder: Path) -> None:
    datamodule = GeoDataModule(Scene, patch_size=8, splits=[0.6, 0.2, 0.2], paths=scene_folder)
    datamodule.setup("fit")
    strips = (datamodule.train_dataset, datamodule.val_dataset, datamodule.test_dataset)
    assert [(strip.bounds.minx, strip.bounds.maxx) for strip in strips if strip is not None] == [
        (500_000.0, 500_600.0), (500_600.0, 500_800.0), (500_800.0, 501_000.0)
    ]


def test_spatial_split_refuses_a_nan_fraction(scene_folder: Path) -> None:
    # Before: the NaN passed the check (NaN <= 0 and |NaN - 1| > 1e-6 are both false) and roi_split then
    # refused "roi 2 (BoundingBox(minx=501000.0, maxx=501000.0, ...)) does not intersect the data of Scene".
    with pytest.raises(ValueError, match=r"spatial_split: fractions=\[0.5, 0.5, nan\] must be positive and sum to 1"):
        spatial_split(Scene(scene_folder), [0.5, 0.5, math.nan])
