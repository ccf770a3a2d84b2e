"""Fixtures shared by the tests of every GeoTorch package.

``http_server``: a local HTTP server for download tests, so no test touches the network::

    def test_download_saves_the_file(http_server, tmp_path):
        (http_server.root / "a.zip").write_bytes(payload)
        download_url(http_server.url("a.zip"), tmp_path, progress=False)
        assert http_server.hits("a.zip") == 1
        http_server.truncate("a.zip")      # next responses announce the full size but send half
        http_server.truncate("a.zip", 1000, times=1)  # the next response alone sends 1000 bytes, then hang up
        http_server.fail("a.zip", 503)     # next responses are HTTP 503
        http_server.frame("a.zip", "chunked", send=100)   # chunked, cut after 100 bytes, no last chunk
        http_server.stall("a.zip", 1000)   # send 1000 bytes, then wait until restore("a.zip")
        http_server.stall("a.zip", 1000, times=1)  # only the next response stalls
        http_server.change("a.zip", b"new", after=1)  # the file becomes b"new" once one GET was answered
        http_server.if_range_ignored = True  # ranges answered even when If-Range names another version
        http_server.redirect("a.zip", http_server.url("b.zip"))
        http_server.frame("a.zip", "close", send=100, ranges=True)   # answers "Range: bytes=N-" like a range server
        http_server.raw("a.zip", b"HTTP/1.1 206 Partial Content\r\n\r\n")  # these exact bytes, then hang up
        http_server.ranges = True          # "Range: bytes=A-B" answered 206 (a COG server); truncate/stall cut it
        http_server.range_blocks = 1 << 18 # ranges answered with the whole 256 KiB blocks holding them (a cache)
        http_server.range_cap = 1 << 18    # ranges answered with their first 256 KiB at most (a capped CDN)
        http_server.required_headers = {"Authorization": "Bearer t"}  # requests without them answered 401
        http_server.headers_seen["a.tif"]  # the headers of every request for a.tif, in order
        http_server.latency = 0.02         # every answer waits 20 ms first
        http_server.validators = True      # send an ETag, answer a stale If-Match 412 (as S3, nginx)
        http_server.head_refused = 403     # HEAD answered 403 (as S3 answers a URL presigned for GET), GET served
        http_server.fail("a.tif", 503, times=2)   # two 503s, then served
        http_server.kill()                 # the server dies: stops listening, stalled answers are cut off
        http_server.gets("a.tif")          # GET requests only (HEAD not counted)

``child``: a Python child process running a snippet, for tests that kill it mid-way (SIGKILL, SIGTERM).
"""

from __future__ import annotations

import os
import re
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, cast

import pytest

Framing = Literal["length", "close", "chunked"]


@dataclass(frozen=True)
class _Shape:
    """How to send a file's body: see :meth:`LocalHTTPServer.frame`."""

    framing: Framing
    send: int | None
    headers: Mapping[str, str] = field(default_factory=dict)
    reset: bool = False
    ranges: bool = False


class LocalHTTPServer:
    """A threaded HTTP server on 127.0.0.1 (a free port) serving the files under ``root``.

    Files are read when requested, so write them into ``root`` at any time. Names are paths relative to
    ``root`` with forward slashes (``"sub/a.tif"``).

    Attributes:
        root: The folder whose files are served.
        requests: How many GET and HEAD requests each name received, served or not (404s count too).
        ranges: Whether a GET with ``Range: bytes=A-B`` (or ``A-``) is answered 206 with those bytes.
        latency: Seconds every request waits before its answer.
        most_waiting: The most requests that waited out ``latency`` at the same time (set it to 0 to
            count again): 1 for requests sent one after the other, more for requests sent at once.
        validators: Whether answers for a file carry its ETag (from its size and modification time) and
            a request whose ``If-Match`` names another ETag is answered ``412 Precondition Failed``.
            Ranges are answered only when ``If-Range``, if sent, is the file's ETag or Last-Modified date
            (else the whole file, 200), validators or not.
        if_range_ignored: Whether ranges are answered whatever ``If-Range`` says (a server without it).
        head_refused: A status every HEAD request is answered with (GETs are served): 403 as S3 answers
            HEAD for a URL presigned for GET, 405 or 501 as a server without HEAD; None serves HEAD.
        range_blocks: With ``ranges``, answer a range with the whole blocks of this many bytes holding it, its
            Content-Range saying so (a cache rounding ranges to its blocks); None answers the range asked.
        range_cap: With ``ranges``, answer a range with at most this many bytes from its start, its
            Content-Range saying so (RFC 9110 lets a server send less than asked); None answers it whole.
        required_headers: Headers every request must carry with these values, else it is answered
            ``401 Unauthorized`` (a private server).
        challenge: The ``WWW-Authenticate`` header of those ``401`` answers (``'Basic realm="geo"'``), for
            clients that send credentials only when challenged; None sends none.
        headers_seen: The headers of every request for each name, in order.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.requests: Counter[str] = Counter()
        self.ranges = False
        self.latency = 0.0
        self.most_waiting = 0
        self.validators = False
        self.if_range_ignored = False
        self.head_refused: int | None = None
        self.range_blocks: int | None = None
        self.range_cap: int | None = None
        self.required_headers: dict[str, str] = {}
        self.challenge: str | None = None
        self.headers_seen: dict[str, list[Mapping[str, str]]] = {}
        self._waiting = 0
        self._gets: Counter[str] = Counter()
        self._truncated: dict[str, int | None] = {}
        self._times: dict[tuple[str, str], int] = {}
        self._changes: dict[str, tuple[bytes, int]] = {}
        self._released: list[threading.Event] = []
        self._failures: dict[str, tuple[int, int | None]] = {}
        self._shapes: dict[str, _Shape] = {}
        self._stalls: dict[str, tuple[int, threading.Event]] = {}
        self._redirects: dict[str, str] = {}
        self._raw: dict[str, bytes] = {}
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

    def truncate(self, name: str, size: int | None = None, times: int | None = None) -> None:
        """Make ``name`` a broken download: announce its full Content-Length, send ``size`` bytes, hang up.

        Args:
            name: The file to break, relative to ``root``.
            size: How many bytes to send; half of the file (or of the range asked) when None.
            times: Break only the next ``times`` responses (ranges included), then serve normally; every
                later one when None.
        """
        self._truncated[name] = size
        self._count(("truncate", name), times)

    def change(self, name: str, data: bytes, after: int = 1) -> None:
        """Rewrite ``name`` with ``data`` (a new version: new modification time, new ETag) once ``after`` GETs came."""
        self._changes[name] = (data, after)

    def _count(self, fault: tuple[str, str], times: int | None) -> None:
        if times is None:
            self._times.pop(fault, None)
        else:
            self._times[fault] = times

    def _spend(self, kind: str, name: str) -> None:
        """One response broken by fault ``kind`` of ``name``; lift the fault once its ``times`` are spent."""
        with self._lock:
            left = self._times.get((kind, name))
            if left is None:
                return
            if left > 1:
                self._times[(kind, name)] = left - 1
                return
            del self._times[(kind, name)]
            if kind == "truncate":
                self._truncated.pop(name, None)
            else:
                self._stalls.pop(name, None)

    def gets(self, name: str) -> int:
        """How many GET requests (those that fetch bytes) ``name`` received so far."""
        with self._lock:
            return self._gets[name]

    def fail(self, name: str, status: int = 500, times: int | None = None) -> None:
        """Answer the next ``times`` requests for ``name`` (every later one when None) with HTTP ``status``."""
        self._failures[name] = (status, times)

    def kill(self) -> None:
        """Die as a crashed server does: stop listening and cut off the answers still being sent."""
        self.__exit__(None, None, None)

    def frame(
        self,
        name: str,
        framing: Framing,
        send: int | None = None,
        headers: Mapping[str, str] | None = None,
        reset: bool = False,
        ranges: bool = False,
    ) -> None:
        """Serve ``name`` with the body framed as ``framing``, whole or cut short.

        Args:
            name: The file, relative to ``root``.
            framing: ``"length"`` (a Content-Length), ``"close"`` (no length: the body ends when the
                connection closes, as in HTTP/1.0) or ``"chunked"`` (Transfer-Encoding: chunked).
            send: Send only this many bytes of the file, then hang up (a chunked body then lacks its last
                chunk); the whole file when None.
            headers: More response headers, e.g. ``{"Content-Encoding": "gzip"}``; they may repeat or
                contradict those of the framing.
            reset: Hang up with a TCP reset (RST) instead of an orderly close (FIN).
            ranges: Answer a request with ``Range: bytes=N-`` as a server with ranges does: ``416`` with
                ``Content-Range: bytes */<size>`` when N is the whole file's size or more, else ``206`` with the
                bytes from N on (whole). Without it, such requests get the same answer as any other.
        """
        self._shapes[name] = _Shape(framing, send, dict(headers or {}), reset, ranges)

    def stall(self, name: str, after: int, times: int | None = None) -> None:
        """Make ``name`` hang: announce its Content-Length, send ``after`` bytes, wait for :meth:`restore`.

        The connection is then closed without sending the rest. With ``times``, only the next ``times``
        responses hang (until :meth:`restore` or the server stops); later ones are served normally.
        """
        released = threading.Event()
        self._released.append(released)
        self._stalls[name] = (after, released)
        self._count(("stall", name), times)

    def redirect(self, name: str, location: str) -> None:
        """Answer requests for ``name`` with HTTP 302 to ``location`` (sent as given, even if unsafe)."""
        self._redirects[name] = location

    def raw(self, name: str, response: bytes) -> None:
        """Answer every later request for ``name`` with exactly ``response`` (status line, headers, body), then hang up.

        For responses no well-behaved server sends: repeated or malformed headers, odd statuses, bodies that
        contradict their headers.
        """
        self._raw[name] = response

    def restore(self, name: str) -> None:
        """Serve ``name`` normally again after :meth:`truncate`, :meth:`fail`, :meth:`frame`, :meth:`stall`..."""
        self._truncated.pop(name, None)
        self._times.pop(("truncate", name), None)
        self._times.pop(("stall", name), None)
        self._failures.pop(name, None)
        self._shapes.pop(name, None)
        self._redirects.pop(name, None)
        self._raw.pop(name, None)
        stalled = self._stalls.pop(name, None)
        if stalled is not None:
            stalled[1].set()

    def _wait(self) -> None:
        """Wait out ``latency`` for one request, counting the requests waiting at once (``most_waiting``)."""
        with self._lock:
            self._waiting += 1
            self.most_waiting = max(self.most_waiting, self._waiting)
        try:
            time.sleep(self.latency)
        finally:
            with self._lock:
                self._waiting -= 1

    def _record(self, name: str, method: str) -> int | None:
        """Count the request; the failure status to answer it with, if any."""
        with self._lock:
            self.requests[name] += 1
            self._gets[name] += method == "GET"
            change = self._changes.get(name)
            if change is not None and method == "GET" and self._gets[name] > change[1]:
                del self._changes[name]
                path = self.root / name
                path.write_bytes(change[0])
                # A later modification time, whole seconds apart, so that Last-Modified changes too.
                stamp = time.time() + 2
                os.utime(path, (stamp, stamp))
            status, times = self._failures.get(name, (None, None))
            if status is not None and times is not None:
                if times <= 1:
                    del self._failures[name]
                else:
                    self._failures[name] = (status, times - 1)
            return status

    def __enter__(self) -> LocalHTTPServer:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        if not self._thread.is_alive():
            return
        for name in list(self._stalls):
            self.restore(name)
        for released in self._released:
            released.set()
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
        self._etag: str | None = None
        super().__init__(*args, directory=str(cast(_Server, args[2]).owner.root), **kwargs)

    def end_headers(self) -> None:
        if self._etag is not None:
            self.send_header("ETag", self._etag)
        super().end_headers()

    def do_GET(self) -> None:
        if not self._answered_specially(send_body=True):
            super().do_GET()

    def do_HEAD(self) -> None:
        if not self._answered_specially(send_body=False):
            super().do_HEAD()

    def _answered_specially(self, send_body: bool) -> bool:
        owner = cast(_Server, self.server).owner
        self._etag = None
        name = urllib.parse.unquote(urllib.parse.urlsplit(self.path).path).lstrip("/")
        failure = owner._record(name, self.command)
        owner.headers_seen.setdefault(name, []).append(dict(self.headers.items()))
        if owner.latency:
            owner._wait()
        if any(self.headers.get(key) != value for key, value in owner.required_headers.items()):
            failure = failure or 401
        if failure is None and not send_body:
            failure = owner.head_refused
        if failure == 401 and owner.challenge is not None:
            self.send_response(401)
            self.send_header("WWW-Authenticate", owner.challenge)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return True
        if failure is not None:
            self.send_error(failure)
            return True
        if owner.validators and (owner.root / name).is_file():
            status = (owner.root / name).stat()
            etag = f'"{status.st_mtime_ns:x}-{status.st_size:x}"'
            if self.headers.get("If-Match", etag) != etag:
                self.send_error(412)
                return True
            self._etag = etag
        wanted = re.fullmatch(r"bytes=(\d+)-(\d*)", self.headers.get("Range", ""))
        if owner.ranges and send_body and wanted is not None and self._if_range_holds(owner, name):
            self._send_byte_range(owner, name, int(wanted[1]), int(wanted[2]) if wanted[2] else None)
            return True
        if name in owner._raw:
            self.wfile.write(owner._raw[name])
            self.close_connection = True
            return True
        if name in owner._truncated:
            body = (owner.root / name).read_bytes()
            size = owner._truncated[name]
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(body)))
            self._send_last_modified(owner, name)
            self.end_headers()
            if send_body:
                self.wfile.write(body[: len(body) // 2 if size is None else size])
                owner._spend("truncate", name)
            self.close_connection = True
            return True
        if name in owner._redirects:
            self.send_response(302)
            self.send_header("Location", owner._redirects[name])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return True
        if name in owner._shapes:
            self._send_shaped(owner, name, owner._shapes[name], (owner.root / name).read_bytes(), send_body)
            return True
        if name in owner._stalls:
            after, released = owner._stalls[name]
            body = (owner.root / name).read_bytes()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self._send_last_modified(owner, name)
            self.end_headers()
            if send_body:
                self.wfile.write(body[:after])
                self.wfile.flush()
                owner._spend("stall", name)
                released.wait(timeout=60)
            self.close_connection = True
            return True
        return False

    def _if_range_holds(self, owner: LocalHTTPServer, name: str) -> bool:
        """Whether ``name`` is a file whose ETag or Last-Modified is the request's If-Range (or it has none)."""
        path = owner.root / name
        if not path.is_file():
            return False
        condition = self.headers.get("If-Range")
        if condition is None or owner.if_range_ignored:
            return True
        status = path.stat()
        etag = f'"{status.st_mtime_ns:x}-{status.st_size:x}"'
        return condition in ((etag if owner.validators else None), self.date_time_string(int(status.st_mtime)))

    def _send_shaped(self, owner: LocalHTTPServer, name: str, shape: _Shape, body: bytes, send_body: bool) -> None:
        wanted = re.fullmatch(r"bytes=(\d+)-", self.headers.get("Range", ""))
        if shape.ranges and wanted is not None and self._if_range_holds(owner, name):
            self._send_range(int(wanted[1]), body, send_body, shape.headers)
            return
        sent = body if shape.send is None else body[: shape.send]
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        if shape.framing == "length":
            self.send_header("Content-Length", str(len(body)))
        elif shape.framing == "chunked":
            self.send_header("Transfer-Encoding", "chunked")
        for key, value in shape.headers.items():
            self.send_header(key, value)
        self.end_headers()
        if send_body:
            if shape.framing == "chunked":
                for start in range(0, len(sent), 65536):
                    piece = sent[start : start + 65536]
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                if shape.send is None:
                    self.wfile.write(b"0\r\n\r\n")
            else:
                self.wfile.write(sent)
        if shape.reset:
            # Linger 0 makes close() send RST, dropping the connection as a crashed proxy would.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        self.close_connection = True

    def _send_byte_range(self, owner: LocalHTTPServer, name: str, first: int, last: int | None) -> None:
        """206 with bytes first..last of ``name``, cut short by :meth:`LocalHTTPServer.truncate` or ``stall``."""
        body = (owner.root / name).read_bytes()
        if first >= len(body):
            self._send_range(first, body, True)
            return
        if owner.range_blocks is not None:
            first -= first % owner.range_blocks
            last = None if last is None else last - last % owner.range_blocks + owner.range_blocks - 1
        if owner.range_cap is not None:
            last = first + owner.range_cap - 1 if last is None else min(last, first + owner.range_cap - 1)
        part = body[first : len(body) if last is None else min(last + 1, len(body))]
        self.send_response(206)
        self.send_header("Content-Range", f"bytes {first}-{first + len(part) - 1}/{len(body)}")
        self.send_header("Content-Length", str(len(part)))
        self._send_last_modified(owner, name)
        self.end_headers()
        if name in owner._truncated:
            size = owner._truncated[name]
            self.wfile.write(part[: len(part) // 2 if size is None else size])
            owner._spend("truncate", name)
        elif name in owner._stalls:
            after, released = owner._stalls[name]
            self.wfile.write(part[:after])
            self.wfile.flush()
            owner._spend("stall", name)
            released.wait(timeout=60)
        else:
            self.wfile.write(part)
            return
        self.close_connection = True

    def _send_last_modified(self, owner: LocalHTTPServer, name: str) -> None:
        """Send the file's Last-Modified date, as a server with ranges (``owner.ranges``) does."""
        if owner.ranges:
            self.send_header("Last-Modified", self.date_time_string(int((owner.root / name).stat().st_mtime)))

    def _send_range(
        self, first: int, body: bytes, send_body: bool, headers: Mapping[str, str] | None = None
    ) -> None:
        """Answer ``Range: bytes=<first>-`` (416 past the end), with the shape's ``headers`` on a 206."""
        if first >= len(body):
            self.send_response(416)
            self.send_header("Content-Range", f"bytes */{len(body)}")
            self.send_header("Content-Length", "0")
            self.end_headers()
        else:
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {first}-{len(body) - 1}/{len(body)}")
            self.send_header("Content-Length", str(len(body) - first))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            if send_body:
                self.wfile.write(body[first:])
        self.close_connection = True

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output quiet."""


@pytest.fixture
def http_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalHTTPServer]:
    """A :class:`LocalHTTPServer` serving a fresh empty folder (not the test's ``tmp_path``), stopped afterwards."""
    with LocalHTTPServer(tmp_path_factory.mktemp("served")) as server:
        yield server


@pytest.fixture(autouse=True)
def retry_waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The waits ``download_url`` makes between attempts, in seconds: recorded, not slept."""
    from geotorch.core import download
    from geotorch.core.retry import Retry

    waits: list[float] = []
    monkeypatch.setattr(download, "_RETRY", Retry(sleep=waits.append), raising=False)
    return waits


@pytest.fixture(autouse=True, scope="session")
def _geotorch_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Point ``GEOTORCH_HOME`` (caches, generated data), ``TORCH_HOME`` and ``HF_HOME`` (weights) at temporary
    folders for the whole run."""
    import os

    variables = ("GEOTORCH_HOME", "TORCH_HOME", "HF_HOME")
    previous = {name: os.environ.get(name) for name in variables}
    home = tmp_path_factory.mktemp("geotorch-home")
    os.environ["GEOTORCH_HOME"] = str(home)
    os.environ["TORCH_HOME"] = str(tmp_path_factory.mktemp("torch-home"))
    os.environ["HF_HOME"] = str(tmp_path_factory.mktemp("hf-home"))
    yield home
    for name, value in previous.items():
        if value is None:
            del os.environ[name]
        else:
            os.environ[name] = value


def pytest_configure(config: pytest.Config) -> None:
    """Let tests send real Ctrl-C (SIGINT) to this process and to the children it starts.

    A test runner started in the background by a non-interactive shell (``nohup``, ``cmd &``) inherits
    SIGINT ignored; Python then installs no KeyboardInterrupt handler, and every child would inherit the
    ignore too. Python's own handler is put back: children start with the default disposition again.
    """
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


class ChildPython:
    """A child ``python -c`` process, started and killed by a test; killed at teardown if still running."""

    def __init__(self, log: Path) -> None:
        self._log = log
        self._process: subprocess.Popen[bytes] | None = None

    def start(self, code: str, *args: str) -> None:
        """Run ``code`` in a new interpreter (this one's), with ``args`` in its ``sys.argv[1:]``."""
        with open(self._log, "wb") as log:
            self._process = subprocess.Popen([sys.executable, "-c", code, *args], stdout=log, stderr=log)

    def wait_until(self, condition: Callable[[], bool], what: str, timeout_s: float = 60.0) -> None:
        """Poll ``condition`` every 2 ms; fail naming ``what`` if the child ends first or time runs out."""
        deadline = time.monotonic() + timeout_s
        while not condition():
            if self.process.poll() is not None:
                raise AssertionError(f"the child ended (exit {self.process.returncode}) before {what}:\n{self.output}")
            if time.monotonic() > deadline:
                raise AssertionError(f"{what} did not happen within {timeout_s} s:\n{self.output}")
            time.sleep(0.002)

    def kill(self, signum: int) -> None:
        """Send ``signum`` and check that the child died of it (it did not finish first)."""
        self.process.send_signal(signum)
        returncode = self.process.wait(timeout=60)
        assert returncode == -signum, f"the child ended with {returncode}, not by signal {signum}:\n{self.output}"

    @property
    def process(self) -> subprocess.Popen[bytes]:
        assert self._process is not None, "start() the child first"
        return self._process

    @property
    def output(self) -> str:
        """What the child wrote to stdout and stderr so far."""
        return self._log.read_text(errors="replace")

    def close(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.send_signal(signal.SIGKILL)
            self._process.wait()


@pytest.fixture
def child(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChildPython]:
    """A :class:`ChildPython` to start once, killed at teardown if it still runs."""
    process = ChildPython(tmp_path_factory.mktemp("child") / "output.txt")
    yield process
    process.close()


@pytest.fixture(autouse=True)
def _close_figures() -> Iterator[None]:
    """Close the pyplot figures a test made (``plot`` methods draw through pyplot), so none leak between tests."""
    yield
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        pyplot.close("all")
