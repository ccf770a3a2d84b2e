"""The output of each raster ``predict_raster`` is given: its grid (its own, or its warp onto a CRS) and windows."""

from __future__ import annotations

from typing import Any

from rasterio.crs import CRS
from rasterio.io import DatasetReader
from rasterio.warp import calculate_default_transform, transform_bounds

from geotorch.core import open_raster, redacted
from geotorch.trainers.predict_cog import Grid
from geotorch.trainers.predict_grid import window_starts
from geotorch.trainers.predict_stream import OutputLayout
from geotorch.trainers.predict_views import grid_crs, image_bands, own_grid, warped_grid


def raster_layout(
    source: str,
    name: Any,
    size: tuple[int, int],
    stride: tuple[int, int],
    crs: CRS | None,
    res: float | tuple[float, float] | None,
    fill: float | None = None,
) -> OutputLayout:
    """The grid and windows of one input (its own grid, or the warped one).

    Raises:
        ValueError: if the input is georeferenced by ground control points or RPCs only (no grid), or is
            to be warped but has no CRS, bands of different nodata values or a nodata value other than
            ``fill`` (``nodata=``: a warp leaves one value out of its kernels), ``res`` is over 1000 times finer
            or coarser than its pixels on ``crs`` (a slip of units), or so coarse that no pixel of it has its centre
            on the input, or GDAL finds no grid for it on ``crs``.
    """
    shown = redacted(source)  # messages reach logs: no signature or password in them
    with open_raster(source) as reader:
        if reader.gcps[0] and reader.crs is None:
            # GDAL gives such a file the identity transform and no CRS; rasterio's warps do not use its points.
            raise ValueError(
                f"predict_raster: {shown} is georeferenced by ground control points only, not by a grid; "
                "warp it onto one first (gdalwarp)"
            )
        if reader.rpcs is not None and reader.crs is None:
            # Satellite imagery before orthorectification: its pixels have no grid, so neither would the output.
            raise ValueError(
                f"predict_raster: {shown} is georeferenced by rational polynomial coefficients (RPCs) only, not by "
                "a grid; orthorectify it onto one first (gdalwarp -rpc, with a DEM: -to RPC_DEM=...)"
            )
        own = own_grid(reader, crs, res) if crs is not None else None
        if crs is None or own is not None:
            grid = own or Grid(reader.crs, reader.transform, reader.height, reader.width)
        else:
            if reader.crs is None:
                raise ValueError(f"predict_raster: {shown} has no CRS, so it cannot be warped onto crs={crs}")
            nodata = [reader.nodatavals[band - 1] for band in image_bands(reader)]
            # (NaN spelled as text, so that two NaN nodata values are one.)
            if fill is not None and any(str(float(value)) != str(fill) for value in nodata if value is not None):
                # GDAL's warp leaves one value per band out of its kernels: the other would be blended in as a value.
                raise ValueError(
                    f"predict_raster: {shown} has its own nodata value {nodata[0]} and nodata={fill} is "
                    f"another, and a warp onto crs={crs} leaves only one out of its bilinear kernels; predict it on "
                    "its own grid (crs=None), or give the file one nodata value first (gdal_translate -a_nodata, "
                    "after setting the other's pixels to it)"
                )
            if len({str(value) for value in nodata}) > 1:
                # rasterio's warp onto a given grid takes band 1's nodata for every band: a pixel missing from every
                # band had data (band 2's nodata read as a value), and a band 2 value equal to band 1's nodata none.
                raise ValueError(
                    f"predict_raster: {shown} has bands of different nodata values {tuple(nodata)}, which a warp "
                    f"onto crs={crs} would mask by band 1's alone; predict it on its own grid (crs=None), or warp "
                    "it first (gdalwarp keeps each band's)"
                )
            # (Past the antimeridian the grid is found with longitudes past 180°, and kept in ``crs``.)
            target = grid_crs(reader, crs)
            if res is not None:
                check_res(source, res, crs, reader, target)
            grid = warped_grid(reader, crs, target, res)
            if (grid.height < 1 or grid.width < 1) and res is not None:
                # No pixel of res has its centre on the input: GDAL's rule leaves it no grid.
                minx, miny, maxx, maxy = transform_bounds(reader.crs, target, *reader.bounds)
                name = target.units_factor[0]
                raise ValueError(
                    f"predict_raster: {shown} spans {maxx - minx:.3g} x {maxy - miny:.3g} "
                    f"{ {'metre': 'm', 'degree': 'degrees'}.get(name, name)} on crs={crs}, under half a pixel of "
                    f"res={res} in {'width' if grid.width < 1 else 'height'}, so no output pixel has its centre on "
                    "it; give a finer res= (or crs=None to predict it on its own grid)"
                )
            if grid.height < 1 or grid.width < 1:
                raise ValueError(
                    f"predict_raster: GDAL finds no grid for {shown} on crs={crs} ({grid.width} x {grid.height} px; "
                    "an input crossing the antimeridian, say): predict it on its own grid (crs=None) or another CRS"
                )
    tops = window_starts(grid.height, size[0], stride[0])
    lefts = window_starts(grid.width, size[1], stride[1])
    return OutputLayout(name, grid, tuple(tops), tuple(lefts), size, source)


#: How many times finer or coarser than an input's own pixels ``res`` may be: past it, ``res`` is taken for a slip
#: of units (metres for a CRS in degrees, or degrees for one in metres).
RES_RATIO_LIMIT = 1000


def check_res(
    source: str, res: float | tuple[float, float], crs: CRS, reader: DatasetReader, target: CRS
) -> None:
    """Refuse a ``res`` over :data:`RES_RATIO_LIMIT` times finer or coarser than the input's pixels on ``crs``.

    Raises:
        ValueError: naming ``res``, the input, its pixel size in ``crs`` units and those units.
    """
    shown = redacted(source)  # messages reach logs: no signature or password in them
    own, _, _ = calculate_default_transform(reader.crs, target, reader.width, reader.height, *reader.bounds)
    native = (abs(own.a), abs(own.e))
    given = (float(res[0]), float(res[1])) if isinstance(res, (tuple, list)) else (float(res), float(res))
    ratios = [size / pixel for size, pixel in zip(given, native, strict=True) if pixel > 0]
    if all(1 / RES_RATIO_LIMIT <= ratio <= RES_RATIO_LIMIT for ratio in ratios):
        return
    unit = "degrees" if crs.is_geographic else (crs.linear_units or "CRS units")
    farthest = max(ratios, key=lambda ratio: max(ratio, 1 / ratio))
    raise ValueError(
        f"predict_raster: res={res!r} is {farthest:.3g} times the pixel size of {shown} on crs={crs} "
        f"({native[0]:.6g}, {native[1]:.6g} {unit}); res is in the CRS's units: give it in {unit}"
    )
