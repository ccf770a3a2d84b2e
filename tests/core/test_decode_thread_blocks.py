"""Files of large blocks decode on several threads, files of small strips on the reading thread; same pixels."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import rasterio
from affine import Affine

from geotorch.core import RasterDataset
from geotorch.core.handles import DECODE_THREADS_VARIABLE, open_files

LEFT, TOP = 300000.0, 4000000.0


def write_blocks(path: Path, array: np.ndarray, **blocks: int | bool) -> Path:
    """``array`` ``(C, H, W)`` as a DEFLATE GeoTIFF of 10 m pixels in UTM 16N, with the block layout ``blocks``."""
    with rasterio.open(path, "w", driver="GTiff", count=array.shape[0], height=array.shape[1], width=array.shape[2],
                       dtype=array.dtype, crs="EPSG:32616", transform=Affine(10.0, 0, LEFT, 0, -10.0, TOP),
                       compress="deflate", **blocks) as target:
        target.write(array)
    return path


@pytest.mark.parametrize(("layout", "threads"), [
    ({"tiled": False, "blockysize": 1}, 1),
    ({"tiled": False, "blockysize": 4}, 1),
    ({"tiled": True, "blockxsize": 128, "blockysize": 128}, 2),
])
def test_strips_of_a_few_rows_decode_on_one_thread_and_tiles_on_several(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, layout: dict[str, int | bool], threads: int
) -> None:
    array = np.random.default_rng(3).integers(1, 60000, (3, 300, 280), dtype=np.uint16)
    path = str(write_blocks(tmp_path / "scene.tif", array, **layout))
    monkeypatch.setenv(DECODE_THREADS_VARIABLE, "2")
    open_files.clear()
    try:
        # A 200 x 180 px window: 200 strips, or 4 tiles of 128 px.
        image = RasterDataset(path)[LEFT + 500 : LEFT + 2300, TOP - 2500 : TOP - 500]["image"].numpy()
        assert open_files.decode_threads_of(path) == threads
    finally:
        open_files.clear()
    np.testing.assert_array_equal(image, array[:, 50:250, 50:230].astype("float32"))
    assert open_files.decode_threads_of(path) == 1, "a file no longer open"
