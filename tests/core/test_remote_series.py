"""Remote time series (a COG per band and date, over HTTP): the local chips, fetched at once, in few requests."""

from __future__ import annotations

import http.server
import math
import time
from pathlib import Path

import numpy as np
import pytest
import rasterio
import torch
from torch.utils.data import DataLoader

from geotorch.core import BoundingBox, RasterDataset, RasterReadError
from geotorch.core.handles import FileHandleCache
from tests.conftest import LocalHTTPServer
from tests.core.rasters import grid, random_bands, write_raster

DATES = ("20230101", "20230201", "20230301")
BANDS = ("B1", "B2")
SIZE, TILE, RES = 256, 16, 10.0
#: Top-left corners of the tile in zone 31 and of its neighbour in zone 32, overlapping its east side by about 500 m.
CORNERS = {32631: (730000.0, 4990000.0), 32632: (259320.0, 4990320.0)}


class Series(RasterDataset):
    filename_glob = "T*_B1.tif"
    filename_regex = r"^T(?P<zone>\d{2})_(?P<date>\d{8})_(?P<band>B\d)\.tif$"
    date_format = "%Y%m%d"
    separate_files = True
    all_bands = BANDS


@pytest.fixture
def server(http_server: LocalHTTPServer) -> LocalHTTPServer:
    """The shared HTTP server serving a series of 3 dates x 2 bands in two UTM zones, answering byte ranges."""
    http_server.ranges = True
    for zone, (left, top) in CORNERS.items():
        for step, date in enumerate(DATES):
            for number, band in enumerate(BANDS):
                pixels = random_bands((1, SIZE, SIZE), seed=100 * zone + 10 * step + number)
                write_raster(
                    http_server.root / f"T{zone % 100}_{date}_{band}.tif",
                    pixels,
                    zone,
                    grid(left, top, RES),
                    tiled=True,
                    compress="deflate",
                )
    return http_server


def _names(server: LocalHTTPServer) -> list[str]:
    return sorted(path.name for path in server.root.glob("T*_B1.tif"))


def _datasets(server: LocalHTTPServer) -> tuple[Series, Series]:
    remote = Series(paths=[server.url(name) for name in _names(server)], crs=32631, res=RES, time_series=True)
    local = Series(paths=[server.root / name for name in _names(server)], crs=32631, res=RES, time_series=True)
    return remote, local


def _chip(left: float, top: float, size: int = 40) -> BoundingBox:
    return BoundingBox(left, left + size * RES, top - size * RES, top, 0.0, 2e9)


def _gets(server: LocalHTTPServer) -> int:
    return sum(server.gets(path.name) for path in server.root.glob("*.tif"))


def test_remote_series_chip_equals_the_local_chip(server: LocalHTTPServer) -> None:
    remote, local = _datasets(server)
    left, top = CORNERS[32631]
    # Inside zone 31's tile, then across the zone seam (zone 32's files warped onto zone 31's grid).
    for chip in (_chip(left + 300, top - 500), _chip(left + SIZE * RES - 200, top - 900, size=64)):
        ours, theirs = remote[chip], local[chip]
        assert ours["image"].shape == (len(DATES), len(BANDS), *theirs["image"].shape[-2:])
        assert torch.equal(ours["image"], theirs["image"])
        assert torch.equal(ours["time"], theirs["time"])


def test_remote_chip_costs_at_most_one_request_per_file_and_tile_row(server: LocalHTTPServer) -> None:
    remote, _ = _datasets(server)
    left, top = CORNERS[32631]
    remote[_chip(left + 300, top - 500)]  # opens the files: their headers are read once per process
    files = len(DATES) * len(BANDS)
    for chip in (_chip(left + 1000, top - 1200), _chip(left + 1600, top - 300, size=30)):
        before = _gets(server)
        remote[chip]
        rows = math.ceil((top - chip.miny) / RES / TILE) - math.floor((top - chip.maxy) / RES / TILE)
        assert 0 < _gets(server) - before <= files * rows


def test_a_chip_fetches_its_files_at_once(server: LocalHTTPServer) -> None:
    remote, local = _datasets(server)
    left, top = CORNERS[32631]
    remote[_chip(left + 300, top - 500)]
    server.latency = 0.4
    server.most_waiting = 0
    ours = remote[_chip(left + 1300, top - 1100)]
    server.latency = 0.0
    # The chip's six files (3 dates x 2 bands) are fetched at once: a request of each waits out the latency
    # together (13 here; 4 when the files are read one after the other, GDAL's own requests overlapping).
    # Counted, not timed: on a loaded machine the time of requests sent at once varies too much to assert.
    assert server.most_waiting >= 6
    assert torch.equal(ours["image"], local[_chip(left + 1300, top - 1100)]["image"])


def test_dataloader_workers_read_remote_chips_like_local_ones(server: LocalHTTPServer) -> None:
    remote, local = _datasets(server)
    left, top = CORNERS[32631]
    chips = [_chip(left + 100 * step, top - 150 * step - 100) for step in range(8)]
    remote[chips[0]]  # the parent reads first: forked workers must not share its connections
    loader = DataLoader(remote, sampler=chips, batch_size=None, num_workers=2, collate_fn=lambda sample: sample)
    for chip, sample in zip(chips, loader, strict=True):
        assert torch.equal(sample["image"], local[chip]["image"])


def test_a_missing_band_file_is_an_error_naming_its_url(server: LocalHTTPServer) -> None:
    remote, _ = _datasets(server)
    left, top = CORNERS[32631]
    server.fail("T31_20230201_B2.tif", 404)
    with pytest.raises(RasterReadError, match=r"T31_20230201_B2\.tif"):
        remote[_chip(left + 300, top - 500)]


def test_remote_files_stay_open_beyond_the_bound_of_local_files(server: LocalHTTPServer, tmp_path: Path) -> None:
    handles = FileHandleCache(max_open=1)
    for name in _names(server):
        handles.open(server.url(name))
    for number in range(3):
        handles.open(str(write_raster(tmp_path / f"{number}.tif", np.ones((1, 4, 4), "uint8"), 32631, grid(0, 40))))
    assert len(handles) == len(_names(server)) + 1
    with rasterio.open(server.root / _names(server)[0]) as source:
        assert np.array_equal(handles.open(server.url(_names(server)[0])).read(), source.read())


def test_workers_forked_after_remote_reads_open_their_own_connections(
    server: LocalHTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Connections kept alive, as real servers keep them: a forked worker must not read on the parent's.
    monkeypatch.setattr(http.server.SimpleHTTPRequestHandler, "protocol_version", "HTTP/1.1")
    # One file per read (no prefetch): each worker reads on its main thread, which inherits the parent's.
    name = _names(server)[0]
    remote, local = RasterDataset(paths=server.url(name)), RasterDataset(paths=server.root / name)
    left, top = CORNERS[32631]
    chips = [_chip(left + 37 * (step % 6), top - 41 * step - 20, size=48) for step in range(24)]
    remote[chips[0]]
    loader = DataLoader(remote, sampler=chips, batch_size=None, num_workers=2, collate_fn=lambda sample: sample)
    for chip, sample in zip(chips, loader, strict=True):
        assert torch.equal(sample["image"], local[chip]["image"])


def test_a_band_file_gone_silent_mid_chip_is_an_error_within_30_s(server: LocalHTTPServer) -> None:
    remote, _ = _datasets(server)
    left, top = CORNERS[32631]
    server.stall("T31_20230201_B2.tif", after=100)
    start = time.monotonic()
    with pytest.raises(RasterReadError, match=r"127\.0\.0\.1:\d+/T31_20230201_B2\.tif"):
        remote[_chip(left + 300, top - 500)]
    assert time.monotonic() - start < 30


def test_a_band_file_cut_short_mid_chip_is_an_error_naming_its_url(server: LocalHTTPServer) -> None:
    remote, _ = _datasets(server)
    left, top = CORNERS[32631]
    server.truncate("T31_20230301_B1.tif", 50)
    with pytest.raises(RasterReadError, match=r"127\.0\.0\.1:\d+/T31_20230301_B1\.tif"):
        remote[_chip(left + 300, top - 500)]


def test_a_band_file_gone_after_indexing_is_an_error_naming_its_url_and_status(server: LocalHTTPServer) -> None:
    remote, _ = _datasets(server)
    left, top = CORNERS[32631]
    remote[_chip(left + 300, top - 500)]  # the files are open: the one gone fails at its next range request
    server.fail("T31_20230201_B2.tif", 404)
    with pytest.raises(RasterReadError, match=r"127\.0\.0\.1:\d+/T31_20230201_B2\.tif: cannot read .*HTTP 404"):
        remote[_chip(left + 1300, top - 1700)]
