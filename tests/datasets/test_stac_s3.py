"""STACDataset over a table in an S3-compatible store: moto's server on 127.0.0.1, started and stopped here."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import torch

from geotorch.datasets import STACDataset
from tests.datasets.fakes.stac import ITEMS, WINDOW_A, query, write_items

moto_server = pytest.importorskip("moto.server", reason="moto (the S3-compatible test server) is not installed")
boto3 = pytest.importorskip("boto3", reason="boto3 (moto's client) is not installed")


@pytest.fixture
def endpoint(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """An S3 endpoint on 127.0.0.1 with bucket ``catalogue``, named by the SDKs' standard environment variables."""
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ENDPOINT_URL", url)
    boto3.client("s3", endpoint_url=url).create_bucket(Bucket="catalogue")
    yield url
    server.stop()


def test_a_table_in_s3_gives_the_local_tables_items_and_pixels(endpoint: str, tmp_path: Path) -> None:
    table = write_items(tmp_path, ITEMS)
    boto3.client("s3", endpoint_url=endpoint).upload_file(str(table), "catalogue", "s2/items.parquet")
    remote = STACDataset("s3://catalogue/s2/items.parquet", ["nir", "red"], crs="EPSG:32631")
    local = STACDataset(table, ["nir", "red"], crs="EPSG:32631")
    assert len(remote) == 4 and remote.bounds == local.bounds
    window = query(WINDOW_A, "2020-02-05T00:00:00Z", "2020-02-05T23:59:59Z")
    assert torch.equal(remote[window]["image"], local[window]["image"])
    filtered = STACDataset("s3://catalogue/s2/items.parquet", ["red"], filters="eo:cloud_cover < 20")
    assert len(filtered) == 3
    with pytest.raises(FileNotFoundError, match=r"s3://catalogue/s2/missing\.parquet"):
        STACDataset("s3://catalogue/s2/missing.parquet", ["red"])


def test_assets_beside_the_table_in_s3_read_the_local_pixels(endpoint: str, tmp_path: Path) -> None:
    """Relative hrefs of a table in a bucket resolve to s3:// URLs beside it, read as the local files."""
    local = STACDataset(write_items(tmp_path / "local", ITEMS), ["red", "nir"], crs="EPSG:32631", time_series=True)
    write_items(tmp_path / "bucket", ITEMS, relative=True)
    client = boto3.client("s3", endpoint_url=endpoint)
    for path in (tmp_path / "bucket").iterdir():
        client.upload_file(str(path), "catalogue", f"s2/{path.name}")
    remote = STACDataset("s3://catalogue/s2/items.parquet", ["red", "nir"], crs="EPSG:32631", time_series=True)
    assert remote.items[0].hrefs == ("s3://catalogue/s2/a-0305_red.tif", "s3://catalogue/s2/a-0305_nir.tif")
    window = query(WINDOW_A, "2020-01-01T00:00:00Z", "2020-12-31T00:00:00Z")
    sample, expected = remote[window], local[window]
    assert torch.equal(sample["image"], expected["image"]) and torch.equal(sample["time"], expected["time"])
