"""HTTP rasters whose server refuses HEAD: presigned URLs (signed for GET alone) and servers without HEAD."""

from __future__ import annotations

import pytest
import torch

from geotorch.core import RasterDataset, RasterReadError
from geotorch.core.remote import open_raster
from tests.conftest import LocalHTTPServer
from tests.core.rasters import grid, random_bands, write_raster

#: A presigned S3 URL's query: S3 answers HEAD 403 for it, as the signature covers the method GET.
SIGNED = "?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=3600&X-Amz-SignedHeaders=host&X-Amz-Signature=ab%2Fcd"


@pytest.fixture
def server(http_server: LocalHTTPServer) -> LocalHTTPServer:
    """The shared HTTP server, answering byte ranges and If-Match as S3 does."""
    http_server.ranges = True
    http_server.validators = True
    return http_server


def test_presigned_url_refusing_head_reads_as_the_local_file(server: LocalHTTPServer) -> None:
    # 256 x 256 float32 in strips: the pixels lie past the header GDAL fetches first.
    path = write_raster(
        server.root / "a.tif", random_bands((1, 256, 256), dtype="float32"), 32631, grid(500000.0, 6000000.0)
    )
    local = RasterDataset(paths=path, cache=False)
    server.head_refused = 403
    remote = RasterDataset(paths=server.url("a.tif") + SIGNED, cache=False)
    assert remote.bounds == local.bounds
    assert torch.equal(remote[remote.bounds]["image"], local[local.bounds]["image"])
    with open_raster(server.url("a.tif") + SIGNED) as source:
        assert (source.crs.to_epsg(), source.shape, source.read(1)[7, 9]) == (32631, (256, 256), local_pixel(path))
    # A file gone is told by the GET's answer, not by HEAD's 403.
    path.unlink()
    with pytest.raises(FileNotFoundError, match=r"a\.tif\?X-Amz.*: HTTP 404"):
        RasterDataset(paths=server.url("a.tif") + SIGNED)


def test_file_of_a_server_without_head_replaced_between_reads_is_an_error_not_a_mix(server: LocalHTTPServer) -> None:
    # Uncompressed strips of the same size: the new file's bytes lie at the offsets the old header gave.
    path = write_raster(
        server.root / "a.tif", random_bands((1, 256, 256), dtype="float32"), 32631, grid(500000.0, 6000000.0)
    )
    server.head_refused = 405
    dataset = RasterDataset(paths=server.url("a.tif"), cache=False)
    bounds = dataset.bounds
    top = type(bounds)(bounds.minx, bounds.maxx, (bounds.miny + bounds.maxy) / 2, bounds.maxy, bounds.mint, bounds.maxt)
    dataset[top]  # the header and the top rows are fetched and cached
    write_raster(path, random_bands((1, 256, 256), dtype="float32", seed=7), 32631, grid(500000.0, 6000000.0))
    with pytest.raises(RasterReadError, match=r"127\.0\.0\.1:\d+/a\.tif: .*HTTP 412 Precondition Failed"):
        dataset[bounds]


def local_pixel(path: object) -> float:
    """Pixel (row 7, column 9) of the local file, read with rasterio."""
    import rasterio

    with rasterio.open(str(path)) as source:
        return float(source.read(1)[7, 9])


def test_errors_of_a_presigned_url_name_it_without_its_signature(server: LocalHTTPServer) -> None:
    # Errors reach logs and CI output: a signature there is a credential anyone reading can use.
    server.head_refused = 403
    with pytest.raises(FileNotFoundError) as missing:
        RasterDataset(paths=server.url("gone.tif") + SIGNED)
    server.fail("denied.tif", 403)
    with pytest.raises(OSError, match="HTTP 403") as denied:
        RasterDataset(paths=server.url("denied.tif") + SIGNED)

    for error in (missing.value, denied.value):
        assert "ab%2Fcd" not in str(error) and "X-Amz-Signature=..." in str(error), str(error)
