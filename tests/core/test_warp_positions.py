"""Exact-warp positions keep every bit while lattice cells verified by earlier queries skip their exact check."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import rasterio
from affine import Affine
from rasterio.crs import CRS

from geotorch.core import warp_positions
from geotorch.core.crs import transform_bounds
from geotorch.core.geotransform import footprint
from geotorch.core.grid import Grid
from geotorch.core.warp import coordinate_operation
from geotorch.core.warp_positions import Placement, _exact, _phase, lattice_step, placement, source_positions


def reference_positions(where: Placement, grid: Grid, step: int) -> tuple[np.ndarray, np.ndarray]:
    """``source_positions`` as it was before lattice cells were remembered (commit b965ebd), frozen."""
    transform = grid.transform
    first_col, first_row = _phase(transform.c, transform.a)[1], _phase(transform.f, transform.e)[1]
    cols = first_col + np.arange(grid.width)
    rows = first_row + np.arange(grid.height)
    node_col0, node_row0 = (first_col // step) * step, (first_row // step) * step
    node_cols = np.arange(node_col0, cols[-1] + step + 1, step, dtype=np.float64)
    node_rows = np.arange(node_row0, rows[-1] + step + 1, step, dtype=np.float64)
    grid_cols, grid_rows = np.meshgrid(node_cols, node_rows)
    node_x, node_y = _exact(where, transform, grid_cols, grid_rows)
    cell_col, cell_row = (cols - node_col0) // step, (rows - node_row0) // step
    tx = (cols - node_col0) % step / step
    ty = ((rows - node_row0) % step / step)[:, None]
    positions = []
    for nodes in (node_x, node_y):
        upper, lower = nodes[cell_row], nodes[cell_row + 1]
        across = upper + (lower - upper) * ty
        left, right = across.take(cell_col, axis=1), across.take(cell_col + 1, axis=1)
        right -= left
        right *= tx
        right += left
        positions.append(right)
    if step > 1:
        half = step // 2
        across_ = np.flatnonzero((cols - node_col0) % half == 0)
        down = np.flatnonzero((rows - node_row0) % half == 0)
        if len(across_) and len(down):
            sample_cols, sample_rows = np.meshgrid(cols[across_].astype(np.float64), rows[down].astype(np.float64))
            exact_x, exact_y = _exact(where, transform, sample_cols, sample_rows)
            samples = np.ix_(down, across_)
            error = np.hypot(positions[0][samples] - exact_x, positions[1][samples] - exact_y)
            if not (np.isfinite(error).all() and error.max() <= warp_positions.TOLERANCE):
                every_col, every_row = np.meshgrid(cols.astype(np.float64), rows.astype(np.float64))
                return _exact(where, transform, every_col, every_row)
    return positions[0], positions[1]


@pytest.fixture(autouse=True)
def no_verified_cells() -> Iterator[None]:
    """Each test starts, and leaves, with no lattice cell remembered."""
    warp_positions._verified.clear()
    yield
    warp_positions._verified.clear()


def _setup(path: Path, crs: str, res: float) -> tuple[Placement, Grid, int]:
    """The placement of ``path`` on a ``res`` grid of ``crs`` covering its footprint, the grid and its lattice step."""
    with rasterio.open(path) as source:
        left, bottom, right, top = transform_bounds(
            source.crs, CRS.from_user_input(crs), *footprint(source.transform, source.width, source.height)
        )
        whole = Grid(CRS.from_user_input(crs), Affine(res, 0, left, 0, -res, top),
                     int((top - bottom) / res) + 1, int((right - left) / res) + 1)  # fmt: skip
        where = placement(coordinate_operation(source, whole), source.crs, source.transform, whole)
        assert where is not None
        step = lattice_step(where, whole, lambda: (left, bottom, right, top))
        assert step is not None
    return where, whole, step


def _assert_same_bits(got: tuple[np.ndarray, np.ndarray], want: tuple[np.ndarray, np.ndarray], what: str) -> None:
    for axis in (0, 1):
        assert got[axis].dtype == want[axis].dtype == np.float64, what
        assert got[axis].shape == want[axis].shape, what
        assert np.array_equal(got[axis].view(np.int64), want[axis].view(np.int64)), what


@pytest.fixture
def utm16(tmp_path: Path) -> Path:
    """A 1280 px square at 30 m in UTM 16N (the benchmark's scene 0, in Tennessee), which has a pipeline to Albers."""
    path = tmp_path / "utm16.tif"
    with rasterio.open(path, "w", driver="GTiff", width=1280, height=1280, count=1, dtype="uint8", crs="EPSG:32616",
                       transform=Affine(30.0, 0.0, 731780.0, 0.0, -30.0, 3895700.0)) as file:  # fmt: skip
        file.write(np.ones((1, 1280, 1280), "uint8"))
    return path


@pytest.mark.parametrize(("source", "crs", "res"), [
    ("landsat", "EPSG:32617", 299.7), ("landsat", "EPSG:32617", 30.0), ("landsat", "EPSG:3857", 250.3),
    ("utm16", "EPSG:5070", 30.0), ("utm16", "EPSG:5070", 299.7),
])  # fmt: skip
def test_positions_keep_every_bit_of_the_unremembered_algorithm(
    real_data: Path, utm16: Path, source: str, crs: str, res: float
) -> None:
    where, whole, lattice = _setup(real_data / "RGB.byte.tif" if source == "landsat" else utm16, crs, res)
    rng = np.random.default_rng(13)
    shapes = [(1, 1), (1, 17), (256, 256), (257, 300), (64, 64)]
    queries = 0
    for step in sorted({lattice, 2, 4, 16}):
        for _ in range(3):  # queries again over cells remembered by the rounds before
            for height, width in shapes:
                # Within the file, overlapping its edge, and far off it (3 grids' widths away).
                for spread in (whole.width, 3 * whole.width):
                    col = int(rng.integers(-spread // 2, spread))
                    row = int(rng.integers(-spread // 2, spread))
                    grid = whole.part(slice(row, row + height), slice(col, col + width))
                    want = reference_positions(where, grid, step)
                    _assert_same_bits(source_positions(where, grid, step), want, f"{grid} at step {step}")
                    queries += 1
    assert queries >= 90
    assert warp_positions._verified, "some cells must have been remembered"


def test_a_query_over_a_cell_off_the_tolerance_is_still_transformed_exactly(
    real_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # UTM 18N onto Web Mercator at 3 km, step 16: the lattice's error grows northward. With the tolerance set
    # between the southern and northern cells' errors, a southern query passes the check (its cells remembered)
    # and a query adding northern cells to them must fail it and take every pixel's exact position.
    where, whole, _ = _setup(real_data / "RGB.byte.tif", "EPSG:3857", 3000.0)
    south = whole.part(slice(whole.height - 64, whole.height), slice(0, 64))
    north = whole.part(slice(0, whole.height), slice(0, 64))
    step = 16
    errors = []
    for grid in (south, north):
        positions = reference_positions(where, grid, 1)  # exact at every pixel
        interpolated = _interpolated(where, grid, step)
        errors.append(np.hypot(*(interpolated[axis] - positions[axis] for axis in (0, 1))).max())
    assert errors[0] < errors[1], errors
    monkeypatch.setattr(warp_positions, "TOLERANCE", float((errors[0] + errors[1]) / 2))
    calls = []
    real_exact = warp_positions._exact

    def counted(*args: object) -> tuple[np.ndarray, np.ndarray]:
        calls.append(np.size(args[2]))  # type: ignore[arg-type]
        return real_exact(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(warp_positions, "_exact", counted)
    _assert_same_bits(source_positions(where, south, step), reference_positions(where, south, step), "south")
    assert warp_positions._verified, "the southern query passed its check"
    calls.clear()
    _assert_same_bits(source_positions(where, south, step), reference_positions(where, south, step), "south again")
    assert len(calls) == 1, "the southern query again: its lattice nodes only"
    calls.clear()
    got = source_positions(where, north, step)
    every = reference_positions(where, north, 1)
    _assert_same_bits(got, every, "north: every pixel exact")
    _assert_same_bits(got, reference_positions(where, north, step), "north")


def _interpolated(where: Placement, grid: Grid, step: int) -> tuple[np.ndarray, np.ndarray]:
    """The lattice's interpolated positions of ``grid`` at ``step``, whatever the check would say."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(warp_positions, "TOLERANCE", float("inf"))
        found = source_positions(where, grid, step)
    warp_positions._verified.clear()
    return found
