"""Listings of Azure containers read AZURE_STORAGE_CONNECTION_STRING, as GDAL reads the objects with it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from geotorch.core.object_store import object_store, remote_files
from geotorch.core.remote import RemotePath
from tests.core.test_object_store_gdal_settings import UNSET, StoreServer, _serving

#: Azurite's published development key (base64, as the portal gives account keys).
KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
#: A shared access signature as the portal's "SAS connection string" holds it.
SAS = "sv=2024-05-04&ss=b&srt=co&sp=rl&se=2026-12-04T00:00:00Z&sig=SASSECRET%3D"
#: Every Azure variable a test's environment must not bring (obstore's and GDAL's).
AZURE_UNSET = (
    *UNSET, "AZURE_STORAGE_CONNECTION_STRING", "AZURE_STORAGE_ENDPOINT", "AZURE_STORAGE_ACCOUNT_KEY",
    "AZURE_STORAGE_MASTER_KEY", "AZURE_STORAGE_SAS_KEY", "AZURE_NO_SIGN_REQUEST", "AZURE_STORAGE_TOKEN",
)
LISTING = "/geoacct/open?restype=container&comp=list&prefix=scenes%2F"


@pytest.fixture
def azure(monkeypatch: pytest.MonkeyPatch) -> Iterator[StoreServer]:
    """An Azure Blob endpoint on 127.0.0.1 answering a List Blobs of scenes/ in container ``open``; no setting."""
    for name in AZURE_UNSET:
        monkeypatch.delenv(name, raising=False)
    yield from _serving("az")


def test_a_container_is_listed_with_the_account_key_of_a_connection_string(
    azure: StoreServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Before: OSError 'az://open/scenes: cannot make a client of the store: Generic MicrosoftAzure error: Account
    # must be specified; ...' and no request: obstore does not read the variable, GDAL does.
    monkeypatch.setenv(
        "AZURE_STORAGE_CONNECTION_STRING",
        f"DefaultEndpointsProtocol=http;AccountName=geoacct;AccountKey={KEY};BlobEndpoint={azure.base_url}/geoacct;",
    )
    (found,) = remote_files(RemotePath("az://open/scenes"), "*.tif")
    assert found.url == "az://open/scenes/a.tif"
    assert found.stamp == ("0x8D1", "2026-01-01T00:00:00+00:00", 10)
    ((path, authorization),) = azure.seen
    assert path == LISTING and authorization is not None and authorization.startswith("SharedKey geoacct:")


def test_a_container_is_listed_with_the_shared_access_signature_of_a_connection_string(
    azure: StoreServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The portal's SAS connection string names no account: it is the endpoint's (here its path's first segment).
    monkeypatch.setenv(
        "AZURE_STORAGE_CONNECTION_STRING", f"BlobEndpoint={azure.base_url}/geoacct/;SharedAccessSignature={SAS}"
    )
    (found,) = remote_files(RemotePath("az://open/scenes"), "*.tif")
    assert found.url == "az://open/scenes/a.tif"
    ((path, authorization),) = azure.seen
    assert path.startswith(LISTING) and "sig=SASSECRET%3D" in path and authorization is None


def test_the_portals_connection_string_gives_the_account_key_and_its_clouds_endpoint(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in AZURE_UNSET:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(
        "AZURE_STORAGE_CONNECTION_STRING",
        f"DefaultEndpointsProtocol=https;AccountName=geoacct;AccountKey={KEY};EndpointSuffix=core.chinacloudapi.cn",
    )
    config = object_store("az", "open").config
    assert config["account_name"] == "geoacct" and config["account_key"] == KEY
    assert config["endpoint"] == "https://geoacct.blob.core.chinacloudapi.cn"


def test_obstores_own_variables_win_over_the_connection_string(
    azure: StoreServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(
        "AZURE_STORAGE_CONNECTION_STRING", f"AccountName=geoacct;AccountKey={KEY};BlobEndpoint={azure.base_url}/geoacct"
    )
    monkeypatch.setenv("AZURE_STORAGE_ACCOUNT_NAME", "otheracct")
    remote_files(RemotePath("az://open/scenes"), "*.tif")
    ((path, authorization),) = azure.seen
    assert path == LISTING and authorization is not None and authorization.startswith("SharedKey otheracct:")


def test_a_connection_string_without_an_account_is_named_without_its_key(
    azure: StoreServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AZURE_STORAGE_CONNECTION_STRING", f"AccountKey={KEY}")
    wanted = r"az://open/scenes: .*Account must be specified; .*AZURE_STORAGE_CONNECTION_STRING"
    with pytest.raises(OSError, match=wanted) as raised:
        remote_files(RemotePath("az://open/scenes"), "*.tif")
    assert KEY not in str(raised.value) and azure.seen == []


def test_an_endpoint_whose_scheme_is_in_capitals_is_read_over_http(
    azure: StoreServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Before: OSError 'az://open/scenes: listing failed: GenericError: ... Error performing GET REDACTED in 13us -
    # HTTP error: builder error', no request: 'HTTP://' was not taken for http, so HTTP was not allowed (GDAL's
    # curl reads a URL's scheme in any case, as RFC 3986 says).
    monkeypatch.setenv(
        "AZURE_STORAGE_CONNECTION_STRING",
        f"DefaultEndpointsProtocol=HTTP;AccountName=geoacct;AccountKey={KEY};"
        f"BlobEndpoint={azure.base_url.replace('http://', 'HTTP://')}/geoacct",
    )
    (found,) = remote_files(RemotePath("az://open/scenes"), "*.tif")
    assert found.url == "az://open/scenes/a.tif"
    ((path, authorization),) = azure.seen
    assert path == LISTING and authorization is not None and authorization.startswith("SharedKey geoacct:")
