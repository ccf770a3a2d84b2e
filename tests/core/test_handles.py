"""Open files: bounded per process, decoded on several threads, the same pixels either way."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import rasterio
from torch.utils.data import DataLoader, Dataset

from geotorch.core import RasterDataset
from geotorch.core.errors import RasterReadError
from geotorch.core.handles import DECODE_THREADS_VARIABLE, decode_threads, open_files
from tests.core.rasters import grid, random_bands, write_raster

LEFT, TOP = 300000.0, 4000000.0


class ThreadsInWorkers(Dataset[int]):
    """Each item is the decode thread count of the worker that reads it."""

    def __len__(self) -> int:
        return 4

    def __getitem__(self, index: int) -> int:
        return decode_threads()


def test_decode_threads_follow_the_environment_and_refuse_nonsense(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DECODE_THREADS_VARIABLE, "3")
    assert decode_threads() == 3
    for wrong in ("0", "-2", "many"):
        monkeypatch.setenv(DECODE_THREADS_VARIABLE, wrong)
        with pytest.raises(ValueError, match=DECODE_THREADS_VARIABLE):
            decode_threads()


def test_dataloader_workers_share_the_cpus(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(DECODE_THREADS_VARIABLE, raising=False)
    cpus = len(os.sched_getaffinity(0))
    assert decode_threads() == cpus
    threads = DataLoader(ThreadsInWorkers(), batch_size=None, num_workers=2)
    assert set(threads) == {max(1, cpus // 2)}


@pytest.mark.parametrize(("stated", "expected"), [("150000 100000\n", 2), ("50000 100000\n", 1), ("max 100000\n", None),
                                                  ("1000000000 100000\n", None)])
def test_a_control_group_cpu_quota_bounds_the_decode_threads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                              stated: str, expected: int | None) -> None:
    # A container given 1.5 CPUs' time on a larger host: GDAL threads sized by the host's CPUs would queue.
    from geotorch.core import handles

    (tmp_path / "cpu.max").write_text(stated)
    monkeypatch.setattr(handles, "CPU_QUOTA_FILES", (tmp_path / "cpu.max", tmp_path / "absent" / "cpu.cfs_quota_us"))
    monkeypatch.delenv(DECODE_THREADS_VARIABLE, raising=False)
    cpus = len(os.sched_getaffinity(0))
    assert decode_threads() == min(cpus, expected or cpus)


def test_a_version_1_control_group_quota_counts_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from geotorch.core import handles

    (tmp_path / "cpu.cfs_quota_us").write_text("100000\n")
    (tmp_path / "cpu.cfs_period_us").write_text("100000\n")
    monkeypatch.setattr(handles, "CPU_QUOTA_FILES", (tmp_path / "no-cpu.max", tmp_path / "cpu.cfs_quota_us"))
    assert handles.available_cpus() == 1
    (tmp_path / "cpu.cfs_quota_us").write_text("-1\n")
    assert handles.available_cpus() == len(os.sched_getaffinity(0))


@pytest.mark.parametrize("threads", ["1", "4"])
def test_pixels_are_the_same_whatever_the_decode_threads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         threads: str) -> None:
    # 16 px deflate tiles: a 60 x 70 px window spans up to 25 tiles of each band, decoded in parallel.
    array = random_bands((4, 120, 100), seed=5)
    path = write_raster(tmp_path / "f.tif", array, "EPSG:32616", grid(LEFT, TOP), tiled=True, compress="deflate")
    monkeypatch.setenv(DECODE_THREADS_VARIABLE, threads)
    open_files.clear()
    try:
        image = RasterDataset(path)[LEFT + 300 : LEFT + 2400, TOP - 2100 : TOP - 300]["image"].numpy()
    finally:
        open_files.clear()
    np.testing.assert_array_equal(image, array[:, 10:70, 10:80].astype("float32"))


FORKED_READ = """
import sys
import torch
from torch.utils.data import DataLoader
from geotorch.core import RasterDataset, stack_samples
from geotorch.samplers import GridGeoSampler

dataset = RasterDataset(sys.argv[1])
dataset[dataset.bounds]  # the parent decodes on several threads first
loader = DataLoader(dataset, sampler=GridGeoSampler(dataset, size=40, stride=40), batch_size=2,
                    collate_fn=stack_samples, num_workers=1, multiprocessing_context="fork")
print(sum(batch["image"].shape[0] for batch in loader))
"""


def test_a_worker_forked_after_threaded_reads_decodes_on_one_thread_and_finishes(tmp_path: Path) -> None:
    # GDAL's thread pool stays behind in the parent: a forked worker that used it would wait forever.
    path = write_raster(tmp_path / "f.tif", random_bands((3, 120, 120), seed=3), "EPSG:32616", grid(LEFT, TOP),
                        tiled=True, compress="deflate")
    environment = {**os.environ, DECODE_THREADS_VARIABLE: "2"}
    done = subprocess.run([sys.executable, "-c", FORKED_READ, str(path)], capture_output=True, text=True,
                          env=environment, timeout=60, check=True)
    assert done.stdout.split()[-1] == "9", "every window of the 3 x 3 grid read in the worker"


@pytest.mark.parametrize("how", ["replaced", "rewritten in place", "removed"])
def test_a_file_changed_after_it_was_read_is_read_anew(tmp_path: Path, how: str) -> None:
    """The cached handle of a file replaced, rewritten or removed since it was opened never serves old pixels."""
    path = write_raster(tmp_path / "scene.tif", np.full((1, 8, 8), 1, "uint16"), "EPSG:32616", grid(LEFT, TOP))
    dataset = RasterDataset(path)
    assert (dataset[dataset.bounds]["image"] == 1).all()
    if how == "replaced":
        path.unlink()
        write_raster(path, np.full((1, 8, 8), 2, "uint16"), "EPSG:32616", grid(LEFT, TOP))
    elif how == "rewritten in place":
        with rasterio.open(path, "r+") as target:
            target.write(np.full((1, 8, 8), 2, "uint16"))
        os.utime(path, ns=(time.time_ns(), time.time_ns() + 10**9))  # a later mtime even on coarse clocks
    else:
        path.unlink()
        with pytest.raises(RasterReadError, match=r"scene\.tif"):
            dataset[dataset.bounds]
        return
    assert (dataset[dataset.bounds]["image"] == 2).all()
    assert (RasterDataset(path)[dataset.bounds]["image"] == 2).all()
