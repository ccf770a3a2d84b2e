"""predict_raster over remote rasters: http:// URLs on a local range server and s3:// on moto's, equal to local runs."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import rasterio
import torch
from affine import Affine
from torch import nn

from geotorch.core import RasterReadError
from geotorch.trainers.outputs import output_names, source_tag
from geotorch.trainers.predict import predict_raster
from tests.conftest import LocalHTTPServer

#: The two inputs: name, CRS, transform, shape, nodata (one in UTM without nodata, one in degrees with nodata 0).
INPUTS = (
    ("utm.tif", "EPSG:32633", Affine(10, 0, 500_000, 0, -10, 4_000_000), (45, 70), None),
    ("geo.tif", "EPSG:4326", Affine(0.001, 0, 13.0, 0, -0.001, 52.0), (66, 41), 0),
)


def _write(
    folder: Path, seed: int, name: str, crs: str, transform: Affine, shape: tuple[int, int], nodata: int | None
) -> Path:
    image = np.random.default_rng(seed).integers(1, 255, (3, *shape), dtype=np.uint8)
    if nodata is not None:
        image[:, :9, :11] = nodata  # a corner without data
    path = folder / name
    profile = {"driver": "GTiff", "width": shape[1], "height": shape[0], "count": 3, "dtype": "uint8"}
    profile |= {"crs": crs, "transform": transform, "nodata": nodata, "tiled": True, "blockxsize": 16}
    profile |= {"blockysize": 16, "compress": "deflate"}
    with rasterio.open(path, "w", **profile) as target:
        target.write(image)
    return path


def _inputs(folder: Path) -> list[Path]:
    return [_write(folder, seed, *entry) for seed, entry in enumerate(INPUTS)]


def _model() -> nn.Module:
    torch.manual_seed(0)
    return nn.Conv2d(3, 4, kernel_size=3, padding=1)


def _assert_same_outputs(remote: list[Path], local: list[Path]) -> None:
    assert len(remote) == len(local) == 2
    for from_remote, from_local in zip(remote, local, strict=True):
        assert from_remote.name == from_local.name
        with rasterio.open(from_remote) as one, rasterio.open(from_local) as other:
            assert one.crs == other.crs and one.transform == other.transform and one.shape == other.shape
            assert one.nodata == other.nodata == 255 and one.dtypes == other.dtypes
            assert np.array_equal(one.read(), other.read())
            assert (one.read(1) == 255).any() == (from_local.name == "geo.tif")


@pytest.fixture
def server(http_server: LocalHTTPServer) -> LocalHTTPServer:
    """The shared HTTP server, answering byte ranges as a COG host does."""
    http_server.ranges = True
    return http_server


@pytest.mark.parametrize("workers", [0, 2])
def test_http_urls_predict_as_the_local_files(server: LocalHTTPServer, tmp_path: Path, workers: int) -> None:
    paths = _inputs(server.root)
    options = {"patch_size": 32, "overlap": 8, "batch_size": 3, "num_workers": workers}
    local = predict_raster(_model(), paths, tmp_path / "local", **options)
    urls = [server.url(path.name) for path in paths]
    remote = predict_raster(_model(), urls, tmp_path / "remote", **options)
    assert remote == [tmp_path / "remote" / "utm.tif", tmp_path / "remote" / "geo.tif"]
    _assert_same_outputs(remote, local)
    assert server.gets("utm.tif") > 0 and server.gets("geo.tif") > 0
    with rasterio.open(remote[0]) as result:
        assert result.tags()["source"] == urls[0]


def test_gdal_virtual_paths_and_a_common_crs_predict_as_the_local_files(
    server: LocalHTTPServer, tmp_path: Path
) -> None:
    paths = _inputs(server.root)
    options = {"patch_size": 32, "overlap": 8, "num_workers": 2, "crs": "EPSG:3857"}
    local = predict_raster(_model(), paths, tmp_path / "local", **options)
    remote = predict_raster(_model(), ["/vsicurl/" + server.url(p.name) for p in paths], tmp_path / "remote", **options)
    _assert_same_outputs(remote, local)


def test_a_missing_url_is_an_error_naming_it(server: LocalHTTPServer, tmp_path: Path) -> None:
    _inputs(server.root)
    missing = server.url("nothing.tif")
    with pytest.raises(RasterReadError, match=re.escape(missing) + ": cannot open raster: .*404"):
        predict_raster(_model(), [server.url("utm.tif"), missing], tmp_path / "out", patch_size=32)
    assert not (tmp_path / "out").exists()


def test_a_prefix_is_refused_naming_it(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"s3://bucket/scenes/ is a prefix"):
        predict_raster(_model(), "s3://bucket/scenes/", tmp_path / "out", patch_size=32)


def test_signed_urls_get_distinct_safe_names_and_tags_without_their_signatures() -> None:
    signed = [
        "https://store.example:8443/scenes/a.tif?X-Amz-Signature=ab%2Fcd&X-Amz-Expires=60",
        "https://store.example:8443/scenes/a.tif?X-Amz-Signature=ef",
        "https://store.example:8443/scenes/a.TIF#v2",
        "https://store.example:8443/scenes/b.tif?path=../../x/y.tif",
        "/vsicurl/https://store.example:8443/scenes/c.tif?token=1",
    ]
    names = [str(name) for name in output_names(signed)]
    assert names == [
        "https_/store.example_8443/scenes/a.tif",
        "https_/store.example_8443/scenes/a_2.tif",
        "https_/store.example_8443/scenes/a_3.tif",
        "https_/store.example_8443/scenes/b.tif",
        "vsicurl/https_/store.example_8443/scenes/c.tif",
    ]
    assert all(".." not in name and "?" not in name and ":" not in name for name in names)
    assert source_tag(signed[0]) == "https://store.example:8443/scenes/a.tif"
    assert source_tag(signed[4]) == "/vsicurl/https://store.example:8443/scenes/c.tif"
    assert source_tag("relative.tif") == str(Path("relative.tif").absolute())


@pytest.fixture
def endpoint(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """An S3 endpoint on 127.0.0.1 with bucket ``scenes``, named by the SDKs' variables only (not GDAL's)."""
    moto_server = pytest.importorskip("moto.server", reason="moto (the S3-compatible test server) is not installed")
    boto3 = pytest.importorskip("boto3", reason="boto3 (moto's client) is not installed")
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL_S3", "AWS_S3_ENDPOINT", "AWS_HTTPS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ENDPOINT_URL", url)
    boto3.client("s3", endpoint_url=url).create_bucket(Bucket="scenes")
    yield url
    server.stop()


def test_s3_urls_read_by_threads_predict_as_the_local_files(endpoint: str, tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    paths = _inputs(tmp_path / "in")
    client = pytest.importorskip("boto3").client("s3", endpoint_url=endpoint)
    for path in paths:
        client.upload_file(str(path), "scenes", f"tiles/{path.name}")
    options = {"patch_size": 32, "overlap": 8, "batch_size": 2, "num_workers": 2}
    local = predict_raster(_model(), paths, tmp_path / "local", **options)
    remote = predict_raster(_model(), [f"s3://scenes/tiles/{p.name}" for p in paths], tmp_path / "remote", **options)
    assert remote == [tmp_path / "remote" / "utm.tif", tmp_path / "remote" / "geo.tif"]
    _assert_same_outputs(remote, local)


def test_an_input_replaced_on_the_server_mid_run_is_an_error_naming_it(server: LocalHTTPServer, tmp_path: Path) -> None:
    server.validators = True
    # Uncompressed and of one size: the new file's bytes lie at the offsets the old header gave.
    path = server.root / "big.tif"
    profile = {"driver": "GTiff", "width": 256, "height": 256, "count": 3, "dtype": "uint8", "crs": "EPSG:32633"}
    profile |= {"transform": Affine(10, 0, 500_000, 0, -10, 4_000_000)}

    def write(seed: int) -> None:
        with rasterio.open(path, "w", **profile) as target:
            target.write(np.random.default_rng(seed).integers(1, 255, (3, 256, 256), dtype=np.uint8))

    write(0)
    model = _model()
    batches = 0

    def replace_after_two_batches(module: nn.Module, inputs: tuple[torch.Tensor]) -> None:
        nonlocal batches
        batches += 1
        if batches == 3:
            write(1)

    model.register_forward_pre_hook(replace_after_two_batches)
    with pytest.raises(RasterReadError, match=re.escape(server.url("big.tif")) + ": cannot read"):
        predict_raster(model, server.url("big.tif"), tmp_path / "out", patch_size=32, batch_size=1, num_workers=0)
    assert batches >= 3
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").rglob("*.tif"))


def test_the_writers_output_of_a_signed_url_is_tagged_without_its_signature(
    server: LocalHTTPServer, tmp_path: Path
) -> None:
    # GeoTIFFPredictionWriter tagged the output with the URL as given, 'X-Amz-Signature=secret' included: a
    # credential copied into every file shared afterwards (predict_raster's outputs already left it out).
    from geotorch.trainers import GeoTIFFPredictionWriter
    from tests.trainers.test_predict_writer_input import Predicts, WholeScene, fast_trainer, scene

    scene(server.root)
    signed = server.url("scene.tif") + "?X-Amz-Signature=secret&X-Amz-Expires=60"
    writer = GeoTIFFPredictionWriter(tmp_path / "out", output="scores")
    datamodule = WholeScene(paths=[signed], batch_size=4, patch_size=16, predict_stride=8)
    trainer = fast_trainer(tmp_path, fast_dev_run=False, callbacks=[writer])
    trainer.predict(Predicts(lambda image: image[:, :1].float()), datamodule=datamodule, return_predictions=False)
    assert writer.written == [tmp_path / "out" / "scene.tif"]
    with rasterio.open(writer.written[0]) as result, rasterio.open(server.root / "scene.tif") as source:
        assert result.tags()["source"] == server.url("scene.tif")
        np.testing.assert_array_equal(result.read(1), source.read(1).astype("float32"))


def test_predict_rasters_warnings_and_notes_show_a_signed_url_without_its_signature(
    server: LocalHTTPServer, tmp_path: Path
) -> None:
    # Both named the URL as given, 'X-Amz-Signature=secret' included: a credential copied into every log.
    image = np.random.default_rng(0).uniform(0, 1, (3, 20, 20)).astype("float32")
    image[0, 3, 3] = np.nan
    with rasterio.open(server.root / "ndvi.tif", "w", driver="GTiff", width=20, height=20, count=3, dtype="float32",
                       crs="EPSG:32633", transform=Affine(10, 0, 500_000, 0, -10, 4_000_000)) as target:
        target.write(image)
    signed = server.url("ndvi.tif") + "?X-Amz-Signature=secret&X-Amz-Expires=60"
    with pytest.warns(UserWarning, match="NaN or infinite") as caught:
        predict_raster(_model(), signed, tmp_path / "out", patch_size=16)
    said = [str(warning.message) for warning in caught if "NaN or infinite" in str(warning.message)]
    assert said and all("secret" not in message and server.url("ndvi.tif") in message for message in said)
    with pytest.raises(RuntimeError) as raised:
        predict_raster(nn.Conv2d(4, 2, 1), signed, tmp_path / "other", patch_size=16)
    assert raised.value.__notes__ == [
        f"predict_raster: raised running the model on windows (4, 3, 16, 16) (B, bands, height, width) of "
        f"{server.url('ndvi.tif')}"
    ]
