"""VectorDataset reads files named by URL or GDAL virtual path, as TorchGeo 0.10.1 reads them."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
import torch

from geotorch.core import VectorDataset
from tests.conftest import LocalHTTPServer


@pytest.mark.real_data
def test_a_geojson_named_by_url_burns_as_the_local_file(real_data: Path, http_server: LocalHTTPServer) -> None:
    # TorchGeo keeps URLs and /vsi paths as files (path_is_vsi); GeoTorch made a local Path of them, 'http:/127...'
    # (one slash), and failed with DatasetNotFoundError 'no data found in http:/127.0.0.1:.../rmnp.geojson'.
    (http_server.root / "rmnp.geojson").write_bytes((real_data / "rmnp.geojson").read_bytes())
    local = VectorDataset(real_data / "rmnp.geojson", crs="EPSG:32613", res=100)
    for given in (http_server.url("rmnp.geojson"), "/vsicurl/" + http_server.url("rmnp.geojson")):
        remote = VectorDataset(given, crs="EPSG:32613", res=100)
        assert remote.files == [given]
        assert tuple(remote.bounds) == pytest.approx(tuple(local.bounds))
        mask = remote[local.bounds]["mask"]
        assert mask.sum() > 100_000
        assert torch.equal(mask, local[local.bounds]["mask"])


@pytest.mark.real_data
def test_a_zipped_shapefile_named_by_its_vsizip_path_burns_as_the_local_file(real_data: Path, tmp_path: Path) -> None:
    archive = tmp_path / "wilderness.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for suffix in (".shp", ".shx", ".dbf", ".prj"):
            zipped.write(real_data / f"coutwildrnp{suffix}", f"coutwildrnp{suffix}")
    local = VectorDataset(real_data / "coutwildrnp.shp", res=0.01)
    remote = VectorDataset(f"/vsizip/{archive}/coutwildrnp.shp", res=0.01)
    assert tuple(remote.bounds) == pytest.approx(tuple(local.bounds))
    assert torch.equal(remote[local.bounds]["mask"], local[local.bounds]["mask"])
