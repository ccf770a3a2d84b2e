"""A GeoDataModule's num_channels is its images' band count, whatever bands its dataset was asked for."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from geotorch.datamodules import NAIPChesapeakeDataModule
from geotorch.trainers import SemanticSegmentationTask
from tests.datasets.fakes.geo import reflectance, stripes, write_raster
from tests.trainers.task_fakes import fast_trainer
from tests.trainers.test_geospatial_datamodules import SIZE, covering


def rgb_naip_and_chesapeake(root: Path) -> NAIPChesapeakeDataModule:
    """A 3-band (R, G, B) NAIP quad of 2013 at 1 m in EPSG:26918, the bay-wide 7-class map over it, R G B chosen."""
    left, top = 300000.0, 4300000.0
    bands = np.stack([reflectance((SIZE, SIZE), band) // 100 for band in range(3)]).astype("uint8")
    write_raster(root / "naip" / "m_3807511_ne_18_1_20130805.tif", bands, 26918, left, top, 1.0)
    x, y, side = covering((left, top - SIZE, left + SIZE, top), 26918, 5070, 1.0)
    write_raster(root / "chesapeake" / "Baywide_7class_20132014.tif", stripes((side, side), range(1, 8)), 5070,
                 x, y, 1.0, nodata=0)
    return NAIPChesapeakeDataModule(batch_size=2, patch_size=8, length=4, splits=(0.5, 0.25, 0.25),
                                    naip_root=root / "naip", naip_bands=["R", "G", "B"],
                                    chesapeake_paths=root / "chesapeake")


def test_three_chosen_bands_fit_a_three_band_task(tmp_path: Path) -> None:
    # NAIPChesapeakeDataModule kept its class's num_channels = 4, so in_channels=3 was refused
    # ("gives images of 4 bands ...; set the task's in_channels to 4") and in_channels=4 failed in the
    # first convolution ("expected input[2, 3, 8, 8] to have 4 channels, but got 3 channels instead").
    datamodule = rgb_naip_and_chesapeake(tmp_path / "data")
    task = SemanticSegmentationTask(model="fcn", num_filters=4, in_channels=3, num_classes=8)
    fast_trainer(tmp_path / "fit").fit(task, datamodule=datamodule)
    assert datamodule.num_channels == 3


def test_a_task_of_the_default_band_count_is_told_the_chosen_one(tmp_path: Path) -> None:
    datamodule = rgb_naip_and_chesapeake(tmp_path / "data")
    task = SemanticSegmentationTask(model="fcn", num_filters=4, in_channels=4, num_classes=8)
    with pytest.raises(ValueError, match=r"gives images of 3 bands .* in_channels=4; set the task's in_channels to 3"):
        fast_trainer(tmp_path / "fit").fit(task, datamodule=datamodule)
