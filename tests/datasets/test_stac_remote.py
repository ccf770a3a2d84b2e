"""STACDataset over HTTP: a table and its COG assets served by tests/conftest.py's LocalHTTPServer (no internet)."""

from __future__ import annotations

from pathlib import Path

import torch

from geotorch.datasets import STACDataset
from tests.conftest import LocalHTTPServer
from tests.datasets.fakes.stac import ITEMS, WINDOW_A, query, write_items


def test_remote_assets_read_the_pixels_of_their_local_copies(http_server: LocalHTTPServer, tmp_path: Path) -> None:
    # Relative hrefs: the served table's assets resolve to URLs beside it.
    write_items(http_server.root / "catalogue", ITEMS, relative=True)
    local = STACDataset(write_items(tmp_path, ITEMS), ["red", "nir"], crs="EPSG:32631", time_series=True)
    remote = STACDataset(http_server.url("catalogue/items.parquet"), ["red", "nir"], crs="EPSG:32631", time_series=True)
    assert remote.items[0].hrefs[0] == http_server.url("catalogue/a-0305_red.tif")
    window = query(WINDOW_A, "2020-01-01T00:00:00Z", "2020-12-31T00:00:00Z")
    expected = local[window]
    sample = remote[window]
    assert torch.equal(sample["image"], expected["image"]) and torch.equal(sample["time"], expected["time"])
    assert http_server.gets("catalogue/a-0105_nir.tif") >= 1
