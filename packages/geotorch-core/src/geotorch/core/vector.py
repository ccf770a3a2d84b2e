"""VectorDataset: shapefiles, GeoJSON and GeoPackages rasterized onto each query's grid."""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any, ClassVar

import numpy as np
import pyogrio
import rtree.index
import shapely
import torch
from pyproj import CRS as ProjCRS
from rasterio.crs import CRS
from rasterio.features import rasterize

from geotorch.core.bbox import BoundingBox
from geotorch.core.crs import CRSLike, as_crs, crs_name, horizontal, same_crs
from geotorch.core.errors import DatasetNotFoundError, LabelValueError
from geotorch.core.files import Paths, as_locations
from geotorch.core.geo import Footprint, GeoDataset, as_res
from geotorch.core.geoparquet import GeoParquetError
from geotorch.core.globe_features import burn_circling, circling, torn
from geotorch.core.grid import Grid
from geotorch.core.labels import class_ids
from geotorch.core.log_secrets import redacted_warnings
from geotorch.core.remote import Location
from geotorch.core.sample import Sample, Transform
from geotorch.core.timestamps import interval_from_match
from geotorch.core.url_secrets import redacted
from geotorch.core.vector_extents import is_local_geoparquet, layer_info, placed_extent, source_of
from geotorch.core.vector_files import find_vector_files
from geotorch.core.vector_reads import read_features
from geotorch.core.vector_reprojection import TORN_EDGE_M, metres_per_unit, reprojected, turns
from geotorch.core.wrap import seam_of

#: The range of pixel sizes, in metres on the ground, that ``res`` is not warned of (see warn_of_unlikely_res).
FINEST_PIXEL_M, COARSEST_PIXEL_M = 1e-3, 1e6
#: Companion files of multi-file formats: never opened on their own.
SIDECAR_SUFFIXES = frozenset({".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx", ".xml", ".qmd", ".aux"})


@dataclass(frozen=True)
class _Features:
    """One file's features: its class ids in file order, ``labels``, and how each is burnt.

    Most are ``geometries`` in the dataset's CRS, with a spatial index and their x extent
    ``(min, max)``, at positions ``order`` of the file's features; those circling the globe
    (see :func:`geotorch.core.globe_features.circling`) stay in the file's geographic CRS,
    ``source``, as ``circling``, at positions ``circling_order``.
    """

    geometries: np.ndarray
    order: np.ndarray
    labels: np.ndarray
    tree: shapely.STRtree
    extent: tuple[float, float]
    circling: np.ndarray
    circling_order: np.ndarray
    source: CRS


class VectorDataset(GeoDataset):
    """Vector files whose features are burnt into a ``mask`` on the query's grid.

    Attributes:
        filename_glob: glob that selects the files inside the given folders.
        filename_regex: verbose regex on the file name (``date`` groups as in RasterDataset).
        date_format: ``strptime`` format of the date groups.

    Features crossing the antimeridian (in their CRS or the dataset's: a field in UTM zone 1N
    read in EPSG:4326 or Web Mercator), and geographic features written with longitudes past
    it (179.5 to 180.5 degrees), are burnt where they lie on the globe, on both sides.
    Features spanning every longitude (an ocean, the globe, in a geographic CRS or Web Mercator)
    read in a CRS without a seam (UTM, LAEA, polar) are burnt on the pixels whose centres they
    hold, each centre tested in the features' own CRS (see :func:`geotorch.core.globe_features.circling`).
    """

    filename_glob: ClassVar[str] = "*"
    filename_regex: ClassVar[str] = ".*"
    date_format: ClassVar[str] = "%Y%m%d"
    wraps_longitudes: ClassVar[bool] = True

    def __init__(
        self,
        paths: Paths | None = None,
        crs: CRSLike | None = None,
        res: float | tuple[float, float] = 0.0001,
        transforms: Transform | None = None,
        label_name: str | None = None,
        *,
        root: Paths | None = None,
        all_touched: bool = False,
        layer: str | int | None = None,
    ) -> None:
        """Find and index the vector files.

        Args:
            paths: a folder (searched recursively), a file, or a list of both; an Esri File
                Geodatabase (a ``*.gdb`` folder) is one file of layers; a URL (``https://``, ``s3://``...)
                or GDAL virtual path (``/vsizip/...``) is one file, read by GDAL as TorchGeo reads it.
            crs: CRS of queries and samples (default: the first file's).
            res: pixel size of the rasterized mask, in ``crs`` units.
            transforms: a function applied to every sample.
            label_name: attribute holding each feature's integer class id;
                when None every feature is burnt as 1.
            root: alias of ``paths``.
            all_touched: burn every pixel a feature touches, not only those
                whose centre it covers.
            layer: the layer to read of each file, by name or position from 0
                (a GeoPackage holds several); files without it are skipped with a
                warning. When None, a file's first layer of features, with a warning
                naming the others where it has several (TorchGeo's rule, warned of).

        Raises:
            DatasetNotFoundError: if no readable vector file matches.
            TypeError: if ``layer`` is neither a name nor a whole number.
            ValueError: if ``crs`` is not a CRS rasterio reads (naming it), or ``label_name`` is not an
                attribute of a file.
        """
        if layer is not None and (isinstance(layer, bool) or not isinstance(layer, (str, int))):
            raise TypeError(
                f"{type(self).__name__}: layer={layer!r} must be a layer's name or its position from 0 in each file"
            )
        self.paths: Sequence[Location] = as_locations(paths, root, type(self).__name__)
        self.transforms = transforms
        self.label_name = label_name
        self.all_touched = all_touched
        self.layer = layer
        # The name of the layer read from each indexed file.
        self._layers: dict[str, str] = {}
        self._res = as_res(res)
        # Checked before any file is searched: a bad crs is named even where no data is.
        given_crs = as_crs(crs, type(self).__name__) if crs is not None else None
        footprints = self._scan()
        self._crs = given_crs if given_crs is not None else footprints[0].crs
        warn_of_unlikely_res(type(self).__name__, self._res, self._crs)
        self._features: dict[str, _Features] = {}
        self._index_footprints(footprints)

    @property
    def channels(self) -> Mapping[str, int]:
        """``{"mask": 1}``."""
        return {"mask": 1}

    def _scan(self) -> list[Footprint]:
        pattern = re.compile(self.filename_regex, re.VERBOSE)
        footprints = []
        # Files read whose layer has no feature with a shape: an empty export, named if nothing else is found.
        featureless: list[str] = []
        for path in find_vector_files(self.paths, self.filename_glob):
            match = pattern.match(path.name)
            suffix = PurePosixPath(path.name).suffix
            if match is None or suffix.lower() in SIDECAR_SUFFIXES:
                continue
            try:
                with redacted_warnings():
                    layer = "" if is_local_geoparquet(path) else self._layer_in(path)
                    # Some drivers (GeoJSONSeq, SQLite) only report bounds when forced to compute them.
                    info = None if layer is None else layer_info(path, layer)
            except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, GeoParquetError) as error:
                warnings.warn(
                    redacted(f"{type(self).__name__}: skipping {path}: not a readable vector file ({error})"),
                    stacklevel=3,
                )
                continue
            if layer is None or info is None:
                continue
            if info["geometry_type"] is None or info["total_bounds"] is None:
                featureless.append(str(path))
                continue
            if info["crs"] is None:
                # Features without a CRS cannot be placed on the dataset's grid; dropped unseen, their area read empty.
                warnings.warn(
                    redacted(
                        f"{type(self).__name__}: skipping {path}: it has no CRS (a shapefile without its .prj?); "
                        f"give it one, e.g. ogr2ogr -a_srs EPSG:<code> fixed{suffix} {path}"
                    ),
                    stacklevel=3,
                )
                continue
            if self.label_name is not None and self.label_name not in list(info["fields"]):
                raise ValueError(
                    f"{type(self).__name__}: label_name={self.label_name!r} is not an attribute of "
                    f"{redacted(str(path))}; it has {list(info['fields'])}"
                )
            mint, maxt = interval_from_match(match, self.date_format, str(path))
            # A file's heights' CRS aside (a compound CRS), as rasters' (see crs.horizontal).
            crs = horizontal(CRS.from_user_input(info["crs"]))
            extent = tuple(float(value) for value in info["total_bounds"])
            with redacted_warnings():
                placed, left_out = placed_extent(path, layer, crs, (extent[0], extent[1], extent[2], extent[3]))
            if left_out:
                warnings.warn(
                    redacted(
                        f"{type(self).__name__}: {path}: {left_out} feature(s) lie at no place on the Earth in "
                        f"{crs_name(crs)} (beyond a pole, or an export's 'no coordinate' sentinel such as 1e30); "
                        + ("they burn nothing and are left out of the index's bounds" if placed is not None
                           else "skipping it: no feature is left")
                    ),
                    stacklevel=3,
                )
            if placed is None:
                continue
            minx, miny, maxx, maxy = placed
            footprints.append(Footprint(crs, (minx, maxx, miny, maxy), mint, maxt, str(path)))
            self._layers[str(path)] = layer
        if not footprints:
            hint = f"no readable vector file matches filename_glob={self.filename_glob!r}; pass paths=..."
            if featureless:
                files = "the vector file matches but holds" if len(featureless) == 1 else (
                    f"{len(featureless)} vector files match but hold"
                )
                hint = f"{files} no feature with a shape: {', '.join(featureless)}; pass paths=... of files that do"
            raise DatasetNotFoundError(type(self).__name__, [str(path) for path in self.paths], hint)
        return footprints

    def _layer_in(self, path: Location) -> str | None:
        """The name of the layer of ``path`` to read, or None (with a warning) if it lacks ``self.layer``.

        When ``layer`` is None: the first layer with geometries (a File Geodatabase may list attribute
        tables first), warning, naming them, where there are several.
        """
        layers = [(str(name), geometry) for name, geometry in pyogrio.list_layers(source_of(path))]
        names = [name for name, _ in layers]
        if self.layer is None:
            spatial = [name for name, geometry in layers if geometry is not None] or names
            if len(spatial) > 1:
                warnings.warn(
                    f"{type(self).__name__}: {redacted(str(path))} has {len(spatial)} layers of features {spatial}; "
                    f"reading its first, {spatial[0]!r}, alone: give layer=<name> to read another",
                    stacklevel=4,
                )
            return spatial[0] if spatial else None
        if isinstance(self.layer, int):
            found = names[self.layer] if 0 <= self.layer < len(names) else None
        else:
            found = self.layer if self.layer in names else None
        if found is None:
            warnings.warn(
                f"{type(self).__name__}: skipping {redacted(str(path))}: it has no layer {self.layer!r} (its "
                f"layers: {names})",
                stacklevel=4,
            )
        return found

    def _retarget_index(self) -> None:
        self._features = {}
        super()._retarget_index()

    def _load(self, path: str) -> _Features:
        """Read every feature of ``path`` once, reprojected to the dataset's CRS."""
        cached = self._features.get(path)
        if cached is not None:
            return cached
        columns = [self.label_name] if self.label_name else []
        meta, fids, wkb, fields = read_features(path, self._layers[path], columns, type(self).__name__)
        geometries = shapely.from_wkb(wkb)
        source_crs = CRS.from_user_input(meta["crs"])
        # A feature without a shape (null or empty geometry) burns nothing: its label is neither read nor checked.
        keep = ~shapely.is_missing(geometries) & ~shapely.is_empty(geometries)
        geometries = geometries[keep]
        labels = self._labels(path, fids[keep], fields[0][keep]) if self.label_name else np.ones(keep.sum(), np.int64)
        around = np.zeros(len(geometries), dtype=bool)
        if not same_crs(source_crs, self.crs):
            around = circling(geometries, source_crs, self.crs)
            moved = geometries.copy()
            moved[~around] = reprojected(geometries[~around], source_crs, self.crs)
            # Features torn apart or off the map are burnt pixel by pixel in their own CRS, where they lie.
            around |= shapely.is_missing(moved) | torn(moved, self.crs, TORN_EDGE_M / metres_per_unit(self.crs))
            geometries = np.where(around, geometries, moved)
        kept = geometries[~around]
        left, _, right, _ = shapely.total_bounds(kept) if len(kept) else (0.0, 0.0, 0.0, 0.0)
        features = _Features(
            kept, np.flatnonzero(~around), labels, shapely.STRtree(kept), (float(left), float(right)),
            geometries[around], np.flatnonzero(around), source_crs,
        )
        self._features[path] = features
        return features

    def _labels(self, path: str, fids: np.ndarray, values: np.ndarray) -> np.ndarray:
        """The class id of each feature of ``path``, exactly, or an error naming the file, feature and value."""
        try:
            labels = class_ids(self.labels_of(values))
        except LabelValueError as error:
            fid = int(fids[error.position]) if error.position < len(fids) else error.position
            reason = f"{error.reason} ({self.label_name!r} of {redacted(path)})"
            raise LabelValueError(fid, error.value, reason) from None
        if labels.shape != (len(fids),):
            raise ValueError(
                f"{type(self).__name__}.labels_of returned {labels.shape[0]} labels for the "
                f"{len(fids)} features of {redacted(path)}; it must return one per feature"
            )
        return labels

    def labels_of(self, values: np.ndarray) -> np.ndarray:
        """Class ids of features from the values of their ``label_name`` attribute.

        Override to map a product's codes to ordinal classes. The default keeps
        each value exactly (ten-digit crop codes stay themselves): integers,
        integral floats and integer text become int64.

        Args:
            values: the attribute's value for each feature, ``(N,)``.

        Returns:
            One int64 class id per feature, ``(N,)``.

        Raises:
            LabelValueError: if a value is missing, not an integer, or beyond int64
                (the dataset adds the file and the feature's FID to the message).
        """
        return class_ids(values)

    def _getitem(self, query: BoundingBox, hits: Sequence[rtree.index.Item]) -> Sample:
        """Rasterize the features of the files of ``hits`` that intersect ``query`` onto its grid."""
        grid = Grid.from_bbox(query, self.crs, self.res)
        geometries: list[np.ndarray] = []
        # Features are told apart, and burnt in order, by their numbers: the files' features counted in file order.
        numbers: list[np.ndarray] = []
        around: list[tuple[np.ndarray, np.ndarray, CRS]] = []
        # The numbers of every feature burnt, regular or circling, and their labels.
        numbered: list[np.ndarray] = []
        labels: list[np.ndarray] = []
        first = 0
        seam = seam_of(self.crs)
        # A file crossing the antimeridian has an entry on each side: read it once.
        for path in dict.fromkeys(str(hit.object) for hit in hits):
            features = self._load(path)
            if len(features.circling):
                around.append((features.circling, first + features.circling_order, features.source))
                numbered.append(first + features.circling_order)
                labels.append(features.labels[features.circling_order])
            found_parts: list[np.ndarray] = []
            moved_parts: list[np.ndarray] = []
            for shift in turns(features.extent, query, seam):
                # Features past the seam (x beyond 180 degrees) burn where they lie on the globe, a turn away.
                found = features.tree.query(
                    shapely.box(query.minx - shift, query.miny, query.maxx - shift, query.maxy), predicate="intersects"
                )
                moved = features.geometries[found]
                found_parts.append(found)
                moved_parts.append(
                    moved if shift == 0 else shapely.transform(moved, lambda xy, by=shift: xy + np.array([by, 0.0]))
                )
            # The tree gives features in its own order; burnt in the file's, the later of overlapping ones wins.
            order = np.argsort(np.concatenate(found_parts), kind="stable")
            geometries.append(np.concatenate(moved_parts)[order])
            positions = features.order[np.concatenate(found_parts)[order]]
            numbers.append(first + positions)
            numbered.append(first + positions)
            labels.append(features.labels[positions])
            first += len(features.labels)
        # GDAL burns values through a double, which rounds int64 codes beyond 2**53: burn each feature's rank
        # among those burnt, from 1, then look the labels up.
        every = np.concatenate([np.zeros(0, dtype=np.int64), *numbered])
        ranking = np.argsort(every, kind="stable")
        ordered = every[ranking]
        table = np.concatenate([np.zeros(1, dtype=np.int64), *labels])[np.concatenate([[0], ranking + 1])]
        burnt_ranks = np.zeros((grid.height, grid.width), dtype=np.uint32)
        if sum(len(part) for part in numbers):
            ranks = np.searchsorted(ordered, np.concatenate(numbers)) + 1
            burnt_ranks = rasterize(
                zip(np.concatenate(geometries), ranks.tolist(), strict=True),
                out_shape=(grid.height, grid.width),
                transform=grid.transform,
                fill=0,
                all_touched=self.all_touched,
                dtype=np.uint32,
            )
        for circling_geometries, circling_numbers, source in around:
            circling_ranks = np.searchsorted(ordered, circling_numbers) + 1
            burnt_ranks = burn_circling(burnt_ranks, grid, circling_geometries, circling_ranks, source)
        burnt = table[burnt_ranks]
        return {"crs": self.crs, "bounds": query, "mask": torch.from_numpy(burnt)}

    def plot(self, sample: Sample, show_titles: bool = True, suptitle: str | None = None) -> Any:
        """Draw the sample's mask (and ``prediction`` when present).

        Returns:
            A matplotlib Figure.
        """
        from geotorch.core.plotting import plot_sample

        return plot_sample(sample, show_titles=show_titles, suptitle=suptitle)


def warn_of_unlikely_res(owner: str, res: tuple[float, float], crs: CRS) -> None:
    """Warn when ``res`` makes pixels finer than a millimetre or coarser than 1000 km on the ground.

    Vector files have no pixel size to compare ``res`` with (as RasterDataset does), but such a pixel
    is a slip of units: TorchGeo's default 0.0001 (about 11 m in degrees) taken in a projected CRS is
    a 0.1 mm pixel (a 10 m window then needs a 100000 x 100000 grid, numpy's MemoryError); metres given
    in degrees (``res=10``) make 1100 km pixels. Degrees count 111 km each (at the equator).

    Args:
        owner: the dataset class's name, for the message.
        res: ``(x, y)`` in ``crs`` units.
        crs: the dataset's CRS.
    """
    axis = ProjCRS.from_wkt(crs.to_wkt()).axis_info[0]
    sizes = [value * metres_per_unit(crs) for value in res]
    if all(FINEST_PIXEL_M <= size <= COARSEST_PIXEL_M for size in sizes):
        return
    default = " (the default, as TorchGeo's, meant as degrees: about 11 m)" if res == (0.0001, 0.0001) else ""
    warnings.warn(
        f"{owner}: res={res}{default} is in the units of {crs.to_string()}, {axis.unit_name}: pixels of about "
        f"{sizes[0]:.3g} x {sizes[1]:.3g} m on the ground; give res in {axis.unit_name}",
        UserWarning,
        stacklevel=3,
    )


