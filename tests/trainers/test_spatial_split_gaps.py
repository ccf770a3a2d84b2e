"""spatial_split names a strip without data, or narrower than the patches read from it, by its share."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from geotorch.core import RasterDataset
from geotorch.datamodules import GeoDataModule, spatial_split
from tests.datasets.fakes.geo import write_raster


def test_a_strip_in_the_gap_between_two_tiles_is_named_by_its_share(tmp_path: Path) -> None:
    # Two 20 x 20 px tiles 10 km apart: the validation strip (0.1 of the extent) falls between them.
    write_raster(tmp_path / "west.tif", np.ones((20, 20), "uint8"), 32633, 500_000.0, 4_000_000.0, 10.0)
    write_raster(tmp_path / "east.tif", np.full((20, 20), 2, "uint8"), 32633, 510_000.0, 4_000_000.0, 10.0)
    datamodule = GeoDataModule(RasterDataset, patch_size=8, paths=tmp_path)
    # Before: "roi_split: roi 1 (BoundingBox(minx=508160.0, ...)) does not intersect the data of RasterDataset",
    # naming an roi the user never gave.
    with pytest.raises(ValueError, match=r"spatial_split: strip 2 of 3 \(fraction 0.1 of fractions=\[0.8, 0.1, 0.1\]: "
                                         r"x from 508160 to 509180, 102 pixels of res 10\) holds no pixel of the data "
                                         r"of RasterDataset .*: it lies in a gap between files"):
        datamodule.setup("fit")


def test_a_strip_thinner_than_half_a_pixel_is_named_by_its_share(tmp_path: Path) -> None:
    write_raster(tmp_path / "scene.tif", np.ones((5, 5), "uint8"), 32633, 500_000.0, 4_000_000.0, 10.0)
    # Before: "roi_split: roi 2 (...) does not intersect the data of RasterDataset (...), or holds less than half
    # a pixel of it".
    with pytest.raises(ValueError, match=r"spatial_split: strip 3 of 3 \(fraction 0.1 of fractions=\[0.8, 0.1, 0.1\]: "
                                         r"x from 500045 to 500050, 0.5 pixels of res 10\) holds no pixel"):
        spatial_split(RasterDataset(tmp_path), [0.8, 0.1, 0.1])


def test_strips_that_hold_data_split_it_as_before(tmp_path: Path) -> None:
    write_raster(tmp_path / "scene.tif", np.ones((20, 50), "uint8"), 32633, 500_000.0, 4_000_000.0, 10.0)
    views = spatial_split(RasterDataset(tmp_path), [0.6, 0.2, 0.2])
    assert [(view.bounds.minx, view.bounds.maxx) for view in views] == [
        (500_000.0, 500_300.0), (500_300.0, 500_400.0), (500_400.0, 500_500.0)
    ]


def test_a_validation_strip_narrower_than_the_patch_is_refused_naming_it(tmp_path: Path) -> None:
    # 100 x 16 px: the validation strip (0.1) is 10 px wide. Before: its one 16 px window reached 6 px into the
    # test strip and read the test pixels there (columns 90-95 of the scene) into a validation sample.
    write_raster(tmp_path / "scene.tif", np.arange(16 * 100, dtype="uint16").reshape(16, 100) % 100 + 1, 32633,
                 500_000.0, 4_000_000.0, 10.0)
    datamodule = GeoDataModule(RasterDataset, patch_size=16, paths=tmp_path)
    with pytest.raises(ValueError, match=r"spatial_split: strip 2 of 3 \(fraction 0.1 of fractions=\[0.8, 0.1, 0.1\]: "
                                         r"x from 500800 to 500900\) is 10 pixels wide at res 10, less than "
                                         r"patch_size=16: a window over it would reach into strip 3 and read its "
                                         r"pixels"):
        datamodule.setup("fit")


def test_a_north_south_strip_is_measured_in_rows(tmp_path: Path) -> None:
    write_raster(tmp_path / "scene.tif", np.ones((100, 40), "uint8"), 32633, 500_000.0, 4_000_000.0, 10.0)
    with pytest.raises(ValueError, match=r"strip 2 of 3 .*: y from 3999100 to 3999200\) is 10 pixels tall at res 10, "
                                         r"less than patch_size=\(12, 8\)"):
        spatial_split(RasterDataset(tmp_path), [0.8, 0.1, 0.1], patch_size=(12, 8))
    views = spatial_split(RasterDataset(tmp_path), [0.8, 0.1, 0.1], patch_size=(10, 40))
    assert [round((view.bounds.maxy - view.bounds.miny) / 10) for view in views] == [80, 10, 10]


def test_the_last_strip_may_be_narrower_than_the_patch(tmp_path: Path) -> None:
    # Its windows reach past the data, where the dataset reads its fill, not into another split.
    write_raster(tmp_path / "scene.tif", np.ones((16, 100), "uint8"), 32633, 500_000.0, 4_000_000.0, 10.0)
    views = spatial_split(RasterDataset(tmp_path), [0.7, 0.2, 0.1], patch_size=16)
    assert [(view.bounds.minx, view.bounds.maxx) for view in views] == [
        (500_000.0, 500_700.0), (500_700.0, 500_900.0), (500_900.0, 501_000.0)
    ]
