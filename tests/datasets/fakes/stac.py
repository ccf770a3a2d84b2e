"""STAC items over real GeoTIFFs, and their STAC GeoParquet table (``from tests.datasets.fakes.stac import ...``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import rasterio.warp
import stac_geoparquet.arrow
from rasterio.crs import CRS

from geotorch.core import BoundingBox
from tests.core.rasters import grid, write_raster


@dataclass
class FakeItem:
    """An item whose assets are constant single-band GeoTIFFs: asset ``k`` of the item holds ``values[k]``."""

    id: str
    datetime: str
    crs: int
    left: float
    top: float
    res: float
    size: int
    values: dict[str, int]
    properties: dict[str, Any] = field(default_factory=dict)
    #: Write proj:epsg/proj:transform/proj:shape (else readers must open the file).
    proj: bool = True
    #: Write proj:code, a 9-number proj:transform and proj:shape in each asset instead (as Sentinel-2 catalogues do).
    asset_proj: bool = False

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """``(left, bottom, right, top)`` in the item's CRS."""
        return self.left, self.top - self.size * self.res, self.left + self.size * self.res, self.top


def write_items(
    folder: Path, items: Sequence[FakeItem], href_prefix: str | None = None, relative: bool = False
) -> Path:
    """Write each item's assets as GeoTIFFs in ``folder`` and the items' table as ``folder/items.parquet``.

    Args:
        folder: where the GeoTIFFs and the table go.
        items: the items.
        href_prefix: write hrefs as ``href_prefix + file name`` instead of the files' paths.
        relative: write hrefs relative to the table (the file name alone).

    Returns:
        The table's path.
    """
    table = stac_geoparquet.arrow.parse_stac_items_to_arrow(item_records(folder, items, href_prefix, relative))
    output = folder / "items.parquet"
    stac_geoparquet.arrow.to_parquet(table.read_all(), output)
    return output


def item_records(
    folder: Path, items: Sequence[FakeItem], href_prefix: str | None = None, relative: bool = False
) -> list[dict[str, Any]]:
    """Write each item's assets as GeoTIFFs in ``folder``; return the items as STAC Item dicts (see write_items)."""
    records = []
    for item in items:
        assets = {}
        for key, value in item.values.items():
            name = f"{item.id}_{key}.tif"
            data = np.full((item.size, item.size), value, dtype="uint16")
            path = write_raster(folder / name, data, item.crs, grid(item.left, item.top, item.res))
            href = href_prefix + name if href_prefix else name if relative else str(path)
            assets[key] = {
                "href": href,
                "type": "image/tiff; application=geotiff",
                "roles": ["data"],
                "raster:bands": [{"data_type": "uint16"}],
            }
            if item.asset_proj:
                assets[key] |= {
                    "proj:code": f"EPSG:{item.crs}",
                    "proj:transform": [item.res, 0.0, item.left, 0.0, -item.res, item.top, 0.0, 0.0, 1.0],
                    "proj:shape": [item.size, item.size],
                }
        west, south, east, north = rasterio.warp.transform_bounds(CRS.from_epsg(item.crs), "EPSG:4326", *item.bounds)
        properties: dict[str, Any] = {"datetime": item.datetime, **item.properties}
        if item.proj:
            properties |= {
                "proj:epsg": item.crs,
                "proj:transform": [item.res, 0.0, item.left, 0.0, -item.res, item.top],
                "proj:shape": [item.size, item.size],
            }
        records.append(
            {
                "type": "Feature",
                "stac_version": "1.0.0",
                "stac_extensions": [],
                "id": item.id,
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[west, south], [east, south], [east, north], [west, north], [west, south]]],
                },
                "bbox": [west, south, east, north],
                "properties": properties,
                "assets": assets,
                "links": [],
                "collection": "fake-s2",
            }
        )
    return records


# Three dates of one tile in UTM 31N (10 m) and one tile in UTM 32N (20 m); rows out of time order.
ITEMS = [
    FakeItem(
        "a-0305",
        "2020-03-05T10:30:00Z",
        32631,
        600_000,
        5_000_320,
        10,
        32,
        {"red": 301, "nir": 302},
        {"eo:cloud_cover": 10},
    ),
    FakeItem(
        "a-0105",
        "2020-01-05T10:30:00Z",
        32631,
        600_000,
        5_000_320,
        10,
        32,
        {"red": 101, "nir": 102},
        {"eo:cloud_cover": 5},
    ),
    FakeItem(
        "a-0205",
        "2020-02-05T10:30:00Z",
        32631,
        600_000,
        5_000_320,
        10,
        32,
        {"red": 201, "nir": 202},
        {"eo:cloud_cover": 50},
    ),
    FakeItem(
        "b-0105",
        "2020-01-05T10:31:00Z",
        32632,
        300_000,
        5_000_320,
        20,
        16,
        {"red": 401, "nir": 402},
        {"eo:cloud_cover": 1},
    ),
]
#: A window inside tile a, in UTM 31N.
WINDOW_A = (600_080.0, 600_240.0, 5_000_080.0, 5_000_240.0)


def seconds(text: str) -> float:
    """POSIX seconds of an ISO time (``Z`` for UTC)."""
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC).timestamp()


def query(window: tuple[float, float, float, float], start: str, end: str) -> BoundingBox:
    """The query of ``window`` (minx, maxx, miny, maxy) between two ISO times."""
    return BoundingBox(*window, seconds(start), seconds(end))
