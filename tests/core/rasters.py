"""Writers of small real GeoTIFFs and vector files for the core tests (``from tests.core.rasters import ...``)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyogrio.raw
import rasterio
import shapely
from affine import Affine
from rasterio.crs import CRS


def write_raster(
    path: Path,
    array: np.ndarray,
    crs: str | int | CRS,
    transform: Affine,
    nodata: float | None = None,
    tiled: bool = False,
    compress: str | None = None,
) -> Path:
    """Write ``array`` (``(C, H, W)`` or ``(H, W)``) as a GeoTIFF and return its path."""
    data = array[None] if array.ndim == 2 else array
    profile: dict[str, Any] = {
        "driver": "GTiff",
        "count": data.shape[0],
        "height": data.shape[1],
        "width": data.shape[2],
        "dtype": data.dtype,
        "crs": CRS.from_user_input(crs),
        "transform": transform,
        "nodata": nodata,
    }
    if tiled:
        profile.update(tiled=True, blockxsize=16, blockysize=16)
    if compress:
        profile["compress"] = compress
    path.parent.mkdir(parents=True, exist_ok=True)
    with rasterio.open(path, "w", **profile) as destination:
        destination.write(data)
    return path


def grid(left: float, top: float, res: float = 30.0) -> Affine:
    """A north-up transform with square ``res`` pixels whose top-left corner is ``(left, top)``."""
    return Affine(res, 0.0, left, 0.0, -res, top)


def vrt(path: Path, bands: list[tuple[str, str, float | str | None]], width: int, height: int, crs: str,
        transform: tuple[float, ...]) -> Path:
    """A GDAL VRT whose band ``i`` is band 1 of file ``bands[i][0]``, of GDAL type ``bands[i][1]``, with nodata ``[2]``.

    A VRT says what GDAL's writers refuse to write (a band of another type than the others, a nodata
    text such as -3.4e38 that float32 pixels hold only rounded), and GDAL reads it like any raster.
    """
    geotransform = ", ".join(repr(float(value)) for value in transform)
    xml = [f'<VRTDataset rasterXSize="{width}" rasterYSize="{height}"><SRS>{crs}</SRS>'
           f"<GeoTransform>{geotransform}</GeoTransform>"]
    for number, (source, data_type, nodata) in enumerate(bands, start=1):
        xml.append(f'<VRTRasterBand dataType="{data_type}" band="{number}">')
        if nodata is not None:
            xml.append(f"<NoDataValue>{nodata}</NoDataValue>")
        xml.append(f"<SimpleSource><SourceFilename>{source}</SourceFilename><SourceBand>1</SourceBand>"
                   "</SimpleSource></VRTRasterBand>")
    path.write_text("".join(xml) + "</VRTDataset>")
    return path


def random_bands(shape: tuple[int, ...], dtype: str = "uint16", seed: int = 0, low: int = 1) -> np.ndarray:
    """Reproducible random pixel values in ``[low, 1000)``: never 0, so 0 can mean nodata."""
    return np.random.default_rng(seed).integers(low, 1000, size=shape).astype(dtype)


def damage_first_tile(path: Path) -> None:
    """Overwrite the compressed bytes of the file's first tile with garbage."""
    with rasterio.open(path) as source:
        offset = int(source.get_tag_item("BLOCK_OFFSET_0_0", "TIFF", bidx=1))
        size = int(source.get_tag_item("BLOCK_SIZE_0_0", "TIFF", bidx=1))
    with path.open("r+b") as stream:
        stream.seek(offset)
        stream.write(b"\xff" * size)


def write_vector(
    path: Path,
    geometries: Sequence[shapely.Geometry],
    crs: str,
    labels: Sequence[int] | None = None,
    driver: str = "GeoJSON",
) -> Path:
    """Write polygons, with an integer ``label`` attribute when given, as a vector file."""
    fields = ["label"] if labels is not None else []
    field_data = [np.asarray(labels, dtype=np.int32)] if labels is not None else []
    path.parent.mkdir(parents=True, exist_ok=True)
    pyogrio.raw.write(
        path,
        geometry=shapely.to_wkb(np.asarray(geometries, dtype=object)),
        field_data=field_data,
        fields=fields,
        crs=crs,
        geometry_type="Polygon",
        driver=driver,
    )
    return path
