"""A remote vector file whose server goes silent ends within 30 s, as a remote raster does, never hangs."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from geotorch.core import DatasetNotFoundError, VectorDataset
from tests.conftest import ChildPython

#: A server on 127.0.0.1 in its own process (pyogrio holds the GIL while GDAL reads) that sends the first 100
#: bytes of rmnp.geojson, then nothing for 60 s (:meth:`tests.conftest.LocalHTTPServer.stall`), then hangs up.
SERVE = """
import sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from tests.conftest import LocalHTTPServer
with LocalHTTPServer(Path(sys.argv[2])) as server:
    server.ranges = True
    server.stall("rmnp.geojson", after=100)
    Path(sys.argv[3]).write_text(server.base_url)
    while True:
        time.sleep(1)
"""


@pytest.mark.real_data
def test_a_vector_file_whose_server_goes_silent_ends_within_30_s(
    real_data: Path, child: ChildPython, tmp_path: Path
) -> None:
    # Before: pyogrio's GDAL (another library than rasterio's) had none of remote.HTTP_DEFAULTS: the read waited
    # as long as the server held the connection (60 s here, for ever for a server that never hangs up).
    served = tmp_path / "served"
    served.mkdir()
    (served / "rmnp.geojson").write_bytes((real_data / "rmnp.geojson").read_bytes())
    found = tmp_path / "url.txt"
    child.start(SERVE, str(Path(__file__).parents[2]), str(served), str(found))
    child.wait_until(lambda: found.exists() and found.read_text().startswith("http"), "the server started")
    url = found.read_text() + "rmnp.geojson"
    start = time.monotonic()
    skipped = r"skipping http://127\.0\.0\.1:\d+/rmnp\.geojson"
    with pytest.warns(UserWarning, match=skipped), pytest.raises(DatasetNotFoundError, match=r"/rmnp\.geojson"):
        VectorDataset(url, crs="EPSG:32613", res=100)
    assert time.monotonic() - start < 30
