"""VectorDataset: shapefiles, GeoJSON and GeoPackages rasterized onto each query's grid."""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pyogrio
import rtree.index
import shapely
import torch
from rasterio.crs import CRS
from rasterio.features import rasterize

from geotorch.core.bbox import BoundingBox
from geotorch.core.crs import transformer
from geotorch.core.errors import DatasetNotFoundError, LabelValueError
from geotorch.core.files import Paths, as_path_list, find_files
from geotorch.core.geo import Footprint, GeoDataset, as_res
from geotorch.core.grid import Grid
from geotorch.core.labels import class_ids
from geotorch.core.sample import Sample, Transform
from geotorch.core.timestamps import interval_from_match

#: Companion files of multi-file formats: never opened on their own.
SIDECAR_SUFFIXES = frozenset({".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx", ".xml", ".qmd", ".aux"})


@dataclass(frozen=True)
class _Features:
    """One file's features in the dataset's CRS, with a spatial index."""

    geometries: np.ndarray
    labels: np.ndarray
    tree: shapely.STRtree


class VectorDataset(GeoDataset):
    """Vector files whose features are burnt into a ``mask`` on the query's grid.

    Attributes:
        filename_glob: glob that selects the files inside the given folders.
        filename_regex: verbose regex on the file name (``date`` groups as in RasterDataset).
        date_format: ``strptime`` format of the date groups.
    """

    filename_glob: ClassVar[str] = "*"
    filename_regex: ClassVar[str] = ".*"
    date_format: ClassVar[str] = "%Y%m%d"

    def __init__(
        self,
        paths: Paths | None = None,
        crs: CRS | str | int | None = None,
        res: float | tuple[float, float] = 0.0001,
        transforms: Transform | None = None,
        label_name: str | None = None,
        *,
        root: Paths | None = None,
        all_touched: bool = False,
    ) -> None:
        """Find and index the vector files.

        Args:
            paths: a folder (searched recursively), a file, or a list of both.
            crs: CRS of queries and samples (default: the first file's).
            res: pixel size of the rasterized mask, in ``crs`` units.
            transforms: a function applied to every sample.
            label_name: attribute holding each feature's integer class id;
                when None every feature is burnt as 1.
            root: alias of ``paths``.
            all_touched: burn every pixel a feature touches, not only those
                whose centre it covers.

        Raises:
            DatasetNotFoundError: if no readable vector file matches.
            ValueError: if ``label_name`` is not an attribute of a file.
        """
        self.paths = as_path_list(paths, root, type(self).__name__)
        self.transforms = transforms
        self.label_name = label_name
        self.all_touched = all_touched
        self._res = as_res(res)
        footprints = self._scan()
        self._crs = CRS.from_user_input(crs) if crs is not None else footprints[0].crs
        self._features: dict[str, _Features] = {}
        self._index_footprints(footprints)

    @property
    def channels(self) -> Mapping[str, int]:
        """``{"mask": 1}``."""
        return {"mask": 1}

    def _scan(self) -> list[Footprint]:
        pattern = re.compile(self.filename_regex, re.VERBOSE)
        footprints = []
        for path in find_files(self.paths, self.filename_glob):
            match = pattern.match(path.name)
            if match is None or path.suffix.lower() in SIDECAR_SUFFIXES:
                continue
            try:
                # Some drivers (GeoJSONSeq, SQLite) only report bounds when forced to compute them.
                info = pyogrio.read_info(path, force_total_bounds=True)
            except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as error:
                warnings.warn(
                    f"{type(self).__name__}: skipping {path}: not a readable vector file ({error})", stacklevel=3
                )
                continue
            if info["crs"] is None or info["geometry_type"] is None or info["total_bounds"] is None:
                continue
            if self.label_name is not None and self.label_name not in list(info["fields"]):
                raise ValueError(
                    f"{type(self).__name__}: label_name={self.label_name!r} is not an attribute of {path}; "
                    f"it has {list(info['fields'])}"
                )
            minx, miny, maxx, maxy = (float(value) for value in info["total_bounds"])
            mint, maxt = interval_from_match(match, self.date_format, str(path))
            crs = CRS.from_user_input(info["crs"])
            footprints.append(Footprint(crs, (minx, maxx, miny, maxy), mint, maxt, str(path)))
        if not footprints:
            raise DatasetNotFoundError(
                type(self).__name__,
                list(self.paths),
                f"no readable vector file matches filename_glob={self.filename_glob!r}; pass paths=...",
            )
        return footprints

    def _retarget_index(self) -> None:
        self._features = {}
        super()._retarget_index()

    def _load(self, path: str) -> _Features:
        """Read every feature of ``path`` once, reprojected to the dataset's CRS."""
        cached = self._features.get(path)
        if cached is not None:
            return cached
        columns = [self.label_name] if self.label_name else []
        meta, fids, wkb, fields = pyogrio.raw.read(path, columns=columns, return_fids=True)
        geometries = shapely.from_wkb(wkb)
        source_crs = CRS.from_user_input(meta["crs"])
        if source_crs != self.crs:
            to_dataset = transformer(source_crs, self.crs)
            geometries = shapely.transform(
                geometries, lambda xy: np.column_stack(to_dataset.transform(xy[:, 0], xy[:, 1]))
            )
        labels = self._labels(path, fids, fields[0]) if self.label_name else np.ones(len(geometries), dtype=np.int64)
        keep = ~shapely.is_missing(geometries) & ~shapely.is_empty(geometries)
        features = _Features(geometries[keep], labels[keep], shapely.STRtree(geometries[keep]))
        self._features[path] = features
        return features

    def _labels(self, path: str, fids: np.ndarray, values: np.ndarray) -> np.ndarray:
        """The class id of each feature of ``path``, exactly, or an error naming the file, feature and value."""
        try:
            labels = class_ids(self.labels_of(values))
        except LabelValueError as error:
            fid = int(fids[error.position]) if error.position < len(fids) else error.position
            raise LabelValueError(fid, error.value, f"{error.reason} ({self.label_name!r} of {path})") from None
        if labels.shape != (len(fids),):
            raise ValueError(f"{type(self).__name__}.labels_of returned {labels.shape[0]} labels for the "
                             f"{len(fids)} features of {path}; it must return one per feature")
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
        box = shapely.box(query.minx, query.miny, query.maxx, query.maxy)
        geometries: list[np.ndarray] = []
        labels: list[np.ndarray] = []
        for hit in hits:
            features = self._load(str(hit.object))
            found = features.tree.query(box, predicate="intersects")
            geometries.append(features.geometries[found])
            labels.append(features.labels[found])
        burnt = np.zeros((grid.height, grid.width), dtype=np.int64)
        if sum(len(found) for found in labels):
            # GDAL burns values through a double, which rounds int64 codes beyond 2**53: burn each
            # feature's position in the table of distinct labels instead, then look the labels up.
            table, positions = np.unique(np.concatenate(labels), return_inverse=True)
            burnt_positions = rasterize(
                zip(np.concatenate(geometries), (positions + 1).tolist(), strict=True),
                out_shape=(grid.height, grid.width),
                transform=grid.transform,
                fill=0,
                all_touched=self.all_touched,
                dtype=np.uint32,
            )
            burnt = np.concatenate([[0], table])[burnt_positions]
        return {"crs": self.crs, "bounds": query, "mask": torch.from_numpy(burnt)}

    def plot(self, sample: Sample, show_titles: bool = True, suptitle: str | None = None) -> Any:
        """Draw the sample's mask (and ``prediction`` when present).

        Returns:
            A matplotlib Figure.
        """
        from geotorch.core.plotting import plot_sample

        return plot_sample(sample, show_titles=show_titles, suptitle=suptitle)
