"""File names beyond ASCII: UTF-8 names are read as any other; names of other encodings are refused naming them."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from geotorch.core import RasterDataset
from tests.core.rasters import grid, write_raster

LEFT, TOP = 500000.0, 4600000.0


@pytest.mark.parametrize("name", ["café.tif", "日本 scene.tif", "ø#%.tif"])
def test_utf8_names_are_indexed_and_read(tmp_path: Path, name: str) -> None:
    image = np.arange(2 * 8 * 8, dtype="uint16").reshape(2, 8, 8) + 1
    write_raster(tmp_path / name, image, 32631, grid(LEFT, TOP, 10.0))
    dataset = RasterDataset(tmp_path)
    assert dataset.files == [str(tmp_path / name)]
    assert np.array_equal(dataset[dataset.bounds]["image"].numpy(), image)


def test_a_name_that_is_not_utf8_is_refused_at_construction_naming_its_bytes(tmp_path: Path) -> None:
    # A Latin-1 name (b"caf\xe9.tif") was indexed; its first read failed in rasterio with "'utf-8' codec can't
    # encode character '\udce9' in position 11: surrogates not allowed", naming no file.
    write_raster(tmp_path / "scene.tif", np.ones((1, 8, 8), "uint8"), 32631, grid(LEFT, TOP, 10.0))
    try:
        os.rename(os.fsencode(tmp_path / "scene.tif"), os.fsencode(tmp_path) + b"/caf\xe9.tif")
    except OSError as error:  # (macOS's APFS, say, takes UTF-8 names only)
        pytest.skip(f"this file system refuses a name that is not UTF-8: {error}")
    with pytest.raises(ValueError, match=r"caf\\xe9\.tif'?: the path is not UTF-8"):
        RasterDataset(tmp_path)
