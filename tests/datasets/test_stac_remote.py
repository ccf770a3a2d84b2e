"""STACDataset over HTTP: a table and its COG assets served by tests/conftest.py's LocalHTTPServer (no internet)."""

from __future__ import annotations

import gzip
import time
import traceback
import zlib
from dataclasses import replace
from pathlib import Path

import pytest
import torch

from geotorch.datasets import STACDataset, stac_http
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


def test_a_table_cut_short_or_a_silent_server_is_an_error_naming_the_url(
    http_server: LocalHTTPServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A table whose body stops early, or a server that stops sending: one line naming the URL, within the limit."""
    write_items(http_server.root / "catalogue", ITEMS, relative=True)
    url = http_server.url("catalogue/items.parquet")
    http_server.truncate("catalogue/items.parquet", 100)
    with pytest.raises(OSError, match=r"the table at http://.*/catalogue/items\.parquet was cut short \(100 bytes"):
        STACDataset(url, ["red"])
    http_server.restore("catalogue/items.parquet")
    monkeypatch.setattr(stac_http, "TIMEOUT_S", 1.0)
    http_server.stall("catalogue/items.parquet", 100)
    start = time.monotonic()
    with pytest.raises(OSError, match=r"fetching the table at http://.*/catalogue/items\.parquet failed: .*timed out"):
        STACDataset(url, ["red"])
    assert time.monotonic() - start < 10
    http_server.restore("catalogue/items.parquet")
    assert len(STACDataset(url, ["red"])) == len(ITEMS)
    with pytest.raises(FileNotFoundError, match=r"no STAC GeoParquet table at http://.*/nothing\.parquet: HTTP 404"):
        STACDataset(http_server.url("nothing.parquet"), ["red"])


@pytest.mark.parametrize("coding", ["gzip", "x-gzip", "deflate"])
def test_a_table_stored_compressed_is_decoded_as_its_content_encoding_says(
    http_server: LocalHTTPServer, coding: str
) -> None:
    """A table uploaded compressed with Content-Encoding metadata (S3 serves it so whatever the request accepts)."""
    write_items(http_server.root / "catalogue", ITEMS, relative=True)
    table = http_server.root / "catalogue" / "items.parquet"
    data = table.read_bytes()
    table.write_bytes(zlib.compress(data) if coding == "deflate" else gzip.compress(data))
    http_server.frame("catalogue/items.parquet", "length", headers={"Content-Encoding": coding})
    # The compressed bytes were handed to pyarrow: ValueError "... Parquet magic bytes not found in footer".
    assert len(STACDataset(http_server.url("catalogue/items.parquet"), ["red"])) == len(ITEMS)


def test_a_table_of_a_coding_that_is_not_decoded_is_named(http_server: LocalHTTPServer) -> None:
    write_items(http_server.root / "catalogue", ITEMS, relative=True)
    http_server.frame("catalogue/items.parquet", "length", headers={"Content-Encoding": "br"})
    with pytest.raises(OSError, match=r"the table at http://.*/items\.parquet is sent with Content-Encoding 'br'"):
        STACDataset(http_server.url("catalogue/items.parquet"), ["red"])


#: A presigned URL's query (an Azure SAS token's signature, an S3 signature and key): none may reach a message.
SIGNED = "?se=2030-01-01&sp=rl&sig=SECRETSIG&X-Amz-Signature=SECRET5EC&X-Amz-Credential=AKIASECRET"


def assert_shown_without_secrets(error: BaseException, named: str) -> None:
    """``error``'s message names ``named``, and neither it nor its traceback (causes included) a credential."""
    assert named in str(error), str(error)
    printed = "".join(traceback.format_exception(error))
    assert not [secret for secret in ("SECRETSIG", "SECRET5EC", "AKIASECRET") if secret in printed], printed


@pytest.mark.parametrize("fault", ["gone", "refused", "junk"])
def test_a_signed_table_url_that_fails_is_named_without_its_credentials(
    http_server: LocalHTTPServer, fault: str
) -> None:
    # Before: "STACDataset: no STAC GeoParquet table at http://.../items.parquet?se=...&sig=SECRETSIG&...: HTTP 404
    # File not found" (403 and a body that is no Parquet file alike: "cannot read http://...SECRETSIG...").
    write_items(http_server.root / "catalogue", ITEMS, relative=True)
    if fault == "junk":
        (http_server.root / "catalogue" / "items.parquet").write_bytes(b"<html>expired</html>")
    elif fault == "refused":
        http_server.fail("catalogue/items.parquet", 403)
    name = "catalogue/nothing.parquet" if fault == "gone" else "catalogue/items.parquet"
    with pytest.raises((OSError, ValueError)) as raised:
        STACDataset(http_server.url(name) + SIGNED, ["red"])
    assert_shown_without_secrets(raised.value, http_server.url(name) + "?se=2030-01-01&sp=rl&sig=...")


@pytest.mark.parametrize("fault", ["gone", "junk"])
def test_an_unprojected_items_asset_that_cannot_be_read_is_named_without_its_signature(
    http_server: LocalHTTPServer, tmp_path: Path, fault: str
) -> None:
    # Before: "STACDataset: item 'a-0305' has no projection fields (...) and its asset 'red' at http://.../a-0305_red.tif
    # cannot be read: '/vsicurl/http://.../a-0305_red.tif?se=...&sig=SECRETSIG&...' not recognized as being in a
    # supported file format." (a file gone: "HTTP response code: 404", GDAL's error quoting the signed URL its cause).
    bare = [replace(item, proj=False) for item in ITEMS]
    table = write_items(tmp_path, bare, href_prefix=http_server.url("assets/"))
    if fault == "junk":
        (http_server.root / "assets").mkdir()
        (http_server.root / "assets" / "a-0305_red.tif").write_bytes(b"<html>expired</html>" * 100)
    with pytest.raises(ValueError, match="has no projection fields") as raised:
        STACDataset(table, ["red"], sign_href=lambda href: href + SIGNED)
    assert_shown_without_secrets(raised.value, http_server.url("assets/a-0305_red.tif"))
