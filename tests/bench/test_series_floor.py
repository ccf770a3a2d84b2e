"""The time series' decode floor reads what a chip needs and no more: each date's files in turn, own grid."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest
import rasterio
from affine import Affine

BENCH = Path(__file__).parents[2] / "bench"


def write_tile(path: Path, crs: str, left: float, top: float, value: int) -> None:
    """A 64 x 64 px, 2-band uint16 tile at 10 m, every pixel ``value``."""
    profile = {"driver": "GTiff", "count": 2, "height": 64, "width": 64, "dtype": "uint16", "crs": crs,
               "transform": Affine(10.0, 0, left, 0, -10.0, top)}
    with rasterio.open(path, "w", **profile) as target:
        target.write(np.full((2, 64, 64), value, "uint16"))


def test_a_chip_reads_each_dates_files_only_where_earlier_files_leave_it_short(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(BENCH))
    from series_floor import FloorReads

    sys.modules.pop("series_floor", None)
    # Two dates; each a tile in UTM 31N and one beside it, 640 m east, overlapping the first by 100 m.
    for date, value in (("20230115", 1), ("20230215", 2)):
        write_tile(tmp_path / f"T311_{date}.tif", "EPSG:32631", 730_000.0, 4_990_000.0, value)
        write_tile(tmp_path / f"T312_{date}.tif", "EPSG:32631", 730_540.0, 4_990_000.0, 10 * value)
    reads = FloorReads(tmp_path)
    # Inside the west tile: one window a date, of that tile, its own pixels plus a pixel's margin.
    inside = reads[(slice(730_100.0, 730_300.0), slice(4_989_600.0, 4_989_800.0))]["image"]
    assert [int(array[0, 0, 0]) for array in inside] == [1, 2]
    assert all(array.shape == (2, 23, 23) for array in inside)
    # Across the seam: the east tile only for the part the west one lacks, after it, each date.
    across = reads[(slice(730_500.0, 730_700.0), slice(4_989_600.0, 4_989_800.0))]["image"]
    assert [int(array[0, 0, 0]) for array in across] == [1, 10, 2, 20]
    # West: columns 50..64 of its 64 (the chip past its edge lies outside it); east: columns 10..16 of 64.
    assert [array.shape[2] for array in across] == [15, 9, 15, 9]
    with pytest.raises(FileNotFoundError, match="no T"):
        FloorReads(tmp_path / "empty")
