"""Serve benchmark runs, each in a process freshly forked from this one: ``python runner.py --library NAME``.

The library (GeoTorch or TorchGeo) and torch are imported once here; every run
then forks, so it starts with cold library and GDAL caches (nothing here has
read a raster) without paying the imports again. Requests are JSON lines on
stdin (``{"data": DIR, "scenario": "a", "workers": 2, "warmup": 2, "batches": 6}``),
results JSON lines on stdout, in order. Scenario ``f`` (the plain rasterio limit)
reads the queries GeoTorch's scenario ``d`` draws (see :func:`same_windows_limit`), and
scenario ``g`` the samples it returns, mosaic included (see :func:`mosaic_reference`).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from scenarios import BATCH, PeakMemory, build, loader


def same_windows_limit(data: Path, workers: int, count: int, seed: int) -> Any:
    """Plain rasterio reads of the queries GeoTorch's scenario d draws, files opened once per worker.

    Each query's window is read from the file GeoTorch reads first (the first pre-warped file
    under it in GeoTorch's index order), clipped to the file's edge, with the labels' window:
    GeoTorch's first read and nothing else (no R-tree, no nodata, no later files of the mosaic,
    no grid or type bookkeeping), so no reader of the same samples can be faster.
    """
    import numpy as np
    import rasterio
    import torch
    from rasterio.windows import Window, from_bounds
    from torch.utils.data import DataLoader, Dataset

    from geotorch.samplers import RandomGeoSampler

    dataset = build("geotorch", data, "d")
    scenes = dataset.datasets[0]
    generator = torch.Generator().manual_seed(seed)
    reads = []
    for query in RandomGeoSampler(dataset, size=256, length=count, generator=generator):
        first = min(scenes.index.intersection(tuple(query), objects=True), key=lambda hit: hit.id)
        reads.append((str(first.object), (query.minx, query.miny, query.maxx, query.maxy)))
    labels = str(next((data / "labels").glob("landcover_*.tif")))

    class Windows(Dataset[dict[str, Any]]):
        def __init__(self) -> None:
            self.handles: dict[str, Any] = {}

        def _open(self, path: str) -> Any:
            if path not in self.handles:
                self.handles[path] = rasterio.open(path)
            return self.handles[path]

        def _window(self, path: str, bounds: tuple[float, ...]) -> np.ndarray:
            scene = self._open(path)
            window = from_bounds(*bounds, transform=scene.transform).round_offsets().round_lengths()
            col, row, width, height = int(window.col_off), int(window.row_off), int(window.width), int(window.height)
            col0, row0 = max(col, 0), max(row, 0)
            col1, row1 = min(col + width, scene.width), min(row + height, scene.height)
            pixels = np.zeros((scene.count, height, width), dtype=scene.dtypes[0])
            if col1 > col0 and row1 > row0:
                pixels[:, row0 - row : row1 - row, col0 - col : col1 - col] = scene.read(
                    window=Window(col0, row0, col1 - col0, row1 - row0))
            return pixels

        def __len__(self) -> int:
            return len(reads)

        def __getitem__(self, index: int) -> dict[str, Any]:
            path, bounds = reads[index]
            image = self._window(path, bounds)
            grid = self._open(labels)
            mask = grid.read(1, window=from_bounds(*bounds, transform=grid.transform).round_offsets().round_lengths())
            return {"image": torch.from_numpy(image.astype(np.float32)),
                    "mask": torch.from_numpy(mask.astype(np.int64))}

    return DataLoader(Windows(), batch_size=BATCH, num_workers=workers, collate_fn=stack_batch)


def stack_batch(samples: list[dict[str, Any]]) -> dict[str, Any]:
    """The references' collation: each key's tensors stacked along a new first axis."""
    import numpy as np
    import torch
    from torch.utils.data import get_worker_info

    if get_worker_info() is not None:
        return {key: torch.stack([sample[key] for sample in samples]) for key in samples[0]}
    # In the main process copied on this thread, as GeoTorch's stack_samples does: torch.stack's intra-op
    # threads spin on busy cores, which would make a reference slower than a reader of the same windows can be.
    return {key: torch.from_numpy(np.stack([sample[key].numpy() for sample in samples])) for key in samples[0]}


def mosaic_reference(data: Path, workers: int, count: int, seed: int) -> Any:
    """Plain rasterio reads of the samples GeoTorch's scenario d returns, mosaic included (bench/mosaic_reads.py)."""
    from mosaic_reads import MosaicReads, drawn_reads
    from torch.utils.data import DataLoader

    labels = str(next((data / "labels").glob("landcover_*.tif")))
    reads = MosaicReads(drawn_reads(data, count, seed), labels)
    return DataLoader(reads, batch_size=BATCH, num_workers=workers, collate_fn=stack_batch)


def cpu_seconds() -> float:
    """CPU time (user and system) of this process and its living descendants (DataLoader workers) so far."""
    tick = os.sysconf("SC_CLK_TCK")
    total, pids = 0.0, [os.getpid()]
    while pids:
        pid = pids.pop()
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children") as children:
                    pids += [int(child) for child in children.read().split()]
        except OSError:
            continue
    return total


def measure(library: str, request: dict[str, Any]) -> dict[str, Any]:
    """Run one request: build the dataset and loader, skip the warm-up batches, time the rest."""
    data, scenario, workers = Path(request["data"]), request["scenario"], int(request["workers"])
    warmup, batches, seed = int(request.get("warmup", 2)), int(request["batches"]), int(request.get("seed", 0))
    count = (warmup + batches) * BATCH
    began = time.perf_counter()
    with PeakMemory() as memory:
        if scenario == "f":
            batches_iterable = same_windows_limit(data, workers, count, seed)
        elif scenario == "g":
            batches_iterable = mosaic_reference(data, workers, count, seed)
        else:
            dataset = build(library, data, scenario)
            batches_iterable = loader(library, dataset, scenario, workers, warmup + batches, seed)
        setup = time.perf_counter() - began
        iterator = iter(batches_iterable)
        # The clock starts when the last warm-up batch arrives and counts the batches after it (workers
        # deliver batches in turn, so warm-up is at least one batch per worker).
        patches, started, cpu = 0, time.perf_counter(), cpu_seconds()
        ended, cpu_end = started, cpu
        for number, batch in enumerate(iterator):
            if number + 1 == warmup:
                patches, started, cpu = 0, time.perf_counter(), cpu_seconds()
            elif number + 1 > warmup:
                patches += int(batch["image"].shape[0])
                # Taken at each batch: a finite sampler's last batch stops the workers, and their CPU time with them.
                ended, cpu_end = time.perf_counter(), cpu_seconds()
            if number + 1 >= warmup + batches:
                break
        seconds, cpu = ended - started, cpu_end - cpu
        shutdown = getattr(iterator, "_shutdown_workers", None)
        if shutdown is not None:
            shutdown()
    return {**request, "library": library, "patches": patches, "seconds": seconds,
            "patches_per_s": patches / seconds if seconds > 0 and patches else 0.0,
            "cpu_ms_per_patch": cpu / patches * 1e3 if patches else 0.0, "peak_rss_mb": memory.peak / 2**20,
            "setup_s": setup, "run_s": time.perf_counter() - began}


def serve(library: str) -> None:
    """Answer each request line of stdin from a freshly forked child, one at a time."""
    # Answers get stdout to themselves: whatever a library prints goes to stderr.
    answers = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    # The names the runs use, imported here once: GeoTorch imports a name's module on first use.
    datasets = importlib.import_module(f"{library}.datasets")
    samplers = importlib.import_module(f"{library}.samplers")
    for name in ("RasterDataset", "stack_samples"):
        getattr(datasets, name)
    for name in ("RandomGeoSampler", "GridGeoSampler", "RandomBatchGeoSampler"):
        getattr(samplers, name)
    print(json.dumps({"ready": library}), file=answers, flush=True)
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        read_end, write_end = os.pipe()
        child = os.fork()
        if child == 0:
            os.close(read_end)
            try:
                result = measure("raw" if request["scenario"] in ("f", "g") else library, request)
            except Exception as error:  # noqa: BLE001 - any failure is reported to the driver, which names the run
                result = {**request, "library": library, "error": f"{type(error).__name__}: {error}"}
            with os.fdopen(write_end, "w") as pipe:
                pipe.write(json.dumps(result))
            os._exit(0)
        os.close(write_end)
        with os.fdopen(read_end) as pipe:
            answer = pipe.read()
        os.waitpid(child, 0)
        print(answer or json.dumps({**request, "library": library, "error": "the run died"}), file=answers, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--library", choices=["geotorch", "torchgeo"], required=True)
    serve(parser.parse_args().library)


if __name__ == "__main__":
    main()
