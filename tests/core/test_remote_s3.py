"""Rasters in an S3 bucket (moto's S3 server on 127.0.0.1): same pixels, prefix listing, cached index."""

from __future__ import annotations

import logging
import pickle
import re
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
import torch

from geotorch.core import RasterDataset, RasterReadError
from tests.core.rasters import grid, random_bands, write_raster

moto_server = pytest.importorskip("moto.server", reason="moto[server] runs the S3 server of these tests")
boto3 = pytest.importorskip("boto3")

BUCKET = "geodata"


class _CountingApp:
    """WSGI middleware recording each request's method and path, so tests count what reached the server."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app
        self.requests: list[tuple[str, str]] = []
        #: Answer listings 403 AccessDenied, as S3 does for a policy granting s3:GetObject but not s3:ListBucket.
        self.deny_listing = False
        #: Buckets in another region (name -> region): requests signed for another region are refused as S3
        #: refuses them (listings ``301 PermanentRedirect``, objects ``400 AuthorizationHeaderMalformed``).
        self.regions: dict[str, str] = {}

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        self.requests.append((environ["REQUEST_METHOD"], environ["PATH_INFO"]))
        bucket = environ["PATH_INFO"].strip("/").split("/")[0]
        signed = re.search(r"Credential=[^/]+/[0-9]+/([^/]+)/s3/", environ.get("HTTP_AUTHORIZATION", ""))
        if bucket in self.regions and signed is not None and signed[1] != self.regions[bucket]:
            return _wrong_region(environ, start_response, self.regions[bucket], signed[1])
        if self.deny_listing and environ["REQUEST_METHOD"] == "GET" and environ["PATH_INFO"].strip("/") == BUCKET:
            start_response("403 Forbidden", [("Content-Type", "application/xml")])
            return [
                b"<?xml version='1.0' encoding='UTF-8'?><Error><Code>AccessDenied</Code>"
                b"<Message>Access Denied</Message></Error>"
            ]
        return self.app(environ, start_response)

    def object_gets(self, key: str) -> int:
        return self.requests.count(("GET", f"/{BUCKET}/{key}"))


def _wrong_region(
    environ: dict[str, Any], start_response: Callable[..., Any], region: str, signed: str
) -> Iterable[bytes]:
    """S3's answer to a request signed for region ``signed`` of a bucket in ``region``."""
    if environ["PATH_INFO"].strip("/").count("/") == 0:
        status, code = "301 Moved Permanently", "PermanentRedirect"
        detail = f"<Endpoint>s3.{region}.amazonaws.com</Endpoint>"
    else:
        status, code = "400 Bad Request", "AuthorizationHeaderMalformed"
        detail = f"<Region>{region}</Region>"
    body = (
        f"<?xml version='1.0' encoding='UTF-8'?><Error><Code>{code}</Code><Message>the region '{signed}' is wrong; "
        f"expecting '{region}'</Message>{detail}</Error>"
    ).encode()
    headers = [("Content-Type", "application/xml"), ("x-amz-bucket-region", region), ("Content-Length", str(len(body)))]
    start_response(status, headers)
    return [b"" if environ["REQUEST_METHOD"] == "HEAD" else body]


@pytest.fixture(scope="module")
def s3_server() -> Iterator[tuple[str, _CountingApp]]:
    """moto's S3 server on a free port of 127.0.0.1, its requests counted; stopped after the module."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    # ThreadedMotoServer keeps its werkzeug server private; wrapping its app is the one way to count requests.
    counting = _CountingApp(server._server.app)
    server._server.app = counting
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}", counting
    server.stop()


@pytest.fixture
def s3(s3_server: tuple[str, _CountingApp], monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A boto3 client of a fresh bucket; the SDKs' variables only (GDAL's are derived from them)."""
    endpoint, _ = s3_server
    for name in (
        "AWS_S3_ENDPOINT", "AWS_HTTPS", "AWS_VIRTUAL_HOSTING", "AWS_NO_SIGN_REQUEST", "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    client = boto3.client("s3")
    client.create_bucket(Bucket=BUCKET)
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def _upload(s3: Any, folder: Path, key: str, crs: int, seed: int, left: float = 500000.0) -> Path:
    top, res = (52.0, 0.0003) if crs == 4326 else (6000000.0, 30.0)
    path = write_raster(
        folder / key,
        random_bands((2, 48, 48), seed=seed),
        crs,
        grid(4.5 if crs == 4326 else left, top, res),
        tiled=True,
        compress="deflate",
    )
    s3.upload_file(str(path), BUCKET, key)
    return path


@pytest.mark.parametrize("crs", [32631, 4326])
def test_s3_pixels_equal_local_pixels(s3: Any, tmp_path: Path, crs: int) -> None:
    local = _upload(s3, tmp_path, f"{crs}.tif", crs, seed=crs)
    from_disk = RasterDataset(paths=local)
    for given in (f"s3://{BUCKET}/{crs}.tif", f"/vsis3/{BUCKET}/{crs}.tif"):
        remote = RasterDataset(paths=given)
        assert remote.crs == from_disk.crs and remote.bounds == from_disk.bounds
        assert torch.equal(remote[remote.bounds]["image"], from_disk[from_disk.bounds]["image"])


def test_prefix_is_listed_like_a_folder(s3: Any, tmp_path: Path) -> None:
    for number, key in enumerate(
        ["scenes/a.tif", "scenes/deep/b.tif", "scenes/c.jp2", "scenes-old/d.tif", "scenes/a.tif.aux.xml", "other.tif"]
    ):
        if key.endswith(".tif"):
            _upload(s3, tmp_path, key, 32631, seed=number, left=500000.0 + 2000 * number)
        else:
            s3.put_object(Bucket=BUCKET, Key=key, Body=b"not a raster")

    class Scenes(RasterDataset):
        filename_glob = "*.tif"
        filename_regex = r"^(?P<name>[a-c])\.tif$"

    for prefix in (f"s3://{BUCKET}/scenes", f"s3://{BUCKET}/scenes/", f"/vsis3/{BUCKET}/scenes"):
        dataset = Scenes(paths=prefix)
        names = sorted(entry.object for entry in dataset.index.intersection(dataset.index.bounds, objects=True))
        assert [name.rsplit("/", 1)[-1] for name in names] == ["a.tif", "b.tif"], prefix
    with pytest.raises(FileNotFoundError, match=f"s3://{BUCKET}/nothing"):
        Scenes(paths=f"s3://{BUCKET}/nothing")


def test_second_construction_in_a_fresh_process_fetches_no_object_bytes(
    s3: Any, s3_server: tuple[str, _CountingApp], tmp_path: Path
) -> None:
    _, counting = s3_server
    _upload(s3, tmp_path, "series/a.tif", 32631, seed=1)
    _upload(s3, tmp_path, "series/b.tif", 32631, seed=2, left=502000.0)
    RasterDataset(paths=f"s3://{BUCKET}/series")
    assert counting.object_gets("series/a.tif") > 0
    start = len(counting.requests)
    code = "import sys; from geotorch.core import RasterDataset; print(len(RasterDataset(paths=sys.argv[1])))"
    done = subprocess.run([sys.executable, "-c", code, f"s3://{BUCKET}/series"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "2"
    assert counting.requests[start:] == [("GET", f"/{BUCKET}")]  # one listing, no object fetched


def test_object_uploaded_again_with_the_same_size_is_read_again(s3: Any, tmp_path: Path) -> None:
    path = write_raster(tmp_path / "a.tif", random_bands((1, 32, 32)), 32631, grid(500000.0, 6000000.0))
    s3.upload_file(str(path), BUCKET, "a.tif")
    assert RasterDataset(paths=f"s3://{BUCKET}/a.tif").bounds.minx == 500000.0
    size = path.stat().st_size
    write_raster(path, random_bands((1, 32, 32), seed=1), 32631, grid(501000.0, 6000000.0))
    assert path.stat().st_size == size
    s3.upload_file(str(path), BUCKET, "a.tif")
    code = "import sys; from geotorch.core import RasterDataset; print(RasterDataset(paths=sys.argv[1]).bounds.minx)"
    done = subprocess.run([sys.executable, "-c", code, f"s3://{BUCKET}/a.tif"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert float(done.stdout) == 501000.0


def test_gdal_variables_alone_are_enough(
    s3: Any, s3_server: tuple[str, _CountingApp], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    local = _upload(s3, tmp_path, "gdal/a.tif", 32631, seed=3)
    endpoint, _ = s3_server
    monkeypatch.delenv("AWS_ENDPOINT_URL")
    monkeypatch.setenv("AWS_S3_ENDPOINT", endpoint.removeprefix("http://"))
    monkeypatch.setenv("AWS_HTTPS", "NO")
    monkeypatch.setenv("AWS_VIRTUAL_HOSTING", "FALSE")
    remote = RasterDataset(paths=f"s3://{BUCKET}/gdal")
    assert torch.equal(remote[remote.bounds]["image"], RasterDataset(paths=local)[remote.bounds]["image"])


def test_s3_time_series_chip_equals_the_local_chip(s3: Any, tmp_path: Path) -> None:
    # One object per band and date, listed from a prefix: a chip's windows are fetched at once (core.prefetch).
    for step, date in enumerate(("20230101", "20230201", "20230301")):
        for band in ("B1", "B2"):
            _upload(s3, tmp_path, f"series/T_{date}_{band}.tif", 32631, seed=10 * step + int(band[1]))

    class Series(RasterDataset):
        filename_glob = "T_*_B1.tif"
        filename_regex = r"^T_(?P<date>\d{8})_(?P<band>B\d)\.tif$"
        date_format = "%Y%m%d"
        separate_files = True
        all_bands = ("B1", "B2")

    remote = Series(paths=f"s3://{BUCKET}/series", time_series=True)
    local = Series(paths=tmp_path / "series", time_series=True)
    assert remote.bounds == local.bounds
    chip = type(local.bounds)(500300.0, 500900.0, 5999000.0, 5999600.0, local.bounds.mint, local.bounds.maxt)
    ours, theirs = remote[chip], local[chip]
    assert ours["image"].shape[:2] == (3, 2)
    assert torch.equal(ours["image"], theirs["image"]) and torch.equal(ours["time"], theirs["time"])


def test_object_uploaded_again_between_two_reads_is_an_error_not_a_mix_of_versions(s3: Any, tmp_path: Path) -> None:
    # Uncompressed strips of the same size: the new object's bytes lie at the offsets the old header gave.
    path = write_raster(tmp_path / "a.tif", random_bands((1, 256, 256), dtype="float32"), 32631, grid(500000.0, 6e6))
    s3.upload_file(str(path), BUCKET, "replaced/a.tif")
    dataset = RasterDataset(paths=f"s3://{BUCKET}/replaced/a.tif", cache=False)
    bounds = dataset.bounds
    top = type(bounds)(bounds.minx, bounds.maxx, (bounds.miny + bounds.maxy) / 2, bounds.maxy, bounds.mint, bounds.maxt)
    dataset[top]  # the header and the top rows are fetched and cached
    write_raster(path, random_bands((1, 256, 256), dtype="float32", seed=7), 32631, grid(500000.0, 6e6))
    s3.upload_file(str(path), BUCKET, "replaced/a.tif")
    with pytest.raises(RasterReadError, match=f"{BUCKET}/replaced/a\\.tif"):
        dataset[bounds]


@pytest.mark.parametrize("where", ["home", "variables"])
def test_keys_and_region_of_the_aws_profile_files_are_enough(
    s3: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    """Keys in ~/.aws/credentials, the region in ~/.aws/config, no key in the environment: as GDAL reads them."""
    local = _upload(s3, tmp_path, "profile/a.tif", 32631, seed=4)
    folder = tmp_path / "home" / ".aws" if where == "home" else tmp_path / "elsewhere"
    folder.mkdir(parents=True)
    (folder / "credentials").write_text("[work]\naws_access_key_id = testing\naws_secret_access_key = testing\n")
    (folder / "config").write_text("[profile work]\nregion = us-east-1\n")
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_PROFILE", "work")
    if where == "home":
        monkeypatch.setenv("HOME", str(tmp_path / "home"))
    else:
        monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(folder / "credentials"))
        monkeypatch.setenv("AWS_CONFIG_FILE", str(folder / "config"))
    for given in (f"s3://{BUCKET}/profile", f"s3://{BUCKET}/profile/a.tif"):
        remote = RasterDataset(paths=given, cache=False)
        assert torch.equal(remote[remote.bounds]["image"], RasterDataset(paths=local)[remote.bounds]["image"])
    monkeypatch.setenv("AWS_PROFILE", "play")
    with pytest.raises(ValueError, match=r"AWS_PROFILE='play': no such profile in .*credentials or .*config"):
        RasterDataset(paths=f"s3://{BUCKET}/profile")
    # Both variables set: the legacy AWS_DEFAULT_PROFILE wins, as GDAL and botocore take it (ours took AWS_PROFILE:
    # ValueError "AWS_PROFILE='play': no such profile", though GDAL reads the files with 'work').
    monkeypatch.setenv("AWS_DEFAULT_PROFILE", "work")
    remote = RasterDataset(paths=f"s3://{BUCKET}/profile", cache=False)
    assert torch.equal(remote[remote.bounds]["image"], RasterDataset(paths=local)[remote.bounds]["image"])
    monkeypatch.setenv("AWS_DEFAULT_PROFILE", "gone")
    with pytest.raises(ValueError, match=r"AWS_DEFAULT_PROFILE='gone': no such profile .*, or unset AWS_DEFAULT_PROF"):
        RasterDataset(paths=f"s3://{BUCKET}/profile")


@pytest.fixture
def role_profile(s3: Any, s3_server: tuple[str, _CountingApp], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """AWS_PROFILE=analyst, a profile naming no keys but a role to assume with the keys of profile 'base'."""
    folder = tmp_path / "aws"
    folder.mkdir()
    (folder / "credentials").write_text("[base]\naws_access_key_id = testing\naws_secret_access_key = testing\n")
    (folder / "config").write_text(
        "[profile analyst]\nrole_arn = arn:aws:iam::123456789012:role/reader\nsource_profile = base\n"
        "region = us-east-1\n"
    )
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(folder / "credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(folder / "config"))
    monkeypatch.setenv("AWS_PROFILE", "analyst")
    # GDAL assumes the role through STS itself: moto's, at the endpoint (boto3 takes AWS_ENDPOINT_URL for it).
    host = s3_server[0].removeprefix("http://")
    monkeypatch.setenv("AWS_STS_ENDPOINT", host)
    monkeypatch.setenv("CPL_AWS_STS_ROOT_URL", s3_server[0])
    return folder


def test_a_profile_that_assumes_a_role_lists_with_the_role_s_credentials(
    s3: Any, role_profile: Path, tmp_path: Path
) -> None:
    """role_arn + source_profile (the usual cross-account setup), as GDAL follows it: listing asked IMDS instead."""
    local = _upload(s3, tmp_path, "role/a.tif", 32631, seed=5)
    # Before: OSError 's3://geodata/role: listing failed: no AWS credentials were found (..., no keys for profile
    # 'analyst' ...)', the role never assumed.
    remote = RasterDataset(paths=f"s3://{BUCKET}/role", cache=False)
    assert torch.equal(remote[remote.bounds]["image"], RasterDataset(paths=local)[remote.bounds]["image"])


def test_a_profile_that_assumes_a_role_is_refused_naming_it_without_boto3(
    s3: Any, role_profile: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _upload(s3, tmp_path, "role/a.tif", 32631, seed=5)
    monkeypatch.setitem(sys.modules, "boto3", None)  # boto3 is not a dependency of geotorch-core
    with pytest.raises(
        ValueError,
        match=r"AWS profile 'analyst' gets its keys through 'role_arn = arn:aws:iam::123456789012:role/reader'.*"
        r"pip install boto3",
    ):
        RasterDataset(paths=f"s3://{BUCKET}/role", cache=False)


def test_an_object_named_by_its_s3_url_its_gdal_path_and_its_http_url_is_indexed_once(
    s3: Any, s3_server: tuple[str, _CountingApp], tmp_path: Path
) -> None:
    """One object, three names: s3://, /vsis3/ and the endpoint's HTTP URL (path style, as the SDKs address it)."""
    local = _upload(s3, tmp_path, "twice/a.tif", 32631, seed=6)
    s3.put_object_acl(Bucket=BUCKET, Key="twice/a.tif", ACL="public-read")  # read over plain HTTP too
    named = [f"s3://{BUCKET}/twice", f"{s3_server[0]}/{BUCKET}/twice/a.tif", f"/vsis3/{BUCKET}/twice/a.tif"]
    # Before: 3 files indexed, each window read three times over (and merged).
    dataset = RasterDataset(paths=named, cache=False)
    assert len(dataset) == 1
    assert [str(file) for file in dataset.files] == [f"s3://{BUCKET}/twice/a.tif"]
    assert torch.equal(dataset[dataset.bounds]["image"], RasterDataset(paths=local)[dataset.bounds]["image"])


def test_object_uploaded_again_between_two_reads_of_a_spawned_worker_is_an_error(s3: Any, tmp_path: Path) -> None:
    """A process that only unpickles the dataset (a DataLoader worker started by spawn, macOS' default) pins too."""
    old = write_raster(tmp_path / "a.tif", random_bands((1, 256, 256), dtype="float32"), 32631, grid(500000.0, 6e6))
    new = write_raster(
        tmp_path / "new.tif", random_bands((1, 256, 256), dtype="float32", seed=7), 32631, grid(500000.0, 6e6)
    )
    s3.upload_file(str(old), BUCKET, "spawned/a.tif")
    pickled = tmp_path / "dataset.pickle"
    pickled.write_bytes(pickle.dumps(RasterDataset(paths=f"s3://{BUCKET}/spawned/a.tif", cache=False)))
    code = textwrap.dedent(f"""
        import pickle, sys
        import boto3
        from geotorch.core import RasterReadError
        dataset = pickle.loads(open(sys.argv[1], "rb").read())
        bounds = dataset.bounds
        middle = (bounds.miny + bounds.maxy) / 2
        dataset[type(bounds)(bounds.minx, bounds.maxx, middle, bounds.maxy, bounds.mint, bounds.maxt)]
        boto3.client("s3").upload_file(sys.argv[2], "{BUCKET}", "spawned/a.tif")
        try:
            print("read", float(dataset[bounds]["image"].sum()))
        except RasterReadError as error:
            print("refused", error)
    """)
    done = subprocess.run([sys.executable, "-c", code, str(pickled), str(new)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("refused"), done.stdout
    assert f"{BUCKET}/spawned/a.tif: cannot read" in done.stdout and "it was replaced or removed since" in done.stdout


def test_an_object_named_whole_is_read_where_listing_is_denied(
    s3: Any, s3_server: tuple[str, _CountingApp], tmp_path: Path
) -> None:
    """A bucket policy granting s3:GetObject but not s3:ListBucket (common for public data): GDAL reads the object."""
    local = _upload(s3, tmp_path, "granted/a.tif", 32631, seed=5)
    _, counting = s3_server
    counting.deny_listing = True
    try:
        remote = RasterDataset(paths=f"s3://{BUCKET}/granted/a.tif", cache=False)
        assert torch.equal(remote[remote.bounds]["image"], RasterDataset(paths=local)[remote.bounds]["image"])
        with pytest.raises(OSError, match=f"s3://{BUCKET}/granted/: listing failed: .*Access Denied"):
            RasterDataset(paths=f"s3://{BUCKET}/granted/")
        for missing in ("granted", "granted/b.tif"):
            with pytest.raises(FileNotFoundError, match=f"{missing}: no such object .*prefix failed: .*Access Denied"):
                RasterDataset(paths=f"s3://{BUCKET}/{missing}")
    finally:
        counting.deny_listing = False


@pytest.mark.parametrize("given", ["far/scenes", "far/scenes/a.tif"])
def test_a_bucket_in_another_region_is_listed_in_its_region(
    s3: Any, s3_server: tuple[str, _CountingApp], tmp_path: Path, given: str
) -> None:
    """AWS_REGION=us-east-1 and a bucket in eu-west-1: S3 names the bucket's region, GDAL follows it, so do listings."""
    s3.create_bucket(Bucket="far", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    local = write_raster(tmp_path / "a.tif", random_bands((2, 48, 48), seed=6), 32631, grid(500000.0, 6e6, 30.0))
    s3.upload_file(str(local), "far", "scenes/a.tif")
    _, counting = s3_server
    counting.regions["far"] = "eu-west-1"
    try:
        remote = RasterDataset(paths=f"s3://{given}", cache=False)
        assert torch.equal(remote[remote.bounds]["image"], RasterDataset(paths=local)[remote.bounds]["image"])
    finally:
        del counting.regions["far"]
        s3.delete_object(Bucket="far", Key="scenes/a.tif")
        s3.delete_bucket(Bucket="far")


def test_no_credentials_at_all_are_named_and_a_public_bucket_reads_unsigned(
    s3: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No key in the environment or ~/.aws: the SDKs' last resort, the EC2 metadata service, is no reason to show."""
    local = _upload(s3, tmp_path, "public/a.tif", 32631, seed=8)
    s3.put_object_acl(Bucket=BUCKET, Key="public/a.tif", ACL="public-read")
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    # A port of the metadata service's address where none answers, as off EC2 (on EC2 a role could give keys).
    monkeypatch.setenv("AWS_METADATA_ENDPOINT", "http://169.254.169.254:1")
    for given in (f"s3://{BUCKET}/public", f"s3://{BUCKET}/public/a.tif"):
        with pytest.raises(OSError, match=r"no AWS credentials were found .* set AWS_NO_SIGN_REQUEST=YES"):
            RasterDataset(paths=given, cache=False)
    monkeypatch.setenv("AWS_NO_SIGN_REQUEST", "YES")
    remote = RasterDataset(paths=f"s3://{BUCKET}/public", cache=False)
    assert torch.equal(remote[remote.bounds]["image"], RasterDataset(paths=local)[remote.bounds]["image"])
