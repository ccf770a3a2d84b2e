"""Prediction rasters written as they stream: bands of rows into part files, then one Cloud-Optimized GeoTIFF.

Each chunk of an output's rows (see :mod:`geotorch.trainers.predict_grid`) is written, a
band of rows at a time, to a hidden part file beside the output. Once every part is
complete, the parts (through a virtual raster joining them, when there are several) are
translated once into a tiled GeoTIFF with overviews (GDAL's ``COG`` driver), written under
a temporary name and renamed into place.
"""

from __future__ import annotations

import colorsys
import functools
import json
import math
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any, Literal

import numpy as np
import rasterio
import rasterio.shutil
import torch
from affine import Affine
from rasterio._err import CPLE_BaseError  # GDAL's errors: rasterio.errors does not export their base
from rasterio.crs import CRS
from rasterio.errors import RasterioError, RasterioIOError
from rasterio.io import MemoryFile
from rasterio.windows import Window
from torch import Tensor

from geotorch.trainers.outputs import remove_stale_temporaries, temporary_of
from geotorch.trainers.predict_blend import Band
from geotorch.trainers.probabilities import sigmoid, softmax

#: What an output holds: the class of each pixel, the probability of each class, or the blended values.
OutputKind = Literal["classes", "probabilities", "scores"]

#: The value of ``uint8`` class and probability outputs where there is no prediction (``uint16`` classes: 65535).
CLASS_NODATA = 255

#: The most classes a class output holds: ``uint16`` labels, 65535 being nodata.
MOST_CLASSES = 65535

#: ``uint8`` probabilities are ``round(p * PROBABILITY_SCALE)`` (so 255 stays free for nodata).
PROBABILITY_SCALE = 254

#: Side of the COGs' tiles, in pixels.
COG_BLOCK = 512

#: Creation options of the part files, preferred first (see :func:`part_compression`): ZSTD writes and reads
#: several times faster than deflate and compresses as well; deflate, which every GDAL has, if it is missing.
PART_COMPRESSION: tuple[dict[str, str | int], ...] = (
    {"compress": "zstd", "zstd_level": 1},
    {"compress": "deflate", "zlevel": 1},
)

#: Pixels :func:`first_argmax` compares at a time (its running maximum, float32, stays in the CPU's cache).
ARGMAX_PIXELS = 65536

#: GDAL's block cache while prediction files are written or read (GDAL's default, 5% of the RAM, would
#: keep that much of every output and input in memory).
GDAL_CACHE_BYTES = 64 * 2**20


def bounded_cache() -> rasterio.Env:
    """A GDAL environment whose block cache holds at most :data:`GDAL_CACHE_BYTES` (entering it trims the cache)."""
    return rasterio.Env(GDAL_CACHEMAX=GDAL_CACHE_BYTES, GDAL_PAM_ENABLED="NO")


@dataclass(frozen=True)
class OutputSpec:
    """How blended values become an output file.

    Attributes:
        kind: ``classes`` (argmax; a single channel is a binary logit, class 1 where above 0),
            ``probabilities`` (softmax, or a sigmoid of a single channel) or ``scores`` (the values).
        channels: values per pixel from the model.
        class_names: one name per class (default ``class_<k>``).
        colors: one RGB(A) colour (0-255) per class for the colour table (default: evenly spread hues).
        probability_dtype: ``uint8`` (``round(p * 254)``, nodata 255) or ``float16`` (nodata NaN).
        tags: metadata items stored in the file beside those describing the output.
        logits: whether the values are logits (softmax or sigmoid make probabilities) or probabilities
            already (as tasks' ``predict_step`` returns them; a single channel is class 1 above 0.5).
        labels: whether the channels are labels, each present or not (a ``multilabel`` task's), whose
            probabilities are a sigmoid of each logit, not a softmax across them.
    """

    kind: OutputKind
    channels: int
    class_names: Sequence[str] = ()
    colors: Sequence[Sequence[int]] = ()
    probability_dtype: Literal["uint8", "float16"] = "uint8"
    tags: dict[str, str] = field(default_factory=dict)
    logits: bool = True
    labels: bool = False

    def __post_init__(self) -> None:
        """Refuse a class output of more classes than ``uint16`` holds beside its nodata.

        Raises:
            ValueError: for ``classes`` of more than :data:`MOST_CLASSES` channels, naming them.
        """
        if self.kind == "classes" and self.channels > MOST_CLASSES:
            # Class 65535 would read as nodata, and classes past it wrap around to 0, 1, ... in uint16.
            raise ValueError(
                f"output='classes' holds at most {MOST_CLASSES} classes (uint16, nodata 65535), and the model gives "
                f"{self.channels} channels; write output='scores' (or 'probabilities') instead"
            )

    @property
    def classes(self) -> int:
        """The number of classes (2 for a single binary channel)."""
        return 2 if self.channels == 1 and self.kind != "scores" else self.channels

    @property
    def names(self) -> list[str]:
        """One name per class."""
        return list(self.class_names) or [f"class_{number}" for number in range(self.classes)]

    @property
    def count(self) -> int:
        """Bands of the output."""
        return 1 if self.kind == "classes" else self.channels

    @property
    def dtype(self) -> str:
        """The output's pixel type."""
        if self.kind == "classes":
            return "uint8" if self.classes <= CLASS_NODATA else "uint16"
        return self.probability_dtype if self.kind == "probabilities" else "float32"

    @property
    def nodata(self) -> float:
        """The output's nodata value."""
        if self.dtype == "uint8":
            return CLASS_NODATA
        return 65535 if self.dtype == "uint16" else math.nan

    def encode(self, band: Band, has_data: np.ndarray | None) -> np.ndarray:
        """The pixels of ``band`` as the output stores them, nodata where no window reached or the input has no data.

        A pixel whose values hold a NaN (a model's NaN, or NaN input it was given) has no class and
        no probabilities: it is nodata too, as are probabilities that are NaN (softmax of infinite logits).

        Returns:
            ``(count, rows, width)`` of :attr:`dtype` (float16 as float32 values that half floats hold).
        """
        valid = band.reached.numpy()
        if has_data is not None:
            valid = valid & has_data
        values = band.values
        unknown = None
        if band.labels is not None:
            # Classes chosen by the blender (see predict_classes); pixels without one are not reached.
            encoded = band.labels.astype(self.dtype, copy=False)[None]
        elif self.kind == "classes":
            threshold = 0.0 if self.logits else 0.5
            unknown = _nan_pixels(values)
            labels = (values[0] > threshold).to(torch.uint8) if self.channels == 1 else first_argmax(values)
            encoded = labels.numpy().astype(self.dtype, copy=False)[None]
        elif self.kind == "probabilities":
            if not self.logits:
                scores = values.clamp(0, 1)
            else:
                scores = sigmoid(values) if self.channels == 1 or self.labels else softmax(values, dim=0)
            if self.dtype == "uint8":
                unknown = _nan_pixels(scores)
                if unknown is not None:
                    # Zeros for the cast (NaN has no uint8 value); those pixels become nodata below.
                    scores.nan_to_num_(0.0)
                # In place: the scores are a tensor of their own (the band's values are not written to).
                encoded = scores.mul_(PROBABILITY_SCALE).round_().numpy().astype("uint8")
            else:
                # Half floats, stored by GDAL as 16-bit floats of a float32 band (NBITS=16).
                encoded = scores.numpy().astype("float16").astype("float32")
        else:
            encoded = values.numpy().astype("float32")
        if unknown is not None:
            valid = valid & ~unknown
        if not valid.all():
            np.copyto(encoded, np.asarray(self.nodata, dtype=encoded.dtype), where=~valid)
        return encoded

    def describe(self, target: Any) -> None:
        """Give an open output its colour table, band descriptions and tags."""
        names = self.names
        if self.kind == "classes":
            target.set_band_description(1, "class")
            if self.dtype == "uint8":
                target.write_colormap(1, dict(enumerate(self._palette())))
        elif self.kind == "probabilities":
            for number, name in enumerate(names[-self.channels :] if self.channels == 1 else names, 1):
                target.set_band_description(number, f"probability of {name}")
            if self.dtype == "uint8":
                target.scales = [1 / PROBABILITY_SCALE] * self.count
        tags = {"output": self.kind, **self.tags}
        if self.kind != "scores":
            tags["class_names"] = json.dumps(names)
        target.update_tags(**tags)

    def _palette(self) -> list[tuple[int, int, int, int]]:
        if self.colors:
            return [
                (int(color[0]), int(color[1]), int(color[2]), int(color[3]) if len(color) > 3 else 255)
                for color in self.colors
            ]
        # Evenly spread hues, alternating lightness so neighbouring labels stand apart.
        colours = []
        for label in range(self.classes):
            red, green, blue = colorsys.hls_to_rgb((label * 0.618034) % 1, 0.45 + 0.15 * (label % 2), 0.75)
            colours.append((round(red * 255), round(green * 255), round(blue * 255), 255))
        return colours


def _nan_pixels(values: Tensor) -> np.ndarray | None:
    """``(rows, width)`` booleans: which pixels of ``(channels, rows, width)`` values hold a NaN; None when none does.

    One sum tells whether any does (NaN, or infinities of both signs, make it NaN), so the
    usual band, without NaN, costs one pass that allocates nothing.
    """
    if not torch.isnan(values.sum()):
        return None
    return np.asarray(values.isnan().any(dim=0).numpy())


def first_argmax(values: Tensor) -> Tensor:
    """The channel of each pixel's largest value, as ``values.argmax(dim=0)`` gives it, several times faster.

    Ties go to the first channel, and a pixel with NaN values to its first NaN channel, as in
    :meth:`torch.Tensor.argmax`, whose reduction across the first dimension of a
    ``(channels, rows, width)`` tensor is slow on the CPU (it walks the pixels' strided
    channels). Here the channels are compared one after another, a few rows at a time (the
    running maximum stays in the cache): a channel wins a pixel only when strictly larger,
    so ties keep the first. Rows holding a NaN take :func:`torch.max`'s reduction, which gives
    NaN's first channel (comparisons with NaN are false, so the loop would not).

    Args:
        values: ``(channels, rows, width)`` float32 (other types, or a tensor off the CPU, take
            :func:`torch.max`'s reduction throughout).

    Returns:
        ``(rows, width)`` uint8 (int32 for more than 256 channels).
    """
    channels, height, width = values.shape
    if values.device.type != "cpu" or values.dtype != torch.float32:
        return torch.max(values, dim=0).indices.to(torch.uint8 if channels <= 256 else torch.int32)
    pixels = values.numpy()
    labels = np.empty((height, width), dtype=np.uint8 if channels <= 256 else np.int32)
    step = max(1, ARGMAX_PIXELS // max(1, width))
    largest = np.empty((min(step, height), width), dtype=pixels.dtype)
    larger = np.empty(largest.shape, dtype=bool)
    for top in range(0, height, step):
        stop = min(top + step, height)
        best, found, above = largest[: stop - top], labels[top:stop], larger[: stop - top]
        np.copyto(best, pixels[0, top:stop])
        found.fill(0)
        for channel in range(1, channels):
            np.greater(pixels[channel, top:stop], best, out=above)
            np.copyto(found, channel, where=above)
            np.maximum(best, pixels[channel, top:stop], out=best)
        if np.isnan(best).any():
            found[...] = torch.max(values[:, top:stop], dim=0).indices.numpy()
    return torch.from_numpy(labels)


@dataclass(frozen=True)
class Grid:
    """An output's pixel grid.

    Attributes:
        crs: its CRS.
        transform: the affine transform of its top-left pixel corner.
        height: rows.
        width: columns.
    """

    crs: CRS
    transform: Affine
    height: int
    width: int


class PartWriter:
    """Writes one chunk's pixels, band of rows after band, into a part file (a striped GeoTIFF of that block).

    Args:
        path: the part file.
        grid: the whole output's grid.
        rows: the output rows ``[start, stop)`` of this part.
        spec: what the output holds.
        columns: the output columns ``[start, stop)`` of this part.
    """

    def __init__(
        self, path: Path, grid: Grid, rows: tuple[int, int], spec: OutputSpec, columns: tuple[int, int]
    ) -> None:
        self.path, self.rows, self.spec = path, rows, spec
        path.parent.mkdir(parents=True, exist_ok=True)
        transform = grid.transform * Affine.translation(columns[0], rows[0])
        profile = _profile(spec, grid.crs, transform, rows[1] - rows[0], columns[1] - columns[0])
        with bounded_cache():
            self.target = rasterio.open(path, "w", **profile)
        self.written = rows[0]

    def write(self, pixels: np.ndarray, top: int) -> None:
        """Write encoded ``(count, rows, width)`` pixels of output rows from ``top`` (the next rows due).

        Raises:
            ValueError: if the rows are not the next ones of this part.
        """
        if top != self.written or top + pixels.shape[1] > self.rows[1]:
            raise ValueError(f"{self.path}: rows {top}..{top + pixels.shape[1]} are not the next of {self.rows}")
        try:
            with bounded_cache():
                self.target.write(pixels, window=Window(0, top - self.rows[0], pixels.shape[2], pixels.shape[1]))
        except (RasterioError, CPLE_BaseError) as error:
            raise write_error(self.path, f"could not write rows {top}..{top + pixels.shape[1]}", error) from error
        self.written += pixels.shape[1]

    def close(self) -> None:
        """Finish the part file, and open it again: GDAL reports no error when its last blocks cannot be written.

        Raises:
            ValueError: if some of its rows were never written.
            OSError: if the file cannot be read back (not written whole: a full disk, say).
        """
        with bounded_cache():
            self.target.close()
        if self.written != self.rows[1]:
            raise ValueError(f"{self.path}: only rows {self.rows[0]}..{self.written} of {self.rows} were written")
        try:
            with bounded_cache(), rasterio.open(self.path):
                pass
        except (RasterioError, CPLE_BaseError) as error:
            raise write_error(self.path, "was not written whole (it cannot be read back)", error) from error


def write_error(path: Path, what: str, error: Exception) -> OSError:
    """An OSError saying ``what`` went wrong writing ``path``, with GDAL's own reason and the free space of its disk.

    rasterio's "Write failed. See previous exception for details." keeps GDAL's reason in its cause.
    """
    reason = f"{error}: {error.__cause__}" if error.__cause__ is not None else str(error)
    free = shutil.disk_usage(path.parent).free / 2**20
    return OSError(f"{path}: {what}: {reason} ({free:.1f} MiB free on its disk; is it full?)")


def _profile(spec: OutputSpec, crs: CRS, transform: Affine, height: int, width: int) -> dict[str, Any]:
    half = spec.dtype == "float16"
    profile = {
        "driver": "GTiff",
        "width": width,
        "height": height,
        "count": spec.count,
        "dtype": "float32" if half else spec.dtype,
        "crs": crs,
        "transform": transform,
        "nodata": spec.nodata,
        **part_compression(),
        "blockysize": 16,
        "bigtiff": "IF_SAFER",
    }
    if half:
        profile["nbits"] = 16
    return profile


def part_compression() -> dict[str, Any]:
    """The creation options compressing part files: the first of :data:`PART_COMPRESSION` this GDAL can write."""
    return next((options for options in PART_COMPRESSION if _can_write(str(options["compress"]))), PART_COMPRESSION[-1])


@functools.cache
def _can_write(codec: str) -> bool:
    """Whether GDAL's GeoTIFF driver here compresses with ``codec`` (GDAL may be built without it)."""
    try:
        with (
            MemoryFile() as memory,
            memory.open(
                driver="GTiff",
                width=1,
                height=1,
                count=1,
                dtype="uint8",
                transform=Affine(1, 0, 0, 0, -1, 1),
                compress=codec,
            ) as probe,
        ):
            probe.write(np.zeros((1, 1, 1), dtype="uint8"))
    except RasterioIOError:
        return False
    return True


def publish_cog(
    parts: Sequence[Path], path: Path, grid: Grid, spec: OutputSpec, *, replacing: Sequence[Path] = ()
) -> Path:
    """Join the part files of one output into the Cloud-Optimized GeoTIFF ``path``, atomically.

    Several parts are read through a virtual raster placing each on ``grid`` (itself a hidden
    temporary beside ``path``), so the COG is their one translation.

    The COG is tiled (512 x 512), deflate-compressed, with overviews down to one tile
    (nearest-neighbour for classes, average otherwise), the colour table, band descriptions
    and tags of ``spec``. It is written to a hidden temporary beside ``path`` and renamed over
    it once flushed to disk (see :func:`geotorch.trainers.outputs.write_raster`). The parts
    are removed.

    Args:
        parts: the part files, in the order of their rows.
        path: the output.
        grid: its pixel grid.
        spec: how its values are encoded and described.
        replacing: files describing the output that ``path`` replaces (its polygons), removed
            just before the rename: once the COG is whole, so that a failed write keeps them
            beside the output they describe, and never beside the new one.

    Returns:
        ``path``.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(path)
    # The join is a temporary too (a ``.part`` name), so that a killed run's is removed by the next one.
    joined = temporary_of(path)
    temporary = temporary_of(path)
    try:
        with bounded_cache():
            source = _join(parts, joined, grid, spec) if len(parts) > 1 else parts[0]
            with rasterio.open(source, "r+") as opened:
                spec.describe(opened)
            try:
                rasterio.shutil.copy(
                    source,
                    temporary,
                    driver="COG",
                    blocksize=COG_BLOCK,
                    compress="deflate",
                    overview_resampling="nearest" if spec.kind == "classes" else "average",
                    bigtiff="IF_SAFER",
                    **({"nbits": 16} if spec.dtype == "float16" else {}),
                )
            except (RasterioError, CPLE_BaseError) as error:
                raise write_error(
                    temporary, f"could not write the Cloud-Optimized GeoTIFF of {path.name}", error
                ) from error
        descriptor = os.open(temporary, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        for stale in replacing:
            stale.unlink(missing_ok=True)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    finally:
        joined.unlink(missing_ok=True)
        for part in parts:
            part.unlink(missing_ok=True)
    return path


#: GDAL's names of the output pixel types, for the virtual raster joining the parts.
_GDAL_TYPES = {"uint8": "Byte", "uint16": "UInt16", "float32": "Float32"}


def _join(parts: Sequence[Path], joined: Path, grid: Grid, spec: OutputSpec) -> Path:
    """Write ``joined``, a virtual raster (GDAL VRT) of ``grid`` showing each part where its transform places it.

    The COG is then translated from it once, reading the parts through it: no joined copy
    of the output is written.
    """
    data_type = _GDAL_TYPES["float32" if spec.dtype == "float16" else spec.dtype]
    sources = []
    for part in parts:
        with rasterio.open(part) as source:
            left, top = (round(value) for value in ~grid.transform * (source.transform.c, source.transform.f))
            size = f'xSize="{source.width}" ySize="{source.height}"'
        sources.append(
            f'<SimpleSource><SourceFilename relativeToVRT="0">{escape(str(part.absolute()))}</SourceFilename>'
            f'<SourceBand>{{band}}</SourceBand><SrcRect xOff="0" yOff="0" {size}/>'
            f'<DstRect xOff="{left}" yOff="{top}" {size}/></SimpleSource>'
        )
    bands = "".join(
        f'<VRTRasterBand dataType="{data_type}" band="{band}"><NoDataValue>{spec.nodata}</NoDataValue>'
        + "".join(source.replace("{band}", str(band)) for source in sources)
        + "</VRTRasterBand>"
        for band in range(1, spec.count + 1)
    )
    transform = ",".join(repr(value) for value in grid.transform.to_gdal())
    joined.write_text(
        f'<VRTDataset rasterXSize="{grid.width}" rasterYSize="{grid.height}"><SRS>{escape(grid.crs.to_wkt())}</SRS>'
        f"<GeoTransform>{transform}</GeoTransform>{bands}</VRTDataset>",
        encoding="utf-8",
    )
    return joined
