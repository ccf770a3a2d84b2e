"""Remote paths: recognised, mapped to GDAL's virtual file systems, configured from either set of variables."""

from __future__ import annotations

from pathlib import Path

import pytest

from geotorch.core.files import as_locations
from geotorch.core.object_names import object_name
from geotorch.core.object_store import object_store
from geotorch.core.remote import RemotePath, gdal_options, gdal_path

GDAL_AND_SDK = (
    "AWS_S3_ENDPOINT",
    "AWS_HTTPS",
    "AWS_VIRTUAL_HOSTING",
    "AWS_NO_SIGN_REQUEST",
    "AWS_REGION",
    "AWS_ENDPOINT_URL",
    "AWS_ENDPOINT_URL_S3",
    "AWS_DEFAULT_REGION",
    "AWS_SKIP_SIGNATURE",
    "GDAL_DISABLE_READDIR_ON_OPEN",
)


@pytest.fixture(autouse=True)
def _clean(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in GDAL_AND_SDK:
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize(
    ("given", "virtual"),
    [
        ("https://example.org/a/b.tif", "/vsicurl/https://example.org/a/b.tif"),
        ("http://127.0.0.1:8000/b.tif?x=1", "/vsicurl/http://127.0.0.1:8000/b.tif?x=1"),
        ("s3://bucket/scenes/b.tif", "/vsis3/bucket/scenes/b.tif"),
        ("gs://bucket/b.tif", "/vsigs/bucket/b.tif"),
        ("az://container/b.tif", "/vsiaz/container/b.tif"),
        ("/vsizip//data/a.zip/b.tif", "/vsizip//data/a.zip/b.tif"),
    ],
)
def test_urls_stay_remote_and_map_to_gdal(given: str, virtual: str) -> None:
    (location,) = as_locations(given, None, "Test")
    assert location == RemotePath(given) and str(location) == given
    assert location.name == "b.tif" and gdal_path(given) == virtual


def test_local_paths_stay_local(tmp_path: Path) -> None:
    assert as_locations([tmp_path, str(tmp_path / "a.tif")], None, "Test") == [tmp_path, tmp_path / "a.tif"]


def test_unknown_scheme_is_refused_naming_it() -> None:
    with pytest.raises(ValueError, match=r"ftp://h/a\.tif: unsupported URL scheme 'ftp'"):
        gdal_path("ftp://h/a.tif")


def test_sdk_variables_become_gdal_options(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:9000")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    monkeypatch.setenv("AWS_SKIP_SIGNATURE", "true")
    options = gdal_options()
    assert options["AWS_S3_ENDPOINT"] == "127.0.0.1:9000" and options["AWS_HTTPS"] == "NO"
    assert options["AWS_VIRTUAL_HOSTING"] == "FALSE" and options["AWS_REGION"] == "eu-west-1"
    assert options["AWS_NO_SIGN_REQUEST"] == "YES"


def test_gdal_variables_set_by_the_user_win(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "https://sdk.example")
    monkeypatch.setenv("AWS_S3_ENDPOINT", "gdal.example")
    monkeypatch.setenv("GDAL_DISABLE_READDIR_ON_OPEN", "FALSE")
    options = gdal_options()
    assert "AWS_S3_ENDPOINT" not in options and "GDAL_DISABLE_READDIR_ON_OPEN" not in options


def test_gdal_variables_configure_the_listing_client(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("obstore")
    monkeypatch.setenv("AWS_S3_ENDPOINT", "127.0.0.1:9000")
    monkeypatch.setenv("AWS_HTTPS", "NO")
    monkeypatch.setenv("AWS_NO_SIGN_REQUEST", "YES")
    store = object_store("s3", "bucket")
    assert store.config["endpoint"] == "http://127.0.0.1:9000"
    assert str(store.config["skip_signature"]).lower() == "true"
    assert str(store.client_options["allow_http"]).lower() == "true"


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/vsis3/b/scenes/a.tif", "s3://b/scenes/a.tif"),
        ("https://b.s3.amazonaws.com/scenes/a.tif", "s3://b/scenes/a.tif"),
        ("https://my.b.s3.eu-west-1.amazonaws.com/scenes/a%20b.tif", "s3://my.b/scenes/a b.tif"),
        ("/vsicurl/https://s3.eu-west-1.amazonaws.com/b/scenes/a.tif", "s3://b/scenes/a.tif"),
        ("https://s3-us-west-2.amazonaws.com/b/a.tif", "s3://b/a.tif"),
        ("https://b.s3.dualstack.us-east-1.amazonaws.com/a.tif", "s3://b/a.tif"),
        ("https://storage.googleapis.com/b/a.tif", "gs://b/a.tif"),
        ("/vsigs/b/a.tif", "gs://b/a.tif"),
        # Presigned (another authority, maybe another version), another host, no key: as they are.
        ("https://b.s3.amazonaws.com/a.tif?X-Amz-Signature=1", "https://b.s3.amazonaws.com/a.tif?X-Amz-Signature=1"),
        ("https://example.com/b/a.tif", "https://example.com/b/a.tif"),
        ("https://s3.amazonaws.com/b", "https://s3.amazonaws.com/b"),
    ],
)
def test_an_object_has_one_name_whichever_url_reaches_it(path: str, name: str) -> None:
    assert object_name(path) == name


def test_at_a_configured_endpoint_its_urls_name_its_objects_and_aws_urls_do_not(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9000")
    assert object_name("http://127.0.0.1:9000/b/a.tif") == "s3://b/a.tif"
    # s3:// names the endpoint's bucket, not AWS's of the same name.
    assert object_name("https://b.s3.amazonaws.com/a.tif") == "https://b.s3.amazonaws.com/a.tif"
    monkeypatch.delenv("AWS_ENDPOINT_URL")
    monkeypatch.setenv("AWS_S3_ENDPOINT", "minio.lan:9000")
    monkeypatch.setenv("AWS_VIRTUAL_HOSTING", "TRUE")
    assert object_name("https://b.minio.lan:9000/a.tif") == "s3://b/a.tif"
