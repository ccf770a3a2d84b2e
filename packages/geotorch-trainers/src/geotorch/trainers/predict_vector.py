"""Polygons of a class raster, per class, as GeoPackage and GeoParquet, read a band of rows at a time."""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import rasterio
import rasterio.features
import shapely
from rasterio.windows import Window

from geotorch.trainers.outputs import remove_stale_temporaries, temporary_of

#: Rows of the class raster polygonized at a time: polygons are cut at every multiple of it.
VECTOR_ROWS = 2048


def polygons(path: Path, simplify: float | None = None) -> Iterator[tuple[shapely.Geometry, int]]:
    """The polygons of each class of the single-band class raster ``path``, nodata left out.

    The raster is read :data:`VECTOR_ROWS` rows at a time, so memory does not grow with its
    height; a region crossing such a row line comes as two polygons (their areas add up to
    the region's).

    Args:
        path: a class raster (``uint8``/``uint16`` with a nodata value).
        simplify: tolerance in the raster's CRS units (about the square root of the area of the
            corners removed) for :func:`shapely.coverage_simplify`, or None to keep the pixel outlines.
            The polygons of a band of rows are simplified together, as the coverage they are: an edge two
            polygons share is simplified once, so they neither overlap nor leave a gap, and the edges of
            the coverage (along nodata, the raster's edges and the bands' row lines) are kept.

    Yields:
        ``(polygon, class)`` in the raster's CRS.
    """
    with rasterio.open(path) as source:
        for top in range(0, source.height, VECTOR_ROWS):
            window = Window(0, top, source.width, min(VECTOR_ROWS, source.height - top))
            labels = source.read(1, window=window)
            valid = labels != source.nodata if source.nodata is not None else None
            transform = source.window_transform(window)
            found = list(rasterio.features.shapes(labels, mask=valid, transform=transform))
            outlines = np.array([shapely.geometry.shape(geometry) for geometry, _ in found], dtype=object)
            if simplify and len(outlines):
                # Simplified one by one, neighbours moved their shared edge apart (6% of an area in no polygon).
                outlines = shapely.coverage_simplify(outlines, simplify, simplify_boundary=False)
            for polygon, (_, value) in zip(outlines, found, strict=True):
                yield polygon, int(value)


def write_polygons(path: Path, class_names: Sequence[str], simplify: float | None = None) -> list[Path]:
    """Write the polygons of the class raster ``path`` beside it as ``<stem>.gpkg`` and ``<stem>.parquet``.

    Each feature has ``class`` (its label) and ``name`` (its class's name). The GeoPackage is
    written with pyogrio, the GeoParquet (1.0.0 metadata, WKB geometry) with pyarrow; each
    under a hidden temporary name, renamed into place when complete.

    Args:
        path: the class raster.
        class_names: the name of each label.
        simplify: see :func:`polygons`.

    Returns:
        The two files written.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq
    import pyogrio.raw

    with rasterio.open(path) as source:
        crs = source.crs
    geometries: list[bytes] = []
    labels: list[int] = []
    for polygon, label in polygons(path, simplify):
        geometries.append(shapely.to_wkb(polygon))
        labels.append(label)
    names = [class_names[label] if label < len(class_names) else f"class_{label}" for label in labels]
    wkb = np.array(geometries, dtype=object)
    gpkg, parquet = path.with_suffix(".gpkg"), path.with_suffix(".parquet")

    def write_gpkg(temporary: Path) -> None:
        with warnings.catch_warnings():
            # The temporary's name ends in .part, not .gpkg, until it is renamed.
            warnings.filterwarnings("ignore", "The filename extension should be", RuntimeWarning)
            pyogrio.raw.write(
                temporary,
                wkb,
                [np.array(labels, dtype="int32"), np.array(names, dtype=object)],
                ["class", "name"],
                crs=crs.to_wkt() if crs else None,
                geometry_type="Polygon",
                driver="GPKG",
                layer=path.stem,
            )

    def write_parquet(temporary: Path) -> None:
        table = pa.table(
            {
                "class": pa.array(labels, pa.int32()),
                "name": pa.array(names, pa.string()),
                "geometry": pa.array(geometries, pa.binary()),
            }
        )
        column: dict[str, Any] = {"encoding": "WKB", "geometry_types": ["Polygon"]}
        if geometries:
            # GeoParquet's bbox is 4 numbers, or absent: an output without polygons (all nodata) has none.
            column["bbox"] = list(shapely.total_bounds(shapely.from_wkb(wkb)))
        column["crs"] = crs.to_dict(projjson=True) if crs else None
        geo: dict[str, Any] = {"version": "1.0.0", "primary_column": "geometry", "columns": {"geometry": column}}
        table = table.replace_schema_metadata({b"geo": json.dumps(geo).encode()})
        pq.write_table(table, temporary)

    for target, write in ((gpkg, write_gpkg), (parquet, write_parquet)):
        _write_atomically(target, write)
    return [gpkg, parquet]


def polygon_paths(path: Path) -> list[Path]:
    """The polygon files that :func:`write_polygons` wrote beside the class raster ``path`` and that are still there.

    A file of those names is counted only when it is such polygons (a GeoPackage whose one layer
    is named after ``path`` with the fields ``class`` and ``name``; a GeoParquet of ``class``,
    ``name`` and ``geometry``), so a file of the user's that happens to have the name is kept.

    Returns:
        ``<stem>.gpkg`` and ``<stem>.parquet``, those of them that exist and are such polygons.
    """
    return [candidate for candidate in (path.with_suffix(".gpkg"), path.with_suffix(".parquet")) if _is_ours(candidate)]


def _is_ours(path: Path) -> bool:
    """Whether ``path`` is a GeoPackage or GeoParquet file of polygons written by :func:`write_polygons`."""
    if not path.is_file():
        return False
    try:
        if path.suffix == ".gpkg":
            import pyogrio

            layers = pyogrio.list_layers(path)
            if [str(name) for name, _ in layers] != [path.stem]:
                return False
            return list(pyogrio.read_info(path, layer=path.stem)["fields"]) == ["class", "name"]
        import pyarrow.parquet as pq

        schema = pq.read_schema(path)
    except ImportError:
        # Without pyarrow no GeoParquet was written here by this installation; it is left alone.
        return False
    except Exception:  # noqa: BLE001 - any file the drivers cannot read is no polygons of ours
        return False
    return schema.names == ["class", "name", "geometry"] and b"geo" in (schema.metadata or {})


def _write_atomically(path: Path, write: Any) -> None:
    remove_stale_temporaries(path)
    temporary = temporary_of(path)
    try:
        write(temporary)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
