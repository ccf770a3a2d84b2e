"""RasterDataset: GeoTIFFs and other GDAL rasters, read onto the dataset's grid on the fly."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any, ClassVar

import numpy as np
import rtree.index
import torch
from pyproj.exceptions import ProjError
from rasterio.enums import Resampling

from geotorch.core.band_counts import check_band_count
from geotorch.core.bbox import BoundingBox
from geotorch.core.crs import CRSLike, as_crs, crs_from_wkt, crs_name
from geotorch.core.errors import DatasetNotFoundError
from geotorch.core.exact_types import EXACT_IN_FLOAT32, warn_of_rounding
from geotorch.core.files import Paths, as_locations
from geotorch.core.geo import Footprint, GeoDataset, as_res
from geotorch.core.geotransform import res_in, warn_of_unlikely_res
from geotorch.core.grid import Grid
from geotorch.core.handles import FileHandleCache, open_files
from geotorch.core.lifecycle import choose_bands
from geotorch.core.mosaic import ReadPlan
from geotorch.core.nodata import dataset_nodata, holds, warn_of_unheld_fill
from geotorch.core.outlines import outline_of, overlaps_outline
from geotorch.core.raster_profile import RasterProfile
from geotorch.core.remote import Location
from geotorch.core.sample import Sample, Transform
from geotorch.core.scenes import SceneFiles, records_at_places
from geotorch.core.series_reads import read_series
from geotorch.core.timeseries import (
    TIME_KEY,
    acquisition_spans,
    check_acquisition,
    shares_area,
    time_steps,
)
from geotorch.core.url_secrets import redacted


class RasterDataset(SceneFiles, GeoDataset):
    """Raster files (GeoTIFF, COG, JP2, ...) in any CRS, served on one grid.

    Subclasses describe a product with class attributes; the constructor
    finds the files, indexes their footprints and time intervals, and every
    query reads and, only where needed, warps the files onto the dataset's
    CRS and resolution.

    Attributes:
        filename_glob: glob that selects the files inside the given folders.
        filename_regex: verbose regex on the file name; named groups ``date``
            (or ``start`` and ``stop``) give the time interval, ``band`` the
            band of a single-band file when ``separate_files`` is True.
        date_format: ``strptime`` format of the ``date``/``start``/``stop`` groups.
        separate_files: each band lives in its own file.
        all_bands: names of every band the product has, in file order.
        default_bands: the bands used when ``bands`` is not given (all when empty).
        rgb_bands: bands shown by :meth:`plot`.
        is_image: samples hold a float32 ``image``; otherwise a ``mask`` of int64 class
            ids, or of the values as read (nearest neighbour) where ``dtype`` is a float
            type (a continuous target such as elevation, as in TorchGeo).
            Files of different pixel types are read in a type that holds all their
            values, and so is each band file of a ``separate_files`` product and each
            band of a file mixing types (a VRT), whatever type the indexed file has;
            a class id int64 cannot hold exactly (a fraction, NaN, inf, beyond
            int64) fails the read, and complex rasters are refused, at construction
            or, for files met only when read, by the read, naming the file.
        resampling: warp resampling (default: bilinear for images, nearest for masks). Warps are made
            in the files' type, as TorchGeo's, but for ``Resampling.sum`` of integer files, summed in
            float64 so that no sum is clipped to the type.
        nodata: value marking missing pixels in every file, beside each file's own
            nodata, and filling pixels without data (default: none; pixels
            without data get the first file's nodata, else 0). A pixel missing
            in one file is taken from the next file that covers it, and warps
            leave missing pixels out of their resampling kernels.

    Geographic files whose longitudes run past the antimeridian (0..360 grids
    written from GRIB or netCDF, a grid at 350..370 or -190..-170) are indexed
    and read where they lie. A geographic dataset is indexed and queried in its
    CRS's canonical longitudes, -180 to 180 degrees, also when its CRS is taken
    from such a file (TorchGeo would keep the file's 0..360 there): the half of a
    0..360 grid east of 180 answers queries at -180..0, and every dataset in one
    geographic CRS shares one index space, so ``&`` and ``|`` combine them.

    With ``time_series=True`` a sample holds one time step per acquisition the query meets, in
    time order: ``image`` float32 ``(T, C, H, W)`` (``mask`` int64 ``(T, H, W)``, or ``(T, C, H, W)``
    for several bands) and ``time`` float64 ``(T,)``, the start of each step's time interval in
    POSIX seconds (TorchGeo 0.10.1's GeoDatasets give no time key; its Copernicus-Bench series
    carry ``time`` ``(T,)`` too, as interval midpoints). The files of one acquisition (same
    :meth:`acquisition_key`: by default the same time interval from the ``date`` group, or
    ``start`` and ``stop``; e.g. neighbouring tiles of one pass, also in different UTM zones)
    are mosaicked into one step, so a window across a tile seam has one step per date, not one
    per file (TorchGeo stacks one step per file). The query's ``mint``/``maxt`` (or a time
    slice) selects the steps whose interval meets it. A step exists only where one of its files
    overlaps the window with positive area (its indexed box, in the dataset's CRS; for a file in
    another CRS, such as a tile of the next UTM zone, its tilted outline, which must hold a pixel
    centre of the window: see :mod:`geotorch.core.outlines`): a tile whose
    footprint only touches the window's edge adds no step of fill (TorchGeo's would), and a window
    touching the data only along edges raises ``IndexError``. Without ``time_series`` such a file
    is not read either (its pixels would all be fill). ``&`` with a single-date label keeps every
    date of the series (see :class:`IntersectionDataset`); :func:`stack_samples` pads series of
    different lengths (adding ``length``).

    Samplers over a time series: every index entry is one file at its own date, and a plain
    :class:`~geotorch.samplers.RandomGeoSampler` or :class:`~geotorch.samplers.GridGeoSampler`
    queries with that entry's time, so each chip holds one step (``T = 1``, as in TorchGeo), also
    with ``toi`` (it only limits which entries are sampled); a GridGeoSampler yields each window
    once per date, each time with that one date. For the full series of
    each chip, pair a spatial sampler with a temporal one: ``GridGeoSampler(ds, size=256) @
    SequentialTimedeltaSampler(ds, delta=...)`` (:class:`~geotorch.samplers.SpatioTemporalSampler`;
    each window once, over every window of ``delta`` that has data there), or query with times
    spanning the dates (slices without a time slice span the dataset's whole time), or lay the
    spatial sampler on :func:`~geotorch.samplers.series_places` ``(ds)``, each place once over all
    its dates, as :class:`~geotorch.datamodules.GeoDataModule` does.

    Override points (public methods; a product that needs more than class
    attributes overrides these, never a private method):

    - :meth:`select_bands` ``(bands) -> tuple[str, ...]``: called once by the
      constructor with its ``bands`` argument (None when not given), before any
      file is looked at; returns the names of the bands to read, in sample
      order. The default takes ``bands``, else ``default_bands``, else
      ``all_bands``, and refuses a name not in ``all_bands`` (``ValueError``).
      Landsat accepts its Level-1 band names here too.
    - :meth:`scene_records` ``() -> Sequence[SceneRecord]``: called once by the
      constructor, after ``select_bands``; returns the scenes to index, each a
      :class:`SceneRecord` (what the index returns for it, its
      :class:`RasterProfile`, time interval, for ``separate_files`` its band files,
      its acquisition key). The default finds the files of ``paths`` by
      ``filename_glob`` and ``filename_regex`` and reads their headers; a product
      that already has records of its scenes (a catalogue, a STAC table) returns
      them here and no file is opened until a query reads it. STACDataset does.
    - :meth:`scene_key` ``(path, match) -> Hashable``: for ``separate_files``
      products, called at indexing for every file found, with its path and its
      ``filename_regex`` match; files with equal keys are the bands of one scene,
      indexed once. The default: same folder, names equal but for the ``band``
      group (compared ignoring case). Sentinel-2 keys by tile and sensing time, so
      an L2A band repeated at 10, 20 and 60 m is one scene.
    - :meth:`band_files` ``(path) -> list[str]``: for ``separate_files``
      products, called once per scene at indexing with the path of the file that
      stands for the scene (the one the index returns); returns the file of each
      selected band, in ``bands`` order, which every read of the scene then uses.
      Raises ``FileNotFoundError`` when the scene lacks a band (the scene is then
      skipped with a warning). The default takes the files found for the scene,
      else the name with its band replaced. Sentinel-2 picks each band's finest
      resolution folder.
    - :meth:`labels_of` ``(mask) -> Tensor``: for masks (``is_image`` False),
      called on every sample's ``mask`` (``(H, W)``, or ``(C, H, W)`` for several
      bands, of the dataset's ``dtype``: int64 by default) once it is read and
      before ``transforms``; returns the labels, of the same shape and type. The
      default keeps the values. Land-cover products map their raw class values to
      ``0..k`` here.
    - :meth:`acquisition_key` ``(path, match) -> Hashable``: with ``time_series=True``, called at
      indexing for every file (for ``separate_files``, the file standing for the scene) with its
      path and ``filename_regex`` match; files with equal keys are one acquisition, mosaicked into
      one time step. The default is the file's time interval (equal ``date``, or ``start`` and
      ``stop``, groups); return e.g. the day alone to join tiles whose times differ by seconds.
      Every file of an acquisition is then indexed at the span of its files' intervals, so the
      step's ``time`` (the span's start), the time slices that select it and the dates ``&``
      joins on are the acquisition's, whichever of its files a window meets.
    - :attr:`dtype`: the type of ``image`` or ``mask`` (see the property).
    """

    filename_glob: ClassVar[str] = "*"
    filename_regex: ClassVar[str] = ".*"
    date_format: ClassVar[str] = "%Y%m%d"
    separate_files: ClassVar[bool] = False
    all_bands: ClassVar[tuple[str, ...]] = ()
    default_bands: ClassVar[tuple[str, ...]] = ()
    rgb_bands: ClassVar[tuple[str, ...]] = ()
    is_image: ClassVar[bool] = True
    resampling: Resampling | None = None
    nodata: float | None = None
    wraps_longitudes: ClassVar[bool] = True
    cache: bool = True
    time_series: bool = False
    #: The read plan and the (resampling, nodata, dtype) it was built from (see :meth:`_read_plan`).
    _plan: tuple[tuple[Any, ...], ReadPlan] | None = None

    def __init__(
        self,
        paths: Paths | None = None,
        crs: CRSLike | None = None,
        res: float | tuple[float, float] | None = None,
        bands: Sequence[str] | None = None,
        transforms: Transform | None = None,
        cache: bool = True,
        time_series: bool = False,
        *,
        root: Paths | None = None,
        nodata: float | None = None,
    ) -> None:
        """Find and index the files.

        Args:
            paths: a folder (searched recursively), a file, or a list of both; a URL (``https://``,
                ``s3://``, ``gs://``, ``az://``) or GDAL virtual path (``/vsicurl/``, ``/vsis3/``,
                ``/vsizip/``...) is a remote file, and an object-store prefix (``s3://bucket/scenes``)
                is listed like a folder (see :mod:`geotorch.core.object_store`).
            crs: CRS of queries and samples (default: the first file's).
            res: pixel size in ``crs`` units (default: the first file's, in ``crs``).
            bands: names of the bands to read, a subset of ``all_bands``.
            transforms: a function applied to every sample.
            cache: read through the process-wide, bounded cache of open files (see
                :func:`geotorch.core.handles.set_max_open_files`), as TorchGeo keeps file handles
                open; False opens each sample's files for its read and closes them after (file
                headers stay in the persisted profile cache either way).
            time_series: stack the acquisitions a query meets along time, ``(T, C, H, W)``,
                instead of mosaicking every file into ``(C, H, W)``.
            root: alias of ``paths``, as in TorchGeo's examples.
            nodata: overrides the class attribute ``nodata`` for this dataset.

        Raises:
            DatasetNotFoundError: if no file matches in ``paths``.
            ValueError: if ``crs`` is not a CRS rasterio reads (naming it) or PROJ relates the files' CRS to it
                by no operation (an engineering, local, CRS: naming the file), a band name is unknown, a
                file name has a bad date, or a file holds complex pixels; with ``time_series``, if
                ``filename_regex`` has no ``date`` (or ``start`` and ``stop``) group, a file's name
                holds no date, or files differ in band count (naming them); if every file lies at no place
                on the Earth (wholly past a pole, at an export's 1e30 m sentinel) or at none ``crs`` draws (the
                far side of the Earth from a geostationary view), naming the first. Where other files remain,
                such a file is skipped with a UserWarning naming it and why, as TorchGeo skips files it cannot
                open (see :func:`geotorch.core.scenes.records_at_places`).
        """
        self.paths: Sequence[Location] = as_locations(paths, root, type(self).__name__)
        self.transforms = transforms
        self.cache = cache
        self._start_series(time_series)
        if nodata is not None:
            self.nodata = nodata
        if self.nodata is not None:
            sample_dtype = torch.empty(0, dtype=self.dtype).numpy().dtype
            self.nodata = dataset_nodata(type(self).__name__, self.nodata, sample_dtype, self._class_ids)
        self.bands = self.select_bands(bands)
        self._scene_files: dict[str, dict[str, str]] = {}
        self._scene_bands: dict[str, Sequence[str]] = {}
        self._incomplete_scenes: list[str] = []
        if self.resampling is None:
            self.resampling = Resampling.bilinear if self.is_image else Resampling.nearest
        # Arguments are checked before any file is searched or read: a bad one is named even where no data is.
        given_res = as_res(res) if res is not None else None
        given_crs = as_crs(crs, type(self).__name__) if crs is not None else None
        footprints, first = self._scan()
        self._crs = given_crs if given_crs is not None else crs_from_wkt(first.crs)
        try:
            self._res = self._native_res(first)
        except ProjError as error:
            raise ValueError(
                f"{type(self).__name__}: crs={crs_name(self._crs)} cannot be had from {footprints[0].item}: {error}"
            ) from error
        if given_res is not None:
            warn_of_unlikely_res(type(self).__name__, given_res, self._res, self._crs)
            self._res = given_res
        self._fill = self.nodata if self.nodata is not None else first.nodata if first.nodata is not None else 0
        if self.nodata is None and first.nodata is not None:
            sample_dtype = torch.empty(0, dtype=self.dtype).numpy().dtype
            warn_of_unheld_fill(type(self).__name__, str(footprints[0].item), first.nodata, sample_dtype)
        self._dtype = self._read_dtype
        self._index_footprints(footprints)

    @property
    def fill(self) -> float:
        """The value of pixels without data as read: ``nodata``, else the first file's nodata, else 0."""
        return self._fill

    def fill_of(self, key: str) -> float:
        """The value samples' ``key`` holds where no data is: :attr:`fill`, in a mask as :meth:`labels_of` maps it.

        A land-cover product mapping every unknown value (its nodata 250 too) to label 0 has 0 in its masks there.
        """
        fill = self._fill
        if key != "mask" or self.is_image or not holds(torch.empty(0, dtype=self.dtype).numpy().dtype, fill):
            return fill
        shape = (self._band_count, 1, 1) if self._band_count > 1 else (1, 1)
        label: float = self.labels_of(torch.full(shape, fill, dtype=self.dtype)).flatten()[0].item()
        return label

    @property
    def channels(self) -> Mapping[str, int]:
        """``{"image": C}`` or ``{"mask": C}`` for the selected bands."""
        return {"image" if self.is_image else "mask": self._band_count}

    def select_bands(self, bands: Sequence[str] | None) -> tuple[str, ...]:
        """The bands to read, in sample order: ``bands``, else ``default_bands``, else ``all_bands``.

        Called once by the constructor with its ``bands`` argument, before any file is looked at.

        Raises:
            TypeError: if ``bands`` is one string, not a list of band names.
            ValueError: if a band is not in ``all_bands``, or ``bands`` names none.
        """
        return choose_bands(type(self).__name__, bands, self.all_bands, self.default_bands)

    def _scan(self) -> tuple[list[Footprint], RasterProfile]:
        """Footprints of the scenes of :meth:`scene_records`, and the profile of the first.

        Raises:
            DatasetNotFoundError: if there is no scene.
            TypeError: if a scene's acquisition key (time series) is not hashable, naming the scene.
            ValueError: if two scenes share a path, a scene holds complex pixels or its ``band_files``
                do not fit the product, the bands selected need more than any scene has, a file lacks
                a selected band, or files differ in band count without a band selection (naming the scene).
        """
        owner = type(self).__name__
        records = list(self.scene_records())
        if not records:
            raise DatasetNotFoundError(owner, [str(path) for path in self.paths], "scene_records() gave no scene")
        records = records_at_places(owner, records)
        for record in records:
            self._keep_band_files(record)
        widest = max(records, key=lambda record: record.profile.count)
        # Every file must hold the bands read: the highest selected one, or as many as the first.
        needed = max((self.all_bands.index(band) + 1 for band in self.bands if band in self.all_bands), default=None)
        # Files of fewer bands than all_bands names (NAIP's RGB-only quads) serve a selection of the bands they hold.
        if not self.separate_files and needed is not None and needed > widest.profile.count:
            raise ValueError(
                f"{owner}: all_bands names {len(self.all_bands)} bands but {widest.path} has "
                f"{widest.profile.count}, the most of any file, and bands={list(self.bands)} need {needed}; choose "
                f"bands among {list(self.all_bands[:widest.profile.count])} (or fix all_bands, or set "
                f"separate_files=True for one file per band)"
            )
        footprints: list[Footprint] = []
        dtypes: dict[np.dtype[Any], str] = {}
        counted: tuple[Location | str, int] | None = None
        seen: set[str] = set()
        for record in records:
            if record.path in seen:
                raise ValueError(
                    f"{owner}: two scenes are indexed as {record.path}; give each record a path of its own"
                )
            seen.add(record.path)
            profile = record.profile
            if self.time_series:
                key = (record.mint, record.maxt) if record.acquisition is None else record.acquisition
                check_acquisition(owner, record.path, key)
                self._acquisitions[record.path] = (key, record.mint, record.maxt)
            if not self.separate_files:
                counted = check_band_count(owner, record.path, profile.count, counted, needed)
            left, bottom, right, top = profile.bounds
            crs = crs_from_wkt(profile.crs)
            footprints.append(Footprint(crs, (left, right, bottom, top), record.mint, record.maxt, record.path))
            if profile.dtype.startswith("complex"):  # rasterio names CInt16 "complex_int16"
                raise ValueError(
                    f"{owner}: {redacted(str(record.path))} holds complex pixels ({profile.dtype}); complex data is "
                    f"not supported: store the amplitude, or the real and imaginary parts, as real-valued bands"
                )
            dtypes.setdefault(np.dtype(profile.dtype), record.path)
        if self.time_series:
            # Every file of an acquisition is indexed at the acquisition's time (see acquisition_spans).
            self._acquisitions = acquisition_spans(self._acquisitions)
            footprints = [replace(footprint, mint=self._acquisitions[footprint.item][1],
                                  maxt=self._acquisitions[footprint.item][2]) for footprint in footprints]
        first = records[0].profile
        self._band_count = len(self.bands) if self.bands else first.count
        # Files of different types are read in a type that holds the values of all of them.
        self._read_dtype = np.result_type(*sorted(dtypes, key=str))
        if not self._class_ids:
            warn_of_rounding(owner, torch.empty(0, dtype=self.dtype).numpy().dtype, dtypes, self.is_image)
        return footprints, first

    @property
    def dtype(self) -> torch.dtype:
        """The type of samples' ``image`` (default float32) or ``mask`` (default int64, ``torch.long``).

        Override it (as in TorchGeo) to keep values float32 would round, e.g. ``torch.float64``.
        """
        return torch.float32 if self.is_image else torch.long

    @property
    def _class_ids(self) -> bool:
        """Whether samples hold class ids: a ``mask`` of an integer ``dtype`` (a float one holds values as read)."""
        return not self.is_image and not self.dtype.is_floating_point

    def _native_res(self, first: RasterProfile) -> tuple[float, float]:
        return res_in(crs_from_wkt(first.crs), self._crs, first.bounds, first.res)

    def labels_of(self, mask: torch.Tensor) -> torch.Tensor:
        """Labels of a mask's pixels from their values as read.

        Called for masks (``is_image`` False) on every sample's ``mask`` once it is read, before
        ``transforms``. Override to map a product's raw class values to labels; the default keeps
        them.

        Args:
            mask: values of the dataset's ``dtype`` (int64 by default), ``(H, W)``, or ``(C, H, W)``
                for several bands.

        Returns:
            The labels, of the same shape and type.
        """
        return mask

    def _read_plan(self) -> ReadPlan:
        """How every sample is read: built once, again only after ``resampling``, ``nodata`` or ``dtype`` changed."""
        inputs = (self.resampling, self.nodata, self.dtype)
        built = self._plan
        if built is not None and all(now is then for now, then in zip(inputs, built[0], strict=True)):
            return built[1]
        # Images of types float32 holds exactly are decoded straight into float32.
        exact_float32 = self.is_image and self.dtype == torch.float32 and self._dtype in EXACT_IN_FLOAT32
        dtype = np.dtype(np.float32) if exact_float32 else self._dtype
        warp_dtype = self._dtype
        if self.resampling == Resampling.sum and self._dtype.kind in "iub" and not self._class_ids:
            # A sum of integers outgrows their type (100 uint16 counts of 1000 are 100000, not 65535): float64.
            warp_dtype = np.dtype(np.float64)
            dtype = dtype if exact_float32 else warp_dtype
        plan = ReadPlan(
            resampling=self.resampling or Resampling.nearest,
            fill=self._fill,
            dtype=dtype,
            warp_dtype=warp_dtype,
            nodata=self.nodata,
            exact_ids=self._class_ids,
        )
        self._plan = (inputs, plan)
        return plan

    def _getitem(self, query: BoundingBox, hits: Sequence[rtree.index.Item]) -> Sample:
        """Mosaic the files of ``hits`` onto the query's grid (one mosaic per acquisition for a time series)."""
        # Only files overlapping the window, not just touching its edge, are read (and make time steps);
        # a file crossing the antimeridian has an entry on each side: read it once.
        paths = list(dict.fromkeys(str(hit.object) for hit in hits if shares_area(hit.bounds, query)))
        if self.time_series:
            # A file read in another CRS (a tile of the next UTM zone) makes no step where only its box lies,
            # unless no file has a pixel there: a spatial sampler's chip in such a corner, dated as that file
            # alone, reads its step of fill rather than nothing.
            inside = [path for path in paths if overlaps_outline(outline_of(self, path), self.res, query)]
            paths = inside or paths
        if self.time_series and not paths:
            raise IndexError(
                f"{type(self).__name__}: query {query} only touches the edges of the files it meets (no file "
                f"overlaps it with positive area), so it has no time step; query inside the data (bounds {self.bounds})"
            )
        grid = Grid.from_bbox(query, self.crs, self.res)
        handles = open_files if self.cache else FileHandleCache()
        sample: Sample = {"crs": self.crs, "bounds": query}
        try:
            if self.time_series:
                steps = time_steps(paths, self._acquisitions)
                array = self._mosaics([files for _, files in steps], grid, handles)
                sample[TIME_KEY] = torch.tensor([start for start, _ in steps], dtype=torch.float64)
            else:
                array = self._mosaics([paths], grid, handles)[0]
        finally:
            if not self.cache:
                handles.clear()
        if self.is_image:
            sample["image"] = torch.from_numpy(array).to(self.dtype)
        else:
            # Class ids are int64 per file: one file's values never round to fit another's type.
            mask = torch.from_numpy(array).to(self.dtype)
            if self.time_series:
                sample["mask"] = torch.stack([self.labels_of(step[0] if step.shape[0] == 1 else step) for step in mask])
            else:
                sample["mask"] = self.labels_of(mask[0] if mask.shape[0] == 1 else mask)
        return sample

    def _mosaics(self, steps: list[list[str]], grid: Grid, handles: FileHandleCache) -> np.ndarray:
        """The selected bands of each step's files mosaicked onto ``grid``, ``(T, C, H, W)``."""
        plan = self._read_plan()
        # Each scene's band files looked up once per read (a STAC scene's hrefs are signed as they are looked up).
        bands = {path: list(self._scene_bands[path]) for files in steps for path in files} \
            if self.separate_files and self.bands else None
        # Remote files' windows are fetched all at once (no-op for local files): see geotorch.core.prefetch.
        handles.prefetch([file for files in steps for path in files for file in (bands[path] if bands else [path])],
                         grid)
        if bands is not None:
            # Per band, each step's band files: read_series reads the band's files of all steps together.
            per_step = [zip(*(bands[path] for path in files), strict=True) for files in steps]
            per_band = zip(*per_step, strict=True)
            return np.concatenate([read_series(handles, band, [1], grid, plan) for band in per_band], axis=1)
        indexes = [self.all_bands.index(band) + 1 for band in self.bands] or list(range(1, self._band_count + 1))
        return read_series(handles, steps, indexes, grid, plan)

    def plot(self, sample: Sample, show_titles: bool = True, suptitle: str | None = None) -> Any:
        """Draw a sample (its ``rgb_bands`` or mask, and a ``prediction`` when present).

        Returns:
            A matplotlib Figure.
        """
        from geotorch.core.plotting import plot_sample

        rgb = [self.bands.index(band) for band in self.rgb_bands if band in self.bands]
        return plot_sample(sample, rgb_indices=rgb or None, show_titles=show_titles, suptitle=suptitle)
