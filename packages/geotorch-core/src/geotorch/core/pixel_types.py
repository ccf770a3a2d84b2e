"""Pixel types of the files read: refused when complex, widened so that no value is cut, values as stored."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from rasterio.io import DatasetReader

from geotorch.core.nodata import holds, same_value


def source_type(source: DatasetReader, indexes: Sequence[int]) -> np.dtype[np.generic]:
    """The type holding every value of bands ``indexes`` (1-based) of ``source``.

    Raises:
        ValueError: if a band holds complex pixels, naming the file: GDAL would
            silently read only their real part.
    """
    names = {source.dtypes[index - 1] for index in indexes}
    if any(name.startswith("complex") for name in names):  # rasterio names CInt16 "complex_int16"
        raise ValueError(
            f"{source.name}: bands {list(indexes)} hold complex pixels ({', '.join(sorted(names))}); complex data "
            f"is not supported: store the amplitude, or the real and imaginary parts, as real-valued bands"
        )
    return np.dtype(np.result_type(*sorted(names)))


def source_nodata(source: DatasetReader, indexes: Sequence[int]) -> float | None:
    """The nodata of bands ``indexes`` (1-based) of ``source``, as GDAL reports it for the first of them.

    GDAL keeps a nodata per band: a VRT stacking files gives each band its source's (an elevation of
    -9999 beside a slope without one), and rasterio's ``nodata`` is the first band's alone. Bands
    read together share one (see :func:`uniform_bands`).
    """
    value: float | None = source.nodatavals[indexes[0] - 1]
    return value


def uniform_bands(source: DatasetReader, indexes: Sequence[int]) -> bool:
    """Whether bands ``indexes`` (1-based) of ``source`` share one pixel type and one nodata (NaN matching NaN).

    Only such bands are read, and warped, together: rasterio reads one type at a time, and GDAL's
    warp takes one nodata for all bands.
    """
    dtypes, nodatavals = source.dtypes, source.nodatavals  # each a GDAL call per band: asked once
    if len({dtypes[index - 1] for index in indexes}) > 1:
        return False
    values = [nodatavals[index - 1] for index in indexes]
    first = values[0]
    return all(
        (value is None and first is None) or (value is not None and first is not None and same_value(value, first))
        for value in values[1:]
    )


def wider_type(dtype: np.dtype[np.generic], other: np.dtype[np.generic]) -> np.dtype[np.generic]:
    """``dtype``, or the smallest type holding the values of both when ``dtype`` cannot hold ``other``'s.

    uint16 with float32 gives float32, uint8 with int8 int16, float32 with int32 float64
    (float32 rounds integers above 2**24). int64 with uint64 gives float64, as numpy
    does: no type holds both. Never float16, which GDAL does not read into.
    """
    if np.can_cast(other, dtype, casting="safe"):
        return dtype
    wider = np.result_type(dtype, other)
    return np.dtype(np.float32) if wider.kind == "f" and wider.itemsize < 4 else np.dtype(wider)


def pixel_value(dtype: np.dtype[np.generic], value: float | None) -> float | None:
    """``value`` as pixels of type ``dtype`` store it, or None when they cannot hold it.

    A float64 nodata of a float32 file (-3.4e38) is the float32 value its pixels
    hold (-3.3999999521e38): compared with pixels read into float64 it still
    matches them. No integer pixel is NaN, a fraction or out of its type's
    range, and no float32 pixel is beyond float32's range: such a value marks no pixel.
    """
    if value is None or not holds(dtype, value):
        return None
    return float(np.asarray(value, dtype=dtype)) if dtype.kind == "f" else value


def class_ids(pixels: np.ndarray, origin: str, fill: float | None = None) -> np.ndarray:
    """``pixels`` as int64 class ids, each exactly the value read.

    Args:
        pixels: values of any real type read from one file (or the fill where no file has data).
        origin: where they come from (the file's name), for the error message.
        fill: the value of pixels without data among them: the message then blames it, not the file.

    Returns:
        ``pixels`` as int64, same shape.

    Raises:
        ValueError: naming ``origin`` and the value, if a value is not an integer int64
            holds (a fraction, NaN, an infinity, beyond int64's range).
    """
    if pixels.dtype.kind == "f":
        bad = ~np.isfinite(pixels) | (pixels != np.round(pixels)) | (np.abs(pixels) >= 2.0**63)
    elif pixels.dtype == np.uint64:
        bad = pixels > np.iinfo(np.int64).max
    else:
        return pixels.astype(np.int64, copy=False)
    if bad.any():
        value = pixels[bad][0]
        if fill is not None and same_value(float(value), fill):
            raise ValueError(
                f"the fill {fill!r} of mask pixels without data (the dataset's nodata, else the first file's) is not "
                f"an integer class id int64 holds (reading {origin}); masks (is_image=False) need an integer "
                f"nodata, e.g. nodata=0"
            )
        raise ValueError(
            f"mask value {value!r} read from {origin} is not an integer class id int64 holds; set "
            f"nodata to the value that marks missing pixels, or is_image=True"
        )
    return pixels.astype(np.int64, copy=False)
