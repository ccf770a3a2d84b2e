"""Which pixels of an output grid hold input data, read a band of rows at a time."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import rasterio
from affine import Affine
from rasterio.crs import CRS
from rasterio.enums import ColorInterp, MaskFlags, Resampling
from rasterio.errors import RasterioIOError
from rasterio.vrt import WarpedVRT
from rasterio.windows import Window

from geotorch.core import open_raster
from geotorch.trainers.predict_cog import bounded_cache
from geotorch.trainers.predict_views import wrapped_crs


class InputMask:
    """Which pixels of a grid hold data of the raster ``source``, as the dataset reading it sees them.

    A pixel holds data where it lies inside the file's footprint and the file does not mark
    it missing, as :class:`~geotorch.core.RasterDataset` reads it: missing are the pixels its
    alpha band or internal mask leaves out, and those whose every band is its own nodata (the
    file's, a virtual raster's bands may differ) or the dataset's ``nodata`` (a file without either
    has data everywhere inside it, zeros included). Missing too are the pixels any band of which is
    NaN or infinite, which ``geotorch predict`` gives its model as pixels without data (see
    :class:`~geotorch.datamodules.finite_images.FiniteImageStack`); :attr:`non_finite` counts those
    that are not nodata. The file is warped onto the grid (nearest
    neighbour), only the rows asked for, both sides of the antimeridian of a file reaching past it
    (see :func:`.predict_reading.wrapped_crs`).

    Args:
        source: path, URL or GDAL virtual path of the input file (see :func:`geotorch.core.open_raster`).
        nodata: the dataset's nodata value, or None.
        crs: the grid's CRS.
        transform: the grid's affine transform.
        shape: the grid's ``(height, width)`` in pixels.

    Raises:
        rasterio.errors.RasterioIOError: if a local ``source`` is not a raster GDAL can open.
        geotorch.core.RasterReadError: if a remote one cannot be opened, naming it.
    """

    def __init__(self, source: str, nodata: float | None, crs: CRS, transform: Affine, shape: tuple[int, int]) -> None:
        self.reader = open_raster(source)
        self.width = shape[1]
        self.nodata = nodata
        roles = self.reader.colorinterp
        self.bands = [number for number, role in enumerate(roles, 1) if role != ColorInterp.alpha]
        alpha = next((number for number in range(1, self.reader.count + 1) if number not in self.bands), None)
        own = [self.reader.nodatavals[band - 1] for band in self.bands]
        self.floating = any(np.dtype(self.reader.dtypes[band - 1]).kind == "f" for band in self.bands)
        #: Pixels of the rows read holding a NaN or infinite value that is not their nodata.
        self.non_finite = 0
        self.source = source
        #: The values each band is missing at: its own nodata, and the dataset's.
        self.missing = [[value for value in (value, nodata) if value is not None] for value in own]
        # (NaN spelled as text, so that two NaN nodata values are one.)
        self.per_band = len({str(value) for value in own}) > 1
        # The warp's alpha band (the file's, else one added last) is 0 outside the footprint and where the
        # file's nodata, alpha or mask say so. It is read as a band: GDAL's dataset mask takes an alpha band
        # into account only beside 1 or 3 other bands. Bands of different nodata values (a virtual raster's) are
        # warped without any (rasterio's warp would give every band band 1's, and GDAL drops theirs on a given
        # grid): their values, kept by the nearest neighbour, are compared with each band's own.
        self.view = WarpedVRT(
            self.reader,
            src_crs=wrapped_crs(self.reader),
            crs=crs,
            transform=transform,
            width=shape[1],
            height=shape[0],
            resampling=Resampling.nearest,
            add_alpha=alpha is None,
            **({"src_nodata": None, "nodata": None} if self.per_band else {}),
        )
        self.alpha = alpha or self.view.count

    @classmethod
    def of(
        cls, source: str | None, nodata: float | None, crs: CRS, transform: Affine, shape: tuple[int, int]
    ) -> InputMask | None:
        """The mask of ``source``, or None when there is no file or it is not a raster (a vector file, say)."""
        if source is None:
            return None
        try:
            return cls(source, nodata, crs, transform, shape)
        except RasterioIOError:
            return None

    def rows(self, start: int, stop: int, columns: tuple[int, int]) -> np.ndarray:
        """``(stop - start, columns[1] - columns[0])`` booleans: which pixels of those rows and columns hold data."""
        window = Window(columns[0], start, columns[1] - columns[0], stop - start)
        with bounded_cache():
            block = np.asarray(self.view.read(self.alpha, window=window) > 0)
            if self.nodata is not None or self.per_band or self.floating:
                pixels = self.view.read(self.bands, window=window)
                missing = np.ones(block.shape, dtype=bool)
                for band, values in zip(pixels, self.missing, strict=True):
                    missing &= _is_one_of(band, values)
                block &= ~missing
                if self.floating:
                    unknown = block & ~np.isfinite(pixels).all(axis=0)
                    self.non_finite += int(unknown.sum())
                    block &= ~unknown
        return block

    def non_finite_pixels(self) -> dict[str, int]:
        """:attr:`non_finite` by the file's path (empty when it is 0)."""
        return {self.source: self.non_finite} if self.non_finite else {}

    def close(self) -> None:
        """Close the file."""
        self.view.close()
        self.reader.close()


class PlaceMask:
    """Which pixels of a grid hold data of any of several rasters: the dates of a place of a time series.

    A pixel holds data where one of the files' :class:`InputMask` says so: a place predicted from all its dates
    is written wherever one of them has data, and nodata where none has (a scene's collar, the corners of frames
    shifted between dates).

    Args:
        masks: the mask of each file.
    """

    def __init__(self, masks: Sequence[InputMask]) -> None:
        self.masks = list(masks)

    @classmethod
    def of(
        cls, files: Sequence[tuple[str, float | None]], crs: CRS, transform: Affine, shape: tuple[int, int]
    ) -> PlaceMask | None:
        """The mask of ``files`` (each with the dataset's nodata for it), or None when one is no raster.

        Raises:
            geotorch.core.RasterReadError: if a remote file cannot be opened, naming it.
        """
        masks: list[InputMask] = []
        for source, nodata in files:
            try:
                mask = InputMask.of(source, nodata, crs, transform, shape)
            except BaseException:
                cls(masks).close()
                raise
            if mask is None:
                # A file that is no raster (a vector file, say) has no pixels to tell: every pixel is written.
                cls(masks).close()
                return None
            masks.append(mask)
        return cls(masks) if masks else None

    def rows(self, start: int, stop: int, columns: tuple[int, int]) -> np.ndarray:
        """``(stop - start, columns[1] - columns[0])`` booleans: which pixels hold data of any of the files.

        The rows of a float file are read even where earlier files hold data everywhere: its pixels of NaN or
        infinite values are counted.
        """
        block = self.masks[0].rows(start, stop, columns)
        for mask in self.masks[1:]:
            if block.all() and not mask.floating:
                continue
            block |= mask.rows(start, stop, columns)
        return block

    def non_finite_pixels(self) -> dict[str, int]:
        """Each file's pixels of NaN or infinite values that are not nodata, in the rows read (none: left out)."""
        counts: dict[str, int] = {}
        for mask in self.masks:
            for source, count in mask.non_finite_pixels().items():
                counts[source] = counts.get(source, 0) + count
        return counts

    def close(self) -> None:
        """Close the files."""
        for mask in self.masks:
            mask.close()


class FileMask:
    """Which pixels of an open raster (or warped view of one) hold data, by rows.

    A pixel holds data where its alpha band (if any) is above 0 and any band's GDAL mask says
    so (the file's nodata or internal mask; a warped view's footprint), and, where ``nodata`` is
    given (``predict_raster``'s, for files without one), not every image band holds that value. The
    alpha band is read itself: GDAL's masks heed one only beside 1 or 3 other bands. The mask owns
    the view: :meth:`close` closes it.
    """

    def __init__(self, reader: rasterio.io.DatasetReader | WarpedVRT, nodata: float | None = None) -> None:
        self.reader = reader
        roles = reader.colorinterp
        self.alpha = next((number for number, role in enumerate(roles, 1) if role == ColorInterp.alpha), None)
        self.all_valid = all(flags == [MaskFlags.all_valid] for flags in reader.mask_flag_enums)
        self.nodata = nodata
        self.bands = [number for number, role in enumerate(roles, 1) if role != ColorInterp.alpha]

    @classmethod
    def of(cls, reader: rasterio.io.DatasetReader | WarpedVRT, nodata: float | None = None) -> FileMask | None:
        """The mask of ``reader``, or None (the view closed) when every pixel holds data: no nodata, alpha or mask."""
        mask = cls(reader, nodata)
        if mask.alpha is None and mask.all_valid and nodata is None:
            mask.close()
            return None
        return mask

    def rows(self, start: int, stop: int, columns: tuple[int, int]) -> np.ndarray:
        """``(stop - start, columns[1] - columns[0])`` booleans: which pixels of those rows and columns hold data."""
        window = Window(columns[0], start, columns[1] - columns[0], stop - start)
        shape = (stop - start, columns[1] - columns[0])
        with bounded_cache():
            valid = np.ones(shape, dtype=bool) if self.all_valid else self.reader.dataset_mask(window=window) > 0
            if self.alpha is not None:
                valid &= self.reader.read(self.alpha, window=window) > 0
            if self.nodata is not None:
                # Missing where every image band holds it; most rows are settled by the first band alone.
                missing = _is_one_of(self.reader.read(self.bands[0], window=window), [self.nodata])
                for band in self.bands[1:]:
                    if not missing.any():
                        break
                    missing &= _is_one_of(self.reader.read(band, window=window), [self.nodata])
                valid &= ~missing
        return np.asarray(valid)

    def close(self) -> None:
        """Close the view and its file."""
        from geotorch.trainers.predict_views import close_view

        close_view(self.reader)


def _is_one_of(pixels: np.ndarray, values: list[float]) -> np.ndarray:
    """Which elements of ``pixels`` equal one of ``values`` (NaN matching NaN in float pixels)."""
    found = np.zeros(pixels.shape, dtype=bool)
    for value in values:
        if math.isnan(value):
            found |= np.isnan(pixels) if pixels.dtype.kind == "f" else False
        else:
            found |= pixels == value
    return found
