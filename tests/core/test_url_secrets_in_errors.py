"""Errors and warnings naming a remote raster show it without the credentials its URL carries."""

from __future__ import annotations

import contextlib
import logging
import traceback
import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyogrio
import pytest
import rasterio

from geotorch.core import DatasetNotFoundError, RasterDataset, RasterReadError, VectorDataset
from tests.conftest import LocalHTTPServer
from tests.core.rasters import grid, random_bands, write_raster

#: A presigned S3 URL's credentials: neither may reach a message.
SIGNED = "?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=SECRET5EC&X-Amz-Credential=AKIASECRET%2F20261203"
SECRETS = ("SECRET5EC", "AKIASECRET", "PWSECRET")


@pytest.fixture
def server(http_server: LocalHTTPServer) -> LocalHTTPServer:
    """The shared HTTP server answering byte ranges, with a 256 x 256 float32 raster ``a.tif`` and a non-raster."""
    http_server.ranges = True
    write_raster(http_server.root / "a.tif", random_bands((1, 256, 256), dtype="float32"), 32631, grid(5e5, 6e6))
    (http_server.root / "junk.tif").write_bytes(b"not a raster" * 100)
    return http_server


@pytest.fixture
def said(caplog: pytest.LogCaptureFixture, recwarn: pytest.WarningsRecorder) -> Iterator[list[str]]:
    """Every warning and log record of WARNING or above of the test, checked for credentials at its end.

    (GDAL's errors reach rasterio's log at INFO as GDAL words them, the URL's query included.)
    """
    messages: list[str] = []
    yield messages
    records = [record for record in caplog.get_records("call") if record.levelno >= logging.WARNING]
    messages += [str(warning.message) for warning in recwarn] + [record.getMessage() for record in records]
    assert not [message for message in messages if any(secret in message for secret in SECRETS)]


def with_password(url: str) -> str:
    """``url`` with user information, as a private server's URL may carry it."""
    return url.replace("http://", "http://reader:PWSECRET@")


def assert_named_without_secrets(error: BaseException, named: str) -> None:
    """``error`` names ``named`` (host, port, path) and no credential."""
    text = str(error)
    assert named in text.replace("reader:...@", ""), text
    assert not [secret for secret in SECRETS if secret in text], text


def assert_traceback_without_secrets(error: BaseException) -> None:
    """``error``'s traceback, as an uncaught error prints it, causes included, quotes no credential."""
    printed = "".join(traceback.format_exception(error))
    assert not [secret for secret in SECRETS if secret in printed], printed


@pytest.mark.parametrize("password", [False, True], ids=["signed", "password"])
def test_a_remote_file_that_is_no_raster_is_named_without_credentials(
    server: LocalHTTPServer, said: list[str], password: bool
) -> None:
    # Before: "http://127.0.0.1:port/junk.tif?...&X-Amz-Signature=SECRET5EC&...: cannot open raster:
    # '/vsicurl/http://...X-Amz-Signature=SECRET5EC...' not recognized as being in a supported file format."
    # It is skipped as a local non-raster is, the warning saying why; with no raster left, nothing is found.
    url = with_password(server.url("junk.tif")) if password else server.url("junk.tif") + SIGNED
    with pytest.warns(UserWarning, match="not recognized") as caught, pytest.raises(DatasetNotFoundError) as raised:
        RasterDataset(paths=url, cache=False)
    skipped = [str(warning.message) for warning in caught if "not recognized" in str(warning.message)]
    assert_named_without_secrets(RuntimeError(skipped[0]), server.url("junk.tif"))
    assert_named_without_secrets(raised.value, server.url("junk.tif"))
    assert_traceback_without_secrets(raised.value)


@pytest.mark.parametrize("fault", ["truncated", "gone"])
@pytest.mark.parametrize("password", [False, True], ids=["signed", "password"])
def test_a_remote_file_that_fails_a_read_is_named_without_credentials(
    server: LocalHTTPServer, said: list[str], fault: str, password: bool
) -> None:
    # Before: the path and GDAL's "a.tif?X-Amz-Signature=SECRET5EC&X-Amz-Credential=AKIASECRET%2F20261203, band 1"
    url = with_password(server.url("a.tif")) if password else server.url("a.tif") + SIGNED
    dataset = RasterDataset(paths=url, cache=False)
    if fault == "truncated":
        server.truncate("a.tif", 100)
    else:
        (server.root / "a.tif").unlink()
    with pytest.raises(RasterReadError, match="cannot read bands") as raised:
        dataset[dataset.bounds]
    assert_named_without_secrets(raised.value, server.url("a.tif"))
    assert_traceback_without_secrets(raised.value)


@pytest.mark.parametrize("password", [False, True], ids=["signed", "password"])
def test_the_warnings_of_a_remote_rasters_pixels_name_it_without_credentials(
    server: LocalHTTPServer, password: bool
) -> None:
    # Before: "RasterDataset: http://...n.tif?X-Amz-Signature=SECRET5EC&... holds float64 pixels, which float32
    # images cannot all hold exactly ..." and "RasterDataset: the nodata -1.797...e+308 of http://...SECRET5EC..."
    path = write_raster(server.root / "n.tif", random_bands((1, 64, 64), dtype="float64"), 32631, grid(5e5, 6e6))
    with rasterio.open(path, "r+") as target:
        target.nodata = -1.7976931348623157e308  # ArcGIS's float64 nodata, beyond float32
    url = with_password(server.url("n.tif")) if password else server.url("n.tif") + SIGNED
    with pytest.warns(UserWarning, match="cannot all hold exactly") as caught:
        RasterDataset(paths=url, cache=False)
    said = [str(warning.message) for warning in caught if "n.tif" in str(warning.message)]
    assert [message for message in said if "cannot all hold exactly" in message]
    assert [message for message in said if "beyond the range" in message]
    for message in said:
        assert_named_without_secrets(RuntimeError(message), server.url("n.tif"))


@pytest.mark.parametrize("name", ["junk.geojson", "gone.geojson"])
@pytest.mark.parametrize("password", [False, True], ids=["signed", "password"])
def test_an_unreadable_remote_vector_file_is_named_without_credentials(
    server: LocalHTTPServer, name: str, password: bool
) -> None:
    # Before: "VectorDataset: skipping http://.../junk.geojson?X-Amz-Signature=SECRET5EC&...: not a readable vector
    # file ('/vsicurl/http://...SECRET5EC...' not recognized ...)", then DatasetNotFoundError "VectorDataset: no data
    # found in http://...SECRET5EC...; ..."
    (server.root / "junk.geojson").write_text("{not json")
    url = with_password(server.url(name)) if password else server.url(name) + SIGNED
    with pytest.warns(UserWarning, match="not a readable vector file") as caught, pytest.raises(
        DatasetNotFoundError
    ) as raised:
        VectorDataset(paths=url)
    for message in [str(warning.message) for warning in caught] + [str(raised.value)]:
        assert_named_without_secrets(RuntimeError(message), server.url(name))


@pytest.fixture
def uncached_urls() -> Iterator[None]:
    """pyogrio's GDAL fetches URLs again at each read, as a fresh process (a spawned DataLoader worker) does.

    (GDAL keeps what it fetched of a URL for the life of the process: a file changed on the server since it was
    indexed is read again only by another process, or where ``CPL_VSIL_CURL_NON_CACHED`` names its URL.)
    """
    pyogrio.set_gdal_config_options({"CPL_VSIL_CURL_NON_CACHED": "/vsicurl/http://"})
    yield
    pyogrio.set_gdal_config_options({"CPL_VSIL_CURL_NON_CACHED": None})


@pytest.mark.real_data
@pytest.mark.parametrize("fault", ["junk", "gone"])
@pytest.mark.parametrize("password", [False, True], ids=["signed", "password"])
def test_a_remote_vector_file_that_fails_a_read_is_named_without_credentials(
    real_data: Path, server: LocalHTTPServer, said: list[str], uncached_urls: None, fault: str, password: bool
) -> None:
    # Before: pyogrio's DataSourceError "'/vsicurl/http://.../rmnp.geojson?...&X-Amz-Signature=SECRET5EC&...' not
    # recognized as being in a supported file format ..." (of a file gone: "HTTP response code: 404 - Failure writing
    # output to destination, passed 335 returned 0", naming no file).
    (server.root / "rmnp.geojson").write_bytes((real_data / "rmnp.geojson").read_bytes())
    url = with_password(server.url("rmnp.geojson")) if password else server.url("rmnp.geojson") + SIGNED
    dataset = VectorDataset(url, crs="EPSG:32613", res=100)
    if fault == "junk":
        (server.root / "rmnp.geojson").write_text("{not json")
    else:
        (server.root / "rmnp.geojson").unlink()
    with pytest.raises(pyogrio.errors.DataSourceError, match="VectorDataset: cannot read") as raised:
        dataset[dataset.bounds]
    assert_named_without_secrets(raised.value, server.url("rmnp.geojson"))
    assert_traceback_without_secrets(raised.value)


@pytest.mark.real_data
def test_gdals_warnings_of_a_vector_file_whose_server_is_down_quote_no_credentials(
    real_data: Path, server: LocalHTTPServer, uncached_urls: None
) -> None:
    # Before: pyogrio passes GDAL's warnings on as RuntimeWarning, worded as GDAL words them: "HTTP response code on
    # http://127.0.0.1:<port>/rmnp.geojson?X-Amz-Algorithm=...&X-Amz-Signature=SECRET5EC&...: 0", twice a read.
    (server.root / "rmnp.geojson").write_bytes((real_data / "rmnp.geojson").read_bytes())
    url = server.url("rmnp.geojson") + SIGNED
    dataset = VectorDataset(url, crs="EPSG:32613", res=100)
    server.kill()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises(pyogrio.errors.DataSourceError):
            dataset[dataset.bounds]
        with pytest.raises(DatasetNotFoundError):
            VectorDataset(url, crs="EPSG:32613", res=100)
    said = [str(warning.message) for warning in caught]
    gdals = [message for message in said if message.startswith(f"HTTP response code on {server.url('rmnp.geojson')}?")]
    assert len(gdals) >= 2, said  # the sample's read and the index's
    assert not [message for message in said if any(secret in message for secret in SECRETS)], said


@pytest.mark.parametrize("kind", [RasterDataset, VectorDataset])
@pytest.mark.parametrize(
    "given",
    ["ftp://reader:PWSECRET@127.0.0.1/a.tif", "ftp://127.0.0.1/a.tif?token=SECRET5EC"],
    ids=["password", "token"],
)
def test_a_url_of_a_scheme_not_read_is_named_without_credentials(kind: type, given: str) -> None:
    # Before: ValueError "ftp://reader:PWSECRET@127.0.0.1/a.tif: unsupported URL scheme 'ftp'; use one of az, gs, ...".
    with pytest.raises(ValueError, match="unsupported URL scheme 'ftp'") as raised:
        kind(paths=given)
    assert_named_without_secrets(raised.value, "ftp://127.0.0.1/a.tif")


class _Bands(RasterDataset):
    """A product of one file per band, ``<scene>_B1.tif``; a name without a band is no band's file."""

    filename_glob = "*.tif"
    filename_regex = r"^(?P<scene>[a-z]+)(_(?P<band>B\d))?\.tif$"
    separate_files = True
    all_bands = ("B1", "B2")


class _BandsRefused(_Bands):
    """A product whose band_files finds a scene's band missing, as its docstring invites."""

    def band_files(self, path: str) -> list[str]:
        raise FileNotFoundError(f"{path}: the scene has no file of band B2")


@pytest.mark.parametrize("fault", ["no-band", "band-files-refused"])
def test_a_remote_scene_skipped_is_named_without_credentials(server: LocalHTTPServer, fault: str) -> None:
    # Before: UserWarning "_Bands: skipping http://.../a.tif?...&X-Amz-Signature=SECRET5EC&...: its name holds no band
    # ..." and "_BandsRefused: skipping the scene of http://.../a_B1.tif?...SECRET5EC...: http://...SECRET5EC...: the
    # scene has no file of band B2".
    write_raster(server.root / "a_B1.tif", random_bands((1, 8, 8), dtype="uint8"), 32631, grid(5e5, 6e6))
    names = ["a_B1.tif", "a.tif"] if fault == "no-band" else ["a_B1.tif"]
    kind = _Bands if fault == "no-band" else _BandsRefused
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with contextlib.suppress(DatasetNotFoundError):
            kind(paths=[server.url(name) + SIGNED for name in names], bands=["B1"], cache=False)
    said = [str(warning.message) for warning in caught if "skipping" in str(warning.message)]
    assert said
    for message in said:
        assert_named_without_secrets(RuntimeError(message), server.url(names[-1]))


class _CountedWrong(VectorDataset):
    """A subclass whose labels_of gives one label too many."""

    def labels_of(self, values: np.ndarray) -> np.ndarray:
        return np.zeros(len(values) + 1, dtype=np.int64)


@pytest.mark.real_data
@pytest.mark.parametrize("fault", ["text-label", "labels-of-count"])
@pytest.mark.parametrize("password", [False, True], ids=["signed", "password"])
def test_a_remote_vector_files_labels_refused_name_it_without_credentials(
    real_data: Path, server: LocalHTTPServer, fault: str, password: bool
) -> None:
    # Before: LabelValueError "feature 0: label value '0:0' has type str, not an integer class id ('id' of
    # http://.../rmnp.geojson?...&X-Amz-Signature=SECRET5EC&...)", and ValueError "_CountedWrong.labels_of returned 2
    # labels for the 1 features of http://...SECRET5EC...; it must return one per feature".
    (server.root / "rmnp.geojson").write_bytes((real_data / "rmnp.geojson").read_bytes())
    url = with_password(server.url("rmnp.geojson")) if password else server.url("rmnp.geojson") + SIGNED
    kind = VectorDataset if fault == "text-label" else _CountedWrong
    dataset = kind(url, crs="EPSG:32613", res=100, label_name="id")
    with pytest.raises(ValueError, match=r"label value|labels_of returned") as raised:
        dataset[dataset.bounds]
    assert_named_without_secrets(raised.value, server.url("rmnp.geojson"))


@pytest.mark.parametrize(
    ("given", "named"),
    [
        ("{base}dl/?token=SECRET5EC", "{base}dl/?token=..."),  # no file name in the path
        ("{base}dl/a%2Fb.zip?X-Amz-Signature=SECRET5EC", "{base}dl/a%2Fb.zip?X-Amz-Signature=..."),  # a slash in it
        ("ftp://reader:PWSECRET@127.0.0.1/a.zip", "ftp://reader:...@127.0.0.1/a.zip"),  # no http(s) URL
    ],
    ids=["no-file-name", "encoded-slash", "ftp"],
)
def test_a_download_url_refused_is_named_without_credentials(
    http_server: LocalHTTPServer, tmp_path: Path, given: str, named: str
) -> None:
    # Before: "https://.../dl/?token=SECRET5EC: the URL's path does not end in a file name; ...", the encoded slash
    # and the scheme refusals alike.
    from geotorch.core import download_url

    with pytest.raises(ValueError, match="download_url") as raised:
        download_url(given.format(base=http_server.base_url), tmp_path)
    assert named.format(base=http_server.base_url) in str(raised.value), str(raised.value)
    assert_named_without_secrets(raised.value, named.format(base=http_server.base_url).replace("reader:...@", ""))
    assert not list(tmp_path.iterdir())


class _Dated(RasterDataset):
    """Rasters dated by their names (``scene_20261203.tif``)."""

    filename_glob = "scene_*.tif"
    filename_regex = r"scene_(?P<date>\d{8})\.tif"
    date_format = "%Y%m%d"


@pytest.mark.parametrize("fault", ["no-crs", "complex", "band-counts", "bad-date"])
@pytest.mark.parametrize("password", [False, True], ids=["signed", "password"])
def test_a_remote_raster_refused_when_indexed_is_named_without_credentials(
    server: LocalHTTPServer, said: list[str], fault: str, password: bool
) -> None:
    # Before: "RasterDataset: skipping http://...?X-Amz-Signature=SECRET5EC...: not a readable raster (it has no
    # CRS)", "... holds complex pixels (complex64) ...", "... has 3 band(s) but http://...SECRET5EC... has 1 ...",
    # "http://...scene_20261341.tif?...SECRET5EC...: date '20261341' does not match date_format '%Y%m%d' ..."
    names = {"no-crs": ["nocrs.tif"], "complex": ["c.tif"], "band-counts": ["a.tif", "b3.tif"]}
    names["bad-date"] = ["scene_20261341.tif"]
    if fault == "no-crs":
        with rasterio.open(server.root / "nocrs.tif", "w", driver="GTiff", width=8, height=8, count=1,
                           dtype="uint8") as target:
            target.write(np.ones((1, 8, 8), "uint8"))
    else:
        bands, dtype = (3, "uint8") if fault == "band-counts" else (1, "complex64" if fault == "complex" else "uint8")
        write_raster(server.root / names[fault][-1], random_bands((bands, 8, 8), dtype=dtype), 32631, grid(5e5, 6e6))
    urls = [with_password(server.url(name)) if password else server.url(name) + SIGNED for name in names[fault]]
    kind = _Dated if fault == "bad-date" else RasterDataset
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with pytest.raises((ValueError, DatasetNotFoundError)) as raised:
            kind(paths=urls, cache=False)
    assert_named_without_secrets(raised.value, server.url(names[fault][-1]))
    said += [str(warning.message) for warning in caught]
    if fault == "no-crs":
        assert [message for message in said if "not a readable raster" in message], said
