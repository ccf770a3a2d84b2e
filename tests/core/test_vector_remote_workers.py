"""DataLoader workers forked after a remote vector file was read open their own connections to its server."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyogrio.raw
import shapely
import torch
from torch.utils.data import DataLoader

from geotorch.core import BoundingBox, VectorDataset
from tests.conftest import ChildPython

#: A server on 127.0.0.1 in its own process (pyogrio holds the GIL while GDAL reads, so a server thread of
#: the test's process would wait for it), answering byte ranges on kept-alive connections as real servers do.
SERVE = """
import http.server, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from tests.conftest import LocalHTTPServer
http.server.SimpleHTTPRequestHandler.protocol_version = "HTTP/1.1"
with LocalHTTPServer(Path(sys.argv[2])) as server:
    server.ranges = True
    Path(sys.argv[3]).write_text(server.base_url)
    while True:
        time.sleep(1)
"""
#: Features, and the bytes of notes each holds: a file of 24 MB, larger than GDAL's cache of fetched bytes
#: (16 MB), so that the workers fetch what they read rather than find it in the copy of the parent's cache.
FEATURES, NOTE_BYTES = 3000, 8000
LEFT, BOTTOM, SIDE = 500_000.0, 6_000_000.0, 60_000.0


def _fields(path: Path) -> Path:
    """A FlatGeobuf of :data:`FEATURES` 300 m discs in EPSG:32631, labelled 1 to 5, with long notes."""
    rng = np.random.default_rng(0)
    centres = rng.uniform(LEFT, LEFT + SIDE, (FEATURES, 2)) + np.array([0, BOTTOM - LEFT])
    discs = shapely.buffer(shapely.points(centres), 300)
    notes = np.array([rng.bytes(NOTE_BYTES // 2).hex() for _ in range(FEATURES)], dtype=object)
    pyogrio.raw.write(
        path, shapely.to_wkb(discs), [np.arange(FEATURES) % 5 + 1, notes], ["label", "notes"],
        driver="FlatGeobuf", crs="EPSG:32631", geometry_type="Polygon",
    )
    return path


def test_workers_forked_after_a_remote_vector_read_read_the_local_masks(child: ChildPython, tmp_path: Path) -> None:
    # Before: the parent's construction read the file on pyogrio's GDAL (rasterio's connections alone were
    # dropped at fork), and the workers' first reads failed: DataSourceError "VectorDataset: cannot read
    # http://127.0.0.1:<port>/fields.fgb (layer 'fields'): '/vsicurl/http://...' not recognized as being in a
    # supported file format" (both read answers on the socket they inherited).
    served = tmp_path / "served"
    served.mkdir()
    path = _fields(served / "fields.fgb")
    assert path.stat().st_size > 16 * 2**20
    found = tmp_path / "url.txt"
    child.start(SERVE, str(Path(__file__).parents[2]), str(served), str(found))
    child.wait_until(lambda: found.exists() and found.read_text().startswith("http"), "the server started")
    local = VectorDataset(path, res=30, label_name="label")
    remote = VectorDataset(found.read_text() + "fields.fgb", res=30, label_name="label")
    assert remote.bounds == local.bounds
    chips = [
        BoundingBox(LEFT + 1100 * step, LEFT + 1100 * step + 3000, BOTTOM + 700 * step, BOTTOM + 700 * step + 3000,
                    local.bounds.mint, local.bounds.maxt)
        for step in range(24)
    ]
    loader = DataLoader(remote, sampler=chips, batch_size=None, num_workers=2, collate_fn=lambda sample: sample)
    burnt = 0
    for chip, sample in zip(chips, loader, strict=True):
        assert torch.equal(sample["mask"], local[chip]["mask"])
        burnt += int((sample["mask"] > 0).sum())
    assert burnt > 10_000
