"""Time-series reads, GeoTorch vs TorchGeo 0.10.1 (``time_series=True``): random 256-px chips of a 12-date series.

The series: 12 dates x 6 tiles of 4 uint16 bands (1024 x 1024 px at 10 m, tiled, deflate), three tiles in UTM
zone 31 (EPSG:32631) and three beside them in zone 32 (EPSG:32632), overlapping 200 m at the zone seam (6 degrees
east), so chips cross tile seams and zones. Both libraries read the same chips (the same slice queries, over all
time, in EPSG:32631 at 10 m) through a DataLoader; every run is a fresh process with the GDAL block cache pinned
to 64 MB, and the libraries alternate run by run.

GeoTorch gives each chip one step per date (tiles of a date mosaicked: T = 12); TorchGeo one step per file
(T = 12 inside a tile, 24 or more across a seam), so the table shows the steps each read.

    python bench/time_series.py generate --data /tmp/series
    python bench/time_series.py compare --data /tmp/series --torchgeo-python .nox/torchgeo-py312/bin/python

``--floor`` also runs the decode floor (bench/series_floor.py: plain rasterio decoding only the source pixels each
chip needs) and prints the highest CPU ratio over TorchGeo that any reader of the same pixels can reach.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
PATCH = 256
BATCH = 16
RES = 10.0
TILE = 1024
BANDS = 4
DATES = tuple(f"2023{month:02d}15" for month in range(1, 13))
#: The zone seam (6 degrees east at 45 degrees north) in EPSG:32631, and the top of the tile column there.
SEAM, TOP = 736000.0, 4990000.0
#: Chips lie in this box of EPSG:32631 (minx, maxx, miny, maxy): both tile columns, away from the outer edges.
CHIP_AREA = (SEAM - TILE * RES + 500, SEAM + TILE * RES - 2000, TOP - 3 * TILE * RES + 1000, TOP - 1000)


def generate(data: Path, block: int = 512) -> None:
    """Write the 72 files ``T{zone}{row}_{date}.tif`` into ``data``, tiled in ``block`` x ``block`` px."""
    import numpy as np
    import rasterio
    from affine import Affine
    from pyproj import Transformer

    data.mkdir(parents=True, exist_ok=True)
    to_zone32 = Transformer.from_crs(32631, 32632, always_xy=True)
    rows, cols = np.mgrid[0:TILE, 0:TILE]
    # Sensor-like noise, so tiles compress about as much as real reflectance does.
    noise = np.random.default_rng(0).integers(0, 256, (BANDS, TILE, TILE))
    for row in range(3):
        top = TOP - row * TILE * RES
        east_left, east_top = to_zone32.transform(SEAM - 200, top + 200)
        corners = {31: (SEAM - TILE * RES, top), 32: (round(east_left / RES) * RES, round(east_top / RES) * RES)}
        for zone, (left, tile_top) in corners.items():
            profile = {
                "driver": "GTiff",
                "count": BANDS,
                "height": TILE,
                "width": TILE,
                "dtype": "uint16",
                "crs": f"EPSG:326{zone}",
                "transform": Affine(RES, 0, left, 0, -RES, tile_top),
                "tiled": True,
                "blockxsize": block,
                "blockysize": block,
                "compress": "deflate",
            }
            for step, date in enumerate(DATES):
                bands = [
                    (1000 * (step + 1) + 100 * band + (rows + cols) % 97 + zone + noise[band]).astype("uint16")
                    for band in range(BANDS)
                ]
                path = data / f"T{zone}{row}_{date}.tif"
                with rasterio.open(path.with_suffix(".part"), "w", **profile) as target:
                    target.write(np.stack(bands))
                path.with_suffix(".part").rename(path)


def chips(count: int, seed: int) -> list[tuple[slice, slice]]:
    """``count`` random 256-px chip queries ``(x slice, y slice)`` on the 10 m grid of EPSG:32631."""
    import numpy as np

    rng = np.random.default_rng(seed)
    minx, maxx, miny, maxy = CHIP_AREA
    side = PATCH * RES
    lefts = minx + RES * rng.integers(0, int((maxx - minx - side) / RES), count)
    bottoms = miny + RES * rng.integers(0, int((maxy - miny - side) / RES), count)
    return [
        (slice(float(x), float(x) + side), slice(float(y), float(y) + side))
        for x, y in zip(lefts, bottoms, strict=True)
    ]


def images(samples: list[dict[str, Any]]) -> list[Any]:
    """The collate of both runs: the chips' images, listed (TorchGeo's steps differ from chip to chip)."""
    return [sample["image"] for sample in samples]


def run(library: str, data: Path, workers: int, batches: int, seed: int) -> dict[str, Any]:
    """Read ``batches`` batches of 16 chips with ``library``; the throughput, steps read and peak memory."""
    from torch.utils.data import DataLoader

    sys.path.insert(0, str(HERE))
    from scenarios import PeakMemory

    with PeakMemory() as memory:
        dataset = series(library, data)
        loader = DataLoader(
            dataset, sampler=chips(batches * BATCH, seed), batch_size=BATCH, num_workers=workers, collate_fn=images
        )
        started, cpu = time.perf_counter(), cpu_seconds()
        steps = [len(image) for batch in loader for image in batch]
        seconds = time.perf_counter() - started
        del loader  # its workers exit and are waited for, so their CPU time is counted
        cpu = cpu_seconds() - cpu
    return {
        "library": library,
        "workers": workers,
        "chips": len(steps),
        "seconds": seconds,
        "chips_per_s": len(steps) / seconds,
        "cpu_ms_per_chip": 1000 * cpu / len(steps),
        "steps": [min(steps), statistics.median(steps), max(steps)],
        "peak_rss_mb": memory.peak / 2**20,
    }


def series(library: str, data: Path) -> Any:
    """The dataset ``library`` reads chips from: a ``time_series=True`` RasterDataset, or the decode floor."""
    if library == "floor":
        from series_floor import FloorReads

        return FloorReads(data)
    datasets = importlib.import_module(f"{library}.datasets")

    class Series(datasets.RasterDataset):  # type: ignore[misc, name-defined]
        filename_glob = "T*.tif"
        filename_regex = r"^T(?P<tile>\d{3})_(?P<date>\d{8})\.tif$"
        date_format = "%Y%m%d"

    return Series(paths=str(data), crs="EPSG:32631", res=RES, time_series=True)


def cpu_seconds() -> float:
    """CPU time (user and system) of this process and of its children that have exited (DataLoader workers).

    On a shared machine the wall clock measures the other users' load as much as the reads; CPU time does not.
    """
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def compare(options: argparse.Namespace) -> None:
    """Run both libraries ``--repeats`` times at each worker count, alternating, and print the table."""
    pythons = {"geotorch": options.geotorch_python, "torchgeo": options.torchgeo_python}
    if options.floor:
        pythons["floor"] = options.geotorch_python
    results: dict[tuple[str, int], list[dict[str, Any]]] = {}
    for workers in options.workers:
        for repeat in range(options.repeats):
            order = list(pythons) if repeat % 2 == 0 else list(reversed(pythons))
            for library in order:
                command = [
                    pythons[library],
                    __file__,
                    "run",
                    "--library",
                    library,
                    "--data",
                    str(options.data),
                    "--workers",
                    str(workers),
                    "--batches",
                    str(options.batches),
                    "--seed",
                    str(repeat),
                ]
                completed = subprocess.run(
                    command, capture_output=True, text=True, check=False, env={**os.environ, "GDAL_CACHEMAX": "64"}
                )
                if completed.returncode != 0:
                    raise RuntimeError(f"{' '.join(command)} failed:\n{completed.stderr[-3000:]}")
                results.setdefault((library, workers), []).append(json.loads(completed.stdout.splitlines()[-1]))
    print(
        f"{options.batches * BATCH} random {PATCH}-px chips, 12 dates x 6 tiles x {BANDS} bands, two UTM zones; "
        f"median of {options.repeats} runs (min-max)"
    )
    print(f"{'library':9} {'workers':>7} {'chips/s':>22} {'CPU ms per chip':>22} {'peak RSS MB':>22} {'steps':>10}")
    for (library, workers), runs in results.items():
        rates = [result["chips_per_s"] for result in runs]
        memory = [result["peak_rss_mb"] for result in runs]
        cpu = [result["cpu_ms_per_chip"] for result in runs]
        low, middle, high = runs[0]["steps"]
        print(
            f"{library:9} {workers:7d} {statistics.median(rates):9.1f} ({min(rates):.1f}-{max(rates):.1f})"
            f"{'':>3} {statistics.median(cpu):9.0f} ({min(cpu):.0f}-{max(cpu):.0f})"
            f"{'':>3} {statistics.median(memory):9.0f} ({min(memory):.0f}-{max(memory):.0f})"
            f"{'':>3} {low}/{middle:g}/{high}"
        )
    for workers in options.workers:
        ours, theirs = results[("geotorch", workers)], results[("torchgeo", workers)]
        speedup = statistics.median(r["chips_per_s"] for r in ours) / statistics.median(
            r["chips_per_s"] for r in theirs
        )
        cpu_ratio = statistics.median(r["cpu_ms_per_chip"] for r in theirs) / statistics.median(
            r["cpu_ms_per_chip"] for r in ours
        )
        print(f"{workers} workers: GeoTorch {speedup:.2f}x TorchGeo's chips/s, {cpu_ratio:.2f}x its chips per CPU s")
        if options.floor:
            floor = statistics.median(r["cpu_ms_per_chip"] for r in results[("floor", workers)])
            ceiling = statistics.median(r["cpu_ms_per_chip"] for r in theirs) / floor
            print(f"{workers} workers: decode floor {floor:.0f} ms of CPU per chip; no reader of these pixels can "
                  f"exceed {ceiling:.2f}x TorchGeo's chips per CPU s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("generate", help="write the series")
    make.add_argument("--data", type=Path, required=True)
    make.add_argument("--block", type=int, default=512, help="the files' tile side in pixels")
    once = commands.add_parser("run", help="one run of one library (prints a JSON line)")
    once.add_argument("--library", choices=["geotorch", "torchgeo", "floor"], required=True)
    once.add_argument("--data", type=Path, required=True)
    once.add_argument("--workers", type=int, default=0)
    once.add_argument("--batches", type=int, default=10)
    once.add_argument("--seed", type=int, default=0)
    both = commands.add_parser("compare", help="both libraries side by side")
    both.add_argument("--data", type=Path, required=True)
    both.add_argument("--geotorch-python", default=sys.executable)
    both.add_argument("--torchgeo-python", required=True)
    both.add_argument("--workers", type=int, nargs="*", default=[0, 2])
    both.add_argument("--repeats", type=int, default=3)
    both.add_argument("--batches", type=int, default=10)
    both.add_argument("--floor", action="store_true",
                      help="also run the decode floor (bench/series_floor.py) and print the CPU ratio it allows")
    options = parser.parse_args()
    if options.command == "generate":
        generate(options.data, options.block)
    elif options.command == "run":
        print(json.dumps(run(options.library, options.data, options.workers, options.batches, options.seed)))
    else:
        compare(options)


if __name__ == "__main__":
    main()
