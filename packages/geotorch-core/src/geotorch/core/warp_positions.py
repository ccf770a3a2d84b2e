"""Where target pixels' centres lie in a source file: exact transforms on a lattice anchored to the target grid."""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from affine import Affine
from rasterio.crs import CRS

from geotorch.core.crs import same_crs
from geotorch.core.grid import Grid

if TYPE_CHECKING:
    from pyproj import Transformer

#: Target pixels between lattice nodes, from the coarsest tried to the finest.
STEPS = (16, 8, 4, 2)
#: The most the interpolated positions may be off the exact ones, in source pixels.
TOLERANCE = 0.01
#: A grid's sub-pixel phase is rounded to this many ulps of its corner's pixel count: float noise then changes nothing.
_PHASE_ULPS = 256
_local = threading.local()
_steps: dict[tuple[object, ...], int | None] = {}
#: Lattice cells whose samples (see :func:`_near_exact`) were found within :data:`TOLERANCE`, per placement,
#: resolution, phase and step: a later query's check over them only needs no exact transform. At most
#: :data:`_VERIFIED_CELLS` in all (about 60 bytes each); emptied when more would be. Written under the lock;
#: a set's membership tests are safe beside another thread's update.
_verified: dict[tuple[object, ...], set[int]] = {}
_verified_lock = threading.Lock()
_VERIFIED_CELLS = 1 << 18


class Placement(NamedTuple):
    """How a source file and a target grid relate, all a warp's positions depend on.

    Attributes:
        pipeline: the PROJ pipeline from the file's CRS to the grid's; None for the same CRS.
        file_transform: the whole file's geotransform (not a window's).
        crs: the grid's CRS.
    """

    pipeline: str | None
    file_transform: Affine
    crs: CRS


def placement(pipeline: str | None, file_crs: CRS, file_transform: Affine, grid: Grid) -> Placement | None:
    """The placement of a file on ``grid``, or None where exact positions are not computed here.

    They are not for geographic CRSs on either side (GDAL wraps longitudes), grids that are
    not north-up, and differing CRSs without one PROJ pipeline between them (see
    :func:`geotorch.core.warp.coordinate_operation`).
    """
    transform = grid.transform
    if file_crs.is_geographic or grid.crs.is_geographic or transform.b != 0 or transform.d != 0:
        return None
    if pipeline is None and not same_crs(file_crs, grid.crs):
        return None
    return Placement(pipeline, file_transform, grid.crs)


def lattice_step(
    where: Placement, grid: Grid, footprint: Callable[[], tuple[float, float, float, float]]
) -> int | None:
    """The coarsest of :data:`STEPS` at which interpolated positions stay within :data:`TOLERANCE`.

    Decided once per placement and target resolution over the file's whole footprint (``footprint()``
    gives its left, bottom, right, top in the grid's CRS), so every query of the file gets the same lattice.

    Returns:
        Target pixels between lattice nodes, or None when even the finest is off by more.
    """
    transform = grid.transform
    key = (where, transform.a, transform.e, _phase(transform.c, transform.a)[0], _phase(transform.f, transform.e)[0])
    if key not in _steps:
        if len(_steps) > 4096:
            _steps.clear()
        _steps[key] = _coarsest_step(where, transform, footprint())
    return _steps[key]


def _coarsest_step(where: Placement, transform: Affine, footprint: tuple[float, float, float, float]) -> int | None:
    """Check each step's error at the centres of lattice cells spread over ``footprint``."""
    left, bottom, right, top = footprint
    if not all(math.isfinite(value) for value in footprint):
        return None
    fractions = np.linspace(0.0, 1.0, 17)
    phase_x, phase_y = _phase(transform.c, transform.a)[0], _phase(transform.f, transform.e)[0]
    columns = np.floor((left + fractions * (right - left) - phase_x) / transform.a)
    rows = np.floor((top - fractions * (top - bottom) - phase_y) / transform.e)
    for step in STEPS:
        # Lattice cells holding the sample places, in the grid's global pixel indices: their nodes, and the
        # points halfway between them (centre, edges' midpoints), where bilinear interpolation is off most.
        col0, row0 = np.meshgrid(np.floor(columns / step) * step, np.floor(rows / step) * step)
        nodes = {(dx, dy): _exact(where, transform, col0 + dx, row0 + dy) for dy in (0, step) for dx in (0, step)}
        errors = []
        for fx, fy in ((0.5, 0.5), (0.5, 0.0), (0.5, 1.0), (0.0, 0.5), (1.0, 0.5)):
            exact = _exact(where, transform, col0 + fx * step, row0 + fy * step)
            guess = [(1 - fx) * (1 - fy) * nodes[0, 0][axis] + fx * (1 - fy) * nodes[step, 0][axis]
                     + (1 - fx) * fy * nodes[0, step][axis] + fx * fy * nodes[step, step][axis] for axis in (0, 1)]
            errors.append(np.hypot(guess[0] - exact[0], guess[1] - exact[1]))
        error = np.stack(errors)
        if np.isfinite(error).all() and float(error.max()) <= TOLERANCE:
            return step
    return None


def _phase(corner: float, res: float) -> tuple[float, int]:
    """A grid's sub-pixel phase along one axis (CRS units) and its corner's global pixel index.

    ``corner = phase + index * res``. A corner within :data:`_PHASE_ULPS` ulps of ``corner / res`` of a
    multiple of ``res`` (2e-10 px at a million pixels from the origin) has phase 0 exactly: corners of one
    pixel grid that float arithmetic put a few ulps apart (300000.6 as 300000.59999999998, whose
    ``math.fmod`` by 0.6 is 0.6 where another's is 3e-11) count the same pixels from the same origin. Any
    other phase is ``math.fmod(corner, res)`` as computed, so that pixel centres GDAL places on a source
    pixel's edge stay there.
    """
    pixels = corner / res
    nearest = round(pixels)
    if abs(pixels - nearest) <= _PHASE_ULPS * math.ulp(max(abs(pixels), 1.0)):
        return 0.0, nearest
    phase = math.fmod(corner, res)
    return phase, round((corner - phase) / res)


def _exact(where: Placement, transform: Affine, cols: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """File pixel coordinates ``(cols, rows)`` of target pixel centres at global indices ``cols``, ``rows``.

    A target pixel's global index counts pixels from the grid's CRS origin (shifted by the grid's
    sub-pixel phase), so the same pixel has the same index, and the same place, in every query.
    """
    phase_x, phase_y = _phase(transform.c, transform.a)[0], _phase(transform.f, transform.e)[0]
    x = phase_x + transform.a * (cols + 0.5)
    y = phase_y + transform.e * (rows + 0.5)
    if where.pipeline is not None:
        from pyproj.enums import TransformDirection

        x, y = _transformer(where.pipeline).transform(x, y, direction=TransformDirection.INVERSE)
    inverse = ~where.file_transform
    return (inverse.a * x + inverse.b * y + inverse.c, inverse.d * x + inverse.e * y + inverse.f)


def _transformer(pipeline: str) -> Transformer:
    """A pyproj Transformer of ``pipeline``, one per thread (a Transformer is not shared between threads)."""
    from pyproj import Transformer

    cache: dict[str, Transformer] = _local.__dict__.setdefault("transformers", {})
    found = cache.get(pipeline)
    if found is None:
        found = cache[pipeline] = Transformer.from_pipeline(pipeline)
    return found


def source_positions(where: Placement, grid: Grid, step: int) -> tuple[np.ndarray, np.ndarray]:
    """File pixel coordinates of ``grid``'s pixel centres, interpolated between exact lattice nodes.

    Nodes lie every ``step`` target pixels counted from the grid's CRS origin, not from the
    grid's corner, and each pixel is interpolated from its own cell's four nodes with weights
    that depend on its global index alone: a pixel gets the same bits whichever grid holds it.
    The pixels at the centres of the grid's cells are checked against exact transforms: where
    one is off by more than :data:`TOLERANCE` (a place :func:`lattice_step`'s samples missed),
    every pixel of the grid is transformed exactly instead.

    Returns:
        ``(cols, rows)``, float64 ``(height, width)`` each: where each pixel centre lies in the file,
        in pixels from its top-left corner (pixel ``(r, c)`` covers ``[c, c + 1) x [r, r + 1)``).
    """
    transform = grid.transform
    first_col, first_row = _phase(transform.c, transform.a)[1], _phase(transform.f, transform.e)[1]
    cols = first_col + np.arange(grid.width)
    rows = first_row + np.arange(grid.height)
    node_col0, node_row0 = (first_col // step) * step, (first_row // step) * step
    node_cols = np.arange(node_col0, cols[-1] + step + 1, step, dtype=np.float64)
    node_rows = np.arange(node_row0, rows[-1] + step + 1, step, dtype=np.float64)
    grid_cols, grid_rows = np.meshgrid(node_cols, node_rows)
    node_x, node_y = _exact(where, transform, grid_cols, grid_rows)
    # Each pixel's cell and its place in it, in steps: exact fractions (step is a power of two). Interpolated
    # along rows, then along columns: each pixel's result depends on its global indices and the nodes alone.
    # A pixel's left and right nodes' difference is taken once per cell: the same bits as per pixel.
    cell_row = (rows - node_row0) // step
    widths = np.bincount((cols - node_col0) // step)  # each cell's pixels, from the grid's first cell on
    cells = len(widths)
    tx = (cols - node_col0) % step / step
    ty = ((rows - node_row0) % step / step)[:, None]
    positions = []
    for nodes in (node_x, node_y):
        upper, lower = nodes[cell_row], nodes[cell_row + 1]
        across = upper + (lower - upper) * ty
        position = np.repeat(across[:, 1 : cells + 1] - across[:, :cells], widths, axis=1)
        position *= tx
        position += np.repeat(across[:, :cells], widths, axis=1)
        positions.append(position)
    if step > 1 and not _near_exact(where, transform, positions, cols, rows, step):
        every_col, every_row = np.meshgrid(cols.astype(np.float64), rows.astype(np.float64))
        return _exact(where, transform, every_col, every_row)
    return positions[0], positions[1]


def _near_exact(
    where: Placement, transform: Affine, positions: list[np.ndarray], cols: np.ndarray, rows: np.ndarray, step: int
) -> bool:
    """Whether the interpolated ``positions`` are within :data:`TOLERANCE` at the grid's pixels halfway between nodes.

    Those are the lattice cells' centres and their edges' midpoints, where a bilinear interpolation is off most
    (a cell's centre alone can be near exact while its edges bend the other way). Each such sample's position
    depends on its global indices alone: where every lattice cell holding the grid's samples had all its samples
    within :data:`TOLERANCE` in earlier queries of the same placement, resolution, phase and step (see
    :data:`_verified`), none is transformed again; otherwise all the grid's samples are, as if none were known.

    Args:
        where: the placement of the file on the grid.
        transform: the grid's geotransform.
        positions: ``(cols, rows)`` as :func:`source_positions` interpolated them, float64 ``(height, width)`` each.
        cols: the grid's global column indices, int ``(width,)``.
        rows: the grid's global row indices, int ``(height,)``.
        step: target pixels between lattice nodes (a power of two, at least 2).
    """
    half = step // 2
    across = np.flatnonzero(cols % half == 0)
    down = np.flatnonzero(rows % half == 0)
    if not len(across) or not len(down):
        return True
    phase_x, phase_y = _phase(transform.c, transform.a)[0], _phase(transform.f, transform.e)[0]
    key = (where, transform.a, transform.e, phase_x, phase_y, step)
    # The cells holding the grid's samples (a cell's are its first column and row and those ``half`` on).
    first_col, last_col = int(cols[across[0]]), int(cols[across[-1]])
    first_row, last_row = int(rows[down[0]]), int(rows[down[-1]])
    cell_cols = np.arange(first_col // step, last_col // step + 1)
    cell_rows = np.arange(first_row // step, last_row // step + 1)
    known = _verified.get(key)
    if known is not None and known.issuperset(_cell_codes(cell_cols, cell_rows)):
        return True
    sample_cols, sample_rows = np.meshgrid(cols[across].astype(np.float64), rows[down].astype(np.float64))
    exact_x, exact_y = _exact(where, transform, sample_cols, sample_rows)
    error = np.hypot(positions[0][np.ix_(down, across)] - exact_x, positions[1][np.ix_(down, across)] - exact_y)
    if not (np.isfinite(error).all() and error.max() <= TOLERANCE):
        return False
    # Cells with all four samples (two columns by two rows) in the grid are verified; the edges' others are not.
    whole = _cell_codes(
        cell_cols[int(first_col % step != 0) : len(cell_cols) - int(last_col % step != half)],
        cell_rows[int(first_row % step != 0) : len(cell_rows) - int(last_row % step != half)],
    )
    with _verified_lock:  # the key hashed once more only for a new one (a CRS hashes its WKT)
        if sum(len(cells) for cells in _verified.values()) + len(whole) > _VERIFIED_CELLS:
            _verified.clear()
            known = None
        if known is None:
            known = _verified.setdefault(key, set())
        known.update(whole)
    return True


def _cell_codes(cell_cols: np.ndarray, cell_rows: np.ndarray) -> list[int]:
    """One int per lattice cell of ``cell_cols`` x ``cell_rows`` (global cell indices, int64), distinct per cell."""
    codes = (cell_rows[:, None] << 32) + (cell_cols[None, :] & 0xFFFFFFFF)
    return list(codes.ravel().tolist())
