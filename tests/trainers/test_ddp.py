"""DDP with two CPU processes: ranks draw different random patches, and split a grid pass window by window."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import rasterio
import rasterio.warp
from rasterio.enums import Resampling

from geotorch.datamodules import DemoDataModule
from geotorch.samplers import GridGeoSampler

SCRIPT = Path(__file__).with_name("ddp_run.py")


@pytest.fixture(scope="module")
def ddp_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("ddp")
    DemoDataModule().setup("fit")  # generate the demo area once, before two processes race for it
    environment = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONWARNINGS": "ignore"}
    done = subprocess.run([sys.executable, str(SCRIPT), str(output)], env=environment, capture_output=True,
                          text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return output


def seen(output: Path, rank: int) -> dict[str, list[tuple[float, ...]]]:
    recorded = json.loads((output / f"rank{rank}.json").read_text())
    return {key: [tuple(box) for box in boxes] for key, boxes in recorded.items()}


@pytest.mark.slow
def test_two_ranks_draw_different_random_patches_and_new_ones_each_epoch(ddp_run: Path) -> None:
    first, second = seen(ddp_run, 0), seen(ddp_run, 1)
    for epoch in (0, 1):
        ours, theirs = first[f"train{epoch}"], second[f"train{epoch}"]
        assert len(ours) == len(theirs) == 16  # 32 patches per epoch, half per rank
        assert not set(ours) & set(theirs)
    assert set(first["train0"]) != set(first["train1"])


@pytest.mark.slow
def test_a_validation_grid_pass_visits_every_window_exactly_once_over_the_ranks(ddp_run: Path) -> None:
    datamodule = DemoDataModule(patch_size=32)
    datamodule.setup("fit")
    assert datamodule.val_dataset is not None
    grid = [tuple(box)[:4] for box in GridGeoSampler(datamodule.val_dataset, 32, 32, rank=0, world_size=1)]
    for epoch in (0, 1):
        visited = seen(ddp_run, 0)[f"val{epoch}"] + seen(ddp_run, 1)[f"val{epoch}"]
        assert sorted(visited) == sorted(grid)
        assert len(set(visited)) == len(visited)


@pytest.mark.slow
def test_ranks_predictions_are_gathered_into_one_seamless_geotiff(ddp_run: Path) -> None:
    (written,) = (ddp_run / "predictions").glob("*.tif")
    with rasterio.open(written) as result, rasterio.open(result.tags()["source"]) as scene:
        classes = result.read(1)
        assert result.crs.to_epsg() == 32616
        # The scene (in EPSG:32617) has pixels without data, and its box on the 32616 grid has corners outside it.
        has_data = np.zeros(classes.shape, dtype="uint8")
        rasterio.warp.reproject(scene.dataset_mask(), has_data, src_transform=scene.transform, src_crs=scene.crs,
                                dst_transform=result.transform, dst_crs=result.crs, resampling=Resampling.nearest)
    assert 0.5 < (has_data > 0).mean() < 0.95
    # Every pixel with data has a class, whichever rank predicted it; the others are nodata.
    assert (classes[has_data > 0] != 255).all()
    assert (classes[has_data == 0] == 255).all()
