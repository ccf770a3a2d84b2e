"""The throughput matrix: GeoTorch vs TorchGeo 0.10.1 (a, b, c) and vs the plain rasterio limit (d) over file layouts.

``python bench/matrix.py --torchgeo-python .nox/torchgeo-py312/bin/python`` writes the
cells' data (once) under ``--data``, runs every cell of :func:`matrix_design.design`
at its worker counts, and prints the worst, median and best ratio per scenario,
the table of every cell, and a markdown table for the README. Each run is a process
freshly forked from a per-library server (cold library and GDAL caches, warm page
cache) with ``GDAL_CACHEMAX`` 64 MB; the two libraries run the same cell back to back,
in an order that alternates from cell to cell. Ratios compare runs of one matrix run:
compare ratios, not patches/s, between machines and days.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from matrix_data import SIZE, write_cell
from matrix_design import Cell, design, quick_design

HERE = Path(__file__).parent
#: Scenario -> (what it measures, the run it is divided by).
SCENARIOS = {
    "a": ("images (UTM) & labels (Albers), RandomGeoSampler", "torchgeo"),
    "b": ("same, GridGeoSampler", "torchgeo"),
    "c": ("same, RandomBatchGeoSampler", "torchgeo"),
    "d": ("pre-warped images & labels, RandomGeoSampler, of the plain rasterio limit", "raw"),
}
#: Scenario -> (what it measures, a second reference it is divided by, the scenario that reference runs).
#: d's: plain rasterio reading the samples GeoTorch returns, the mosaic's later files included
#: (bench/mosaic_reads.py), so that d's gap splits into the mosaic's necessary reads and GeoTorch's overhead.
SECOND_REFERENCES = {"d": ("same samples, mosaic included, of plain rasterio reading them", "mosaic", "g")}


class Server:
    """A ``runner.py`` process of one library, answering run requests in order."""

    def __init__(self, python: str, library: str, log: Path, path: Path | None = None) -> None:
        env = {**os.environ, "GDAL_CACHEMAX": "64"}
        if path is not None:
            # Another build of GeoTorch (e.g. the baseline commit), found before the installed one.
            env["PYTHONPATH"] = os.pathsep.join([str(path), *filter(None, [env.get("PYTHONPATH")])])
        # What the libraries print (TorchGeo's CRS conversions) goes to a log, not the tables.
        with log.open("w") as messages:
            self.process = subprocess.Popen([python, str(HERE / "runner.py"), "--library", library], cwd=HERE,
                                            env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=messages,
                                            text=True)
        ready = self._answer()
        if ready.get("ready") != library:
            raise RuntimeError(f"runner for {library} did not start: {ready}")

    def _answer(self) -> dict[str, Any]:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"runner {self.process.args} exited with {self.process.wait()} (see its log)")
        return dict(json.loads(line))

    def run(self, request: dict[str, Any]) -> dict[str, Any]:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        result = self._answer()
        if "error" in result:
            raise RuntimeError(f"run {request} failed: {result['error']}")
        return result

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait()


def start_servers(options: argparse.Namespace) -> dict[str, Server]:
    """GeoTorch (and its baseline build, when given), TorchGeo, and "raw" (the limit, run by GeoTorch's Python)."""
    options.data.mkdir(parents=True, exist_ok=True)
    servers = {"geotorch": Server(options.geotorch_python, "geotorch", options.data / "geotorch.log",
                                  options.geotorch_path),
               "torchgeo": Server(options.torchgeo_python, "torchgeo", options.data / "torchgeo.log")}
    if options.baseline_path is not None:
        servers["baseline"] = Server(options.geotorch_python, "geotorch", options.data / "baseline.log",
                                     options.baseline_path)
    for variant in REFERENCE_SCENARIOS:
        servers[variant] = servers["geotorch"]
    return servers


#: The scenario a reference variant runs (the builds run the scenario measured).
REFERENCE_SCENARIOS = {"raw": "f", **{variant: run for _, variant, run in SECOND_REFERENCES.values()}}


def batch_counts(warmup: int, batches: int, workers: int) -> dict[str, int]:
    """Warm-up and timed batches of a run with ``workers`` DataLoader workers.

    At least one warm-up batch per worker (they start together), and at least four timed
    batches per worker, a multiple of the workers: when the clock starts each worker is
    part-way through its next batch, work the clock does not see; over four rounds that
    is an eighth of the timed work at most, the same share for both libraries.
    """
    rounds = max(1, workers)
    timed = max(batches, 4 * workers)
    return {"warmup": max(warmup, workers), "batches": -(-timed // rounds) * rounds}


def run_matrix(cells: list[Cell], options: argparse.Namespace) -> list[dict[str, Any]]:
    """Every scenario of every cell at each of its worker counts: each GeoTorch build and its reference, once."""
    servers = start_servers(options)
    builds = [name for name in ("geotorch", "baseline") if name in servers]
    runs: list[dict[str, Any]] = []
    try:
        for number, cell in enumerate(cells):
            folder = write_cell(options.data, cell, options.size)
            for workers in cell.workers:
                for scenario, (_, reference) in SCENARIOS.items():
                    if scenario not in options.scenarios:
                        continue
                    references = [reference] + [second[1] for name, second in SECOND_REFERENCES.items()
                                                if name == scenario]
                    # The order alternates from cell to cell, so that neither side always runs first.
                    order = [*builds, *references] if number % 2 == 0 else [*references[::-1], *builds[::-1]]
                    for variant in order:
                        request = {"data": str(folder), "scenario": REFERENCE_SCENARIOS.get(variant, scenario),
                                   "workers": workers, **batch_counts(options.warmup, options.batches, workers)}
                        result = servers[variant].run(request)
                        result.update(cell=cell.name, varies=cell.varies, measures=scenario, variant=variant)
                        runs.append(result)
                        print(json.dumps(result), file=sys.stderr, flush=True)
    finally:
        for name, server in servers.items():
            if name not in REFERENCE_SCENARIOS:
                server.close()
    return runs


def ratios(runs: list[dict[str, Any]], build: str = "geotorch") -> list[dict[str, Any]]:
    """A GeoTorch build's patches/s over the reference's, per cell, workers and scenario.

    Where the scenario has a second reference that ran (d's mosaic reference), its patches/s,
    CPU ms per patch and the ratios over it are added as ``second``, ``second_cpu_ms``,
    ``second_ratio`` and ``second_cpu_ratio``, beside GeoTorch's and the first reference's CPU ms
    per patch (``geotorch_cpu_ms``, ``reference_cpu_ms``).
    """
    rates = {(run["cell"], run["workers"], run["measures"], run["variant"]): run for run in runs}
    table = []
    for (cell, workers, scenario, variant), ours in rates.items():
        if variant != build:
            continue
        reference = rates.get((cell, workers, scenario, SCENARIOS[scenario][1]))
        if reference is None or not reference["patches_per_s"] or not ours["patches_per_s"]:
            continue
        table.append({"cell": cell, "varies": ours["varies"], "workers": workers, "scenario": scenario,
                      "geotorch": ours["patches_per_s"], "reference": reference["patches_per_s"],
                      "ratio": ours["patches_per_s"] / reference["patches_per_s"],
                      # CPU per patch of the reference over GeoTorch's: what the ratio would be with a core per
                      # process, and far less shaken by other load on the machine than patches/s.
                      "cpu_ratio": reference["cpu_ms_per_patch"] / max(ours["cpu_ms_per_patch"], 1e-9),
                      "geotorch_mb": ours["peak_rss_mb"], "reference_mb": reference["peak_rss_mb"],
                      "geotorch_cpu_ms": ours["cpu_ms_per_patch"], "reference_cpu_ms": reference["cpu_ms_per_patch"]})
        second = SECOND_REFERENCES.get(scenario)
        run = second and rates.get((cell, workers, scenario, second[1]))
        if run and run["patches_per_s"]:
            table[-1].update(second=run["patches_per_s"], second_cpu_ms=run["cpu_ms_per_patch"],
                             second_ratio=ours["patches_per_s"] / run["patches_per_s"],
                             second_cpu_ratio=run["cpu_ms_per_patch"] / max(ours["cpu_ms_per_patch"], 1e-9))
    return table


def summary_rows(table: list[dict[str, Any]], worker_counts: list[int], key: str = "ratio") -> list[tuple[str, ...]]:
    """Per scenario and worker count: worst (cell), median and best (cell) of ``key``, and the number of cells."""
    rows = []
    for scenario in SCENARIOS:
        for workers in worker_counts:
            cells = sorted((row for row in table
                            if row["scenario"] == scenario and row["workers"] == workers and key in row),
                           key=lambda row: row[key])
            if not cells:
                continue
            suffix = "" if scenario == "d" else "x"
            median = statistics.median(row[key] for row in cells)
            rows.append((scenario, str(workers), f"{cells[0][key]:.2f}{suffix} ({cells[0]['cell']})",
                         f"{median:.2f}{suffix}", f"{cells[-1][key]:.2f}{suffix} ({cells[-1]['cell']})",
                         str(len(cells))))
    return rows


def print_tables(table: list[dict[str, Any]], options: argparse.Namespace, seconds: float, build: str) -> None:
    worker_counts = sorted({row["workers"] for row in table})
    print(f"\n== GeoTorch build: {build}")
    print(f"every cell: GeoTorch patches/s, reference patches/s, ratio (a-c: over TorchGeo 0.10.1, "
          f"d: of the plain rasterio limit); {options.batches} timed batches of 16 after {options.warmup} warm-up")
    for row in sorted(table, key=lambda row: (row["scenario"], row["workers"], row["cell"])):
        print(f"  {row['scenario']} w{row['workers']} {row['cell']:32} {row['geotorch']:7.1f} {row['reference']:7.1f}"
              f" {row['ratio']:6.2f}   CPU ratio {row['cpu_ratio']:5.2f}"
              f"   peak MB {row['geotorch_mb']:6.0f} / {row['reference_mb']:6.0f}")
    seconds_rows = [row for row in table if "second" in row]
    if seconds_rows:
        print("d's gap, CPU ms per patch: GeoTorch = limit + the mosaic's later reads (mosaic reference - limit)"
              " + GeoTorch's own overhead (GeoTorch - mosaic reference); patches/s and ratio of the mosaic reference")
    for row in sorted(seconds_rows, key=lambda row: (row["scenario"], row["workers"], row["cell"])):
        mosaic = row["second_cpu_ms"] - row["reference_cpu_ms"]
        overhead = row["geotorch_cpu_ms"] - row["second_cpu_ms"]
        print(f"  {row['scenario']} w{row['workers']} {row['cell']:32} {row['geotorch_cpu_ms']:6.2f} = "
              f"{row['reference_cpu_ms']:5.2f} + {mosaic:5.2f} + {overhead:5.2f}   {row['second']:7.1f}"
              f" {row['second_ratio']:6.2f}   CPU ratio {row['second_cpu_ratio']:5.2f}")
    heavier = [row for row in table if row["scenario"] != "d" and row["geotorch_mb"] > row["reference_mb"]]
    print(f"cells where GeoTorch's peak memory exceeds TorchGeo's: {len(heavier)}")
    for key, title in (("ratio", "patches/s"), ("cpu_ratio", "CPU per patch (reference / GeoTorch)")):
        print(f"\nratio of {title} per scenario: worst (cell) / median / best (cell)")
        for scenario, workers, worst, median, best, count in summary_rows(table, worker_counts, key):
            print(f"  {scenario} workers {workers}: {worst} / {median} / {best}, {count} cells")
        for scenario, workers, worst, median, best, count in summary_rows(table, worker_counts, f"second_{key}"):
            print(f"  {scenario} workers {workers}, of the mosaic reference: {worst} / {median} / {best}, "
                  f"{count} cells")
    print(f"\nmarkdown ({build}; patches/s ratios, {len({row['cell'] for row in table})} layouts, "
          f"{seconds / 60:.0f} min):\n")
    print("| scenario | workers | worst | median | best | median CPU ratio |")
    print("| --- | --- | --- | --- | --- | --- |")
    cpu = {(row[0], row[1]): row[3] for row in summary_rows(table, worker_counts, "cpu_ratio")}
    for scenario, workers, worst, median, best, _ in summary_rows(table, worker_counts):
        print(f"| {scenario}: {SCENARIOS[scenario][0]} | {workers} | {worst} | {median} | {best} |"
              f" {cpu[(scenario, workers)]} |")
    cpu = {(row[0], row[1]): row[3] for row in summary_rows(table, worker_counts, "second_cpu_ratio")}
    for scenario, workers, worst, median, best, _ in summary_rows(table, worker_counts, "second_ratio"):
        print(f"| {scenario}: {SECOND_REFERENCES[scenario][0]} | {workers} | {worst} | {median} | {best} |"
              f" {cpu[(scenario, workers)]} |")


def select_cells(cells: list[Cell], names: list[str] | None, workers: list[int] | None) -> list[Cell]:
    """The cells named (all when None), each at those of its worker counts in ``workers`` (all when None).

    Raises:
        SystemExit: if a name is no cell of the design, or no run is left.
    """
    known = {cell.name for cell in cells}
    unknown = sorted(set(names or []) - known)
    if unknown:
        raise SystemExit(f"--cells: {unknown} are not cells of the design; choose among {sorted(known)}")
    chosen = [replace(cell, workers=tuple(count for count in cell.workers if workers is None or count in workers))
              for cell in cells if names is None or cell.name in names]
    chosen = [cell for cell in chosen if cell.workers]
    if not chosen:
        raise SystemExit(f"no cell runs at --workers {workers}")
    return chosen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path(".nox/bench-data/matrix"))
    parser.add_argument("--geotorch-python", default=sys.executable)
    parser.add_argument("--torchgeo-python", required=True)
    parser.add_argument("--geotorch-path", type=Path, default=None,
                        help="a folder holding a GeoTorch build to measure instead of the installed one")
    parser.add_argument("--baseline-path", type=Path, default=None,
                        help="a folder holding a second GeoTorch build (pip install --target), measured beside it")
    parser.add_argument("--quick", action="store_true", help="a smoke subset: 2 cells, 0 and 2 workers, 2 batches")
    parser.add_argument("--cells", nargs="+", default=None, metavar="NAME",
                        help="only these cells of the design (names as printed, e.g. b7-uint16-t256-deflate)")
    parser.add_argument("--workers", nargs="+", type=int, default=None,
                        help="only these worker counts (of those each cell runs at)")
    parser.add_argument("--scenarios", nargs="+", default=list(SCENARIOS), choices=list(SCENARIOS),
                        help="only these scenarios (default all)")
    parser.add_argument("--batches", type=int, default=None,
                        help="timed batches of 16 per run, at least 4 per worker (default 3; 2 with --quick)")
    parser.add_argument("--warmup", type=int, default=1,
                        help="batches read before timing starts (at least one per worker)")
    parser.add_argument("--size", type=int, default=SIZE, help="scene side in pixels")
    parser.add_argument("--json", type=Path, default=None, help="also write every run here")
    parser.add_argument("--from-json", type=Path, default=None,
                        help="print the tables of runs written before (--json, or the JSON lines on stderr)")
    options = parser.parse_args()
    # Absolute, not resolved: a venv's python is a link that must keep its venv.
    options.data = options.data.resolve()
    options.geotorch_python = os.path.abspath(options.geotorch_python)
    options.torchgeo_python = os.path.abspath(options.torchgeo_python)
    options.geotorch_path = options.geotorch_path and options.geotorch_path.resolve()
    options.baseline_path = options.baseline_path and options.baseline_path.resolve()
    options.batches = options.batches or (2 if options.quick else 3)
    cells = select_cells(quick_design() if options.quick else design(), options.cells, options.workers)
    started = time.perf_counter()
    if options.from_json:
        text = options.from_json.read_text()
        runs = json.loads(text) if text.lstrip().startswith("[") else [
            json.loads(line) for line in text.splitlines() if line.startswith("{")]
    else:
        runs = run_matrix(cells, options)
    if options.json:
        options.json.write_text(json.dumps(runs, indent=1))
    seconds = sum(run.get("run_s", 0.0) for run in runs) if options.from_json else time.perf_counter() - started
    for build in ("baseline", "geotorch"):
        if any(run.get("variant") == build for run in runs):
            print_tables(ratios(runs, build), options, seconds, build)


if __name__ == "__main__":
    main()
