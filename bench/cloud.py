"""Remote COG time series, GeoTorch vs TorchGeo 0.10.1 vs Rasteret 0.4.1: random 256-px chips, HTTP + 20 ms latency.

The series (see ``cloud_data.py``): ``--dates`` dates x 4 bands, one 2048 x 2048 uint16 COG per band, a tile
in UTM zone 31 and one in zone 32, served on 127.0.0.1 by a server adding 20 ms to every request and counting
them. Each library reads the same random chips (over all time, in EPSG:32631 at 10 m, ``(T, C, H, W)``) through
a DataLoader, each run in a fresh process: GeoTorch (``RasterDataset(paths=[http URLs], separate_files,
time_series=True)``), TorchGeo (the same over ``/vsicurl/`` paths) and Rasteret (``Collection.read_window(...,
group_by="datetime")`` over a table of the same URLs). Requests per chip are counted at the server over the timed
chips (file headers included: every run starts cold). The limit is what the latency allows: one round trip
plus the chip's compressed tile bytes at the server's bandwidth, one chip in flight per worker.

    python bench/cloud.py generate --data /tmp/cloud --dates 24
    python bench/cloud.py compare --data /tmp/cloud --torchgeo-python .nox/torchgeo-py312/bin/python \
        --rasteret-python .nox/rasteret/bin/python
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

from cloud_data import BANDS, FILENAME_REGEX, PATCH, RES, LatencyServer, chips, generate  # noqa: E402


def _stats(base_url: str) -> dict[str, int]:
    with urllib.request.urlopen(base_url + "_stats", timeout=10) as answer:
        return json.loads(answer.read())  # type: ignore[no-any-return]


def _names(data: Path) -> list[str]:
    return sorted(path.name for path in data.glob("T*_B01.tif"))


def _geotorch(data: Path, base_url: str) -> Any:
    from geotorch.datasets import RasterDataset

    class Series(RasterDataset):  # type: ignore[misc]
        filename_glob = "T*_B01.tif"
        filename_regex = FILENAME_REGEX
        date_format = "%Y%m%d"
        separate_files = True
        all_bands = BANDS

    dataset = Series(paths=[base_url + name for name in _names(data)], crs="EPSG:32631", res=RES, time_series=True)

    def read(chip: tuple[float, float, float, float]) -> Any:
        minx, maxx, miny, maxy = chip
        return dataset[minx:maxx, miny:maxy]["image"]

    return read


def _torchgeo(data: Path, base_url: str) -> Any:
    from torchgeo.datasets import RasterDataset

    class Series(RasterDataset):  # type: ignore[misc]
        filename_glob = "T*_B01.tif"
        filename_regex = FILENAME_REGEX
        date_format = "%Y%m%d"
        separate_files = True
        all_bands = BANDS

    paths = ["/vsicurl/" + base_url + name for name in _names(data)]
    dataset = Series(paths=paths, crs="EPSG:32631", res=RES, time_series=True)

    def read(chip: tuple[float, float, float, float]) -> Any:
        minx, maxx, miny, maxy = chip
        return dataset[minx:maxx:RES, miny:maxy:RES]["image"]

    return read


def _rasteret(data: Path, base_url: str) -> Any:
    import datetime

    import pyarrow as pa
    import rasteret
    import rasterio
    import shapely
    from rasterio.warp import transform_bounds

    rows, footprints = [], {}
    for name in _names(data):
        with rasterio.open(data / name) as source:
            west, south, east, north = transform_bounds(source.crs, "EPSG:4326", *source.bounds)
            footprints[name] = transform_bounds(source.crs, "EPSG:32631", *source.bounds)
        date = datetime.datetime.strptime(name.split("_")[1], "%Y%m%d").replace(tzinfo=datetime.UTC)
        rows.append(
            {
                "id": name.removesuffix("_B01.tif"),
                "datetime": date,
                "geometry": shapely.to_wkb(shapely.box(west, south, east, north)),
                "assets": {band: {"href": base_url + name.replace("_B01", f"_{band}")} for band in BANDS},
            }
        )
    table = pa.Table.from_pylist(rows)
    workspace = tempfile.mkdtemp(prefix="rasteret-")
    from obstore.store import HTTPStore
    from rasteret.cloud import ObstoreBackend

    # Plain http:// needs allow_http, which Rasteret's default backend does not set.
    backend = ObstoreBackend(HTTPStore.from_url(base_url, client_options={"allow_http": True}), url_prefix=base_url)
    collection = rasteret.build_from_table(
        table, name="cloudbench", workspace_dir=workspace, enrich_cog=True, backend=backend
    )

    def read(chip: tuple[float, float, float, float]) -> Any:
        minx, maxx, miny, maxy = chip
        ids = [
            name.removesuffix("_B01.tif")
            for name, (left, bottom, right, top) in footprints.items()
            if left < maxx and right > minx and bottom < maxy and top > miny
        ]
        return collection.read_window(
            record_ids=ids,
            bounds=(minx, miny, maxx, maxy),
            res=(RES, RES),
            bands=list(BANDS),
            target_crs=32631,
            group_by="datetime",
            backend=backend,
        )

    return read


BUILDERS = {"geotorch": _geotorch, "torchgeo": _torchgeo, "rasteret": _rasteret}


def _forget_gdal_connections(worker: int) -> None:
    """DataLoader ``worker_init_fn`` for TorchGeo: drop the GDAL HTTP connections a worker inherits from its parent.

    Without it, TorchGeo 0.10.1's forked workers read on the parent's keep-alive connections at once and
    GDAL fails (``TIFFFillTile: Read error ... got N bytes, expected M``); GeoTorch does this itself.
    """
    import ctypes

    import rasterio._base

    ctypes.CDLL(rasterio._base.__file__).VSICurlClearCache()


_worker_read: Any = None


def _start_worker(library: str, data: Path, base_url: str) -> None:
    global _worker_read
    _worker_read = BUILDERS[library](data, base_url)


def _read_in_worker(chip: tuple[float, float, float, float]) -> Any:
    return _worker_read(chip)


def _wait_in_worker(_: int) -> None:
    time.sleep(0.5)


def _loader(
    library: str, read: Any, queries: list[tuple[float, float, float, float]], workers: int, data: Path, base_url: str
) -> Any:
    """The chips read through a DataLoader; Rasteret's (no torch in its venv) by a pool of as many processes.

    Rasteret's workers are spawned and build their own collection (not timed): obstore's runtime does not
    survive a fork, and forked workers wait forever on their first read.
    """
    if library == "rasteret":
        import multiprocessing

        if workers == 0:
            return map(read, queries)
        pool = multiprocessing.get_context("spawn").Pool(workers, _start_worker, (library, data, base_url))
        pool.map(_wait_in_worker, range(4 * workers), chunksize=1)  # every worker has built its collection
        return pool.imap(_read_in_worker, queries)
    import torch
    from torch.utils.data import DataLoader, Dataset

    class Chips(Dataset):  # type: ignore[type-arg]
        def __len__(self) -> int:
            return len(queries)

        def __getitem__(self, index: int) -> Any:
            return torch.as_tensor(read(queries[index]))

    init = _forget_gdal_connections if library == "torchgeo" and workers else None
    return DataLoader(Chips(), batch_size=None, num_workers=workers, worker_init_fn=init)


def run(library: str, data: Path, base_url: str, workers: int, count: int, seed: int) -> dict[str, Any]:
    """Read ``count`` chips with ``library``; chips/s and the requests the server answered meanwhile."""
    read = BUILDERS[library](data, base_url)
    queries = chips(count, seed)
    loader = _loader(library, read, queries, workers, data, base_url)
    before = _stats(base_url)
    started = time.perf_counter()
    steps = [int(image.shape[0]) for image in loader]
    seconds = time.perf_counter() - started
    after = _stats(base_url)
    return {
        "library": library,
        "workers": workers,
        "chips": len(steps),
        "seconds": seconds,
        "chips_per_s": len(steps) / seconds,
        "steps": statistics.median(steps),
        "requests_per_chip": (after["requests"] - before["requests"]) / len(steps),
        "mb_per_chip": (after["bytes"] - before["bytes"]) / len(steps) / 2**20,
    }


def chip_bytes(data: Path, count: int, seed: int) -> float:
    """Mean compressed bytes of the tiles a chip needs, over every band and date of the chips drawn."""
    import rasterio
    from rasterio.warp import transform_bounds
    from rasterio.windows import from_bounds

    files = []
    for path in sorted(data.glob("T*.tif")):
        with rasterio.open(path) as source:
            block = source.block_shapes[0]
            sizes = {
                (row, col): int(source.get_tag_item(f"BLOCK_SIZE_{col}_{row}", "TIFF", bidx=1))
                for row in range(-(-source.height // block[0]))
                for col in range(-(-source.width // block[1]))
            }
            files.append((source.crs, source.transform, block, sizes, source.width, source.height))
    total = 0
    for minx, maxx, miny, maxy in chips(count, seed):
        for crs, transform, (tile_h, tile_w), sizes, width, height in files:
            left, bottom, right, top = transform_bounds("EPSG:32631", crs, minx, miny, maxx, maxy)
            window = from_bounds(left, bottom, right, top, transform)
            col0, row0 = max(0, int(window.col_off)), max(0, int(window.row_off))
            col1 = min(width, math.ceil(window.col_off + window.width))
            row1 = min(height, math.ceil(window.row_off + window.height))
            if col1 <= col0 or row1 <= row0:
                continue
            total += sum(
                sizes[(row, col)]
                for row in range(row0 // tile_h, (row1 - 1) // tile_h + 1)
                for col in range(col0 // tile_w, (col1 - 1) // tile_w + 1)
            )
    return total / count


def bandwidth(data: Path) -> float:
    """Bytes per second one GET of a whole file gets from the server (no added latency)."""
    path = max(data.glob("T*.tif"), key=lambda item: item.stat().st_size)
    with LatencyServer(data, 0.0) as server:
        started = time.perf_counter()
        for _ in range(3):
            with urllib.request.urlopen(server.base_url + path.name, timeout=30) as answer:
                answer.read()
        return 3 * path.stat().st_size / (time.perf_counter() - started)


def compare(options: argparse.Namespace) -> None:
    """Run every library at each worker count against one server and print the table."""
    pythons = {"geotorch": options.geotorch_python, "torchgeo": options.torchgeo_python}
    if options.rasteret_python:
        pythons["rasteret"] = options.rasteret_python
    if options.before:
        # GeoTorch from another checkout (e.g. a git worktree of an earlier commit), labelled geotorch-before.
        pythons["geotorch-before"] = options.geotorch_python

    def before(library: str) -> dict[str, str]:
        if library != "geotorch-before":
            return {}
        sources = [
            str(options.before / "packages" / package / "src") for package in ("geotorch-core", "geotorch-datasets")
        ]
        return {"PYTHONPATH": os.pathsep.join(sources)}

    mean_bytes = chip_bytes(options.data, options.chips, 0)
    rate = bandwidth(options.data)
    # One chip in flight waits a round trip and its bytes; several overlap their round trips but share the bandwidth.
    limits = {
        workers: min(max(1, workers) / (options.latency + mean_bytes / rate), rate / mean_bytes)
        for workers in options.workers
    }
    results: dict[tuple[str, int], dict[str, Any]] = {}
    failures: dict[tuple[str, int], str] = {}
    with LatencyServer(options.data, options.latency) as server:
        for workers in options.workers:
            for library, python in pythons.items():
                count = options.chips if library in ("geotorch", "rasteret") else options.slow_chips
                command = [
                    python,
                    __file__,
                    "run",
                    "--library",
                    library.removesuffix("-before"),
                    "--data",
                    str(options.data),
                    "--base-url",
                    server.base_url,
                    "--workers",
                    str(workers),
                    "--chips",
                    str(count),
                ]
                home = tempfile.mkdtemp(prefix="geotorch-home-")
                completed = subprocess.run(
                    command,
                    capture_output=True,
                    text=True,
                    check=False,
                    env={**os.environ, "GDAL_CACHEMAX": "256", "GEOTORCH_HOME": home, **before(library)},
                )
                if completed.returncode != 0:
                    print(f"{library} {workers} workers failed:\n{completed.stderr[-2000:]}", file=sys.stderr)
                    errors = [line for line in completed.stderr.splitlines() if "Error" in line]
                    failures[(library, workers)] = errors[-1][:160] if errors else f"exit {completed.returncode}"
                    continue
                results[(library, workers)] = {**json.loads(completed.stdout.splitlines()[-1]), "library": library}
                print(json.dumps(results[(library, workers)]), file=sys.stderr)
    dates = len(list(options.data.glob("T31_*_B01.tif")))
    print(
        f"random {PATCH}-px chips, {dates} dates x {len(BANDS)} bands (one COG each) x 2 UTM zones, "
        f"HTTP on 127.0.0.1 + {options.latency * 1000:.0f} ms per request; limit "
        f"{', '.join(f'{limit:.1f} chips/s at {workers} workers' for workers, limit in limits.items())} "
        f"({mean_bytes / 2**20:.2f} MiB of tiles per chip at {rate / 2**20:.0f} MiB/s, a round trip per chip in flight)"
    )
    print(
        f"{'library':15} {'workers':>7} {'chips':>5} {'chips/s':>8} {'req/chip':>8} {'MiB/chip':>8} "
        f"{'T':>3} {'vs TorchGeo':>11} {'vs Rasteret':>11} {'of limit':>8}"
    )
    for (library, workers), result in results.items():
        ratios = []
        for other in ("torchgeo", "rasteret"):
            theirs = results.get((other, workers))
            ratios.append(f"{result['chips_per_s'] / theirs['chips_per_s']:.2f}x" if theirs else "-")
        print(
            f"{library:15} {workers:7d} {result['chips']:5d} {result['chips_per_s']:8.2f} "
            f"{result['requests_per_chip']:8.1f} {result['mb_per_chip']:8.2f} {result['steps']:3g} "
            f"{ratios[0]:>11} {ratios[1]:>11} {result['chips_per_s'] / limits[workers]:8.1%}"
        )
    for (library, workers), error in failures.items():
        print(f"{library:15} {workers:7d} failed: {error}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("generate", help="write the series")
    make.add_argument("--data", type=Path, required=True)
    make.add_argument("--dates", type=int, default=24)
    serve = commands.add_parser("serve", help="serve the series until interrupted (prints its URL)")
    serve.add_argument("--data", type=Path, required=True)
    serve.add_argument("--latency", type=float, default=0.02)
    once = commands.add_parser("run", help="one run of one library (prints a JSON line)")
    once.add_argument("--library", choices=["geotorch", "torchgeo", "rasteret"], required=True)
    once.add_argument("--data", type=Path, required=True)
    once.add_argument("--base-url", required=True)
    once.add_argument("--workers", type=int, default=0)
    once.add_argument("--chips", type=int, default=16)
    once.add_argument("--seed", type=int, default=0)
    both = commands.add_parser("compare", help="all libraries side by side")
    both.add_argument("--data", type=Path, required=True)
    both.add_argument("--geotorch-python", default=sys.executable)
    both.add_argument("--torchgeo-python", required=True)
    both.add_argument("--rasteret-python")
    both.add_argument("--workers", type=int, nargs="*", default=[0, 2])
    both.add_argument("--chips", type=int, default=16)
    both.add_argument("--slow-chips", type=int, default=4, help="chips read by TorchGeo and geotorch-before")
    both.add_argument("--before", type=Path, help="a checkout of GeoTorch to compare with, run as geotorch-before")
    both.add_argument("--latency", type=float, default=0.02)
    options = parser.parse_args()
    if options.command == "generate":
        generate(options.data, options.dates)
    elif options.command == "serve":
        with LatencyServer(options.data, options.latency) as server:
            print(server.base_url, flush=True)
            server.thread.join()
    elif options.command == "run":
        print(
            json.dumps(
                run(options.library, options.data, options.base_url, options.workers, options.chips, options.seed)
            )
        )
    else:
        compare(options)


if __name__ == "__main__":
    main()
