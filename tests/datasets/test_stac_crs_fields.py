"""STAC items naming their CRS as the projection extension allows: PROJJSON read, a CRS PROJ does not know named.

An item giving its CRS as ``proj:projjson`` alone (the extension's way for a CRS without a code)
was taken for one without projection fields: its first asset's header was opened instead (one
request per item for a remote catalogue), and where that file could not be read the dataset
failed with "item 'x' has no projection fields". An unknown ``proj:code`` raised rasterio's bare
CRSError, naming no item.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyproj
import pytest
import stac_geoparquet.arrow
from rasterio.crs import CRS

from geotorch.datasets import STACDataset
from tests.datasets.fakes.stac import FakeItem, item_records

#: Two 16 x 16 tiles of 20 m pixels, in UTM 32N and 31N.
TILES = [
    FakeItem("x", "2020-01-05T10:30:00Z", 32632, 300_000, 5_000_320, 20, 16, {"red": 7}),
    FakeItem("y", "2020-01-06T10:30:00Z", 32631, 700_000, 5_000_320, 20, 16, {"red": 9}),
]


def _table(folder: Path, records: list[dict[str, Any]]) -> Path:
    output = folder / "items.parquet"
    stac_geoparquet.arrow.to_parquet(stac_geoparquet.arrow.parse_stac_items_to_arrow(records).read_all(), output)
    return output


def test_items_naming_their_crs_by_projjson_alone_are_placed_without_opening_their_files(tmp_path: Path) -> None:
    records = item_records(tmp_path, TILES)
    for record, tile in zip(records, TILES, strict=True):
        properties = record["properties"]
        del properties["proj:epsg"]
        properties["proj:projjson"] = pyproj.CRS.from_epsg(tile.crs).to_json_dict()
    # The second without its id: the table's struct holds it as None there.
    del records[1]["properties"]["proj:projjson"]["id"]
    table = _table(tmp_path, records)
    for record in records:
        Path(record["assets"]["red"]["href"]).unlink()  # not yet downloaded, say
    dataset = STACDataset(table, ["red"])
    assert len(dataset) == 2 and dataset.crs == CRS.from_epsg(32632)
    bounds = dataset.bounds  # x's east and south edges; y, in UTM 31N, lies west of x
    assert (bounds.maxx, bounds.miny) == (300_320.0, 5_000_000.0) and bounds.minx < 300_000.0


def test_an_item_naming_a_crs_proj_does_not_know_is_named(tmp_path: Path) -> None:
    records = item_records(tmp_path, TILES[:1])
    properties = records[0]["properties"]
    del properties["proj:epsg"]
    properties["proj:code"] = "EPSG:99999"
    with pytest.raises(ValueError, match=r"^STACDataset: item 'x' gives its CRS .* as 'EPSG:99999', which is not a"):
        STACDataset(_table(tmp_path, records), ["red"])
