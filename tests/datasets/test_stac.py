"""STACDataset over STAC GeoParquet tables written here, pointing at real GeoTIFFs in two UTM zones."""

from __future__ import annotations

import pickle
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import rasterio.warp
import stac_geoparquet.arrow
import torch

from geotorch.core import BoundingBox, DatasetNotFoundError, RasterDataset, get_dataset, list_datasets, stack_samples
from geotorch.core.testing import GeoDatasetConformance
from geotorch.datasets import STACDataset
from tests.conftest import LocalHTTPServer
from tests.core.rasters import grid, write_raster
from tests.datasets.fakes.stac import ITEMS, WINDOW_A, FakeItem, item_records, query, seconds, write_items


@pytest.fixture
def table(tmp_path: Path) -> Path:
    return write_items(tmp_path, ITEMS)


def test_len_counts_the_items_each_selection_keeps(table: Path) -> None:
    assert len(STACDataset(table, ["red"])) == 4
    assert len(STACDataset(table, ["red"], filters=[("eo:cloud_cover", "<", 20)])) == 3
    assert len(STACDataset(table, ["red"], filters="eo:cloud_cover < 20")) == 3
    assert len(STACDataset(table, ["red"], filters=["eo:cloud_cover >= 5", "eo:cloud_cover <= 10"])) == 2
    # Inclusive: a date-only end spans its whole day, a month its whole month.
    assert len(STACDataset(table, ["red"], time_range=("2020-02-05", "2020-03-05"))) == 2
    assert len(STACDataset(table, ["red"], time_range="2020-01/2020-01")) == 2
    assert len(STACDataset(table, ["red"], time_range=(None, datetime(2020, 1, 5, 10, 30, tzinfo=UTC)))) == 1
    # Tile a lies near 4.3 E, tile b near 6.4 E.
    assert len(STACDataset(table, ["red"], intersects_bbox=(4.0, 45.0, 5.0, 45.5))) == 3
    assert len(STACDataset(table, ["red"], intersects_bbox=(6.0, 45.0, 7.0, 45.5), time_range=("2020-01", None))) == 1


def test_bands_follow_asset_keys_and_hold_each_assets_pixels(table: Path) -> None:
    dataset = STACDataset(table, ["nir", "red"], crs="EPSG:32631")
    assert dataset.crs == rasterio.crs.CRS.from_epsg(32631) and dataset.res == (10.0, 10.0)
    sample = dataset[query(WINDOW_A, "2020-02-05T00:00:00Z", "2020-02-05T23:59:59Z")]
    image = sample["image"]
    assert image.dtype == torch.float32 and image.shape == (2, 16, 16)
    assert torch.all(image[0] == 202) and torch.all(image[1] == 201)


def test_items_of_another_crs_and_resolution_are_aligned(table: Path) -> None:
    dataset = STACDataset(table, ["red", "nir"], crs="EPSG:32631", res=10)
    # Tile b's middle (UTM 32N, 20 m pixels), in UTM 31N.
    left, bottom, right, top = rasterio.warp.transform_bounds(
        "EPSG:32632", "EPSG:32631", 300_080, 5_000_080, 300_240, 5_000_240
    )
    sample = dataset[query((left, right, bottom, top), "2020-01-05T00:00:00Z", "2020-01-06T00:00:00Z")]
    assert sample["image"].shape[1:] == (round((top - bottom) / 10), round((right - left) / 10))
    assert torch.all(sample["image"][0] == 401) and torch.all(sample["image"][1] == 402)


def test_time_series_stacks_the_items_oldest_first(table: Path) -> None:
    dataset = STACDataset(table, ["red", "nir"], time_series=True, crs="EPSG:32631")
    sample = dataset[query(WINDOW_A, "2020-01-01T00:00:00Z", "2020-12-31T00:00:00Z")]
    image = sample["image"]
    assert image.shape == (3, 2, 16, 16)
    assert [int(step[0, 0, 0]) for step in image] == [101, 201, 301]
    assert [int(step[1, 0, 0]) for step in image] == [102, 202, 302]
    expected = [seconds(f"2020-0{month}-05T10:30:00Z") for month in (1, 2, 3)]
    assert sample["time"].tolist() == expected
    batch = stack_samples([sample, sample])
    assert batch["image"].shape == (2, 3, 2, 16, 16)


def test_sign_href_is_called_at_read_time_only(tmp_path: Path) -> None:
    table = write_items(tmp_path, ITEMS[:2], href_prefix="https://example.invalid/bucket/")
    signed: list[str] = []

    def sign(href: str) -> str:
        signed.append(href)
        return str(tmp_path / href.removeprefix("https://example.invalid/bucket/"))

    dataset = STACDataset(table, ["red", "nir"], sign_href=sign)
    assert signed == []
    sample = dataset[query(WINDOW_A, "2020-03-05T00:00:00Z", "2020-03-05T23:59:59Z")]
    assert signed == ["https://example.invalid/bucket/a-0305_red.tif", "https://example.invalid/bucket/a-0305_nir.tif"]
    assert torch.all(sample["image"][0] == 301) and torch.all(sample["image"][1] == 302)
    # Without the signer the unsigned hrefs are read and cannot be opened.
    unsigned = STACDataset(table, ["red"])
    with pytest.raises(Exception, match=r"example\.invalid"):
        unsigned[query(WINDOW_A, "2020-03-05T00:00:00Z", "2020-03-05T23:59:59Z")]


def test_items_without_projection_fields_and_relative_hrefs_are_read_from_headers(tmp_path: Path) -> None:
    items = [
        FakeItem(item.id, item.datetime, item.crs, item.left, item.top, item.res, item.size, item.values, proj=False)
        for item in ITEMS
    ]
    table = write_items(tmp_path, items, relative=True)
    with_proj = STACDataset(write_items(tmp_path / "proj", ITEMS), ["red"], crs="EPSG:32631")
    without = STACDataset(table, ["red"], crs="EPSG:32631")
    assert without.bounds == with_proj.bounds and len(without) == 4
    sample = without[query(WINDOW_A, "2020-01-05T00:00:00Z", "2020-01-05T23:59:59Z")]
    assert torch.all(sample["image"] == 101)
    # Those headers are read through sign_href: once per item, its first asset only.
    signed: list[str] = []
    STACDataset(table, ["nir", "red"], sign_href=lambda href: signed.append(href) or href)
    assert sorted(signed) == sorted(str(tmp_path / f"{item.id}_nir.tif") for item in ITEMS)


def test_a_table_written_with_pyarrow_bbox_lists_and_time_intervals(tmp_path: Path) -> None:
    """No geometry column (items chosen by their bbox lists), ISO strings, start/end_datetime intervals."""
    written = pq.read_table(write_items(tmp_path, ITEMS))
    rows = written.drop_columns(["geometry", "bbox"]).to_pylist()
    for row, source in zip(rows, written.column("bbox").to_pylist(), strict=True):
        row["bbox"] = [source["xmin"], source["ymin"], source["xmax"], source["ymax"]]
        row["datetime"] = None
        row["start_datetime"] = "2020-01-01T00:00:00Z" if row["id"] == "a-0105" else "2020-06-01T00:00:00Z"
        row["end_datetime"] = "2020-01-31T23:59:59Z" if row["id"] == "a-0105" else "2020-06-30T23:59:59Z"
    table = tmp_path / "plain.parquet"
    pq.write_table(pa.Table.from_pylist(rows), table)
    assert len(STACDataset(table, ["red"], intersects_bbox=(6.0, 45.0, 7.0, 45.5))) == 1
    january = STACDataset(table, ["nir"], time_range=("2020-01-31T12:00", "2020-02-15"), crs="EPSG:32631")
    assert len(january) == 1
    assert (january.bounds.mint, january.bounds.maxt) == (
        seconds("2020-01-01T00:00:00Z"),
        seconds("2020-01-31T23:59:59Z"),
    )
    sample = january[query(WINDOW_A, "2020-01-10T00:00:00Z", "2020-01-10T00:00:00Z")]
    assert torch.all(sample["image"] == 102)


def test_projection_fields_of_the_assets_give_the_footprints(tmp_path: Path) -> None:
    """Per-asset proj:code, 9-number proj:transform and proj:shape (no item-level fields): no file is opened."""
    items = [replace(item, proj=False, asset_proj=True) for item in ITEMS]
    table = write_items(tmp_path, items)
    signed: list[str] = []
    dataset = STACDataset(table, ["red"], crs="EPSG:32631", sign_href=lambda href: signed.append(href) or href)
    assert signed == []
    assert dataset.bounds == STACDataset(write_items(tmp_path / "proj", ITEMS), ["red"], crs="EPSG:32631").bounds


def test_assets_of_different_pixel_types_keep_their_values(tmp_path: Path) -> None:
    """A uint8 scene classification first, a uint16 band above 255 second, across a warp to another zone."""
    item = FakeItem("x", "2020-01-05T10:30:00Z", 32631, 600_000, 5_000_320, 10, 32, {"scl": 7, "red": 1})
    records = item_records(tmp_path, [item])
    write_raster(tmp_path / "x_red.tif", np.full((32, 32), 40_000, dtype="uint16"), 32631, grid(600_000, 5_000_320))
    write_raster(tmp_path / "x_scl.tif", np.full((32, 32), 7, dtype="uint8"), 32631, grid(600_000, 5_000_320))
    records[0]["assets"]["scl"]["raster:bands"] = [{"data_type": "uint8"}]
    stac_geoparquet.arrow.to_parquet(
        stac_geoparquet.arrow.parse_stac_items_to_arrow(records).read_all(), tmp_path / "t.parquet"
    )
    for crs in ("EPSG:32631", "EPSG:32632"):
        dataset = STACDataset(tmp_path / "t.parquet", ["scl", "red"], crs=crs, res=10)
        bounds = dataset.bounds
        middle = BoundingBox(
            bounds.minx + 80, bounds.minx + 160, bounds.miny + 80, bounds.miny + 160, bounds.mint, bounds.maxt
        )
        image = dataset[middle]["image"]
        assert torch.all(image[0] == 7) and torch.all(image[1] == 40_000)


class Labels(RasterDataset):
    filename_glob: ClassVar[str] = "labels.tif"
    is_image: ClassVar[bool] = False


def test_and_with_a_label_raster_keeps_every_date(table: Path, tmp_path: Path) -> None:
    classes = np.arange(32 * 32, dtype="uint8").reshape(32, 32) % 3
    write_raster(tmp_path / "labels" / "labels.tif", classes, 32631, grid(600_000, 5_000_320, 10))
    series = STACDataset(table, ["red"], time_series=True, filters=[("eo:cloud_cover", "<", 20)])
    both = series & Labels(tmp_path / "labels")
    sample = both[query(WINDOW_A, "2020-01-01T00:00:00Z", "2020-12-31T00:00:00Z")]
    assert sample["image"].shape == (2, 1, 16, 16)
    assert [int(step[0, 0, 0]) for step in sample["image"]] == [101, 301]
    assert torch.equal(sample["mask"], torch.from_numpy(classes[8:24, 8:24].astype("int64")))


def test_union_and_pickling_keep_the_items(table: Path) -> None:
    early = STACDataset(table, ["red"], time_range=("2020-01", "2020-01"), crs="EPSG:32631")
    late = STACDataset(table, ["red"], time_range=("2020-03", "2020-03"), crs="EPSG:32631")
    union = early | late
    assert len(union) == 3
    copy = pickle.loads(pickle.dumps(late))
    sample = copy[query(WINDOW_A, "2020-03-05T00:00:00Z", "2020-03-05T23:59:59Z")]
    assert torch.all(sample["image"] == 301)


def test_bad_input_is_named(table: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"item 'a-0305' .* has no asset 'swir'"):
        STACDataset(table, ["red", "swir"])
    with pytest.raises(FileNotFoundError, match=r"nothing\.parquet"):
        STACDataset(tmp_path / "nothing.parquet", ["red"])
    with pytest.raises(
        DatasetNotFoundError, match=r"no item of the table passes filters=\[\('eo:cloud_cover', '<', 0\)\]"
    ):
        STACDataset(table, ["red"], filters=[("eo:cloud_cover", "<", 0)])
    with pytest.raises(ValueError, match="no_such_column"):
        STACDataset(table, ["red"], filters=[("no_such_column", "<", 0)])
    with pytest.raises(ValueError, match="'cloudy'"):
        STACDataset(table, ["red"], filters="cloudy")
    with pytest.raises(ValueError, match="asset_keys"):
        STACDataset(table, [])
    with pytest.raises(ValueError, match="intersects_bbox"):
        STACDataset(table, ["red"], intersects_bbox=(5.0, 45.0, 4.0, 46.0))
    with pytest.raises(ValueError, match="starts after it ends"):
        STACDataset(table, ["red"], time_range=("2021", "2020"))


def test_a_folder_of_tables_is_one_index(tmp_path: Path) -> None:
    write_items(tmp_path / "tables" / "part-1", ITEMS[:2])
    write_items(tmp_path / "tables" / "part-2", ITEMS[2:])
    assert len(STACDataset(tmp_path / "tables", ["red"])) == 4


def test_registered_and_built_through_the_registry(table: Path) -> None:
    assert "STACDataset" in list_datasets(geospatial=True)
    dataset = get_dataset("STACDataset", index_path=table, asset_keys=["red"], crs="EPSG:32631")
    assert isinstance(dataset, STACDataset) and len(dataset) == 4


class TestSTACDatasetConformance(GeoDatasetConformance):
    dataset_class = STACDataset
    folder_argument = "index_path"
    variants: ClassVar[dict[str, dict[str, Any]]] = {
        "nir": {"asset_keys": ("nir",)},
        "clear": {"filters": "eo:cloud_cover < 20"},
        "utm32": {"crs": "EPSG:32632", "res": 20.0},
    }

    @pytest.fixture
    def dataset_kwargs(self, tmp_path: Path) -> dict[str, Any]:
        return {"index_path": write_items(tmp_path, ITEMS), "asset_keys": ("red", "nir")}


def test_a_table_served_over_http_is_read_with_its_local_assets(http_server: LocalHTTPServer, tmp_path: Path) -> None:
    table = write_items(tmp_path, ITEMS)
    (http_server.root / "catalogue").mkdir()
    (http_server.root / "catalogue" / "items.parquet").write_bytes(table.read_bytes())
    remote = STACDataset(http_server.url("catalogue/items.parquet"), ["red", "nir"], crs="EPSG:32631")
    local = STACDataset(table, ["red", "nir"], crs="EPSG:32631")
    assert len(remote) == 4 and remote.bounds == local.bounds
    window = query(WINDOW_A, "2020-02-05T00:00:00Z", "2020-02-05T23:59:59Z")
    assert torch.equal(remote[window]["image"], local[window]["image"])
    with pytest.raises(FileNotFoundError, match=r"catalogue/missing\.parquet"):
        STACDataset(http_server.url("catalogue/missing.parquet"), ["red"])


@pytest.mark.parametrize("field", ["raster:bands", "eo:bands"])
def test_an_asset_of_several_bands_is_refused_naming_it(tmp_path: Path, field: str) -> None:
    """A NAIP-like ``image`` asset of red, green, blue and NIR would give its red band alone."""
    item = FakeItem("quad", "2022-07-10T00:00:00Z", 32611, 600_000, 5_000_320, 1, 32, {"image": 0})
    records = item_records(tmp_path, [item])
    data = np.stack([np.full((32, 32), value, dtype="uint16") for value in (10, 20, 30, 40)])
    write_raster(tmp_path / "quad_image.tif", data, 32611, grid(600_000, 5_000_320, res=1))
    bands = [{"name": name} for name in ("red", "green", "blue", "nir")]
    records[0]["assets"]["image"].pop("raster:bands")
    records[0]["assets"]["image"][field] = [{**band, "data_type": "uint16"} for band in bands]
    stac_geoparquet.arrow.to_parquet(
        stac_geoparquet.arrow.parse_stac_items_to_arrow(records).read_all(), tmp_path / "t.parquet"
    )
    with pytest.raises(ValueError, match=r"asset 'image' of item 'quad' .* holds 4 bands"):
        STACDataset(tmp_path / "t.parquet", ["image"])
