"""rasterio's log records, GDAL's errors and debug messages as GDAL words them, quote no URL's credentials."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
import rasterio

from geotorch.core import DatasetNotFoundError, RasterDataset, RasterReadError
from tests.conftest import LocalHTTPServer
from tests.core.rasters import grid, random_bands, write_raster
from tests.core.test_url_secrets_in_errors import SECRETS, SIGNED


def read_whole(url: str, gone: Path | None) -> None:
    """Index the raster at ``url``, remove ``gone`` from the server (if given), then read the raster whole."""
    dataset = RasterDataset(paths=url, cache=False)
    if gone is not None:
        gone.unlink()
    dataset[dataset.bounds]


@pytest.mark.parametrize("fault", ["gone", "gone-cpl-debug", "junk"])
def test_rasterios_log_at_debug_names_a_signed_raster_without_its_credentials(
    http_server: LocalHTTPServer, caplog: pytest.LogCaptureFixture, fault: str
) -> None:
    # Before: rasterio._env logged at INFO "GDAL signalled an error: err_no=4, msg=\"`/vsicurl/http://.../junk.tif
    # ?X-Amz-Algorithm=...&X-Amz-Signature=SECRET5EC&X-Amz-Credential=AKIASECRET%2F20261203' not recognized ...\""
    # (of a file answered 404 once indexed: "...a.tif?...SECRET5EC..., band 1: IReadBlock failed ..."), and with
    # CPL_DEBUG at DEBUG "VSICURL: GetFileSize(http://...SECRET5EC...): response_code=404 ...".
    http_server.ranges = True
    write_raster(http_server.root / "a.tif", random_bands((1, 256, 256), dtype="float32"), 32631, grid(5e5, 6e6))
    (http_server.root / "junk.tif").write_bytes(b"not a raster" * 100)
    name = "junk.tif" if fault == "junk" else "a.tif"
    caplog.set_level(logging.DEBUG)
    gone = None if fault == "junk" else http_server.root / "a.tif"
    # The non-raster is skipped (with a warning) as a local one is, leaving nothing to index.
    failure = DatasetNotFoundError if fault == "junk" else RasterReadError
    with rasterio.Env(CPL_DEBUG=fault.endswith("cpl-debug")), pytest.raises(failure):
        read_whole(http_server.url(name) + SIGNED, gone)
    messages = [record.getMessage() for record in caplog.records if record.name.startswith("rasterio")]
    # Every record is kept, the file's host, port and path in those quoting it.
    assert [message for message in messages if f"{http_server.url(name)}?X-Amz-Algorithm=" in message]
    assert not [secret for secret in SECRETS if secret in caplog.text], caplog.text


def test_records_of_other_loggers_are_left_as_they_are(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    url = "http://host/a.tif?X-Amz-Signature=SECRET5EC"
    logging.getLogger("rasterio._env").debug("GET %s (%d)", url, 1)
    logging.getLogger("urllib3.connectionpool").debug("GET %s (%d)", url, 2)
    assert [(record.name, record.getMessage()) for record in caplog.records] == [
        ("rasterio._env", "GET http://host/a.tif?X-Amz-Signature=... (1)"),
        ("urllib3.connectionpool", f"GET {url} (2)"),
    ]


def test_an_exception_logged_on_rasterios_loggers_is_shown_without_credentials(
    http_server: LocalHTTPServer, caplog: pytest.LogCaptureFixture
) -> None:
    # Before: the record's message was redacted, its exception not: caplog.text (as every handler's formatter)
    # ended with "rasterio.errors.RasterioIOError: '/vsicurl/http://.../junk.tif?...SECRET5EC...' not recognized ...".
    (http_server.root / "junk.tif").write_bytes(b"not a raster" * 100)
    url = "/vsicurl/" + http_server.url("junk.tif") + SIGNED
    caplog.set_level(logging.DEBUG)
    try:
        rasterio.open(url)
    except rasterio.errors.RasterioIOError:
        logging.getLogger("rasterio._env").exception("opening %s failed", url)
    (record,) = [record for record in caplog.records if record.getMessage().startswith("opening")]
    assert "RasterioIOError: '/vsicurl/" + http_server.url("junk.tif") + "?X-Amz-Algorithm=" in caplog.text
    assert not [secret for secret in SECRETS if secret in caplog.text], caplog.text
    assert record.exc_info is None  # handlers rendering the exception themselves see the redacted text alone
