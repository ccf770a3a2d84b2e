"""One benchmark run of one scenario on one library; prints a JSON line.

Runs unchanged on GeoTorch and on TorchGeo (their public names are the same):
``python scenarios.py --library geotorch|torchgeo --data DIR --scenario a --workers 0``.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

BATCH = 16
PATCH = 256


class PeakMemory:
    """Samples the resident memory of this process and its children (DataLoader workers)."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def _rss(pid: int) -> int:
        try:
            with open(f"/proc/{pid}/status") as status:
                for line in status:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1]) * 1024
        except OSError:
            pass
        return 0

    @staticmethod
    def _children(pid: int) -> list[int]:
        found = []
        try:
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children") as children:
                    found += [int(child) for child in children.read().split()]
        except OSError:
            pass
        return found

    def _run(self) -> None:
        while not self._stop.is_set():
            pids = [os.getpid()]
            pids += [child for pid in list(pids) for child in self._children(pid)]
            self.peak = max(self.peak, sum(self._rss(pid) for pid in pids))
            self._stop.wait(0.05)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *args: object) -> None:
        self._stop.set()
        self._thread.join()


def dataset_classes(library: str) -> tuple[Any, Any, Any]:
    datasets = importlib.import_module(f"{library}.datasets")

    class Scenes(datasets.RasterDataset):  # type: ignore[misc, name-defined]
        filename_glob = "scene_*.tif"

    class Labels(datasets.RasterDataset):  # type: ignore[misc, name-defined]
        filename_glob = "landcover_*.tif"
        is_image = False

    class Tiles(datasets.RasterDataset):  # type: ignore[misc, name-defined]
        filename_glob = "tile_*.tif"

    return Scenes, Labels, Tiles


def dated_scenes(library: str) -> Any:
    """Scenes whose file names carry their acquisition date (the 24-scene time series)."""
    datasets = importlib.import_module(f"{library}.datasets")

    class DatedScenes(datasets.RasterDataset):  # type: ignore[misc, name-defined]
        filename_glob = "scene_*.tif"
        filename_regex = r"^scene_(?P<date>\d{8})_"

    return DatedScenes


def build(library: str, data: Path, scenario: str, scenes_count: int = 6) -> Any:
    scenes, labels, _ = dataset_classes(library)
    folder = "prewarped" if scenario == "d" else "scenes"
    if scenes_count != 6:
        folder = f"{folder}_{scenes_count}"
    if scenes_count == 24:
        scenes = dated_scenes(library)
    return scenes(paths=str(data / folder)) & labels(paths=str(data / "labels"))


class GridPasses:
    """Whole passes of a grid sampler's windows, in its order, as many as hold ``windows`` windows.

    A run at 4 workers reads 20 batches (4 warm-up, 16 timed: 320 windows); the matrix's cells
    hold 122 windows of 256 px, so a single pass ran out during the first timed round. The grid
    is laid again as an evaluation loop does epoch after epoch; later passes read the same
    windows, whose decoded blocks GDAL's 64 MB cache may still hold (the uint8 and JPEG cells'
    scenes fit in it), for both libraries alike.
    """

    def __init__(self, grid: Any, windows: int) -> None:
        self.grid = grid
        self.passes = max(1, -(-windows // max(1, len(grid))))

    def __len__(self) -> int:
        return self.passes * len(self.grid)

    def __iter__(self) -> Iterator[Any]:
        for _ in range(self.passes):
            yield from self.grid


def loader(library: str, dataset: Any, scenario: str, workers: int, batches: int, seed: int) -> Any:
    import torch
    from torch.utils.data import DataLoader

    samplers = importlib.import_module(f"{library}.samplers")
    stack_samples = importlib.import_module(f"{library}.datasets").stack_samples
    generator = torch.Generator().manual_seed(seed)
    common = {"num_workers": workers, "collate_fn": stack_samples}
    if scenario in ("a", "d"):
        sampler = samplers.RandomGeoSampler(dataset, size=PATCH, length=batches * BATCH, generator=generator)
        return DataLoader(dataset, batch_size=BATCH, sampler=sampler, **common)
    if scenario == "b":
        grid = samplers.GridGeoSampler(dataset, size=PATCH, stride=PATCH)
        return DataLoader(dataset, batch_size=BATCH, sampler=GridPasses(grid, batches * BATCH), **common)
    if scenario == "c":
        sampler = samplers.RandomBatchGeoSampler(dataset, size=PATCH, batch_size=BATCH, length=batches * BATCH,
                                                 generator=generator)
        return DataLoader(dataset, batch_sampler=sampler, **common)
    raise ValueError(f"unknown sampling scenario {scenario!r}")


def limit_loader(data: Path, workers: int, batches: int, seed: int) -> Any:
    """Scenario f: plain rasterio windowed reads of the pre-warped scenes and the labels, files opened once."""
    import numpy as np
    import rasterio
    import torch
    from rasterio.windows import Window, from_bounds
    from torch.utils.data import DataLoader, Dataset

    class Windows(Dataset[dict[str, Any]]):
        def __init__(self) -> None:
            self.scenes = sorted(str(path) for path in (data / "prewarped").glob("scene_*.tif"))
            self.labels = str(next((data / "labels").glob("landcover_*.tif")))
            self.handles: dict[str, Any] = {}
            rng = np.random.default_rng(seed)
            self.windows = []
            for _ in range(batches * BATCH):
                path = self.scenes[int(rng.integers(len(self.scenes)))]
                with rasterio.open(path) as source:
                    col = int(rng.integers(0, source.width - PATCH))
                    row = int(rng.integers(0, source.height - PATCH))
                self.windows.append((path, col, row))

        def _open(self, path: str) -> Any:
            if path not in self.handles:
                self.handles[path] = rasterio.open(path)
            return self.handles[path]

        def __len__(self) -> int:
            return len(self.windows)

        def __getitem__(self, index: int) -> dict[str, Any]:
            path, col, row = self.windows[index]
            scene = self._open(path)
            window = Window(col, row, PATCH, PATCH)
            image = scene.read(window=window)
            labels = self._open(self.labels)
            bounds = rasterio.windows.bounds(window, scene.transform)
            label_window = from_bounds(*bounds, transform=labels.transform).round_offsets().round_lengths()
            mask = labels.read(1, window=label_window)
            return {
                "image": torch.from_numpy(image.astype(np.float32)),
                "mask": torch.from_numpy(mask.astype(np.int64)),
            }

    def collate(samples: list[dict[str, Any]]) -> dict[str, Any]:
        return {key: torch.stack([sample[key] for sample in samples]) for key in samples[0]}

    return DataLoader(Windows(), batch_size=BATCH, shuffle=False, num_workers=workers, collate_fn=collate)


def time_loader(batches_iterable: Any, batches: int) -> tuple[float, int, list[int], list[int]]:
    started = time.perf_counter()
    patches = 0
    image_shape: list[int] = []
    mask_shape: list[int] = []
    for number, batch in enumerate(batches_iterable):
        patches += int(batch["image"].shape[0])
        image_shape, mask_shape = list(batch["image"].shape), list(batch["mask"].shape)
        if number + 1 >= batches:
            break
    return time.perf_counter() - started, patches, image_shape, mask_shape


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--library", choices=["geotorch", "torchgeo", "raw"], required=True)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--scenario", choices=[*list("abcdef"), "e-warm", "import"], required=True)
    parser.add_argument("--workers", type=int, default=0)
    parser.add_argument("--batches", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--tiles", default="tiles_2000", help="tile folder for scenario e")
    parser.add_argument("--scenes", type=int, default=6, help="scene folder (1, 6 or 24 scenes) for a-d")
    options = parser.parse_args()
    result: dict[str, Any] = {"library": options.library, "scenario": options.scenario, "workers": options.workers,
                              "scenes": options.scenes, "tiles": options.tiles}
    with PeakMemory() as memory:
        started = time.perf_counter()
        if options.scenario == "import":
            # The names a training script uses, not just the packages: GeoTorch's packages import their
            # names on first use, so the modules behind them are what costs.
            datasets = importlib.import_module(f"{options.library}.datasets")
            samplers = importlib.import_module(f"{options.library}.samplers")
            for name in ("RasterDataset", "VectorDataset", "stack_samples"):
                getattr(datasets, name)
            for name in ("RandomGeoSampler", "GridGeoSampler", "RandomBatchGeoSampler"):
                getattr(samplers, name)
            result["seconds"] = time.perf_counter() - started
            import sys

            result["torchvision_imported"] = "torchvision" in sys.modules
        elif options.scenario in ("e", "e-warm"):
            import tempfile

            # A cold start owns an empty cache folder; a warm one first builds the index once.
            os.environ["GEOTORCH_HOME"] = tempfile.mkdtemp(prefix="bench-home-")
            _, _, tiles = dataset_classes(options.library)
            if options.scenario == "e-warm":
                tiles(paths=str(options.data / options.tiles))
            started = time.perf_counter()
            dataset = tiles(paths=str(options.data / options.tiles))
            result["seconds"] = time.perf_counter() - started
            result["files"] = len(dataset)
        else:
            if options.scenario == "f":
                batches_iterable = limit_loader(options.data, options.workers, options.batches, options.seed)
            else:
                dataset = build(options.library, options.data, options.scenario, options.scenes)
                batches_iterable = loader(options.library, dataset, options.scenario, options.workers,
                                          options.batches, options.seed)
            seconds, patches, image_shape, mask_shape = time_loader(batches_iterable, options.batches)
            result.update(seconds=seconds, patches=patches, patches_per_s=patches / seconds,
                          image=image_shape, mask=mask_shape)
    result["peak_rss_mb"] = memory.peak / 2**20
    print(json.dumps(result))


if __name__ == "__main__":
    main()
