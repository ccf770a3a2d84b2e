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
    options = parser.parse_args()
    pythons = {"geotorch": options.geotorch_python, "torchgeo": options.torchgeo_python}
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


if __name__ == "__main__":
    main()
