"""Reading benchmark chips (GeoTIFF, PNG, JPEG) into tensors, georeferenced or not, naming the file when one fails."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import rasterio
import torch
from rasterio.enums import ColorInterp, Resampling
from rasterio.errors import NotGeoreferencedWarning, RasterioError
from rasterio.io import DatasetReader
from torch import Tensor

from geotorch.core import RasterReadError, gdal_reason, shown_cause


def read_chip(path: Path, read: Callable[[DatasetReader], np.ndarray]) -> np.ndarray:
    """What ``read`` takes from the chip at ``path``, a damaged or unreadable file named in the error.

    PNG and JPEG chips carry no georeferencing; the warning rasterio gives for them says nothing here.

    Raises:
        RasterReadError: if the file cannot be opened or read (missing, truncated, not a raster), naming it
            and GDAL's reason.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotGeoreferencedWarning)
        try:
            with rasterio.open(path) as source:
                return np.asarray(read(source))
        except RasterioError as error:
            raise RasterReadError(f"{path}: cannot read the chip: {gdal_reason(error)}") from shown_cause(error)


def read_array(
    path: Path, indexes: Sequence[int] | None = None, size: tuple[int, int] | None = None
) -> np.ndarray:
    """The bands ``indexes`` (1-based; all when None) of the chip at ``path`` as a ``(C, H, W)`` array.

    With ``size`` (height, width), the bands are resampled to it (bilinear) as float32.

    Raises:
        RasterReadError: if the file cannot be read, naming it.
        ValueError: if the chip has fewer bands than ``indexes`` asks for, naming it.
    """

    def bands(source: DatasetReader) -> np.ndarray:
        if indexes is not None and max(indexes) > source.count:
            raise ValueError(f"{path}: the chip has {source.count} band(s); bands {list(indexes)} were asked for")
        chosen = list(range(1, source.count + 1)) if indexes is None else list(indexes)
        if size is None:
            return np.asarray(source.read(chosen))
        return np.asarray(source.read(chosen, out_shape=(len(chosen), *size), out_dtype="float32",
                                      resampling=Resampling.bilinear))

    return read_chip(path, bands)


def read_rgb(path: Path, size: tuple[int, int] | None = None, upright: bool = False) -> Tensor:
    """An 8-bit picture as a float32 ``(3, H, W)`` RGB image of values 0-255, whatever colour model it was saved in.

    Benchmarks of RGB pictures hold a few saved otherwise: grey (one band, or grey and alpha) is
    repeated in the three channels (1, 2 or 4-bit grey stretched to 0-255), a palette is looked up, an
    alpha band (RGBA) is dropped, as PIL's ``convert("RGB")`` (TorchGeo's reader of these products) does.

    Args:
        path: the picture (JPEG, PNG, TIFF).
        size: (height, width) to resample it to (bilinear; a palette's indexes by nearest neighbour), or None.
        upright: turn the picture as its EXIF orientation tag says it is shown (a camera's JPEG turned on
            its side is stored unturned with orientation 6; every viewer shows it turned), as PIL's
            ``ImageOps.exif_transpose``; ``size`` is then the turned picture's. False reads the pixels as
            stored, for pictures whose labels (masks, boxes) are drawn on the stored pixels.

    Raises:
        RasterReadError: if the file cannot be read, naming it.
        ValueError: if the picture is not 8-bit (a 16-bit PNG's values are not on the product's 0-255 scale).
    """

    def rgb(source: DatasetReader) -> np.ndarray:
        orientation = exif_orientation(source) if upright else 1
        stored = size if size is None or orientation < 5 else (size[1], size[0])
        return turned_upright(stored_rgb(source, stored), orientation)

    def stored_rgb(source: DatasetReader, size: tuple[int, int] | None) -> np.ndarray:
        if source.dtypes[0] != "uint8":
            raise ValueError(
                f"{path}: a {source.dtypes[0]} picture among the product's 8-bit (uint8) RGB ones; its values "
                "are not on their 0-255 scale: convert it to 8 bits"
            )
        if source.count == 1 and source.colorinterp[0] == ColorInterp.palette:
            indexes = np.asarray(source.read(1, out_shape=size, resampling=Resampling.nearest))
            table = np.zeros((256, 3), np.uint8)
            for index, colour in source.colormap(1).items():
                table[index] = colour[:3]
            return np.asarray(np.moveaxis(table[indexes], -1, 0), dtype=np.float32)
        bands = [1, 2, 3] if source.count >= 3 else [1, 1, 1]
        shape = None if size is None else (3, *size)
        array = np.asarray(source.read(bands, out_shape=shape, out_dtype="float32", resampling=Resampling.bilinear))
        # GDAL gives a 1, 2 or 4-bit grey PNG its stored levels (0-1, 0-3, 0-15); PIL, as the 0-255 they stand for.
        bits = int(source.tags(1, ns="IMAGE_STRUCTURE").get("NBITS", 8))
        return array * np.float32(255 // (2**bits - 1)) if bits < 8 else array

    return torch.from_numpy(read_chip(path, rgb))


def exif_orientation(source: DatasetReader) -> int:
    """The EXIF orientation (1-8) of the picture GDAL opened, 1 (as stored) where it has none or an invalid one."""
    value = source.tags().get("EXIF_Orientation", "1")
    return int(value) if value.strip() in {"1", "2", "3", "4", "5", "6", "7", "8"} else 1


def turned_upright(image: np.ndarray, orientation: int) -> np.ndarray:
    """A ``(C, H, W)`` picture stored with the EXIF ``orientation`` as it is shown (``(C, W, H)`` for 5-8).

    Orientation 2 mirrors left to right, 3 turns by 180 degrees, 4 mirrors top to bottom, 5 transposes,
    6 turns 90 degrees clockwise, 7 transposes across the other diagonal, 8 turns 90 degrees anticlockwise
    (the EXIF 2.3 standard's table, PIL's ``exif_transpose``).
    """
    turns = {
        2: lambda array: array[:, :, ::-1],
        3: lambda array: array[:, ::-1, ::-1],
        4: lambda array: array[:, ::-1, :],
        5: lambda array: array.transpose(0, 2, 1),
        6: lambda array: np.rot90(array, -1, axes=(1, 2)),
        7: lambda array: array.transpose(0, 2, 1)[:, ::-1, ::-1],
        8: lambda array: np.rot90(array, 1, axes=(1, 2)),
    }
    turn = turns.get(orientation)
    return image if turn is None else np.ascontiguousarray(turn(image))


def read_image(path: Path, indexes: Sequence[int] | None = None) -> Tensor:
    """The bands ``indexes`` (1-based; all when None) of the chip at ``path`` as float32 ``(C, H, W)``."""
    return torch.from_numpy(read_array(path, indexes).astype(np.float32))


def read_bands(paths: Sequence[Path]) -> Tensor:
    """Single-band files (one per band, same grid) stacked in order into a float32 ``(C, H, W)`` image."""
    return torch.cat([read_image(path, [1]) for path in paths])


def read_label(path: Path, band: int = 1) -> np.ndarray:
    """One band of a label chip as an ``(H, W)`` array of its stored values."""
    return np.asarray(read_array(path, [band])[0])


def read_binary(path: Path) -> Tensor:
    """A change or building label stored as 0 / 255 (any non-zero value is the positive class) as int64 0 / 1."""
    return torch.from_numpy((read_label(path) > 0).astype(np.int64))


def check_same_size(owner: str, chips: Sequence[tuple[Path, Tensor]]) -> None:
    """Check that the chips of one sample (images, labels) share their height and width, naming a misfit.

    Args:
        owner: the dataset's name, for the message.
        chips: each file with what was read from it (its last two axes are height and width).

    Raises:
        ValueError: if a chip's size differs from the first's, naming both files and sizes.
    """
    first, first_data = chips[0]
    for path, data in chips[1:]:
        if data.shape[-2:] != first_data.shape[-2:]:
            raise ValueError(
                f"{owner}: {path} is {data.shape[-2]} x {data.shape[-1]} px, but {first} of the same sample is "
                f"{first_data.shape[-2]} x {first_data.shape[-1]} px: its pixels would not match; fix or remove "
                "the damaged file"
            )
