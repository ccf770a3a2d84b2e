"""Large-area prediction: peak memory and throughput of ``predict_raster`` on generated square rasters.

For each size (default 10000, 20000 and 40000 px squares) a 3-band uint8 tiled GeoTIFF is
generated once (smooth, compressible patterns), then predicted with a 10-class U-Net/ResNet-18
(a GeoTorch task) and with a 1x1-convolution model, each run in its own process. Reported per run:

- ``*_peak_rss_mib``: the largest resident memory of the predicting process after the model's
  forward passes alone (``forward_``: imports, weights, activations) and after the prediction
  (``main_``), and of the sum over the process tree (sampled every 0.1 s; shared pages counted
  in each process, so the sum overstates; ``predict_raster`` reads with threads, so the tree is
  the one process unless something else forks);
- ``tree_peak_pss_mib``: the largest sum of the process tree's proportional set sizes (each
  shared page split among its sharers: the memory the run holds);
- ``pixels_per_s``: output pixels per second of wall time, writing the COG included;
- ``forward_ratio``: the time the model's forward passes over the same number of windows take
  on in-memory tensors, divided by the run's time (1 means reading, blending and writing cost
  nothing beside the model);
- ``cpu_seconds`` and ``forward_cpu_ratio``: the CPU time of the run (all threads and processes)
  and the forward passes' CPU time divided by it: the share of the work that is the model's,
  which other processes on a shared machine change much less than the wall-time ratio;
- ``read_seconds`` and ``bound_ratio``: the time plain rasterio takes to read every window once
  (one dataset, one thread, window after window, into float32: the decoding any reader pays),
  and the larger of that and the forward passes' time divided by the run's time (1 means the
  run is as fast as the slower of reading and the model allows).

``--memory-only`` skips the forward passes alone and the plain reads (the ratios and
``forward_peak_rss_mib`` then mean nothing and the ratios are left out): the peak of a large
raster with a slow model in half the time.

Each run's process is set up as the ``geotorch`` command sets itself up (large CPU tensors on
transparent huge pages, see ``_geotorch_launcher.configure_allocator``), the forward passes
alone included; ``--small-pages`` runs both with 4 KiB pages, as a plain Python process does.

Not a timed test: run it by hand, e.g.
``python bench/predict.py --sizes 10000 --models conv1x1 unet --workers 2 --out /tmp/predict-bench``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import rasterio
from affine import Affine
from rasterio.windows import Window

CLASSES = 10
BANDS = 3


def generate(path: Path, size: int) -> Path:
    """A ``size`` x ``size`` 3-band uint8 tiled (512 px) deflate GeoTIFF, written a band of rows at a time."""
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    profile = {
        "driver": "GTiff",
        "width": size,
        "height": size,
        "count": BANDS,
        "dtype": "uint8",
        "crs": "EPSG:32633",
        "transform": Affine(10, 0, 300_000, 0, -10, 5_000_000),
        "tiled": True,
        "blockxsize": 512,
        "blockysize": 512,
        "compress": "deflate",
        "bigtiff": "YES",
    }
    columns = np.arange(size, dtype=np.float32)
    temporary = path.with_suffix(".part")
    with rasterio.open(temporary, "w", **profile) as target:
        for top in range(0, size, 512):
            rows = np.arange(top, min(top + 512, size), dtype=np.float32)[:, None]
            block = np.stack(
                [
                    (np.sin(rows / (150 + 40 * band)) * np.cos(columns / (90 + 30 * band)) * 100 + 127)
                    for band in range(BANDS)
                ]
            ).astype("uint8")
            target.write(block, window=Window(0, top, size, block.shape[1]))
    os.replace(temporary, path)
    return path


def build(name: str) -> Any:
    """The model ``name``: ``unet`` (SemanticSegmentationTask, U-Net/ResNet-18, 10 classes) or ``conv1x1``."""
    import torch

    torch.manual_seed(0)
    if name == "unet":
        from geotorch.trainers import SemanticSegmentationTask

        return SemanticSegmentationTask(
            model="unet", backbone="resnet18", weights=None, in_channels=BANDS, num_classes=CLASSES
        )
    return torch.nn.Conv2d(BANDS, CLASSES, 1)


def forward_seconds(model: Any, windows: int, patch: int, batch_size: int, device: str) -> tuple[float, float]:
    """Seconds (wall, then CPU) the model's forward passes over ``windows`` in-memory windows take (a few batches)."""
    import torch

    model = model.eval().to(device)
    batch = torch.rand((batch_size, BANDS, patch, patch), device=device) * 255
    batches = max(2, min(6, windows // batch_size))
    with torch.inference_mode():
        model(batch)  # warm-up
        if device.startswith("cuda"):
            torch.cuda.synchronize()
        start, cpu = time.perf_counter(), _cpu_seconds()
        for _ in range(batches):
            model(batch)
        if device.startswith("cuda"):
            torch.cuda.synchronize()
    scale = windows / (batches * batch_size)
    return (time.perf_counter() - start) * scale, (_cpu_seconds() - cpu) * scale


def _cpu_seconds() -> float:
    """CPU seconds used so far by this process (all its threads) and its ended children."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def read_seconds(raster: Path, size: int, patch: int, stride: int) -> float:
    """Seconds plain rasterio takes to read every window of the run once: one dataset, one thread, into float32."""
    from geotorch.trainers.predict_grid import window_starts

    starts = window_starts(size, patch, stride)
    out = np.empty((BANDS, patch, patch), dtype=np.float32)
    start = time.perf_counter()
    with rasterio.Env(GDAL_CACHEMAX=64 * 2**20), rasterio.open(raster) as source:
        for top in starts:
            for left in starts:
                window = Window(left, top, min(patch, size - left), min(patch, size - top))
                pixels = source.read(window=window)
                out[:, : pixels.shape[1], : pixels.shape[2]] = pixels
    return time.perf_counter() - start


def child(options: argparse.Namespace) -> None:
    """One run, in its own process: predict, then print a JSON line of figures."""
    if not options.small_pages:
        import _geotorch_launcher

        _geotorch_launcher.configure_allocator()  # before torch is imported, as the command does
    import torch

    from geotorch.trainers.predict import predict_raster
    from geotorch.trainers.predict_grid import window_starts

    torch.set_num_threads(options.threads)
    model = build(options.model)
    raster = Path(options.raster)
    stride = options.patch - options.overlap
    windows = len(window_starts(options.size, options.patch, stride)) ** 2
    # The forward passes alone first: the process's peak memory then is the model's, the run's excess is the rest.
    forward, forward_cpu = (
        (None, None) if options.memory_only
        else forward_seconds(model, windows, options.patch, options.batch_size, options.device)
    )
    forward_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    reading = None if options.memory_only else read_seconds(raster, options.size, options.patch, stride)
    start, cpu = time.perf_counter(), _cpu_seconds()
    written = predict_raster(
        model,
        raster,
        Path(options.out) / f"{options.model}-{options.size}",
        patch_size=options.patch,
        overlap=options.overlap,
        batch_size=options.batch_size,
        num_workers=options.workers,
        device=options.device,
    )
    seconds, cpu = time.perf_counter() - start, _cpu_seconds() - cpu
    main_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    figures = {
        "model": options.model,
        "size": options.size,
        "windows": windows,
        "seconds": round(seconds, 1),
        "pixels_per_s": round(options.size**2 / seconds),
        "cpu_seconds": round(cpu, 1),
        "huge_pages": not options.small_pages,
        "forward_peak_rss_mib": round(forward_peak),
        "main_peak_rss_mib": round(main_peak),
        "output_bytes": Path(written[0]).stat().st_size,
    }
    if forward is not None and forward_cpu is not None and reading is not None:
        figures.update(
            forward_seconds=round(forward, 1),
            forward_ratio=round(forward / seconds, 3),
            forward_cpu_ratio=round(forward_cpu / cpu, 3),
            read_seconds=round(reading, 1),
            bound_ratio=round(max(forward, reading) / seconds, 3),
        )
    print(json.dumps(figures))


def tree_memory(pid: int) -> tuple[int, int]:
    """Resident bytes of ``pid`` and all its descendants (from /proc): the sum of their RSS, and of their PSS.

    RSS counts pages shared by the processes (the libraries forked workers share with the main
    process, shared-memory batches) once in each; PSS splits each shared page among its sharers,
    so its sum is the memory the tree holds.
    """
    rss, pss, pending = 0, 0, [pid]
    while pending:
        current = pending.pop()
        try:
            with open(f"/proc/{current}/statm") as statm:
                rss += int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
            with open(f"/proc/{current}/smaps_rollup") as rollup:
                pss += next(int(line.split()[1]) * 1024 for line in rollup if line.startswith("Pss:"))
            with open(f"/proc/{current}/task/{current}/children") as children:
                pending.extend(int(item) for item in children.read().split())
        except (FileNotFoundError, ProcessLookupError, StopIteration):
            continue
    return rss, pss


def run(options: argparse.Namespace, model: str, size: int, raster: Path) -> dict[str, Any]:
    """Run one prediction in a child process, sampling its tree's memory."""
    arguments = [
        sys.executable,
        __file__,
        "--child",
        "--model",
        model,
        "--size",
        str(size),
        "--raster",
        str(raster),
        "--out",
        str(options.out),
        "--patch",
        str(options.patch),
        "--overlap",
        str(options.overlap),
        "--batch-size",
        str(options.batch_size),
        "--workers",
        str(options.workers),
        "--device",
        options.device,
        "--threads",
        str(options.threads),
        *(["--small-pages"] if options.small_pages else []),
        *(["--memory-only"] if options.memory_only else []),
    ]
    process = subprocess.Popen(arguments, stdout=subprocess.PIPE, text=True)
    peak, peak_pss = 0, 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak, peak_pss
        while not done.is_set():
            rss, pss = tree_memory(process.pid)
            peak, peak_pss = max(peak, rss), max(peak_pss, pss)
            time.sleep(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output, _ = process.communicate()
    done.set()
    sampler.join()
    if process.returncode != 0:
        raise RuntimeError(f"the run of {model} on {size} px failed ({process.returncode})")
    figures: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
    figures["tree_peak_rss_mib"] = round(peak / 2**20)
    figures["tree_peak_pss_mib"] = round(peak_pss / 2**20)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 20_000, 40_000])
    parser.add_argument("--models", nargs="+", default=["unet", "conv1x1"], choices=["unet", "conv1x1"])
    parser.add_argument("--out", type=Path, default=Path("bench-output/predict"))
    parser.add_argument("--patch", type=int, default=512)
    parser.add_argument("--overlap", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="predict_raster's num_workers (reading threads)")
    parser.add_argument("--threads", type=int, default=max(1, (os.cpu_count() or 2) - 2))
    parser.add_argument("--device", default="cuda" if _has_cuda() else "cpu")
    parser.add_argument("--small-pages", action="store_true", help="4 KiB pages for tensors (a plain Python process)")
    parser.add_argument("--memory-only", action="store_true",
                        help="skip the forward passes alone and the plain reads (no ratios): the peak in half the time")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--model", help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--raster", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child:
        child(options)
        return
    results = []
    for size in options.sizes:
        raster = generate(options.out / "inputs" / f"square-{size}.tif", size)
        for model in options.models:
            figures = run(options, model, size, raster)
            print(json.dumps(figures), flush=True)
            results.append(figures)
    (options.out / "results.json").write_text(json.dumps(results, indent=2))


def _has_cuda() -> bool:
    import torch

    return torch.cuda.is_available()


if __name__ == "__main__":
    main()
