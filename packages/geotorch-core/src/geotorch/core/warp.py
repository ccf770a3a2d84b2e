"""Warping one file onto a target grid: read the needed source window once, warp it in memory."""

from __future__ import annotations

import math
import weakref
from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
from affine import Affine
from rasterio.crs import CRS
from rasterio.enums import ColorInterp, MaskFlags, Resampling
from rasterio.io import DatasetReader
from rasterio.warp import reproject
from rasterio.windows import Window

from geotorch.core.crs import same_crs
from geotorch.core.exact_warp import ExactWarp, computable, exact_warp, warp_exactly
from geotorch.core.geotransform import footprint, ground_res, res_in
from geotorch.core.grid import Grid
from geotorch.core.nodata import equal_to, same_value
from geotorch.core.pixel_types import pixel_value, source_nodata, source_type
from geotorch.core.wrap import grid_bounds_in

#: Source pixels each resampling kernel reaches beyond a target pixel's footprint, at scale 1.
_KERNEL_RADIUS = {Resampling.nearest: 1, Resampling.bilinear: 1, Resampling.cubic: 2, Resampling.cubic_spline: 2,
                  Resampling.lanczos: 3}
_scales: dict[tuple[object, ...], tuple[float, float]] = {}
_operations: dict[tuple[object, ...], str | None] = {}
_LONLAT = CRS.from_epsg(4326)
_mask_bands: weakref.WeakKeyDictionary[DatasetReader, int] = weakref.WeakKeyDictionary()


def kernel_scale(source: DatasetReader, grid: Grid) -> tuple[float, float]:
    """Target pixels per source pixel along x and y, both measured in the grid's CRS.

    GDAL sizes resampling kernels with this ratio. Left to itself it estimates
    the ratio from the source window each request needs, which grows with the
    rotation between CRSs and differs from one query shape to the next, so the
    same target pixel would get different values from different queries.
    The ratio depends only on the file and the target CRS and resolution, so it is computed once.
    A source pixel's size is its ground size, whichever way the file's grid runs
    (see :func:`geotorch.core.geotransform.ground_res`).
    """
    key = (source.name, source.crs, source.transform, source.width, source.height, grid.crs,
           grid.transform.a, grid.transform.e)
    scale = _scales.get(key)
    if scale is None:
        bounds = footprint(source.transform, source.width, source.height)
        source_x, source_y = res_in(source.crs, grid.crs, bounds, ground_res(source.transform))
        scale = (source_x / abs(grid.transform.a), source_y / abs(grid.transform.e))
        if len(_scales) > 4096:
            _scales.clear()
        _scales[key] = scale
    return scale


def coordinate_operation(source: DatasetReader, grid: Grid) -> str | None:
    """The PROJ pipeline from the file's CRS to the grid's, chosen once for the file's whole footprint.

    Left to itself, GDAL chooses the operation between two CRSs for the area each warp
    covers, and a different source window each time defeats its cache: every warp of a
    random patch searched PROJ's database again (about half the time of warping a 256 px
    patch between datums, e.g. NAD83 Albers to WGS 84 UTM). The operation PROJ finds best
    for the whole footprint is the one GDAL takes to warp the whole file, so a window's warp
    still equals that warp. Computed once per file and target CRS.

    Returns:
        The pipeline as a PROJ string, or None where GDAL keeps choosing: equal CRSs, a CRS
        that is not projected with easting first (geographic ones, whose longitudes GDAL wraps
        around the antimeridian itself, and northing-first ones such as EPSG:3035, whose axes
        GDAL would take in the CRS's order), or no single operation serving the whole footprint.
    """
    if same_crs(source.crs, grid.crs):
        return None
    key = (source.name, source.crs, source.transform, source.width, source.height, grid.crs)
    if key not in _operations:
        if len(_operations) > 4096:
            _operations.clear()
        _operations[key] = _whole_footprint_operation(source, grid.crs)
    return _operations[key]


def _easting_first(crs: CRS) -> bool:
    """Whether ``crs`` is projected with easting as its first axis and northing as its second."""
    from pyproj import CRS as ProjCRS

    directions = [axis.direction for axis in ProjCRS.from_wkt(crs.to_wkt()).axis_info[:2]]
    return bool(crs.is_projected) and directions == ["east", "north"]


def _whole_footprint_operation(source: DatasetReader, crs: CRS) -> str | None:
    """PROJ's best operation from ``source``'s CRS to ``crs`` over its footprint (see :func:`coordinate_operation`)."""
    from pyproj.exceptions import ProjError
    from pyproj.transformer import AreaOfInterest, Transformer

    from geotorch.core.crs import transform_bounds

    if not (_easting_first(source.crs) and _easting_first(crs)):
        return None
    left, bottom, right, top = footprint(source.transform, source.width, source.height)
    try:
        west, south, east, north = transform_bounds(source.crs, _LONLAT, left, bottom, right, top)
        transformer = Transformer.from_crs(source.crs, crs, always_xy=True,
                                           area_of_interest=AreaOfInterest(west, south, east, north))
    except (ProjError, ValueError):
        return None
    # Several operations, each for part of the area, have no one pipeline: GDAL keeps choosing.
    return transformer.to_proj4() if transformer.definition.startswith("proj=") else None


def _source_window(source: DatasetReader, grid: Grid, margin: int, shift: float) -> Window | None:
    """The window of ``source`` that the target grid needs, widened by ``margin`` pixels and clipped to the file.

    Holds for any source geotransform: rows running south to north, columns east to west, rotation.
    ``shift`` moves the file's x coordinates (whole turns of longitude, see
    :func:`geotorch.core.wrap.longitude_shifts`).
    """
    left, bottom, right, top = grid_bounds_in(source.crs, grid)
    if not all(math.isfinite(value) for value in (left, bottom, right, top)):
        # Part of the grid lies where the file's CRS is undefined: the whole file may be needed.
        return Window(0, 0, source.width, source.height)
    # The box of the corners' pixel coordinates holds every pixel under the box, however the grid is turned.
    inverse = ~(Affine.translation(shift, 0) @ source.transform)
    corners = [inverse * (x, y) for x in (left, right) for y in (bottom, top)]
    cols, rows = [col for col, _ in corners], [row for _, row in corners]
    col0 = max(0, math.floor(min(cols)) - margin)
    row0 = max(0, math.floor(min(rows)) - margin)
    col1 = min(source.width, math.ceil(max(cols)) + margin)
    row1 = min(source.height, math.ceil(max(rows)) + margin)
    if col1 <= col0 or row1 <= row0:
        return None
    return Window(col0, row0, col1 - col0, row1 - row0)


def _mask_source(source: DatasetReader) -> int:
    """Where ``source``'s validity mask comes from: -1 GDAL's dataset mask, ``k`` its alpha band ``k``, 0 none.

    Asked once per open file: GDAL's answer costs as much as a small read.
    """
    known = _mask_bands.get(source)
    if known is None:
        flags = source.mask_flag_enums[0]
        if MaskFlags.per_dataset in flags or MaskFlags.alpha in flags:
            known = -1
        else:
            # An alpha band beside a nodata value: GDAL's masks follow the nodata alone (rasterio warns that it
            # shadows the alpha band), but gdalwarp honours the alpha all the same.
            alpha = [number for number, kind in enumerate(source.colorinterp, start=1) if kind == ColorInterp.alpha]
            known = alpha[0] if alpha else 0
        _mask_bands[source] = known
    return known


def has_mask_band(source: DatasetReader) -> bool:
    """Whether validity comes from a mask or alpha band, which only GDAL's dataset warp honours.

    An alpha band counts beside a nodata value too (see :func:`_mask_source`).
    """
    return _mask_source(source) != 0


def hidden_pixels(source: DatasetReader, window: Window) -> np.ndarray:
    """Boolean ``(rows, cols)``: the pixels of ``window`` that ``source``'s mask or alpha band hides (alpha 0).

    Call only where :func:`has_mask_band` is True.
    """
    kind = _mask_source(source)
    if kind > 0:
        return np.asarray(source.read(kind, window=window) == 0)
    return np.asarray(source.dataset_mask(window=window) == 0)


def warp_onto_grid(
    source: DatasetReader,
    indexes: Sequence[int],
    grid: Grid,
    resampling: Resampling,
    fill: float,
    dtype: np.dtype[np.generic],
    nodata: float | None = None,
    shift: float = 0.0,
) -> tuple[np.ndarray, np.ndarray]:
    """Warp bands ``indexes`` of ``source`` onto ``grid``, in ``dtype``.

    Only the source window the grid needs (plus the kernel's reach) is read,
    through GDAL's block cache, and warped from memory; the result equals
    GDAL's warp of the whole file onto the same grid.

    Missing source pixels (the file's nodata, ``nodata``, and those its mask
    or alpha band hides, with or without a nodata value) are left out of every
    resampling kernel, as in GDAL's warp told about the mask: a bilinear pixel
    beside them interpolates valid pixels only.

    Args:
        source: the open file.
        indexes: its bands to warp (1-based).
        grid: the target grid.
        resampling: the kernel.
        fill: the value target pixels without data get.
        dtype: the type of the result, GDAL's destination type.
        nodata: the dataset's nodata, marking missing source pixels beside the file's own nodata.
            Nodata values are compared as the file's pixel type stores them (a float64 -3.4e38
            as float32's -3.3999999521e38); one the type cannot hold marks no pixel.
        shift: added to the file's x coordinates: whole turns of longitude that bring a
            geographic file under the grid (see :func:`geotorch.core.wrap.longitude_shifts`).

    Returns:
        ``(len(indexes), height, width)`` pixels of ``dtype``, and the boolean ``(height, width)``
        mask of target pixels that received data. Where ``fill`` could also be a valid value (a
        file without nodata filled with 0), GDAL's destination alpha tells them apart from the fill.
    """
    prepared = prepare_warp(source, indexes, grid, resampling, fill, nodata, shift)
    if prepared is None:
        empty = np.full((len(indexes), grid.height, grid.width), fill, dtype=dtype)
        return empty, np.zeros((grid.height, grid.width), dtype=bool)
    return warp_prepared(prepared, grid, fill, dtype)


class WarpGeometry(NamedTuple):
    """What a warp onto a grid takes from the file's grid (CRS, transform and shape) alone.

    Equal for every file of one grid warped onto one target grid (the dates of a tile), so
    computed once for them all (see :func:`warp_geometry`).

    Attributes:
        window: the source window read: the grid's footprint widened by the kernel's reach, clipped to the file.
        transform: the window's geotransform (moved by the longitude shift).
        options: GDAL's options (kernel scale, coordinate operation).
        exact: how the warp is computed without GDAL (see :class:`geotorch.core.exact_warp.ExactWarp`);
            None where GDAL warps.
    """

    window: Window
    transform: Affine
    options: dict[str, object]
    exact: ExactWarp | None = None


def warp_geometry(source: DatasetReader, grid: Grid, resampling: Resampling, shift: float = 0.0) -> WarpGeometry | None:
    """The source window, its geotransform and GDAL's options of a warp of ``source`` onto ``grid``.

    Args: as :func:`warp_onto_grid`'s.

    Returns:
        The geometry, or None when no pixel of the file lies under ``grid``.
    """
    scale_x, scale_y = kernel_scale(source, grid)
    options: dict[str, object] = {"XSCALE": scale_x, "YSCALE": scale_y}
    operation = coordinate_operation(source, grid)
    if operation is not None:
        options["COORDINATE_OPERATION"] = operation
    reach = _KERNEL_RADIUS.get(resampling, 1) * math.ceil(max(1.0, 1 / scale_x, 1 / scale_y)) + 2
    window = _source_window(source, grid, reach, shift)
    if window is None:
        return None
    exact = exact_warp(source, grid, resampling, operation, window, (scale_x, scale_y)) if shift == 0 else None
    return WarpGeometry(window, Affine.translation(shift, 0) @ source.window_transform(window), options, exact)


class PreparedWarp(NamedTuple):
    """A file's window read and readied for GDAL's warp: all of :func:`warp_onto_grid` but the warp itself.

    Attributes:
        pixels: ``(bands, rows, cols)``, the source window in the file's pixel type; missing pixels
            hold ``missing``.
        missing: the value GDAL is told marks missing source pixels; None when none is.
        hidden: ``(rows, cols)``, pixels the file's mask or alpha band hides that no value marks; None when none.
        transform: the window's geotransform (moved by the longitude shift).
        crs: the file's CRS.
        resampling: the kernel.
        options: GDAL's options (kernel scale, coordinate operation).
        with_alpha: the fill may also be a valid value: a destination alpha band tells them apart.
        exact: how to warp without GDAL (see :class:`geotorch.core.exact_warp.ExactWarp`); None where GDAL warps.
    """

    pixels: np.ndarray
    missing: float | None
    hidden: np.ndarray | None
    transform: Affine
    crs: CRS
    resampling: Resampling
    options: dict[str, object]
    with_alpha: bool
    exact: ExactWarp | None = None


def prepare_warp(
    source: DatasetReader,
    indexes: Sequence[int],
    grid: Grid,
    resampling: Resampling,
    fill: float,
    nodata: float | None = None,
    shift: float = 0.0,
    geometry: WarpGeometry | None = None,
) -> PreparedWarp | None:
    """Read the window of ``source`` that :func:`warp_onto_grid` warps, with its missing pixels marked.

    Args: as :func:`warp_onto_grid`'s, and
        geometry: the warp's :func:`warp_geometry`, when known (that of another file of the same grid);
            computed when None.

    Returns:
        The warp's inputs, or None when no pixel of the file lies under ``grid``.
    """
    if geometry is None:
        geometry = warp_geometry(source, grid, resampling, shift)
        if geometry is None:
            return None
    dtype = source_type(source, indexes)
    own = pixel_value(dtype, source_nodata(source, indexes))
    # GDAL's warp takes one nodata value: the dataset's, when the file's pixels can hold it.
    marker = pixel_value(dtype, nodata)
    fill_value = pixel_value(dtype, fill)
    fill_is_missing = fill_value is None or any(
        value is not None and same_value(value, fill_value) for value in (own, marker)
    )
    window = geometry.window
    pixels = source.read(list(indexes), window=window)
    # GDAL's warp of an array knows nothing of the file's mask or alpha band: it is told here.
    hidden = hidden_pixels(source, window) if has_mask_band(source) else None
    missing = own
    if marker is not None:
        # Pixels the file itself marks missing get the dataset's nodata, the one value GDAL is told.
        if own is not None and not same_value(own, marker):
            np.putmask(pixels, equal_to(pixels, own), marker)
        missing = marker
    if hidden is not None and missing is not None:
        np.copyto(pixels, missing, casting="unsafe", where=hidden)
        hidden = None
    # GDAL's fast nearest and bilinear kernels only run without a validity mask: skip the mask when no
    # source pixel is nodata. (Its fast cubic kernel rounds differently from the general one: not used.)
    exact_without_mask = resampling in (Resampling.nearest, Resampling.bilinear)
    if exact_without_mask and missing is not None and not np.isnan(missing) and not (pixels == missing).any():
        missing = None
    return PreparedWarp(
        pixels, missing, hidden, geometry.transform, source.crs, resampling, geometry.options, not fill_is_missing,
        geometry.exact,
    )


def warp_prepared(
    prepared: PreparedWarp, grid: Grid, fill: float, dtype: np.dtype[np.generic]
) -> tuple[np.ndarray, np.ndarray]:
    """Warp a window read by :func:`prepare_warp` onto ``grid``, in ``dtype``.

    Where :class:`geotorch.core.exact_warp.ExactWarp` applies (and ``computable`` holds), GDAL's nearest
    or bilinear kernel is computed here at exact source positions (:mod:`geotorch.core.nearest`,
    :mod:`geotorch.core.resample`), so a target pixel's value is the same whichever query asks for it.
    GDAL's own warp takes positions from its approximate transformer (up to 0.125 px off; 0.002-0.09 px
    on the files tested): its bilinear values differ from these by that error times the local gradient,
    besides rounding; its nearest values and the pixels receiving data differ only where a centre lies
    within that error of a source pixel's edge.

    Returns:
        The pixels and the mask of target pixels that received data (see :func:`warp_onto_grid`).
    """
    pixels, missing, hidden, src_transform, src_crs, resampling, options, with_alpha, exact = prepared
    bands, shape = len(pixels), (grid.height, grid.width)
    if exact is not None and computable(exact, pixels, missing, np.dtype(dtype)):
        out, received = warp_exactly(exact, pixels, missing, hidden, grid, fill, dtype, with_alpha)
        # GDAL leaves a float equal to the fill as it is: such a pixel looks like no data, there as here.
        return out, received if with_alpha or out.dtype.kind in "iu" else received & received_pixels(out, fill)
    if resampling == Resampling.nearest and pixels.dtype.kind in "iu" and pixels.dtype.itemsize == 8:
        # GDAL's kernels compute in float64, which rounds 64-bit integers past 2**53 (class ids too).
        out = np.full((bands, *shape), fill, dtype=dtype)
        return out, _nearest_exactly(pixels, missing, hidden, out, src_transform, src_crs, grid)
    if hidden is not None and hidden.any():
        # No value marks the hidden pixels (the file has no nodata): a source alpha band of 0 and 1 does.
        pixels = np.concatenate([pixels, (~hidden).astype(pixels.dtype)[None]])
        options = {**options, "src_alpha": len(pixels), "SRC_ALPHA_MAX": 1}
    # With an alpha band, GDAL warps into the bands before it: the pixels are a view of them, not a copy.
    target = np.full((bands + 1 if with_alpha else bands, *shape), fill, dtype=dtype)
    alpha: dict[str, object] = {}
    if with_alpha:
        target[-1] = 0
        alpha = {"dst_alpha": len(target), "init_dest_nodata": False}
    # With an alpha band, GDAL is told no destination nodata: told the fill, it would move a valid value equal
    # to it by one (-9999 read as -10000) to tell it from the fill, which the alpha band already does.
    reproject(pixels, target, src_transform=src_transform, src_crs=src_crs, src_nodata=missing,
              dst_transform=grid.transform, dst_crs=grid.crs, dst_nodata=None if with_alpha else fill,
              resampling=resampling, **alpha, **options)
    if with_alpha:
        return target[:bands], np.asarray(target[bands] != 0)
    return target, received_pixels(target, fill)


def _nearest_exactly(
    pixels: np.ndarray,
    missing: float | None,
    hidden: np.ndarray | None,
    out: np.ndarray,
    src_transform: Affine,
    src_crs: CRS,
    grid: Grid,
) -> np.ndarray:
    """Nearest-neighbour warp of ``pixels`` into ``out`` that keeps every value, whatever its type.

    GDAL warps where each target pixel comes from (the flat position of its
    source pixel, exact in float64), and the values are taken from there.
    Missing source pixels (``missing``, or ``hidden`` by the file's mask) give no value, as in GDAL's warp.

    Returns:
        Boolean ``(height, width)``: the target pixels that received data in any band.
    """
    bands, height, width = pixels.shape
    valid = np.zeros(out.shape[1:], dtype=bool)
    for band in range(bands):
        positions = np.arange(height * width, dtype=np.float64).reshape(1, height, width)
        if missing is not None:
            positions[0][equal_to(pixels[band], missing)] = -1
        if hidden is not None:
            positions[0][hidden] = -1
        taken = np.full((1, *out.shape[1:]), -1.0)
        reproject(positions, taken, src_transform=src_transform, src_crs=src_crs, src_nodata=-1,
                  dst_transform=grid.transform, dst_crs=grid.crs, dst_nodata=-1, resampling=Resampling.nearest)
        received = taken[0] >= 0
        out[band][received] = pixels[band].ravel()[taken[0][received].astype(np.int64)]
        valid |= received
    return valid


def received_pixels(out: np.ndarray, fill: float) -> np.ndarray:
    """Which pixels of ``out`` ``(bands, H, W)`` got data: those not ``fill`` in some band (NaN-aware)."""
    # NaN != NaN: with a NaN fill every pixel would look valid.
    return np.asarray(~np.isnan(out).all(axis=0) if np.isnan(fill) else (out != fill).any(axis=0))
