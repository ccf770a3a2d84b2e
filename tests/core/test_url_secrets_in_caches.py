"""The index cache on disk (``$GEOTORCH_HOME/index``) holds no URL's credentials, and serves a URL signed anew."""

from __future__ import annotations

from pathlib import Path

import pytest

from geotorch.core import RasterDataset
from tests.conftest import LocalHTTPServer
from tests.core.rasters import grid, random_bands, write_raster
from tests.core.test_url_secrets_in_errors import SECRETS, SIGNED


def test_the_index_cache_holds_no_credential_and_serves_a_url_signed_anew(
    http_server: LocalHTTPServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Before: $GEOTORCH_HOME/index/<digest>.json held 'http://.../a.tif?...&X-Amz-Signature=SECRET5EC&X-Amz-Credential=
    # AKIASECRET%2F20261203' as a key, in a file other users may read; the URL signed anew (another signature) was
    # another cache file, and its header read again.
    monkeypatch.setenv("GEOTORCH_HOME", str(tmp_path / "home"))
    http_server.ranges = http_server.validators = True
    write_raster(http_server.root / "a.tif", random_bands((1, 64, 64), dtype="float32"), 32631, grid(5e5, 6e6))
    first = RasterDataset(paths=http_server.url("a.tif") + SIGNED)
    stored = {path: path.read_text() for path in (tmp_path / "home").rglob("*") if path.is_file()}
    assert stored
    assert not [path for path, text in stored.items() if any(secret in text for secret in SECRETS)], stored
    gets = http_server.gets("a.tif")
    RasterDataset(paths=http_server.url("a.tif") + SIGNED)
    cached = http_server.gets("a.tif") - gets  # the version's stamp (a first byte), not the header
    again = RasterDataset(paths=http_server.url("a.tif") + SIGNED.replace("SECRET5EC", "RESIGNED"))
    assert http_server.gets("a.tif") - gets == 2 * cached  # the header was not read again: the cache served it
    assert again.bounds == first.bounds
