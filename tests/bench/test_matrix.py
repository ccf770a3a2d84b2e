"""The throughput matrix measures what it promises: every factor level, around a base cell, summarised honestly."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

BENCH = Path(__file__).parents[2] / "bench"


@pytest.fixture
def bench(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, ModuleType]]:
    """bench/'s modules, which import each other by bare name (they run as scripts from bench/)."""
    monkeypatch.syspath_prepend(str(BENCH))
    import matrix
    import matrix_data
    import matrix_design

    yield {"matrix": matrix, "matrix_data": matrix_data, "matrix_design": matrix_design}
    for name in ("matrix", "matrix_data", "matrix_design", "scenarios"):
        sys.modules.pop(name, None)


def test_every_level_of_every_factor_is_measured(bench: dict[str, ModuleType]) -> None:
    design = bench["matrix_design"]
    cells = design.design()
    assert {cell.bands for cell in cells} == set(design.BANDS) == {3, 7, 13}
    assert {cell.dtype for cell in cells} == set(design.DTYPES) == {"uint8", "uint16", "float32"}
    assert {cell.block for cell in cells} == set(design.BLOCKS) == {"256", "512", "strip"}
    assert {cell.compression for cell in cells} == set(design.COMPRESSIONS) == {"DEFLATE", "LZW", "ZSTD", "JPEG"}
    assert {cell.overviews for cell in cells} == {False, True}
    assert {workers for cell in cells for workers in cell.workers} == set(design.WORKERS) == {0, 2, 4}
    assert all({0, 2} <= set(cell.workers) for cell in cells), "the targets hold at 0 and 2 workers in every cell"
    assert len({cell.name for cell in cells}) == len(cells), "each layout once, each with its own folder"


def test_cells_vary_one_factor_from_the_base_except_the_corners(bench: dict[str, ModuleType]) -> None:
    design = bench["matrix_design"]
    base = design.BASE
    factors = ("bands", "dtype", "block", "compression", "overviews")
    for cell in design.design():
        changed = [factor for factor in factors if getattr(cell, factor) != getattr(base, factor)]
        if cell.varies == "base":
            assert cell == base
        elif cell.varies == "corner":
            assert len(changed) >= 3
        else:
            assert changed == [cell.varies]
    assert len(design.design()) < 20, "a design that runs in minutes, not the 648-cell factorial"


def test_jpeg_holds_three_band_bytes_only(bench: dict[str, ModuleType]) -> None:
    design = bench["matrix_design"]
    assert all((cell.bands, cell.dtype) == (3, "uint8") for cell in design.design() if cell.compression == "JPEG")
    with pytest.raises(ValueError, match="JPEG"):
        design.Cell(7, "uint16", "256", "JPEG", False, (0,), "compression")


def test_quick_subset_is_the_base_and_jpeg_at_0_and_2_workers(bench: dict[str, ModuleType]) -> None:
    quick = bench["matrix_design"].quick_design()
    assert [cell.compression for cell in quick] == ["DEFLATE", "JPEG"]
    assert all(cell.workers == (0, 2) for cell in quick)


def test_creation_options_follow_the_cell(bench: dict[str, ModuleType]) -> None:
    design, data = bench["matrix_design"], bench["matrix_data"]
    assert data.profile(design.BASE) == {"driver": "GTiff", "compress": "deflate", "tiled": True, "blockxsize": 256,
                                         "blockysize": 256, "predictor": 2}
    heavy = next(cell for cell in design.design() if cell.dtype == "float32" and cell.block == "strip")
    assert data.profile(heavy)["tiled"] is False and data.profile(heavy)["predictor"] == 3
    jpeg = next(cell for cell in design.design() if cell.compression == "JPEG")
    assert data.profile(jpeg)["photometric"] == "YCBCR" and "predictor" not in data.profile(jpeg)


def _run(cell: str, scenario: str, variant: str, rate: float, cpu: float, workers: int = 0) -> dict[str, Any]:
    return {"cell": cell, "varies": "x", "workers": workers, "measures": scenario, "variant": variant,
            "patches_per_s": rate, "cpu_ms_per_patch": cpu, "peak_rss_mb": 100.0}


def test_summary_gives_worst_median_and_best_cell_against_the_right_reference(bench: dict[str, ModuleType]) -> None:
    matrix = bench["matrix"]
    runs = [_run("one", "a", "geotorch", 30, 10), _run("one", "a", "torchgeo", 10, 40),
            _run("two", "a", "geotorch", 20, 10), _run("two", "a", "torchgeo", 10, 20),
            _run("six", "a", "geotorch", 60, 10), _run("six", "a", "torchgeo", 10, 30),
            _run("one", "d", "geotorch", 45, 10), _run("one", "d", "raw", 50, 9),
            _run("one", "a", "baseline", 15, 20)]
    table = matrix.ratios(runs)
    assert {(row["cell"], row["scenario"]): row["ratio"] for row in table} == {
        ("one", "a"): 3.0, ("two", "a"): 2.0, ("six", "a"): 6.0, ("one", "d"): 0.9}
    rows = matrix.summary_rows(table, [0])
    assert rows[0] == ("a", "0", "2.00x (two)", "3.00x", "6.00x (six)", "3")
    assert rows[1] == ("d", "0", "0.90 (one)", "0.90", "0.90 (one)", "1")
    assert matrix.summary_rows(table, [0], "cpu_ratio")[0][2:5] == ("2.00x (two)", "3.00x", "4.00x (one)")
    assert [row["ratio"] for row in matrix.ratios(runs, "baseline")] == [1.5]


def test_d_is_also_divided_by_the_mosaic_reference_and_its_gap_split(bench: dict[str, ModuleType]) -> None:
    matrix = bench["matrix"]
    runs = [_run("one", "d", "geotorch", 40, 10), _run("one", "d", "raw", 80, 4), _run("one", "d", "mosaic", 50, 8),
            _run("two", "d", "geotorch", 30, 12), _run("two", "d", "raw", 60, 6),
            _run("one", "a", "geotorch", 30, 10), _run("one", "a", "torchgeo", 10, 40)]
    table = {(row["cell"], row["scenario"]): row for row in matrix.ratios(runs)}
    one = table[("one", "d")]
    assert (one["ratio"], one["second_ratio"], one["second_cpu_ratio"]) == (0.5, 0.8, 0.8)
    assert (one["reference_cpu_ms"], one["second_cpu_ms"], one["geotorch_cpu_ms"]) == (4, 8, 10)
    assert "second_ratio" not in table[("two", "d")] and "second_ratio" not in table[("one", "a")]
    rows = list(table.values())
    assert matrix.summary_rows(rows, [0], "second_ratio") == [("d", "0", "0.80 (one)", "0.80", "0.80 (one)", "1")]
    assert matrix.summary_rows(rows, [0])[1] == ("d", "0", "0.50 (one)", "0.50", "0.50 (two)", "2"), "limit kept"
    assert matrix.REFERENCE_SCENARIOS == {"raw": "f", "mosaic": "g"}


def test_runs_with_workers_time_four_rounds_after_one_warm_up_round(bench: dict[str, ModuleType]) -> None:
    counts = bench["matrix"].batch_counts
    assert counts(1, 3, 0) == {"warmup": 1, "batches": 3}
    assert counts(1, 3, 2) == {"warmup": 2, "batches": 8}
    assert counts(1, 3, 4) == {"warmup": 4, "batches": 16}
    assert counts(1, 18, 4) == {"warmup": 4, "batches": 20}, "a multiple of the workers: each delivers in turn"


def test_a_reduced_design_keeps_the_named_cells_at_the_given_workers(bench: dict[str, ModuleType]) -> None:
    matrix, design = bench["matrix"], bench["matrix_design"]
    cells = design.design()
    chosen = matrix.select_cells(cells, ["b7-uint16-t256-deflate", "b3-uint8-t512-lzw"], [0, 2])
    assert [(cell.name, cell.workers) for cell in chosen] == [
        ("b7-uint16-t256-deflate", (0, 2)), ("b3-uint8-t512-lzw", (0, 2))]
    assert matrix.select_cells(cells, None, None) == cells
    assert [cell.name for cell in matrix.select_cells(cells, None, [4])] == [
        cell.name for cell in cells if 4 in cell.workers]
    with pytest.raises(SystemExit, match="b7-nope"):
        matrix.select_cells(cells, ["b7-nope"], None)
    with pytest.raises(SystemExit, match="no cell"):
        matrix.select_cells(cells, ["b3-uint8-t512-lzw"], [4])


def test_the_grid_scenario_lays_its_grid_again_until_a_run_has_all_its_batches(
    bench: dict[str, ModuleType], tmp_path: Path
) -> None:
    pytest.importorskip("rasterio")
    import scenarios

    from geotorch.samplers import GridGeoSampler

    folder = bench["matrix_data"].write_cell(tmp_path, bench["matrix_design"].BASE, size=320)
    dataset = scenarios.build("geotorch", folder, "b")
    one_pass = list(GridGeoSampler(dataset, size=scenarios.PATCH, stride=scenarios.PATCH))
    # 4 workers: 4 warm-up batches and 16 timed ones, far more windows than one pass of the grid holds.
    batches = 20
    assert len(one_pass) < batches * scenarios.BATCH
    windows = list(scenarios.loader("geotorch", dataset, "b", 4, batches, 0).sampler)
    assert len(windows) >= batches * scenarios.BATCH
    passes = -(-len(windows) // len(one_pass))
    assert windows == one_pass * passes, "whole passes of the same grid, in its order"
