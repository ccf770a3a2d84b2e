"""``predict_raster``'s inputs named more than once, in a folder and as files, are predicted once."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from torch import nn

from geotorch.trainers.predict import predict_raster
from geotorch.trainers.predict_reading import raster_paths
from tests.core.rasters import write_raster
from tests.trainers.test_predict_paths_agree import TRANSFORM


def test_a_file_named_again_is_predicted_once(tmp_path: Path) -> None:
    # A folder and a file in it (or the file spelt through '..') gave tile.tif, tile_2.tif and tile_3.tif: one
    # prediction three times, the later names reading as other inputs.
    folder = tmp_path / "2024"
    image = np.random.default_rng(0).integers(1, 255, (1, 20, 30)).astype("uint8")
    tile = write_raster(folder / "tile.tif", image, "EPSG:32633", TRANSFORM)
    other = write_raster(folder / "other.tif", image, "EPSG:32633", TRANSFORM)
    given = [folder, tile, tmp_path / "2024" / ".." / "2024" / "tile.tif", str(tile)]
    assert raster_paths(given) == [str(other), str(tile)]
    written = predict_raster(nn.Conv2d(1, 2, 1), given, tmp_path / "out", patch_size=16, device="cpu")
    assert sorted(path.name for path in written) == ["other.tif", "tile.tif"]
    assert sorted(path.name for path in (tmp_path / "out").iterdir()) == ["other.tif", "tile.tif"]


def test_remote_urls_are_kept_once_each(tmp_path: Path) -> None:
    urls = ["https://example.com/a.tif", "https://example.com/a.tif", "https://example.com/b.tif"]
    assert raster_paths(urls) == ["https://example.com/a.tif", "https://example.com/b.tif"]
