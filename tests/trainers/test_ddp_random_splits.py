"""The random splitters, unseeded, split alike on every rank of a DDP run: no rank trains on another's validation."""

from __future__ import annotations

from pathlib import Path

import pytest
import rasterio
from rasterio.windows import Window

from geotorch.core import RasterDataset
from geotorch.samplers import random_bbox_assignment, random_bbox_splitting, random_grid_cell_assignment
from tests.trainers.ddp_random_splits_run import view_boxes
from tests.trainers.ddp_ranks import run_two_ranks

SCRIPT = Path(__file__).with_name("ddp_random_splits_run.py")
#: A real Landsat 7 ETM+ subset (UTM 18N, 300 m, 791 x 718 px; see ../shared/data/real/README.md).
REAL_SCENE = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "real" / "RGB.byte.tif"


def write_tiles(folder: Path) -> Path:
    """The real scene cut into 4 x 4 tiles of 197 x 179 px (its last 3 columns and 2 rows left out)."""
    if not REAL_SCENE.is_file():
        pytest.skip(f"real geodata not found at {REAL_SCENE.resolve()} (the project root's ../shared/data/real)")
    folder.mkdir(parents=True)
    with rasterio.open(REAL_SCENE) as scene:
        for row in range(4):
            for col in range(4):
                window = Window(col * 197, row * 179, 197, 179)
                profile = {**scene.profile, "width": 197, "height": 179, "transform": scene.window_transform(window)}
                with rasterio.open(folder / f"tile_{row}_{col}.tif", "w", **profile) as tile:
                    tile.write(scene.read(window=window))
    return folder


@pytest.mark.slow
def test_unseeded_ranks_split_alike_and_none_trains_on_validation(tmp_path: Path) -> None:
    tiles = RasterDataset(write_tiles(tmp_path / "tiles"))
    first, second = run_two_ranks(SCRIPT, tmp_path, timeout=120)
    # Before: each rank drew its split from its own torch generator (seeded 100 and 101): the ranks' training
    # tiles differed, so rank 1 trained on tiles that rank 0 validated on, and every splitter's views differed.
    assert first["splits"] == second["splits"]
    # The shared draw is seed 0's (SHARED_SEED), as PreChippedGeoSampler's unseeded shuffle over several ranks.
    assert first["splits"] == {
        "random_bbox_assignment": view_boxes(random_bbox_assignment(tiles, [0.5, 0.25, 0.25], generator=0)),
        "random_bbox_splitting": view_boxes(random_bbox_splitting(tiles, [0.5, 0.5], generator=0)),
        "random_grid_cell_assignment": view_boxes(random_grid_cell_assignment(tiles, [0.8, 0.2], 3, generator=0)),
    }
    held_out = [box for view in first["splits"]["random_bbox_assignment"][1:] for box in view]
    for minx, maxx, miny, maxy in first["train"] + second["train"]:
        assert not any(minx < right and left < maxx and miny < top and bottom < maxy
                       for left, right, bottom, top in held_out)
    for warnings in (first["warnings"], second["warnings"]):
        assert [message.split(":")[0] for message in warnings] == [
            "random_bbox_assignment", "random_bbox_splitting", "random_grid_cell_assignment"]
        assert all("(2 ranks)" in message and "seed 0" in message and "generator=<seed>" in message
                   for message in warnings)
