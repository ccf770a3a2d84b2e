"""Fixtures shared by the tests of every GeoTorch package.

``http_server``: a local HTTP server for download tests, so no test touches the network::

    def test_download_saves_the_file(http_server, tmp_path):
        (http_server.root / "a.zip").write_bytes(payload)
        download_url(http_server.url("a.zip"), tmp_path, progress=False)
        assert http_server.hits("a.zip") == 1
        http_server.truncate("a.zip")      # next responses announce the full size but send half
        http_server.fail("a.zip", 503)     # next responses are HTTP 503
"""

from __future__ import annotations

import threading
import urllib.parse
from collections import Counter
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, cast

import pytest


class LocalHTTPServer:
    """A threaded HTTP server on 127.0.0.1 (a free port) serving the files under ``root``.

    Files are read when requested, so write them into ``root`` at any time. Names are paths relative to
    ``root`` with forward slashes (``"sub/a.tif"``).

    Attributes:
        root: The folder whose files are served.
        requests: How many GET and HEAD requests each name received, served or not (404s count too).
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.requests: Counter[str] = Counter()
        self._truncated: dict[str, int | None] = {}
        self._failures: dict[str, int] = {}
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), self)
        # A short poll interval makes shutdown, paid once per test, take milliseconds instead of half a second.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, name="http_server fixture", daemon=True
        )

    @property
    def base_url(self) -> str:
        """The URL of ``root``, ending in a slash."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/"

    def url(self, name: str) -> str:
        """The URL serving ``root / name``."""
        return self.base_url + urllib.parse.quote(name)

    def hits(self, name: str) -> int:
        """How many requests ``name`` received so far."""
        with self._lock:
            return self.requests[name]

    def truncate(self, name: str, size: int | None = None) -> None:
        """Make ``name`` a broken download: announce its full Content-Length, send ``size`` bytes, hang up.

        Args:
            name: The file to break, relative to ``root``.
            size: How many bytes to send; half of the file when None.
        """
        self._truncated[name] = size

    def fail(self, name: str, status: int = 500) -> None:
        """Answer every later request for ``name`` with HTTP ``status`` (e.g. 404, 503)."""
        self._failures[name] = status

    def restore(self, name: str) -> None:
        """Serve ``name`` normally again after :meth:`truncate` or :meth:`fail`."""
        self._truncated.pop(name, None)
        self._failures.pop(name, None)

    def _record(self, name: str) -> None:
        with self._lock:
            self.requests[name] += 1

    def __enter__(self) -> LocalHTTPServer:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], owner: LocalHTTPServer) -> None:
        self.owner = owner
        super().__init__(address, _Handler)


class _Handler(SimpleHTTPRequestHandler):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, directory=str(cast(_Server, args[2]).owner.root), **kwargs)

    def do_GET(self) -> None:
        if not self._answered_specially(send_body=True):
            super().do_GET()

    def do_HEAD(self) -> None:
        if not self._answered_specially(send_body=False):
            super().do_HEAD()

    def _answered_specially(self, send_body: bool) -> bool:
        owner = cast(_Server, self.server).owner
        name = urllib.parse.unquote(urllib.parse.urlsplit(self.path).path).lstrip("/")
        owner._record(name)
        if name in owner._failures:
            self.send_error(owner._failures[name])
            return True
        if name in owner._truncated:
            body = (owner.root / name).read_bytes()
            size = owner._truncated[name]
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if send_body:
                self.wfile.write(body[: len(body) // 2 if size is None else size])
            self.close_connection = True
            return True
        return False

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output quiet."""


@pytest.fixture
def http_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalHTTPServer]:
    """A :class:`LocalHTTPServer` serving a fresh empty folder (not the test's ``tmp_path``), stopped afterwards."""
    with LocalHTTPServer(tmp_path_factory.mktemp("served")) as server:
        yield server


@pytest.fixture(autouse=True, scope="session")
def _geotorch_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Point ``GEOTORCH_HOME`` (caches, generated data, weights) at a temporary folder for the whole run."""
    import os

    previous = os.environ.get("GEOTORCH_HOME")
    home = tmp_path_factory.mktemp("geotorch-home")
    os.environ["GEOTORCH_HOME"] = str(home)
    yield home
    if previous is None:
        del os.environ["GEOTORCH_HOME"]
    else:
        os.environ["GEOTORCH_HOME"] = previous
