"""STACDataset: the items of a STAC GeoParquet table, each asked asset a band, read like any RasterDataset."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar, overload

from rasterio.crs import CRS
from rasterio.errors import CRSError

from geotorch.core import (
    CRSLike,
    DatasetNotFoundError,
    RasterDataset,
    RasterProfile,
    SceneRecord,
    Transform,
    redacted,
    shown_cause,
)
from geotorch.datasets.stac_selection import Filters, parse_time_range
from geotorch.datasets.stac_table import AssetGrid, StacItem, choose_items, read_table

#: A function giving the signed href of an asset's href (e.g. ``planetary_computer.sign``).
SignHref = Callable[[str], str]


class SignedHrefs(Sequence[str]):
    """An item's asset hrefs, each signed by ``sign_href`` when looked up, at read time.

    The dataset's reads look up a scene's band files for every sample, so a signer's short-lived
    tokens are fresh when the file is opened, and construction signs nothing.
    """

    def __init__(self, hrefs: Sequence[str], sign_href: SignHref) -> None:
        """Keep the unsigned hrefs, in ``asset_keys`` order, and the signer."""
        self.hrefs = tuple(hrefs)
        self.sign_href = sign_href

    def __len__(self) -> int:
        """The number of hrefs."""
        return len(self.hrefs)

    @overload
    def __getitem__(self, index: int) -> str: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...

    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        """The href(s) at ``index``, passed through ``sign_href`` (see :func:`signed`)."""
        if isinstance(index, slice):
            return [signed(self.sign_href, href) for href in self.hrefs[index]]
        return signed(self.sign_href, self.hrefs[index])


def signed(sign_href: SignHref, href: str) -> str:
    """``sign_href(href)``, checked: the signer's own error keeps its type and gains a note naming the href.

    Raises:
        TypeError: if the signer returns anything but a non-empty str (``None``, a pystac object...),
            naming the href and what it returned.
        Exception: whatever the signer raises (a connection error of its token service...), with a note
            saying which href it was signing.
    """
    try:
        result = sign_href(href)
    except Exception as error:
        error.add_note(f"STACDataset: raised by sign_href={sign_href!r} signing {href}")
        raise
    if not isinstance(result, str) or not result:
        raise TypeError(
            f"STACDataset: sign_href={sign_href!r} returned {type(result).__name__} {result!r:.80} for {href}; "
            "it must take one href and return its signed URL as a str (as planetary_computer.sign does)"
        )
    return result


class STACDataset(RasterDataset):
    """The items of a STAC GeoParquet table as a geospatial dataset: each asset of ``asset_keys`` one band.

    The table (stac-geoparquet's layout, local or a URL; build one from a STAC API with
    ``geotorch stac index``) is the dataset's index: items are chosen by ``intersects_bbox``,
    ``time_range`` and property ``filters`` when the dataset is built, and never again asked of an
    API. Each chosen item is one index entry (``len()`` counts them) at its footprint and time
    (``start_datetime``..``end_datetime``, else the instant ``datetime``). The footprint comes from
    the first asset's projection fields (``proj:epsg``/``proj:code``/``proj:wkt2``/``proj:projjson``,
    ``proj:transform``, ``proj:shape``: the asset's own, else the item's) without opening any file; an item without them
    has its first asset's header read (through ``sign_href``) instead.

    Reading is RasterDataset's with one file per band (``separate_files``): a sample's ``image`` is
    float32 ``(C, H, W)``, ``C = len(asset_keys)`` in that order, each asset's first band warped
    onto the dataset's CRS and resolution (items in several CRSs and resolutions are aligned like any
    RasterDataset's files); several items meeting a query are mosaicked, the first indexed first.
    With ``time_series=True`` the image is ``(T, C, H, W)`` with ``time`` ``(T,)``, oldest first; the
    items of equal time interval (e.g. neighbouring tiles of one pass) are mosaicked into one step, as
    RasterDataset's acquisitions are. Datasets compose with ``&`` and ``|``.

    The read type holds every asked asset's ``raster:bands`` ``data_type``, float32 where the table
    gives none; the fill is the first item's ``raster:bands`` nodata, else 0, and each file's
    own nodata is honoured at read.

    The signature is the one proposed for TorchGeo's ``STACDataset`` (torchgeo#3670), so code moves
    both ways.

    Attributes:
        index_path: the table, as given.
        asset_keys: the assets read, in band order (also ``bands``).
        items: the chosen items (:class:`~geotorch.datasets.stac_table.StacItem`: id, time interval,
            unsigned hrefs, grid), in table order.
        sign_href: the signer, or None.
    """

    separate_files: ClassVar[bool] = True

    def __init__(
        self,
        index_path: str | os.PathLike[str],
        asset_keys: Sequence[str],
        *,
        intersects_bbox: Sequence[float] | None = None,
        time_range: Any = None,
        filters: Filters | None = None,
        storage_options: Mapping[str, Any] | None = None,
        sign_href: SignHref | None = None,
        crs: CRSLike | None = None,
        res: float | tuple[float, float] | None = None,
        transforms: Transform | None = None,
        cache: bool = True,
        time_series: bool = False,
    ) -> None:
        """Read the table, choose its items and index them.

        Args:
            index_path: the STAC GeoParquet table: a local file or folder of tables, an ``s3://`` or
                ``gs://`` URL (pyarrow's filesystems; credentials and endpoint from the standard
                environment variables, e.g. ``AWS_ENDPOINT_URL``), or any URL fsspec reads
                (``http(s)://``; with ``storage_options``, object stores too).
            asset_keys: the assets to read, one band each, in sample order.
            intersects_bbox: keep the items whose geometry meets this lon/lat box
                ``(minx, miny, maxx, maxy)`` (degrees, edges included).
            time_range: keep the items whose time meets this inclusive range: ``(start, end)`` (ISO
                strings, datetimes or pandas Timestamps, None for an open end; a date-only string
                spans its whole period) or ``"start/end"``.
            filters: keep the items whose properties pass these: pyarrow-style ``(column, op, value)``
                tuples (ANDed; a list of lists ORs them), e.g. ``[("eo:cloud_cover", "<", 20)]``, or
                strings ``"column op value"`` (``"eo:cloud_cover < 20"``).
            storage_options: fsspec options for a remote ``index_path`` (credentials, endpoint); given
                for an object-store URL, the table is read through fsspec (s3fs, gcsfs, adlfs).
            sign_href: a picklable function giving the signed href of an asset href, called
                whenever a file is opened to read it (and for header reads of items without
                projection fields), never for chosen items at construction otherwise.
            crs: CRS of queries and samples (default: the first item's).
            res: pixel size in ``crs`` units (default: the first item's first asset's, in ``crs``).
            transforms: a function applied to every sample.
            cache: keep files open between reads (see :class:`~geotorch.core.RasterDataset`).
            time_series: samples ``(T, C, H, W)``, one step per acquisition, oldest first.

        Raises:
            DatasetNotFoundError: if there is no table at ``index_path`` (a ``FileNotFoundError``), or no
                item passes the selection (naming it).
            FileNotFoundError: if there is no table at the URL ``index_path``.
            TypeError: if ``sign_href`` is not callable.
            ValueError: if ``asset_keys`` is empty or repeats a key, the table is not a STAC
                GeoParquet item table, a filter or ``time_range`` or ``intersects_bbox`` is malformed,
                or a chosen item lacks an asked asset or declares it of several bands (``raster:bands`` or
                ``eo:bands``; naming the item and the asset).
        """
        self.index_path = str(index_path)
        self.asset_keys = tuple(asset_keys)
        if not self.asset_keys or len(set(self.asset_keys)) != len(self.asset_keys):
            raise ValueError(f"STACDataset: asset_keys must name at least one asset, each once, got {asset_keys!r}")
        if sign_href is not None and not callable(sign_href):
            raise TypeError(f"STACDataset: sign_href must be a function of an href, got {sign_href!r}")
        self.sign_href = sign_href
        self.selection = {"intersects_bbox": intersects_bbox, "time_range": time_range, "filters": filters}
        table = read_table(self.index_path, filters, storage_options)
        self.items = choose_items(
            table, self.index_path, self.asset_keys, intersects_bbox, parse_time_range(time_range)
        )
        super().__init__(
            paths=self.index_path, crs=crs, res=res, transforms=transforms, cache=cache, time_series=time_series
        )

    def select_bands(self, bands: Sequence[str] | None) -> tuple[str, ...]:
        """The bands are the asked assets, in ``asset_keys`` order."""
        return self.asset_keys

    def scene_records(self) -> list[SceneRecord]:
        """The chosen items, each a scene at its footprint and time, its assets its band files.

        The table is the index: footprints come from the items' projection fields (else their first
        asset's header). Every item is its own acquisition (keyed by its time interval), so items of
        one pass are one step of a time series.

        Raises:
            DatasetNotFoundError: if no item passes the selection, naming it.
            ValueError: if an item without projection fields has a first asset that cannot be read.
        """
        if not self.items:
            chosen = ", ".join(f"{name}={value!r}" for name, value in self.selection.items() if value is not None)
            raise DatasetNotFoundError(
                "STACDataset",
                [self.index_path],
                f"no item of the table passes {chosen or 'the selection'} with assets {list(self.asset_keys)}",
            )
        return [
            SceneRecord(
                item.name,
                _profile(item.grid or self._read_grid(item), item),
                item.mint,
                item.maxt,
                item.hrefs if self.sign_href is None else SignedHrefs(item.hrefs, self.sign_href),
            )
            for item in self.items
        ]

    def _read_grid(self, item: StacItem) -> AssetGrid:
        """The grid of ``item``'s first asset, from its header (signed when ``sign_href`` is given).

        Raises:
            ValueError: if the file cannot be opened, naming the item and its href, and GDAL's reason, without the
                values of the signed href's credentials (:func:`geotorch.core.redacted`).
        """
        import rasterio

        href = item.hrefs[0] if self.sign_href is None else signed(self.sign_href, item.hrefs[0])
        try:
            with rasterio.open(href) as source:
                left, bottom, right, top = source.bounds
                return AssetGrid(
                    crs=source.crs.to_wkt(),
                    bounds=(min(left, right), min(bottom, top), max(left, right), max(bottom, top)),
                    res=(abs(source.res[0]), abs(source.res[1])),
                    shape=(source.height, source.width),
                )
        except rasterio.RasterioIOError as error:
            # GDAL quotes the href as opened, signature and all.
            raise ValueError(
                redacted(
                    f"STACDataset: item {item.name!r} has no projection fields (proj:epsg, proj:transform, "
                    f"proj:shape) and its asset {self.asset_keys[0]!r} at {item.hrefs[0]} cannot be read: {error}"
                )
            ) from shown_cause(error)


@functools.lru_cache(maxsize=256)
def _wkt(text: str) -> str:
    """The WKT of a CRS given as a code, WKT or PROJJSON: parsed once per distinct text (tables repeat a few zones)."""
    return str(CRS.from_user_input(text).to_wkt())


def _profile(grid: AssetGrid, item: StacItem) -> RasterProfile:
    """What RasterDataset needs of an item's first file, from its grid and ``raster:bands``.

    Raises:
        ValueError: if the item's projection fields name no CRS PROJ knows, naming the item and the CRS.
    """
    try:
        crs = _wkt(grid.crs)
    except CRSError as error:
        shown = grid.crs if len(grid.crs) <= 80 else f"{grid.crs[:77]}..."
        raise ValueError(
            f"STACDataset: item {item.name!r} gives its CRS (proj:epsg, proj:code, proj:wkt2 or proj:projjson) as "
            f"{shown!r}, which is not a coordinate reference system ({error})"
        ) from error
    return RasterProfile(
        crs=crs,
        bounds=grid.bounds,
        res=grid.res,
        width=grid.shape[1],
        height=grid.shape[0],
        count=1,
        dtype=item.dtype or "float32",
        nodata=item.nodata,
    )
