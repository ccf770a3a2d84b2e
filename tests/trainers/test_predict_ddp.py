"""``geotorch predict`` under DDP (two CPU processes): the ranks split the rows, and the files equal one process's."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import rasterio
import torch
from affine import Affine

from geotorch.trainers import SemanticSegmentationTask

SCRIPT = Path(__file__).with_name("ddp_predict_run.py")


def write_image(path: Path, seed: int, height: int, width: int, transform: Affine) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    image = np.random.default_rng(seed).integers(1, 255, (3, height, width)).astype("uint8")
    image[:, :10, :12] = 0
    profile = {
        "driver": "GTiff",
        "width": width,
        "height": height,
        "count": 3,
        "dtype": "uint8",
        "crs": "EPSG:32633",
        "transform": transform,
        "nodata": 0,
    }
    with rasterio.open(path, "w", **profile) as target:
        target.write(image)


def run(inputs: Path, state: Path, output: Path, devices: int) -> None:
    environment = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONWARNINGS": "ignore"}
    done = subprocess.run(
        [sys.executable, str(SCRIPT), str(inputs), str(state), str(output), str(devices), "48"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]


@pytest.mark.slow
def test_two_ranks_write_every_output_once_equal_to_one_process(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    write_image(inputs / "a.tif", 0, 150, 130, Affine(10, 0, 500_000, 0, -10, 4_000_000))
    write_image(inputs / "b.tif", 1, 70, 90, Affine(10, 0, 520_000, 0, -10, 4_000_000))
    torch.manual_seed(0)
    state = tmp_path / "task.pt"
    torch.save(SemanticSegmentationTask(model="fcn", in_channels=3, num_classes=4, num_filters=4).state_dict(), state)
    run(inputs, state, tmp_path / "single", 1)
    run(inputs, state, tmp_path / "ddp", 2)
    ranks = [json.loads((tmp_path / "ddp" / f"rank{rank}.json").read_text()) for rank in (0, 1)]
    # Each rank wrote its own chunks (2 bands of rows x column tiles of 48): together every pixel of every output once.
    assert all(rank["chunks"] for rank in ranks)
    for output, (height, width) in enumerate(((150, 130), (70, 90))):
        covered = np.zeros((height, width), dtype=int)
        for rank in ranks:
            for number, top, bottom, left, right in rank["chunks"]:
                if number == output:
                    covered[top:bottom, left:right] += 1
        assert (covered == 1).all()
    assert len(ranks[0]["chunks"]) + len(ranks[1]["chunks"]) == 2 * 3 + 2 * 2
    for name in ("a.tif", "b.tif"):
        with (
            rasterio.open(tmp_path / "single" / "predictions" / name) as single,
            rasterio.open(tmp_path / "ddp" / "predictions" / name) as ddp,
        ):
            assert single.profile == ddp.profile
            expected = single.read(1)
            assert np.array_equal(ddp.read(1), expected)
        assert (expected[:10, :12] == 255).all() and (expected[20:] != 255).all()
    assert sorted(path.name for path in (tmp_path / "ddp" / "predictions").iterdir()) == ["a.tif", "b.tif"]
    assert ranks[0]["written"] == ranks[1]["written"]


@pytest.mark.slow
def test_a_raster_of_one_chunk_is_predicted_by_two_ranks(tmp_path: Path) -> None:
    """One chunk for two ranks: the rank without one runs a spare window and drops it; the file is one process's."""
    inputs = tmp_path / "in"
    write_image(inputs / "small.tif", 2, 30, 40, Affine(10, 0, 500_000, 0, -10, 4_000_000))
    torch.manual_seed(0)
    state = tmp_path / "task.pt"
    torch.save(SemanticSegmentationTask(model="fcn", in_channels=3, num_classes=4, num_filters=4).state_dict(), state)
    run(inputs, state, tmp_path / "single", 1)
    run(inputs, state, tmp_path / "ddp", 2)
    ranks = [json.loads((tmp_path / "ddp" / f"rank{rank}.json").read_text()) for rank in (0, 1)]
    assert [len(rank["chunks"]) for rank in ranks] == [1, 0]
    with (
        rasterio.open(tmp_path / "single" / "predictions" / "small.tif") as single,
        rasterio.open(tmp_path / "ddp" / "predictions" / "small.tif") as ddp,
    ):
        assert single.profile == ddp.profile
        assert np.array_equal(ddp.read(1), single.read(1))
    assert ranks[0]["written"] == ranks[1]["written"]
