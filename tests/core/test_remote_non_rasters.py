"""Remote files that are no rasters are skipped as local ones are; remote rasters that cannot be fetched are errors."""

from __future__ import annotations

import pytest

from geotorch.core import RasterDataset, RasterReadError
from geotorch.core.object_store import remote_files
from geotorch.core.profiles import read_profiles
from geotorch.core.remote import RemotePath
from tests.conftest import LocalHTTPServer
from tests.core.rasters import grid, random_bands, write_raster

#: Files a web folder or a mirror holds beside its rasters; "HTTP" in a name, as in every URL, says nothing.
NON_RASTERS = {
    "index.html": "<html><body><h1>Index of /scenes</h1><a href='a.tif'>a.tif</a></body></html>\n" * 20,
    "README.txt": "Scenes of the HTTP mirror, as GeoTIFF.\n" * 40,
    "HTTP-status.json": '{"status": "ok", "connection": "kept"}\n' * 30,
}


@pytest.fixture
def server(http_server: LocalHTTPServer) -> LocalHTTPServer:
    """The shared HTTP server answering byte ranges, serving a raster ``a.tif`` and :data:`NON_RASTERS`."""
    http_server.ranges = True
    write_raster(http_server.root / "a.tif", random_bands((1, 64, 64), dtype="uint16"), 32631, grid(5e5, 6e6))
    for name, text in NON_RASTERS.items():
        (http_server.root / name).write_text(text)
    return http_server


@pytest.mark.parametrize("prefix", ["", "/vsicurl/"], ids=["url", "vsicurl"])
def test_remote_non_rasters_among_rasters_are_skipped_as_local_ones_are(server: LocalHTTPServer, prefix: str) -> None:
    # Before: RasterReadError 'http://127.0.0.1:<port>/index.html: cannot open raster: '/vsicurl/http://...'
    # not recognized as being in a supported file format.': "HTTP" in the URL read as a failed fetch.
    names = ["a.tif", *NON_RASTERS]
    local = RasterDataset(paths=[server.root / name for name in names], cache=False)
    with pytest.warns(UserWarning, match="not a readable raster") as caught:
        remote = RasterDataset(paths=[prefix + server.url(name) for name in names], cache=False)
    assert len(remote) == len(local) == 1
    assert remote.bounds == local.bounds and remote.crs == local.crs
    skipped = [str(warning.message) for warning in caught if "not a readable raster" in str(warning.message)]
    assert len(skipped) == len(NON_RASTERS), skipped
    for name in NON_RASTERS:
        assert [message for message in skipped if f"skipping {prefix}{server.url(name)}: " in message], (name, skipped)


@pytest.mark.parametrize("listed", [True, False], ids=["listed", "unlisted"])
@pytest.mark.parametrize("fault", ["refused", "killed"])
def test_a_remote_raster_that_cannot_be_fetched_is_an_error_not_skipped(
    server: LocalHTTPServer, fault: str, listed: bool
) -> None:
    # Listed (pinned to its version: GDAL's errors) or not (the HEAD pinning it fails), then refused or its
    # server gone: the file is there, it could not be fetched.
    (server.root / "HTTP-a.tif").write_bytes((server.root / "a.tif").read_bytes())
    url = server.url("HTTP-a.tif")
    paths = remote_files(RemotePath(url), "*") if listed else [RemotePath(url)]
    if fault == "refused":
        server.fail("HTTP-a.tif", 403)
    else:
        server.kill()
    reasons = {
        ("refused", True): "HTTP response code: 403",
        ("refused", False): "HTTP 403 Forbidden",
        ("killed", True): "CURL error: Failed to connect",
        ("killed", False): "request failed: .*Connection refused",
    }
    with pytest.raises(RasterReadError, match=reasons[fault, listed]):
        read_profiles(paths, f"{__name__}-{fault}-{listed}")
