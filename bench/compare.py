"""Run the sampling benchmark on GeoTorch and TorchGeo side by side and print the table.

Libraries alternate run by run (GeoTorch first on even repeats, TorchGeo first
on odd ones) on the same data with the same seeds; every run is a fresh
process with the GDAL block cache pinned to 64 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
SCENARIOS = {
    "a": "images (UTM) & labels (Albers), RandomGeoSampler",
    "b": "same, GridGeoSampler, stride 256",
    "c": "same, RandomBatchGeoSampler",
    "d": "pre-warped images & labels, RandomGeoSampler",
    "f": "limit: plain rasterio windowed reads, files opened once",
}


def run_once(python: str, library: str, scenario: str, workers: int, options: argparse.Namespace,
             extra: list[str] | None = None) -> dict[str, Any]:
    command = [python, str(HERE / "scenarios.py"), "--library", library, "--data", str(options.data),
               "--scenario", scenario, "--workers", str(workers), "--batches", str(options.batches), *(extra or [])]
    env = {**os.environ, "GDAL_CACHEMAX": "64"}
    completed = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    if completed.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{completed.stderr[-3000:]}")
    return dict(json.loads(completed.stdout.strip().splitlines()[-1]))


def compare_pixels(options: argparse.Namespace, pythons: dict[str, str]) -> None:
    """Both libraries read the same queries; print how far their pixels agree."""
    import tempfile

    import numpy as np

    saved = {}
    folder = Path(tempfile.mkdtemp(prefix="bench-pixels-"))
    for library, python in pythons.items():
        saved[library] = folder / f"{library}.npz"
        subprocess.run([python, str(HERE / "pixels.py"), "--library", library, "--data", str(options.data),
                        "--out", str(saved[library])], check=True, env={**os.environ, "GDAL_CACHEMAX": "64"},
                       stdout=subprocess.DEVNULL)
    ours, theirs = np.load(saved["geotorch"]), np.load(saved["torchgeo"])
    print("same queries, GeoTorch vs TorchGeo pixels:")
    for scenario, label in (("d", "aligned grid (pre-warped & labels)"), ("a", "warped (UTM images & Albers labels)")):
        for key in ("image", "mask"):
            names = sorted(name for name in ours.files if name.startswith(f"{scenario}_") and name.endswith(key))
            equal = sum(int(np.array_equal(ours[name], theirs[name])) for name in names)
            differ = np.concatenate([(ours[name] != theirs[name]).ravel() for name in names]).mean()
            scale = max(float(np.abs(theirs[names[0]]).max()), 1.0)
            worst = max(float(np.abs(ours[name].astype(float) - theirs[name]).max()) for name in names)
            print(f"  {label:38} {key:5}: {equal}/{len(names)} bit-identical, {differ:.2%} of pixels differ, "
                  f"largest difference {worst:g} (values up to {scale:g})")


def summary(values: list[float]) -> str:
    return f"{statistics.median(values):8.1f} ({min(values):.1f}-{max(values):.1f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--geotorch-python", default=sys.executable)
    parser.add_argument("--torchgeo-python", required=True)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--batches", type=int, default=20)
    parser.add_argument("--scenarios", default="abcdf")
    parser.add_argument("--workers", type=int, nargs="*", default=[0, 2])
    parser.add_argument("--json", type=Path, default=None, help="also write every run here")
    parser.add_argument("--no-growth", action="store_true", help="skip the growth, index and import tables")
    options = parser.parse_args()
    pythons = {"geotorch": options.geotorch_python, "torchgeo": options.torchgeo_python}
    compare_pixels(options, pythons)
    runs: list[dict[str, Any]] = []
    for repeat in range(options.repeats):
        order = ["geotorch", "torchgeo"] if repeat % 2 == 0 else ["torchgeo", "geotorch"]
        for scenario in options.scenarios:
            for workers in options.workers:
                libraries = ["raw"] if scenario == "f" else order
                for library in libraries:
                    python = pythons["geotorch" if library == "raw" else library]
                    result = run_once(python, library, scenario, workers, options)
                    result["repeat"] = repeat
                    runs.append(result)
                    print(json.dumps(result), file=sys.stderr)
    if options.json:
        options.json.write_text(json.dumps(runs, indent=1))

    def values(library: str, scenario: str, workers: int, key: str) -> list[float]:
        return [run[key] for run in runs
                if run["library"] == library and run["scenario"] == scenario and run["workers"] == workers]

    print(f"\npatches/s, median (min-max) of {options.repeats} runs, batch 16, patch 256, GDAL cache 64 MB")
    header = (f"{'':3}{'workers':>8} {'GeoTorch':>22} {'TorchGeo':>22} {'GT/TG':>6} {'GT/limit':>8}"
              f" {'GT MB':>7} {'TG MB':>7}")
    print(header)
    for scenario in options.scenarios:
        for workers in options.workers:
            if scenario == "f":
                raw = values("raw", "f", workers, "patches_per_s")
                print(f"{scenario:3}{workers:>8} {summary(raw):>22} {'':>22} {'':>6} {'':>8}"
                      f" {statistics.median(values('raw', 'f', workers, 'peak_rss_mb')):7.0f}")
                continue
            ours = values("geotorch", scenario, workers, "patches_per_s")
            theirs = values("torchgeo", scenario, workers, "patches_per_s")
            limit = values("raw", "f", workers, "patches_per_s")
            ratio = statistics.median(ours) / statistics.median(theirs)
            to_limit = f"{statistics.median(ours) / statistics.median(limit):8.2f}" if limit else f"{'':>8}"
            ours_mb = statistics.median(values("geotorch", scenario, workers, "peak_rss_mb"))
            theirs_mb = statistics.median(values("torchgeo", scenario, workers, "peak_rss_mb"))
            print(f"{scenario:3}{workers:>8} {summary(ours):>22} {summary(theirs):>22} {ratio:6.2f} {to_limit}"
                  f" {ours_mb:7.0f} {theirs_mb:7.0f}")
    for scenario, text in SCENARIOS.items():
        print(f"  {scenario}: {text}")
    if not options.no_growth:
        index_and_import(options, pythons)
        growth(options)


def index_and_import(options: argparse.Namespace, pythons: dict[str, str]) -> None:
    """Scenario e (index build, cold and warm) and import cost, both libraries, medians of the repeats."""
    print(f"\nindex build of 2000 files (s) and import of the dataset and sampler classes, "
          f"median of {options.repeats} runs")
    rows: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for repeat in range(options.repeats):
        for library in (["geotorch", "torchgeo"] if repeat % 2 == 0 else ["torchgeo", "geotorch"]):
            for scenario in ("e", "e-warm", "import"):
                result = run_once(pythons[library], library, scenario, 0, options)
                rows.setdefault((library, scenario), []).append(result)
    for scenario, label in (("e", "index, cold start"), ("e-warm", "index, second construction"),
                            ("import", "import RasterDataset, VectorDataset, samplers")):
        ours = statistics.median(run["seconds"] for run in rows[("geotorch", scenario)])
        theirs = statistics.median(run["seconds"] for run in rows[("torchgeo", scenario)])
        ours_mb = statistics.median(run["peak_rss_mb"] for run in rows[("geotorch", scenario)])
        theirs_mb = statistics.median(run["peak_rss_mb"] for run in rows[("torchgeo", scenario)])
        print(f"  {label:48} GeoTorch {ours:7.3f} s {ours_mb:5.0f} MB   TorchGeo {theirs:7.3f} s {theirs_mb:5.0f} MB"
              f"   TorchGeo/GeoTorch time {theirs / ours:5.1f}x, memory {theirs_mb / ours_mb:4.1f}x")
    imported = [run.get("torchvision_imported") for run in rows[("geotorch", "import")]]
    print(f"  GeoTorch imports torchvision: {any(imported)}")


def growth(options: argparse.Namespace) -> None:
    """How GeoTorch's cost grows with the data: a and d for 1/6/24 scenes, e for 200/2000/20000 files."""
    python = options.geotorch_python
    print("\nGeoTorch as the data grows (workers 0, median of the repeats)")
    for scenario in ("a", "d"):
        cells = []
        for scenes in (1, 6, 24):
            rates = [run_once(python, "geotorch", scenario, 0, options, ["--scenes", str(scenes)])["patches_per_s"]
                     for _ in range(options.repeats)]
            cells.append(f"{scenes:>2} scenes {statistics.median(rates):7.1f} patches/s")
        print(f"  {scenario}: " + "   ".join(cells))
    cells = []
    for tiles in (200, 2000, 20000):
        seconds = [run_once(python, "geotorch", "e", 0, options, ["--tiles", f"tiles_{tiles}"])["seconds"]
                   for _ in range(options.repeats)]
        median = statistics.median(seconds)
        cells.append(f"{tiles:>5} files {median:6.2f} s ({median / tiles * 1e3:.2f} ms/file)")
    print("  e: " + "   ".join(cells))


if __name__ == "__main__":
    main()
