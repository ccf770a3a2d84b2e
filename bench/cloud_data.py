"""The cloud benchmark's data and server: a COG time series in two UTM zones, served over HTTP with added latency.

The series: ``dates`` dates x 4 bands (one COG per band, as STAC catalogues hold Sentinel-2), each
band a 2048 x 2048 uint16 COG at 10 m (512-px tiles, deflate with the horizontal predictor), one
tile in UTM zone 31 (EPSG:32631) and one beside it in zone 32 (EPSG:32632) overlapping 200 m at
the zone seam (6 degrees east). Files are named ``T{zone}_{date}_{band}.tif``.

:class:`LatencyServer` serves a folder on 127.0.0.1 with HTTP/1.1 keep-alive, single and multiple
byte ranges (``multipart/byteranges``, as GDAL's ``GDAL_HTTP_MULTIRANGE`` asks), ETag and
Last-Modified, waits ``latency`` seconds before every answer and counts requests and bytes sent;
``GET /_stats`` answers those counts as JSON at once (itself not counted).
"""

from __future__ import annotations

import email.utils
import json
import os
import re
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

PATCH = 256
RES = 10.0
SIZE = 2048
BANDS = ("B01", "B02", "B03", "B04")
#: The zone seam (6 degrees east at 45 degrees north) in EPSG:32631, and the top of both tiles.
SEAM, TOP = 736000.0, 4990000.0
#: Chips lie in this box of EPSG:32631 (minx, maxx, miny, maxy): both tiles, away from their outer edges.
CHIP_AREA = (SEAM - SIZE * RES + 500, SEAM + SIZE * RES - 3000, TOP - SIZE * RES + 2000, TOP - 1000)
FILENAME_REGEX = r"^T(?P<zone>\d{2})_(?P<date>\d{8})_(?P<band>B\d{2})\.tif$"


def dates(count: int) -> list[str]:
    """``count`` dates, two a month from January 2023 (``YYYYMMDD``)."""
    return [f"{2023 + step // 24}{step % 24 // 2 + 1:02d}{1 + 14 * (step % 2):02d}" for step in range(count)]


def generate(data: Path, count: int) -> None:
    """Write the series of ``count`` dates into ``data`` (files already there are kept)."""
    import numpy as np
    import rasterio
    from affine import Affine
    from pyproj import Transformer

    data.mkdir(parents=True, exist_ok=True)
    to_zone32 = Transformer.from_crs(32631, 32632, always_xy=True)
    east_left, east_top = to_zone32.transform(SEAM - 200, TOP + 200)
    corners = {31: (SEAM - SIZE * RES, TOP), 32: (round(east_left / RES) * RES, round(east_top / RES) * RES)}
    rows, cols = np.mgrid[0:SIZE, 0:SIZE]
    # Smooth fields with sensor-like noise: tiles compress to about half, as reflectance does.
    noise = np.random.default_rng(0).integers(0, 64, (len(BANDS), SIZE, SIZE))
    for zone, (left, top) in corners.items():
        profile = {
            "driver": "COG",
            "count": 1,
            "height": SIZE,
            "width": SIZE,
            "dtype": "uint16",
            "crs": f"EPSG:326{zone}",
            "transform": Affine(RES, 0, left, 0, -RES, top),
            "blocksize": 512,
            "compress": "deflate",
            "predictor": 2,
            "overviews": "NONE",
        }
        for step, date in enumerate(dates(count)):
            for number, band in enumerate(BANDS):
                path = data / f"T{zone}_{date}_{band}.tif"
                if path.exists():
                    continue
                pixels = 1000 * (step % 12 + 1) + 100 * number + (rows // 7 + cols // 5) % 211 + zone + noise[number]
                partial = path.with_suffix(".part")
                with rasterio.open(partial, "w", **profile) as target:
                    target.write(pixels.astype("uint16")[None])
                partial.rename(path)


def chips(count: int, seed: int) -> list[tuple[float, float, float, float]]:
    """``count`` random 256-px chips ``(minx, maxx, miny, maxy)`` on the 10 m grid of EPSG:32631."""
    import numpy as np

    rng = np.random.default_rng(seed)
    minx, maxx, miny, maxy = CHIP_AREA
    side = PATCH * RES
    lefts = minx + RES * rng.integers(0, int((maxx - minx - side) / RES), count)
    bottoms = miny + RES * rng.integers(0, int((maxy - miny - side) / RES), count)
    return [(float(x), float(x) + side, float(y), float(y) + side) for x, y in zip(lefts, bottoms, strict=True)]


class LatencyServer:
    """Serves ``root`` on 127.0.0.1 with ``latency`` seconds added to every request; counts what it answered."""

    def __init__(self, root: Path, latency: float) -> None:
        self.root, self.latency = root, latency
        self.requests = self.ranges = self.sent = 0
        self.lock = threading.Lock()
        self.server = _Server(("127.0.0.1", 0), _Handler)
        self.server.daemon_threads = True
        self.server.request_queue_size = 256
        self.server.owner = self  # type: ignore[attr-defined]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}/"

    def stats(self) -> dict[str, int]:
        with self.lock:
            return {"requests": self.requests, "ranges": self.ranges, "bytes": self.sent}

    def __enter__(self) -> LatencyServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """Quiet: a client hanging up mid-answer (a cancelled or failed read) is its business."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""

    def do_HEAD(self) -> None:
        self._answer(body=False)

    def do_GET(self) -> None:
        self._answer(body=True)

    def _answer(self, body: bool) -> None:
        owner: LatencyServer = self.server.owner  # type: ignore[attr-defined]
        name = urllib.parse.unquote(urllib.parse.urlsplit(self.path).path).lstrip("/")
        if name == "_stats":
            self._send(200, {"Content-Type": "application/json"}, json.dumps(owner.stats()).encode(), body)
            return
        time.sleep(owner.latency)
        path = owner.root / name
        if not path.is_file():
            self._count(owner, 0, 0)
            self._send(404, {}, b"", body)
            return
        status = path.stat()
        headers = {
            "ETag": f'"{status.st_mtime_ns:x}-{status.st_size:x}"',
            "Last-Modified": email.utils.formatdate(status.st_mtime, usegmt=True),
            "Accept-Ranges": "bytes",
        }
        size = status.st_size
        spans = _ranges(self.headers.get("Range", ""), size)
        with open(path, "rb") as stream:
            if not spans:
                content = stream.read() if body else b""
                self._count(owner, 0, len(content))
                self._send(200, {**headers, "Content-Length": str(size)}, content, body, length_set=True)
                return
            parts = [os.pread(stream.fileno(), last - first + 1, first) for first, last in spans]
        if len(spans) == 1:
            (first, last), content = spans[0], parts[0]
            headers["Content-Range"] = f"bytes {first}-{last}/{size}"
            self._count(owner, 1, len(content))
            self._send(206, headers, content, body)
            return
        boundary = "geotorchbenchboundary"
        chunks = []
        for (first, last), part in zip(spans, parts, strict=True):
            chunks.append(
                f"--{boundary}\r\nContent-Type: application/octet-stream\r\n"
                f"Content-Range: bytes {first}-{last}/{size}\r\n\r\n".encode()
                + part
                + b"\r\n"
            )
        content = b"".join(chunks) + f"--{boundary}--\r\n".encode()
        headers["Content-Type"] = f"multipart/byteranges; boundary={boundary}"
        self._count(owner, len(spans), len(content))
        self._send(206, headers, content, body)

    @staticmethod
    def _count(owner: LatencyServer, ranges: int, sent: int) -> None:
        with owner.lock:
            owner.requests += 1
            owner.ranges += ranges
            owner.sent += sent

    def _send(self, status: int, headers: dict[str, str], content: bytes, body: bool, length_set: bool = False) -> None:
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        if not length_set:
            self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        if body:
            self.wfile.write(content)


def _ranges(header: str, size: int) -> list[tuple[int, int]]:
    """The byte ranges ``(first, last)`` of a ``Range: bytes=...`` header, clipped to the file; [] for none."""
    match = re.fullmatch(r"bytes=(.+)", header.strip())
    if match is None:
        return []
    spans = []
    for item in match[1].split(","):
        first, _, last = item.strip().partition("-")
        if not first:
            spans.append((max(0, size - int(last)), size - 1))
        else:
            spans.append((int(first), min(size - 1, int(last)) if last else size - 1))
    return spans
