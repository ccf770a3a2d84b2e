"""The contract of bilinear warps GeoTorch computes itself (``from tests.core.gdal_warps import ...``).

GeoTorch computes GDAL's 4-pixel bilinear kernel at exact source positions
(``geotorch.core.resample``, ``geotorch.core.warp_positions``). GDAL's warp takes its positions
from an approximate transformer, up to 0.125 px off (0.002 px on a 64 px grid of real Landsat
pixels, 0.09 px on larger ones), so values differ from GDAL's by that error times the local
gradient, besides rounding: within 1 on small grids of real imagery, up to 5 on a 200 px one, tens
on random pixels. The same target pixels receive data, bar those whose centre lies within 0.01 px
of a source pixel's edge. :func:`exact_bilinear` is GDAL's kernel at exact positions: within 1 of
GeoTorch's (integers, rounding).

Nearest between projected CRSs is computed alike: each target pixel takes the file's pixel under its
exact centre (:func:`exact_nearest`), which is GDAL's nearest bar the pixels whose centre lies within
GDAL's error (0.125 px at most) of a source pixel's edge (:func:`assert_like_gdals_nearest`).
"""

from __future__ import annotations

import numpy as np
from pyproj import Transformer
from rasterio.io import DatasetReader

from geotorch.core.grid import Grid


def assert_like_gdals_bilinear(
    ours: np.ndarray, gdals: np.ndarray, fill: float, atol: float = 1.0, settled: np.ndarray | None = None
) -> None:
    """``ours`` ``(C, H, W)`` is GDAL's bilinear warp ``gdals`` within ``atol``, the same pixels left at ``fill``.

    Only pixels ``settled`` (``(H, W)``, all when None) are compared: see :func:`exact_bilinear`.
    """
    assert ours.shape == gdals.shape
    ours_filled = np.isnan(ours).all(axis=0) if np.isnan(fill) else (ours == fill).all(axis=0)
    gdals_filled = np.isnan(gdals).all(axis=0) if np.isnan(fill) else (gdals == fill).all(axis=0)
    if settled is None:
        settled = np.ones(ours_filled.shape, dtype=bool)
    np.testing.assert_array_equal(ours_filled[settled], gdals_filled[settled])
    difference = np.abs(ours.astype(np.float64) - gdals.astype(np.float64))[:, settled & ~ours_filled]
    assert float(np.nanmax(difference, initial=0.0)) <= atol


def exact_bilinear(source: DatasetReader, target: Grid) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """GDAL's bilinear rules at every target pixel centre's exact position (pyproj), in float64.

    A target pixel receives data where the file's pixel under its centre has data in some band;
    its value weighs the four pixels around the centre, those outside the file or without data
    left out and the others' weights renormalised (GDAL's 4-pixel kernel).

    Returns:
        ``(bands, H, W)`` values (the file's nodata, or 0, where none), the ``(H, W)`` mask of received
        pixels, and the ``(H, W)`` mask of pixels whose centre lies over 0.01 px from a file pixel's edge
        (GeoTorch's positions may be off by that much: nearer, a pixel may take its neighbour's validity).
    """
    pixels = source.read().astype(np.float64)
    nodata = 0.0 if source.nodata is None else source.nodata
    valid = np.ones(pixels.shape[1:], dtype=bool) if source.nodata is None else (source.read() != nodata).any(axis=0)
    cols, rows = np.meshgrid(np.arange(target.width) + 0.5, np.arange(target.height) + 0.5)
    x, y = target.transform * (cols, rows)
    x, y = Transformer.from_crs(target.crs, source.crs, always_xy=True).transform(x, y)
    col, row = ~source.transform * (x, y)
    height, width = valid.shape
    inside = (col >= 0) & (row >= 0) & (col < width) & (row < height)
    received = inside & valid[np.clip(row.astype(int), 0, height - 1), np.clip(col.astype(int), 0, width - 1)]
    left, top = np.floor(col - 0.5).astype(int), np.floor(row - 0.5).astype(int)
    fx, fy = col - 0.5 - left, row - 0.5 - top
    total, weights = np.zeros((len(pixels), *col.shape)), np.zeros(col.shape)
    for dy, wy in ((0, 1 - fy), (1, fy)):
        for dx, wx in ((0, 1 - fx), (1, fx)):
            c, r = left + dx, top + dy
            kept = (c >= 0) & (c < width) & (r >= 0) & (r < height)
            c, r = np.clip(c, 0, width - 1), np.clip(r, 0, height - 1)
            weight = np.where(kept & valid[r, c], wx * wy, 0.0)
            total += pixels[:, r, c] * weight
            weights += weight
    settled = (np.abs(col - np.round(col)) > 0.01) & (np.abs(row - np.round(row)) > 0.01)
    return np.where(received, total / np.where(weights > 0, weights, 1), nodata), received, settled


#: The most GDAL's approximate transformer places a position off (its default error threshold), in pixels.
GDAL_ERROR = 0.125


def exact_nearest(
    source: DatasetReader, target: Grid, fill: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The file's pixel under every target pixel centre's exact position (pyproj), as GDAL's nearest takes it.

    A pixel receives data where the file's pixel under its centre is valid (the file's dataset mask:
    some band not at nodata, or its mask band).

    Returns:
        ``(bands, H, W)`` values in the file's type (``fill`` where none is received), the ``(H, W)``
        mask of received pixels, and the ``(H, W)`` distance in file pixels from each centre to the
        nearest edge of a file pixel (along columns or rows).
    """
    pixels = source.read()
    valid = source.dataset_mask() != 0
    cols, rows = np.meshgrid(np.arange(target.width) + 0.5, np.arange(target.height) + 0.5)
    x, y = target.transform * (cols, rows)
    x, y = Transformer.from_crs(target.crs, source.crs, always_xy=True).transform(x, y)
    col, row = ~source.transform * (x, y)
    height, width = valid.shape
    under_col, under_row = np.floor(col + 1e-10).astype(int), np.floor(row + 1e-10).astype(int)
    inside = (col >= 0) & (row >= 0) & (under_col < width) & (under_row < height)
    under_col, under_row = np.clip(under_col, 0, width - 1), np.clip(under_row, 0, height - 1)
    received = inside & valid[under_row, under_col]
    values = np.where(received, pixels[:, under_row, under_col], np.array(fill).astype(pixels.dtype))
    edge = np.minimum(np.abs(col - np.round(col)), np.abs(row - np.round(row)))
    return values, received, edge


def assert_like_gdals_nearest(
    ours: np.ndarray, received: np.ndarray, gdals: np.ndarray, source: DatasetReader, target: Grid, fill: float
) -> int:
    """GeoTorch's nearest warp is the file's pixel under each exact centre, GDAL's ``gdals`` bar centres by an edge.

    ``ours`` ``(C, H, W)`` and ``received`` ``(H, W)`` equal :func:`exact_nearest` wherever the centre lies over
    0.01 px (GeoTorch's position error) from a file pixel's edge, and GDAL's warp wherever it lies over
    :data:`GDAL_ERROR` from one.

    Returns:
        How many pixels differ from GDAL's warp (in some band).
    """
    exact, exact_received, edge = exact_nearest(source, target, fill)
    settled = edge > 0.01
    np.testing.assert_array_equal(ours[:, settled], exact[:, settled])
    np.testing.assert_array_equal(received[settled], exact_received[settled])
    differ = (ours != gdals).any(axis=0)
    assert (edge[differ] < GDAL_ERROR).all(), "GDAL's nearest differs at centres far from any edge"
    return int(differ.sum())
