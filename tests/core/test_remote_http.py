"""Rasters read over HTTP (a local server with Range support and injected faults): same pixels, cached index, errors."""

from __future__ import annotations

import base64
import gzip
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import torch

from geotorch.core import RasterDataset, RasterReadError
from tests.conftest import LocalHTTPServer
from tests.core.rasters import grid, random_bands, write_raster

#: Corners of a small tile in each CRS, in its units (metres, degrees).
CORNERS = {32631: (500000.0, 6000000.0, 30.0), 4326: (4.5, 52.0, 0.0003), 3857: (500000.0, 6800000.0, 30.0)}


@pytest.fixture
def server(http_server: LocalHTTPServer) -> LocalHTTPServer:
    """The shared HTTP server, answering byte ranges as a COG host does."""
    http_server.ranges = True
    return http_server


def _tile(folder: Path, name: str, crs: int, seed: int = 0, size: int = 64, dtype: str = "uint16") -> Path:
    left, top, res = CORNERS[crs]
    return write_raster(
        folder / name,
        random_bands((2, size, size), dtype=dtype, seed=seed),
        crs,
        grid(left, top, res),
        tiled=True,
        compress="deflate",
    )


@pytest.mark.parametrize("crs", sorted(CORNERS))
def test_remote_pixels_equal_local_pixels(server: LocalHTTPServer, crs: int) -> None:
    local = _tile(server.root, "a.tif", crs)
    from_disk = RasterDataset(paths=local)
    for given in (server.url("a.tif"), "/vsicurl/" + server.url("a.tif")):
        remote = RasterDataset(paths=given)
        assert remote.crs == from_disk.crs and remote.res == from_disk.res and remote.bounds == from_disk.bounds
        query = from_disk.bounds
        half = type(query)(query.minx, (query.minx + query.maxx) / 2, query.miny, query.maxy, query.mint, query.maxt)
        for window in (query, half):
            assert torch.equal(remote[window]["image"], from_disk[window]["image"])
    assert server.gets("a.tif") > 0


def test_remote_file_in_another_crs_is_warped_like_the_local_copy(server: LocalHTTPServer) -> None:
    _tile(server.root, "utm.tif", 32631)
    _tile(server.root, "geo.tif", 4326, seed=1)
    remote = RasterDataset(paths=[server.url("utm.tif"), server.url("geo.tif")], crs=3857, res=40.0)
    local = RasterDataset(paths=[server.root / "utm.tif", server.root / "geo.tif"], crs=3857, res=40.0)
    assert len(remote) == 2 and remote.bounds == local.bounds
    assert torch.equal(remote[remote.bounds]["image"], local[local.bounds]["image"])


def test_second_construction_in_a_fresh_process_fetches_no_bytes(server: LocalHTTPServer) -> None:
    _tile(server.root, "a.tif", 32631)
    RasterDataset(paths=server.url("a.tif"))
    assert server.gets("a.tif") > 0
    before, gets = server.hits("a.tif"), server.gets("a.tif")
    code = "import sys; from geotorch.core import RasterDataset; print(len(RasterDataset(paths=sys.argv[1])))"
    done = subprocess.run([sys.executable, "-c", code, server.url("a.tif")], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "1"
    # The header came from the persisted index: one HEAD checked that the file is unchanged, and one GET of
    # byte 1 that the server honours ranges (once per server and process: object_store._check_ranges).
    assert server.gets("a.tif") == gets + 1
    assert server.hits("a.tif") == before + 2


def test_file_changed_with_the_same_size_is_read_again(server: LocalHTTPServer) -> None:
    path = write_raster(server.root / "a.tif", random_bands((1, 32, 32)), 32631, grid(500000.0, 6000000.0))
    first = RasterDataset(paths=server.url("a.tif"))
    size = path.stat().st_size
    write_raster(path, random_bands((1, 32, 32), seed=1), 32631, grid(501000.0, 6000000.0))
    assert path.stat().st_size == size
    later = time.time() + 5  # Last-Modified has whole seconds
    __import__("os").utime(path, (later, later))
    code = "import sys; from geotorch.core import RasterDataset; print(RasterDataset(paths=sys.argv[1]).bounds.minx)"
    done = subprocess.run([sys.executable, "-c", code, server.url("a.tif")], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert first.bounds.minx == 500000.0 and float(done.stdout) == 501000.0


def test_missing_file_is_a_file_not_found_error_naming_the_url(server: LocalHTTPServer) -> None:
    with pytest.raises(FileNotFoundError, match=r"http://127\.0\.0\.1:\d+/nothing\.tif: HTTP 404"):
        RasterDataset(paths=server.url("nothing.tif"))


def test_server_error_then_success_is_retried(server: LocalHTTPServer) -> None:
    # 256 x 256 float32 in strips: the pixels lie past the header GDAL fetched at indexing.
    write_raster(server.root / "a.tif", random_bands((1, 256, 256), dtype="float32"), 32631, grid(500000.0, 6000000.0))
    server.fail("a.tif", 503, times=2)
    dataset = RasterDataset(paths=server.url("a.tif"), cache=False)
    local = RasterDataset(paths=server.root / "a.tif")
    assert server.hits("a.tif") >= 3  # two 503s answered to the HEAD, then its retry
    server.fail("a.tif", 503, times=1)  # and one to GDAL's first range request of the pixels
    hits = server.hits("a.tif")
    assert torch.equal(dataset[dataset.bounds]["image"], local[local.bounds]["image"])
    assert server.hits("a.tif") >= hits + 2


def test_lasting_server_error_names_the_url_and_status(server: LocalHTTPServer) -> None:
    _tile(server.root, "a.tif", 32631)
    server.fail("a.tif", 500)
    with pytest.raises(OSError, match=r"http://127\.0\.0\.1:\d+/a\.tif: HTTP 500"):
        RasterDataset(paths=server.url("a.tif"))


def test_server_killed_mid_read_is_an_error_within_30_s(server: LocalHTTPServer) -> None:
    # 256 x 256 float32 in one strip per row: the pixels lie past the header GDAL fetched at indexing.
    path = write_raster(
        server.root / "a.tif", random_bands((1, 256, 256), dtype="float32"), 32631, grid(500000.0, 6000000.0)
    )
    dataset = RasterDataset(paths=server.url("a.tif"), cache=False)
    server.stall("a.tif", after=1000)
    threading.Timer(0.5, server.kill).start()
    start = time.monotonic()
    with pytest.raises(RasterReadError, match=r"127\.0\.0\.1:\d+/a\.tif"):
        dataset[dataset.bounds]
    assert time.monotonic() - start < 30
    assert path.stat().st_size > 256 * 256 * 4


def test_cut_body_is_an_error_naming_the_url(server: LocalHTTPServer) -> None:
    write_raster(server.root / "a.tif", random_bands((1, 256, 256), dtype="float32"), 32631, grid(500000.0, 6000000.0))
    dataset = RasterDataset(paths=server.url("a.tif"), cache=False)
    server.truncate("a.tif", 100)
    with pytest.raises(RasterReadError, match=r"127\.0\.0\.1:\d+/a\.tif"):
        dataset[dataset.bounds]


def test_server_gone_silent_mid_read_is_an_error_within_30_s(server: LocalHTTPServer) -> None:
    # The server keeps the connection open and sends nothing more: GDAL's low-speed limit (5 s without a
    # byte) ends each attempt, and the retries stay within 30 s (about 12 s here).
    write_raster(server.root / "a.tif", random_bands((1, 256, 256), dtype="float32"), 32631, grid(500000.0, 6000000.0))
    dataset = RasterDataset(paths=server.url("a.tif"), cache=False)
    server.stall("a.tif", after=1000)
    start = time.monotonic()
    with pytest.raises(RasterReadError, match=r"127\.0\.0\.1:\d+/a\.tif"):
        dataset[dataset.bounds]
    assert time.monotonic() - start < 30


def test_file_replaced_between_two_reads_is_an_error_not_a_mix_of_versions(server: LocalHTTPServer) -> None:
    # Uncompressed strips of the same size: the new file's bytes lie at the offsets the old header gave.
    server.validators = True
    path = write_raster(
        server.root / "a.tif", random_bands((1, 256, 256), dtype="float32"), 32631, grid(500000.0, 6000000.0)
    )
    dataset = RasterDataset(paths=server.url("a.tif"), cache=False)
    bounds = dataset.bounds
    top = type(bounds)(bounds.minx, bounds.maxx, (bounds.miny + bounds.maxy) / 2, bounds.maxy, bounds.mint, bounds.maxt)
    dataset[top]  # the header and the top rows are fetched and cached
    write_raster(path, random_bands((1, 256, 256), dtype="float32", seed=7), 32631, grid(500000.0, 6000000.0))
    with pytest.raises(RasterReadError, match=r"127\.0\.0\.1:\d+/a\.tif: .*HTTP 412 Precondition Failed"):
        dataset[bounds]
    # Indexed again, the new version is read whole.
    again = RasterDataset(paths=server.url("a.tif"), cache=False)
    assert torch.equal(again[bounds]["image"], RasterDataset(paths=path, cache=False)[bounds]["image"])


def test_lasting_server_error_mid_read_names_the_url_and_status(server: LocalHTTPServer) -> None:
    write_raster(server.root / "a.tif", random_bands((1, 256, 256), dtype="float32"), 32631, grid(500000.0, 6000000.0))
    dataset = RasterDataset(paths=server.url("a.tif"), cache=False)
    server.fail("a.tif", 503)  # every range request for the pixels, and GDAL's retries of it
    with pytest.raises(RasterReadError, match=r"127\.0\.0\.1:\d+/a\.tif: cannot read .*HTTP 503"):
        dataset[dataset.bounds]


def test_urls_with_spaces_unicode_and_a_signed_query_read_as_the_local_file(server: LocalHTTPServer) -> None:
    local = _tile(server.root, "scène 1 日 été.tif", 32631)
    from_disk = RasterDataset(paths=local)
    # As typed or pasted (not percent-encoded), and with a signature whose escapes must stay as they are.
    raw = server.base_url + "scène 1 日 été.tif"
    for given in (raw, raw + "?X-Amz-Signature=ab%2Fcd&X-Amz-Expires=60", "/vsicurl/" + raw, server.url(local.name)):
        remote = RasterDataset(paths=given, cache=False)
        assert remote.bounds == from_disk.bounds, given
        assert torch.equal(remote[remote.bounds]["image"], from_disk[from_disk.bounds]["image"]), given


def test_a_server_answering_ranges_with_other_bytes_is_refused_naming_the_url(server: LocalHTTPServer) -> None:
    """A cache rounding ranges to its 64 KiB blocks (its Content-Range saying so): GDAL placed them as asked."""
    write_raster(
        server.root / "a.tif", random_bands((1, 1024, 1024), dtype="float32"), 32631, grid(5e5, 6e6), tiled=True
    )
    server.range_blocks = 1 << 16
    with pytest.raises(
        OSError,
        match=r"/a\.tif: the server sends other bytes than a range request asks for \(.*"
        r"byte 1 with 206 Partial Content of Content-Range 'bytes 0-65535/\d+'\)",
    ):
        RasterDataset(paths=server.url("a.tif"), cache=False)
    server.range_blocks = None
    assert len(RasterDataset(paths=server.url("a.tif"), cache=False)) == 1


@pytest.mark.parametrize(
    ("configured", "required"),
    [
        ({"GDAL_HTTP_HEADERS": "Authorization: Bearer t0ken\r\nX-Team: geo"}, {"X-Team": "geo"}),
        # Lines ended by a bare LF (a shell's $'...\n...', a YAML block): GDAL's curl sends them as lines, which
        # our requests refused with ValueError 'Invalid header value'.
        ({"GDAL_HTTP_HEADERS": "Authorization: Bearer t0ken\nX-Team: geo\n"}, {"X-Team": "geo"}),
        ({"GDAL_HTTP_HEADERS": "X-Team: geo\r\nAuthorization: Bearer t0ken\nX-Id: 7"}, {"X-Id": "7"}),
        ({"GDAL_HTTP_HEADERS": 'Authorization: Bearer t0ken, X-Team: "geo, maps"'}, {"X-Team": "geo, maps"}),
        ({"GDAL_HTTP_USERPWD": "me:pw"}, {"Authorization": "Basic bWU6cHc="}),
    ],
)
def test_a_private_server_is_read_with_the_headers_gdal_is_configured_with(
    server: LocalHTTPServer, monkeypatch: pytest.MonkeyPatch, configured: dict[str, str], required: dict[str, str]
) -> None:
    """GDAL_HTTP_HEADERS (a token), GDAL_HTTP_USERPWD: every request carries them, as GDAL's do, the version pin too."""
    local = _tile(server.root, "a.tif", 32631)
    server.validators = True
    server.required_headers = {"Authorization": "Bearer t0ken", **required}
    for name, value in configured.items():
        monkeypatch.setenv(name, value)
    remote = RasterDataset(paths=server.url("a.tif"), cache=False)
    assert torch.equal(remote[remote.bounds]["image"], RasterDataset(paths=local)[remote.bounds]["image"])
    assert server.headers_seen["a.tif"][-1]["If-Match"]  # the pin is kept beside the user's headers


def test_credentials_do_not_follow_a_redirect_to_another_host(
    server: LocalHTTPServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A private API redirecting to a file on a storage host (a presigned URL): the token stays with the API."""
    (tmp_path / "storage").mkdir()
    with LocalHTTPServer(tmp_path / "storage") as storage:
        storage.ranges = True
        local = _tile(storage.root, "a.tif", 32631)
        server.redirect("a.tif", storage.url("a.tif"))
        monkeypatch.setenv("GDAL_HTTP_HEADERS", "Authorization: Bearer t0ken")
        remote = RasterDataset(paths=server.url("a.tif"), cache=False)
        assert torch.equal(remote[remote.bounds]["image"], RasterDataset(paths=local)[remote.bounds]["image"])
        assert all(seen["Authorization"] == "Bearer t0ken" for seen in server.headers_seen["a.tif"])
        assert not any("Authorization" in seen for seen in storage.headers_seen["a.tif"])


def test_a_file_served_gzip_encoded_is_refused_naming_the_coding(server: LocalHTTPServer) -> None:
    """An object stored gzip-compressed with Content-Encoding: gzip: its ranges are compressed bytes, no GeoTIFF."""
    local = _tile(server.root, "plain.tif", 32631)
    (server.root / "a.tif").write_bytes(gzip.compress(local.read_bytes()))
    server.frame("a.tif", "length", headers={"Content-Encoding": "gzip"})
    with pytest.raises(OSError, match=r"/a\.tif: the server sends the file with Content-Encoding 'gzip'"):
        RasterDataset(paths=server.url("a.tif"), cache=False)


def test_a_private_server_is_read_with_the_credentials_of_the_netrc_file(
    server: LocalHTTPServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A .netrc entry for the host (NASA Earthdata's way with GDAL, whose curl reads it by default): used as GDAL's."""
    local = _tile(server.root, "a.tif", 32631)
    server.required_headers = {"Authorization": "Basic " + base64.b64encode(b"alice:s3cr et").decode()}
    netrc = tmp_path / "netrc"
    netrc.write_text('machine elsewhere.example login bob password x\n'
                     'machine 127.0.0.1 login alice password "s3cr et"\n')
    netrc.chmod(0o600)
    monkeypatch.setenv("GDAL_HTTP_NETRC_FILE", str(netrc))
    # Our HEAD carried no credentials: OSError '<url>: HTTP 401 Unauthorized', though GDAL reads the file.
    remote = RasterDataset(paths=server.url("a.tif"), cache=False)
    assert torch.equal(remote[remote.bounds]["image"], RasterDataset(paths=local)[remote.bounds]["image"])
    # GDAL_HTTP_NETRC=NO turns it off, for GDAL and for us alike.
    monkeypatch.setenv("GDAL_HTTP_NETRC", "NO")
    with pytest.raises(OSError, match="401"):
        RasterDataset(paths=server.url("a.tif"), cache=False)


@pytest.mark.parametrize("method", ["ANY", "any"])
def test_a_server_challenging_for_basic_credentials_is_answered_under_gdal_http_auth_any(
    server: LocalHTTPServer, monkeypatch: pytest.MonkeyPatch, method: str
) -> None:
    """GDAL_HTTP_AUTH=ANY: curl sends GDAL_HTTP_USERPWD once the server's 401 says how; our requests did not."""
    local = _tile(server.root, "a.tif", 32631)
    server.required_headers = {"Authorization": "Basic " + base64.b64encode(b"me:pw").decode()}
    server.challenge = 'Basic realm="geo"'
    monkeypatch.setenv("GDAL_HTTP_USERPWD", "me:pw")
    monkeypatch.setenv("GDAL_HTTP_AUTH", method)
    # Our HEAD carried no credentials and was not answered again: OSError '<url>: HTTP 401 Unauthorized'.
    remote = RasterDataset(paths=server.url("a.tif"), cache=False)
    assert torch.equal(remote[remote.bounds]["image"], RasterDataset(paths=local)[remote.bounds]["image"])
    # ANYSAFE rules Basic out, for curl and for us.
    monkeypatch.setenv("GDAL_HTTP_AUTH", "ANYSAFE")
    with pytest.raises(OSError, match="401"):
        RasterDataset(paths=server.url("a.tif"), cache=False)


def test_a_url_carrying_its_login_is_read_with_it(server: LocalHTTPServer) -> None:
    """https://user:password@host/...: curl (GDAL) sends the login; our HEAD took 'me:p w@127.0.0.1' for the host."""
    local = _tile(server.root, "a.tif", 32631)
    server.required_headers = {"Authorization": "Basic " + base64.b64encode(b"me:p@ss w").decode()}
    url = server.url("a.tif").replace("http://", "http://me:p%40ss%20w@")
    # Before: http.client.InvalidURL "URL can't contain control characters. 'me:p@ss w@127.0.0.1'" (a login of
    # plain characters: OSError '...: request failed: [Errno -2] Name or service not known').
    remote = RasterDataset(paths=url, cache=False)
    assert torch.equal(remote[remote.bounds]["image"], RasterDataset(paths=local)[remote.bounds]["image"])


def test_a_bearer_token_read_with_its_newline_is_sent_as_gdal_sends_it_and_never_shown(
    server: LocalHTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GDAL_HTTP_BEARER set from a token file read whole (its last line break kept): GDAL reads the file."""
    local = _tile(server.root, "a.tif", 32631)
    server.required_headers = {"Authorization": "Bearer t0kenSECRET"}
    monkeypatch.setenv("GDAL_HTTP_AUTH", "BEARER")
    monkeypatch.setenv("GDAL_HTTP_BEARER", "t0kenSECRET\n")
    # Before: our HEAD failed with http.client's ValueError "Invalid header value b'Bearer t0kenSECRET\\n'", the
    # token in every log of the error.
    remote = RasterDataset(paths=server.url("a.tif"), cache=False)
    assert torch.equal(remote[remote.bounds]["image"], RasterDataset(paths=local)[remote.bounds]["image"])
    # A line break inside the token is named, the token not shown.
    monkeypatch.setenv("GDAL_HTTP_BEARER", "t0ken\nSECRET")
    with pytest.raises(ValueError, match="GDAL_HTTP_BEARER holds a line break") as raised:
        RasterDataset(paths=server.url("a.tif"), cache=False)
    assert "SECRET" not in str(raised.value)


def test_a_file_of_headers_is_sent_as_gdal_sends_it_and_one_missing_is_named(
    server: LocalHTTPServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GDAL_HTTP_HEADER_FILE: one header a line (CRLF or LF), every request carries them, as GDAL's do."""
    local = _tile(server.root, "a.tif", 32631)
    server.validators = True
    server.required_headers = {"Authorization": "Bearer t0ken", "X-Team": "geo"}
    headers = tmp_path / "headers.txt"
    headers.write_bytes(b"Authorization: Bearer t0ken\r\nX-Team: geo\n")
    monkeypatch.setenv("GDAL_HTTP_HEADER_FILE", str(headers))
    remote = RasterDataset(paths=server.url("a.tif"), cache=False)
    assert torch.equal(remote[remote.bounds]["image"], RasterDataset(paths=local)[remote.bounds]["image"])
    # Before: OSError '<url>: request failed: [Errno 2] No such file or directory: ...' after 4 attempts and 3.5 s of
    # waits, as though the server had failed.
    monkeypatch.setenv("GDAL_HTTP_HEADER_FILE", str(tmp_path / "gone.txt"))
    start = time.monotonic()
    with pytest.raises(ValueError, match=r"GDAL_HTTP_HEADER_FILE names .*gone\.txt, which cannot be read \(No such"):
        RasterDataset(paths=server.url("a.tif"), cache=False)
    assert time.monotonic() - start < 1
