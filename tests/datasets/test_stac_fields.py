"""STAC fields read as the STAC specifications define them: asset CRS over item CRS, intervals, antimeridian bboxes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import stac_geoparquet.arrow
import torch
from rasterio.crs import CRS

from geotorch.core import DatasetNotFoundError
from geotorch.datasets import STACDataset
from tests.datasets.fakes.stac import FakeItem, item_records

#: A 16 x 16 tile of 20 m pixels in UTM 32N whose asset holds 7s.
TILE = FakeItem("x", "2020-01-05T10:30:00Z", 32632, 300_000, 5_000_320, 20, 16, {"red": 7})


def _table(folder: Path, records: list[dict[str, Any]]) -> Path:
    output = folder / "items.parquet"
    stac_geoparquet.arrow.to_parquet(stac_geoparquet.arrow.parse_stac_items_to_arrow(records).read_all(), output)
    return output


@pytest.mark.parametrize("field", ["proj:code", "proj:wkt2"])
def test_an_asset_naming_its_crs_overrides_the_items_crs_named_otherwise(tmp_path: Path, field: str) -> None:
    """Item-level proj:epsg (projection extension 1.x) 32631; the asset's own proj:code or proj:wkt2 says 32632."""
    records = item_records(tmp_path, [TILE])
    properties, asset = records[0]["properties"], records[0]["assets"]["red"]
    properties["proj:epsg"] = 32631
    del properties["proj:transform"], properties["proj:shape"]
    asset |= {
        field: "EPSG:32632" if field == "proj:code" else CRS.from_epsg(32632).to_wkt(),
        "proj:transform": [20.0, 0.0, 300_000.0, 0.0, -20.0, 5_000_320.0],
        "proj:shape": [16, 16],
    }
    dataset = STACDataset(_table(tmp_path, records), ["red"])
    assert dataset.crs == CRS.from_epsg(32632)
    bounds = dataset.bounds
    assert (bounds.minx, bounds.maxx, bounds.miny, bounds.maxy) == (300_000.0, 300_320.0, 5_000_000.0, 5_000_320.0)
    image = dataset[bounds]["image"]
    assert image.shape == (1, 16, 16) and torch.all(image == 7)


def test_an_item_ending_before_it_starts_is_named(tmp_path: Path) -> None:
    records = item_records(tmp_path, [TILE])
    properties = records[0]["properties"]
    properties |= {"datetime": None, "start_datetime": "2020-02-01T00:00:00Z", "end_datetime": "2020-01-01T00:00:00Z"}
    with pytest.raises(
        ValueError, match=r"item 'x' has start_datetime 2020-02-01 00:00:00\+00:00 after its end_datetime"
    ):
        STACDataset(_table(tmp_path, records), ["red"])


def test_a_bbox_across_the_antimeridian_is_met_on_both_sides(tmp_path: Path) -> None:
    """A table without geometry (items chosen by their bbox); STAC writes a bbox across 180 degrees west > east."""
    # A tile of UTM 60S by Fiji's Taveuni, its bbox from 179.5 E to 179.5 W.
    fiji = FakeItem("fiji", "2020-01-05T10:30:00Z", 32760, 800_000, 8_150_000, 20, 16, {"red": 9})
    written = pq.read_table(_table(tmp_path, item_records(tmp_path, [fiji])))
    rows = written.drop_columns(["geometry", "bbox"]).to_pylist()
    rows[0]["bbox"] = [179.5, -16.9, -179.5, -16.6]
    table = tmp_path / "plain.parquet"
    pq.write_table(pa.Table.from_pylist(rows), table)
    for east_or_west in [(179.7, -16.8, 179.9, -16.7), (-179.9, -16.8, -179.7, -16.7), (170.0, -20.0, 180.0, -10.0)]:
        dataset = STACDataset(table, ["red"], intersects_bbox=east_or_west)
        assert len(dataset) == 1, east_or_west
        assert torch.all(dataset[dataset.bounds]["image"] == 9)
    for apart in [(0.0, -16.8, 1.0, -16.7), (-179.4, -16.8, -179.0, -16.7), (179.7, -16.5, 179.9, -16.0)]:
        with pytest.raises(DatasetNotFoundError, match="no item of the table passes"):
            STACDataset(table, ["red"], intersects_bbox=apart)


def test_items_sharing_an_id_in_two_collections_are_both_indexed(tmp_path: Path) -> None:
    """STAC ids are unique within a collection only: one tile's id in two land-cover collections (io-lulc style)."""
    records = []
    for collection, value in (("io-lulc", 3), ("io-lulc-9-class", 9)):
        folder = tmp_path / collection
        folder.mkdir()
        tile = FakeItem("60W-2020", "2020-01-01T00:00:00Z", 32631, 600_000, 5_000_320, 10, 32, {"data": value})
        records += [record | {"collection": collection} for record in item_records(folder, [tile])]
    table = _table(tmp_path, records)
    both = STACDataset(table, ["data"])
    assert len(both) == 2
    assert [record.path for record in both.scene_records()] == ["io-lulc/60W-2020", "io-lulc-9-class/60W-2020"]
    for collection, value in (("io-lulc", 3), ("io-lulc-9-class", 9)):
        one = STACDataset(table, ["data"], filters=[("collection", "==", collection)])
        assert [record.path for record in one.scene_records()] == ["60W-2020"]
        assert torch.all(one[one.bounds]["image"] == value)
    with pytest.raises(ValueError, match=r"holds two items with id '60W-2020' in collection 'io-lulc'"):
        STACDataset(_table(tmp_path, [records[0], records[0]]), ["data"])


def test_file_uri_hrefs_name_local_files(tmp_path: Path) -> None:
    """Absolute file: URIs (STAC hrefs are URIs), percent-encoded as URIs are: read as the files they name."""
    folder = tmp_path / "my scenes"
    folder.mkdir()
    records = item_records(folder, [TILE])
    asset = records[0]["assets"]["red"]
    asset["href"] = Path(asset["href"]).as_uri()
    assert "%20" in asset["href"]
    dataset = STACDataset(_table(tmp_path, records), ["red"])
    assert dataset.items[0].hrefs == (str(folder / "x_red.tif"),)
    assert torch.all(dataset[dataset.bounds]["image"] == 7)
    asset["href"] = "file://server/share/x_red.tif"
    with pytest.raises(ValueError, match=r"file://server/share/x_red\.tif names a file on host 'server'"):
        STACDataset(_table(tmp_path, records), ["red"])


def test_a_table_named_by_a_file_uri_resolves_relative_hrefs_beside_it(tmp_path: Path) -> None:
    """index_path as a percent-encoded file: URI (a folder with a space, file://localhost/...), hrefs relative.

    Also the URI without authority, ``file:/path`` (RFC 8089's minimal form, as Java's File.toURI() writes it),
    which was read as a local path of that spelling (DatasetNotFoundError).
    """
    folder = tmp_path / "my catalogue"
    folder.mkdir()
    records = item_records(folder, [TILE], relative=True)
    table = _table(folder, records)
    uri = table.as_uri()
    for given in (uri, uri.replace("file://", "file://localhost"), uri.replace("file://", "file:")):
        dataset = STACDataset(given, ["red"])
        assert dataset.items[0].hrefs == (str(folder / "x_red.tif"),)
        assert torch.all(dataset[dataset.bounds]["image"] == 7)
