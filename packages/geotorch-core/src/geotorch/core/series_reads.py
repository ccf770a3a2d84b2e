"""Reading the steps of a time series together: windows of files on one grid warped in one GDAL call."""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np
import rasterio
from rasterio.io import DatasetReader

from geotorch.core.crs import same_crs
from geotorch.core.errors import RasterReadError, shown_cause
from geotorch.core.grid import Grid
from geotorch.core.handles import FileHandleCache
from geotorch.core.mosaic import ReadPlan, converted, empty_box, read_mosaic, read_onto_grid, read_types
from geotorch.core.pixel_types import uniform_bands
from geotorch.core.remote import read_failure
from geotorch.core.warp import (
    PreparedWarp,
    WarpGeometry,
    prepare_warp,
    received_pixels,
    warp_geometry,
    warp_prepared,
)
from geotorch.core.wrap import longitude_shifts

#: GDAL's warp memory limit (bytes) when none is given. A warp whose buffers need more is cut into chunks,
#: each with its own approximated coordinate transformation, so windows are stacked only below it.
WARP_MEMORY_LIMIT = 64 * 2**20

#: One read of :func:`read_together`: a file and the grid to read it onto.
Request = tuple[str, Grid]
#: What a read gives: ``(C, H, W)`` pixels and the ``(H, W)`` mask of those holding data.
Read = tuple[np.ndarray, np.ndarray]


def read_series(
    handles: FileHandleCache, steps: Sequence[Sequence[str]], indexes: Sequence[int], grid: Grid, plan: ReadPlan
) -> np.ndarray:
    """The mosaic of each step's files on ``grid``, ``(T, C, H, W)``.

    Equal, pixel for pixel, to stacking :func:`geotorch.core.mosaic.read_mosaic` of each step: the
    steps are mosaicked side by side, first files first, then each later file onto what its step
    still lacks, and the files of one round that lie on one grid (the dates of a tile) are read
    together by :func:`read_together`. Class ids (``plan.exact_ids``) are read step by step.

    Args:
        handles: the open files, opened on first use.
        steps: each step's files, first first.
        indexes: the bands to read from each file (1-based).
        grid: the target grid.
        plan: how the dataset reads.

    Returns:
        The steps' mosaics stacked along a new first axis.

    Raises:
        RasterReadError: if a file cannot be read, naming it.
    """
    if len(steps) == 1:
        # Every sample but a time series': its one mosaic, without np.stack's copy (0.3 ms of a 7-band 256 px chip).
        return read_mosaic(handles, steps[0], indexes, grid, plan)[np.newaxis]
    if plan.exact_ids or len(steps) < 2:
        return np.stack([read_mosaic(handles, files, indexes, grid, plan) for files in steps])
    # The first files of all steps are read straight into the stack when they read into one type.
    types = {_read_type(handles.open(files[0]), indexes, plan) for files in steps}
    first_type = types.pop() if len(types) == 1 else None
    stack = None if first_type is None else np.empty((len(steps), len(indexes), grid.height, grid.width), first_type)
    mosaics: list[np.ndarray] = []
    filled: list[np.ndarray] = []
    depth, pending = 0, list(range(len(steps)))
    while pending:
        boxes = [
            empty_box(filled[step]) if depth else (slice(0, grid.height), slice(0, grid.width)) for step in pending
        ]
        requests = [
            (steps[step][depth], grid.part(*box) if depth else grid) for step, box in zip(pending, boxes, strict=True)
        ]
        for step, (rows, cols), (data, valid) in zip(
            pending, boxes, read_together(handles, requests, indexes, plan, stack if depth == 0 else None), strict=True
        ):
            if depth == 0:
                mosaics.append(data)
                filled.append(valid)
                continue
            if data.dtype != mosaics[step].dtype:
                # A later file of a wider type (a float32 band beside uint16 ones) widens the mosaic.
                mosaics[step] = mosaics[step].astype(np.result_type(mosaics[step].dtype, data.dtype))
            region, covered = mosaics[step][:, rows, cols], filled[step][rows, cols]
            # A masked copy, as read_mosaic makes (boolean indexing gathers, then scatters).
            np.copyto(region, data, casting="unsafe", where=valid & ~covered)
            covered |= valid
        depth += 1
        pending = [step for step in pending if depth < len(steps[step]) and not filled[step].all()]
    if stack is not None and all(mosaic.base is stack for mosaic in mosaics):
        return stack
    # A later file of a wider type widened a step: the stack of the steps' own arrays.
    return np.stack(mosaics)


def read_together(
    handles: FileHandleCache,
    requests: Sequence[Request],
    indexes: Sequence[int],
    plan: ReadPlan,
    out: np.ndarray | None = None,
) -> list[Read]:
    """:func:`geotorch.core.mosaic.read_onto_grid` of each request, warping windows of one grid in one call.

    Files of one grid (CRS, transform and shape) warped onto one target grid need the same source
    window: their windows are stacked band after band and warped by one GDAL call, which transforms
    coordinates once for all of them, instead of once per file. GDAL then marks a source pixel missing
    only where every band of the stack is missing, so a window is stacked only when none of its
    pixels is missing, and only as many as keep the warp within GDAL's memory limit (a warp over it
    is cut into chunks); every other read is made on its own. The pixels equal each file's own warp.

    Args:
        handles: the open files, opened on first use.
        requests: the files and the grids to read them onto.
        indexes: the bands to read from each file (1-based).
        plan: how the dataset reads.
        out: ``(len(requests), C, H, W)``, where to write the reads whose type is ``out``'s (the requests'
            grids then all of ``H`` x ``W``); None for new arrays.

    Returns:
        Per request, in order, the pixels (``out[number]`` where written there) and the mask of pixels
        holding data (see ``read_onto_grid``).

    Raises:
        RasterReadError: if a file cannot be read, naming it.
    """
    reads: dict[int, Read] = {}
    groups: dict[Hashable, list[int]] = {}
    into: dict[int, np.ndarray | None] = {}
    for number, (path, target) in enumerate(requests):
        source = handles.open(path)
        into[number] = None if out is None or _read_type(source, indexes, plan) != out.dtype else out[number]
        if _stackable(source, indexes, target):
            key = (source.crs, source.transform, source.width, source.height, target)
            groups.setdefault(key, []).append(number)
        else:
            reads[number] = read_onto_grid(source, indexes, target, plan, into[number])
    for members in groups.values():
        target = requests[members[0]][1]
        paths, outs = [requests[number][0] for number in members], [into[number] for number in members]
        for number, read in _warp_group(handles, paths, indexes, target, plan, outs):
            reads[members[number]] = read
    return [reads[number] for number in range(len(requests))]


def _read_type(source: DatasetReader, indexes: Sequence[int], plan: ReadPlan) -> np.dtype[np.generic] | None:
    """The type ``read_onto_grid`` reads ``source``'s bands in; None when they differ in type or one is absent."""
    if not all(1 <= index <= source.count for index in indexes):
        return None
    if not uniform_bands(source, indexes):
        return None
    return read_types(source, indexes, plan)[1]


def _stackable(source: DatasetReader, indexes: Sequence[int], target: Grid) -> bool:
    """Whether ``read_onto_grid`` would warp ``source`` once, unmoved, in one type: the reads stacked here."""
    return (
        all(1 <= index <= source.count for index in indexes)
        and uniform_bands(source, indexes)
        and not same_crs(source.crs, target.crs)
        and longitude_shifts(source, target) == [0.0]
    )


def _warp_group(
    handles: FileHandleCache,
    paths: Sequence[str],
    indexes: Sequence[int],
    target: Grid,
    plan: ReadPlan,
    outs: Sequence[np.ndarray | None],
) -> list[tuple[int, Read]]:
    """Warp the files ``paths``, all of one grid, onto ``target``: stacked where no pixel is missing.

    Each file's pixels are written into its array of ``outs``, of the read's type, where not None.

    Returns:
        ``(position in paths, read)`` for every file.
    """
    done: list[tuple[int, Read]] = []
    # Windows stacked together: same types, shape, missing value, transform and GDAL options.
    stacks: dict[Hashable, tuple[np.dtype[np.generic], np.dtype[np.generic], list[tuple[int, PreparedWarp]]]] = {}
    geometry: WarpGeometry | None = None
    for number, path in enumerate(paths):
        source = handles.open(path)
        _, dtype, warp_dtype = read_types(source, indexes, plan)
        try:
            if number == 0:
                # The window, its transform and GDAL's options depend on the files' one grid: found once.
                geometry = warp_geometry(source, target, plan.resampling)
            prepared = None if geometry is None else prepare_warp(
                source, indexes, target, plan.resampling, plan.fill, plan.nodata, geometry=geometry
            )
        except rasterio.errors.RasterioError as error:
            reason = read_failure(path, error)
            raise RasterReadError(
                f"{path}: cannot read bands {list(indexes)} onto {target}: {reason}"
            ) from shown_cause(error)
        if prepared is None or not _complete(prepared):
            done.append((number, _warp_alone(path, prepared, indexes, target, plan, dtype, warp_dtype, outs[number])))
            continue
        key = (
            dtype,
            warp_dtype,
            prepared.pixels.dtype,
            prepared.pixels.shape,
            # NaN never equals NaN: its text stands for it.
            None if prepared.missing is None else repr(float(prepared.missing)),
            prepared.transform,
            prepared.crs,
            prepared.with_alpha,
            tuple(sorted(prepared.options.items())),
        )
        stacks.setdefault(key, (dtype, warp_dtype, []))[2].append((number, prepared))
    for dtype, warp_dtype, members in stacks.values():
        for chunk in _chunks(members, target, warp_dtype):
            paths_of = [paths[number] for number, _ in chunk]
            warped = _warp_stack([prepared for _, prepared in chunk], paths_of, indexes, target, plan, warp_dtype)
            done.extend(
                (number, (_in_type(part, dtype, outs[number]), valid))
                for (number, _), (part, valid) in zip(chunk, warped, strict=True)
            )
    return done


def _complete(prepared: PreparedWarp) -> bool:
    """Whether no source pixel of the window is missing or hidden (so stacking changes no validity)."""
    if prepared.hidden is not None:
        return False
    missing, pixels = prepared.missing, prepared.pixels
    if missing is None:
        return True
    return not bool(np.isnan(pixels).any() if np.isnan(missing) else (pixels == missing).any())


def _warp_alone(
    path: str,
    prepared: PreparedWarp | None,
    indexes: Sequence[int],
    target: Grid,
    plan: ReadPlan,
    dtype: np.dtype[np.generic],
    warp_dtype: np.dtype[np.generic],
    out: np.ndarray | None = None,
) -> Read:
    """One file's warp, as ``read_onto_grid`` makes it (``prepared`` None: no pixel of it under ``target``).

    The pixels are written into ``out`` (of ``dtype``) when given.
    """
    if prepared is None:
        empty = np.full((len(indexes), target.height, target.width), plan.fill, dtype=dtype)
        return _in_type(empty, dtype, out), np.zeros((target.height, target.width), dtype=bool)
    try:
        warped, received = warp_prepared(prepared, target, plan.fill, warp_dtype)
    except rasterio.errors.RasterioError as error:
        reason = read_failure(path, error)
        raise RasterReadError(
            f"{path}: cannot read bands {list(indexes)} onto {target}: {reason}"
        ) from shown_cause(error)
    return _in_type(warped, dtype, out), received


def _in_type(pixels: np.ndarray, dtype: np.dtype[np.generic], out: np.ndarray | None) -> np.ndarray:
    """``pixels`` in ``dtype``: written into ``out`` when given, else converted (not copied when of ``dtype``)."""
    return pixels.astype(dtype, copy=False) if out is None else converted(pixels, out)


def _chunks(
    members: list[tuple[int, PreparedWarp]], target: Grid, warp_dtype: np.dtype[np.generic]
) -> list[list[tuple[int, PreparedWarp]]]:
    """``members`` cut into runs whose stacked warp stays within GDAL's memory limit.

    GDAL's count (``GDALWarpOperation::CollectChunkListInternal``) is taken generously: every band
    in a working type twice as wide as the widest of source and target (a union of types may widen),
    a validity bit per band, and a float density per pixel on either side.
    """
    pixels = members[0][1].pixels
    bits = 2 * 8 * max(pixels.dtype.itemsize, warp_dtype.itemsize) + 1
    area = pixels.shape[1] * pixels.shape[2] + target.height * target.width
    per_member = area * bits * len(pixels) / 8
    size = max(1, int((WARP_MEMORY_LIMIT - area * 66 / 8) // per_member))
    return [members[start : start + size] for start in range(0, len(members), size)]


def _warp_stack(
    prepared: Sequence[PreparedWarp],
    paths: Sequence[str],
    indexes: Sequence[int],
    target: Grid,
    plan: ReadPlan,
    warp_dtype: np.dtype[np.generic],
) -> list[Read]:
    """Warp the windows ``prepared`` (of one grid, none missing a pixel) in one call; each file's read."""
    if len(prepared) == 1:
        return [_warp_alone(paths[0], prepared[0], indexes, target, plan, warp_dtype, warp_dtype)]
    bands = len(indexes)
    stacked = prepared[0]._replace(pixels=np.concatenate([one.pixels for one in prepared]))
    try:
        warped, received = warp_prepared(stacked, target, plan.fill, warp_dtype)
    except rasterio.errors.RasterioError as error:
        raise RasterReadError(
            f"{', '.join(paths)}: cannot read bands {list(indexes)} onto {target}: {read_failure(paths[0], error)}"
        ) from shown_cause(error)
    parts = [warped[start : start + bands] for start in range(0, len(warped), bands)]
    if stacked.with_alpha:
        # GDAL's alpha says where the window reached: the same place for every file of the grid.
        return [(part, received.copy()) for part in parts]
    return [(part, received_pixels(part, plan.fill)) for part in parts]
