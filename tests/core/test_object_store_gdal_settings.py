"""Listings of GCS and Azure read the settings GDAL users set, and GDAL those obstore users set."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest
import rasterio

from geotorch.core.object_store import remote_files
from geotorch.core.remote import RemotePath, open_raster
from tests.conftest import LocalHTTPServer
from tests.core.rasters import grid, random_bands, write_raster

#: One object, scenes/a.tif, as GCS's XML API (ListObjectsV2) and Azure's List Blobs answer a listing of scenes/.
LISTINGS = {
    "gs": b'<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://doc.s3.amazonaws.com/2006-03-01">'
    b"<Name>open</Name><Prefix>scenes/</Prefix><KeyCount>1</KeyCount><MaxKeys>1000</MaxKeys>"
    b"<IsTruncated>false</IsTruncated><Contents><Key>scenes/a.tif</Key>"
    b'<LastModified>2026-01-01T00:00:00.000Z</LastModified><ETag>"e1"</ETag><Size>10</Size></Contents>'
    b"</ListBucketResult>",
    "az": b'<?xml version="1.0" encoding="utf-8"?><EnumerationResults ContainerName="open"><Prefix>scenes/</Prefix>'
    b"<Blobs><Blob><Name>scenes/a.tif</Name><Properties><Creation-Time>Thu, 01 Jan 2026 00:00:00 GMT</Creation-Time>"
    b"<Last-Modified>Thu, 01 Jan 2026 00:00:00 GMT</Last-Modified><Etag>0x8D1</Etag><Content-Length>10"
    b"</Content-Length><Content-Type>image/tiff</Content-Type><BlobType>BlockBlob</BlobType></Properties></Blob>"
    b"</Blobs><NextMarker /></EnumerationResults>",
}
#: Variables of obstore's own and GDAL's that a test's environment must not bring.
UNSET = (
    "GOOGLE_BASE_URL", "GOOGLE_SKIP_SIGNATURE", "GOOGLE_APPLICATION_CREDENTIALS", "GOOGLE_SERVICE_ACCOUNT",
    "AZURE_STORAGE_ACCOUNT_NAME", "AZURE_STORAGE_ACCOUNT", "AZURE_SKIP_SIGNATURE", "AZURE_STORAGE_ACCESS_KEY",
    "AZURE_STORAGE_SAS_TOKEN", "AZURE_STORAGE_USE_EMULATOR", "AZURE_ENDPOINT",
)


class StoreServer(ThreadingHTTPServer):
    """A store on 127.0.0.1 answering every GET with ``listing``, recording each request's path and Authorization."""

    def __init__(self, listing: bytes) -> None:
        self.listing = listing
        self.seen: list[tuple[str, str | None]] = []
        super().__init__(("127.0.0.1", 0), _Handler)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        server = self.server
        assert isinstance(server, StoreServer)
        server.seen.append((self.path, self.headers.get("Authorization")))
        self.send_response(200)
        self.send_header("Content-Length", str(len(server.listing)))
        self.end_headers()
        self.wfile.write(server.listing)

    def log_message(self, format: str, *args: object) -> None:
        """Keep test output quiet."""


def _serving(scheme: str) -> Iterator[StoreServer]:
    server = StoreServer(LISTINGS[scheme])
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def gcs(monkeypatch: pytest.MonkeyPatch) -> Iterator[StoreServer]:
    """A GCS endpoint, given as GDAL users give it (CPL_GS_ENDPOINT, with its trailing slash)."""
    for name in UNSET:
        monkeypatch.delenv(name, raising=False)
    for server in _serving("gs"):
        monkeypatch.setenv("CPL_GS_ENDPOINT", server.base_url + "/")
        yield server


@pytest.fixture
def azure(monkeypatch: pytest.MonkeyPatch) -> Iterator[StoreServer]:
    """An Azure Blob endpoint of account geoacct (obstore's AZURE_STORAGE_ENDPOINT: GDAL has no plain variable)."""
    for name in UNSET:
        monkeypatch.delenv(name, raising=False)
    for server in _serving("az"):
        monkeypatch.setenv("AZURE_STORAGE_ENDPOINT", server.base_url + "/geoacct")
        yield server


def test_a_public_gcs_bucket_is_listed_unsigned_under_gdals_gs_no_sign_request(
    gcs: StoreServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Before: GS_NO_SIGN_REQUEST=YES (and CPL_GS_ENDPOINT) reached GDAL alone: the listing asked the GCE metadata
    # server (169.254.169.254) for a token and failed after 5 s, saying "no AWS credentials were found ... EC2".
    monkeypatch.setenv("GS_NO_SIGN_REQUEST", "YES")
    (found,) = remote_files(RemotePath("gs://open/scenes"), "*.tif")
    assert found.url == "gs://open/scenes/a.tif"
    assert found.stamp == ('"e1"', "2026-01-01T00:00:00+00:00", 10)
    assert gcs.seen == [("/open?list-type=2&prefix=scenes%2F", None)]


def test_a_gcs_listing_without_credentials_names_googles_settings_not_aws(gcs: StoreServer) -> None:
    with pytest.raises(OSError, match="gs://open/scenes: listing failed: no Google credentials") as raised:
        remote_files(RemotePath("gs://open/scenes"), "*.tif")
    assert "GS_NO_SIGN_REQUEST=YES" in str(raised.value) and "AWS" not in str(raised.value)
    assert gcs.seen == []


def test_an_azure_container_is_listed_with_gdals_storage_account(
    azure: StoreServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Before: GenericError 'Generic MicrosoftAzure error: Account must be specified' (AZURE_STORAGE_ACCOUNT is
    # GDAL's name; obstore reads AZURE_STORAGE_ACCOUNT_NAME), not an OSError, naming no URL.
    monkeypatch.setenv("AZURE_STORAGE_ACCOUNT", "geoacct")
    monkeypatch.setenv("AZURE_NO_SIGN_REQUEST", "YES")
    (found,) = remote_files(RemotePath("az://open/scenes"), "*.tif")
    assert found.url == "az://open/scenes/a.tif"
    assert found.stamp == ("0x8D1", "2026-01-01T00:00:00+00:00", 10)
    assert azure.seen == [("/geoacct/open?restype=container&comp=list&prefix=scenes%2F", None)]


def test_an_azure_listing_without_an_account_is_an_os_error_naming_the_url_and_the_setting(azure: StoreServer) -> None:
    with pytest.raises(OSError, match=r"az://open/scenes: .*Account must be specified; .*AZURE_STORAGE_ACCOUNT"):
        remote_files(RemotePath("az://open/scenes"), "*.tif")
    assert azure.seen == []


def test_a_public_gcs_object_is_read_by_gdal_under_obstores_google_skip_signature(
    http_server: LocalHTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Before: RasterReadError 'gs://open/a.tif: cannot open raster: GS_SECRET_ACCESS_KEY+GS_ACCESS_KEY_ID, ...,
    # or GS_NO_SIGN_REQUEST=YES configuration options not defined' (GOOGLE_SKIP_SIGNATURE reached listings alone).
    for name in UNSET:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("GS_NO_SIGN_REQUEST", raising=False)
    http_server.ranges = True
    (http_server.root / "open").mkdir()
    path = write_raster(http_server.root / "open" / "a.tif", random_bands((1, 32, 32), dtype="uint8"), 32631,
                        grid(5e5, 6e6))
    monkeypatch.setenv("CPL_GS_ENDPOINT", http_server.base_url)
    monkeypatch.setenv("GOOGLE_SKIP_SIGNATURE", "true")
    with open_raster("gs://open/a.tif") as remote, rasterio.open(path) as local:
        assert np.array_equal(remote.read(), local.read())
    assert not [seen for seen in http_server.headers_seen["open/a.tif"] if "Authorization" in seen]
