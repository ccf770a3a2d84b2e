"""Specification of geotorch.core.http_body, through download_url: only a whole body is saved, under its name."""

from __future__ import annotations

import bz2
import gzip
import hashlib
import io
import lzma
import random
import re
import tarfile
import zipfile
import zlib
from pathlib import Path
from typing import Any

import pytest

from geotorch.core import DownloadError
from geotorch.core.download import download_url
from geotorch.core.retry import Retry

PAYLOAD = random.Random(1).randbytes(300_000)


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as bundle:
        for i in range(5):
            bundle.writestr(f"d/f{i}.bin", PAYLOAD[i * 20_000 : (i + 1) * 20_000])
    return buffer.getvalue()


def _tar() -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as bundle:
        for i in range(5):
            member = tarfile.TarInfo(f"d/f{i}.bin")
            member.size = 20_000
            bundle.addfile(member, io.BytesIO(PAYLOAD[i * 20_000 : (i + 1) * 20_000]))
    return buffer.getvalue()


ARCHIVES = {
    "data.zip": _zip(),
    "data.tar": _tar(),
    "data.tar.gz": gzip.compress(_tar(), mtime=0),
    "data.tar.bz2": bz2.compress(_tar()),
    "data.tar.xz": lzma.compress(_tar()),
}


def _refused(server: Any, name: str, tmp_path: Path, match: str = "") -> DownloadError:
    """The DownloadError that downloading ``name`` raises, after checking that it names the URL and keeps nothing."""
    url = server.url(name)
    with pytest.raises(DownloadError, match=re.escape(url) + ".*" + match) as raised:
        download_url(url, tmp_path, progress=False)
    assert list(tmp_path.iterdir()) == []
    return raised.value


@pytest.mark.parametrize("send", [1, 65536, 150_000, len(PAYLOAD) - 1])
def test_a_body_cut_short_without_a_length_is_refused_when_the_server_says_its_length(
    http_server: Any, tmp_path: Path, send: int
) -> None:
    # An HTTP/1.0-style body (no Content-Length, ended by closing the connection) of a file of no known format.
    (http_server.root / "scene.bin").write_bytes(PAYLOAD)
    http_server.frame("scene.bin", "close", send=send, ranges=True)

    _refused(http_server, "scene.bin", tmp_path, f"ended after {send} bytes.*holds more.*tried 6 times")
    # Each of the 6 attempts: the body, then the question for the bytes past its end; no version to resume by.
    assert http_server.hits("scene.bin") == 2 * (1 + Retry().attempts)


def test_a_whole_body_without_a_length_is_saved_once_the_server_confirms_its_length(
    http_server: Any, tmp_path: Path
) -> None:
    (http_server.root / "scene.bin").write_bytes(PAYLOAD)
    http_server.frame("scene.bin", "close", ranges=True)

    path = download_url(http_server.url("scene.bin"), tmp_path, progress=False)

    assert path.read_bytes() == PAYLOAD
    assert list(tmp_path.iterdir()) == [path]
    assert http_server.hits("scene.bin") == 2


@pytest.mark.parametrize("name", ARCHIVES)
@pytest.mark.parametrize("cut", [0.5, 0.9], ids=["half", "most"])
def test_an_archive_cut_short_without_a_length_is_refused_even_when_the_server_cannot_say_its_length(
    http_server: Any, tmp_path: Path, name: str, cut: float
) -> None:
    body = ARCHIVES[name]
    (http_server.root / name).write_bytes(body)
    # No range support: the question gets the same cut body again, without a length.
    http_server.frame(name, "close", send=int(len(body) * cut))

    _refused(http_server, name, tmp_path, "damaged archive")


@pytest.mark.parametrize("name", ARCHIVES)
def test_a_whole_archive_without_a_length_is_saved_when_the_server_cannot_say_its_length(
    http_server: Any, tmp_path: Path, name: str
) -> None:
    (http_server.root / name).write_bytes(ARCHIVES[name])
    http_server.frame(name, "close")

    path = download_url(http_server.url(name), tmp_path, progress=False)

    assert path.read_bytes() == ARCHIVES[name]


def _response(head: str, body: bytes = b"") -> bytes:
    return head.replace("\n", "\r\n").encode() + b"\r\n" + body


HALF = PAYLOAD[: len(PAYLOAD) // 2]
REFUSED = {
    "206 to a plain request": (
        _response(f"HTTP/1.1 206 Partial Content\nContent-Range: bytes 0-99/{len(PAYLOAD)}\nContent-Length: 100\n"),
        PAYLOAD[:100],
        "HTTP 206 Partial Content",
    ),
    "204": (_response("HTTP/1.1 204 No Content\n"), b"", "HTTP 204 No Content"),
    "202": (_response(f"HTTP/1.1 202 Accepted\nContent-Length: {len(PAYLOAD)}\n"), PAYLOAD, "HTTP 202 Accepted"),
    "lengths that differ, in two headers": (
        _response(f"HTTP/1.1 200 OK\nContent-Length: {len(HALF)}\nContent-Length: {len(PAYLOAD)}\n"),
        HALF,
        "Content-Length values that differ",
    ),
    "lengths that differ, in a list": (
        _response(f"HTTP/1.1 200 OK\nContent-Length: {len(PAYLOAD)}, {len(HALF)}\n"),
        HALF,
        "Content-Length values that differ",
    ),
    "a list of equal lengths, cut": (
        _response(f"HTTP/1.1 200 OK\nContent-Length: {len(PAYLOAD)}, {len(PAYLOAD)}\n"),
        HALF,
        f"received {len(HALF)} of {len(PAYLOAD)} bytes",
    ),
    "length with letters": (_response("HTTP/1.1 200 OK\nContent-Length: 12x\n"), HALF, "malformed Content-Length"),
    "length with a sign": (
        _response(f"HTTP/1.1 200 OK\nContent-Length: +{len(PAYLOAD)}\n"),
        HALF,
        "malformed Content-Length",
    ),
    "negative length": (_response("HTTP/1.1 200 OK\nContent-Length: -1\n"), HALF, "malformed Content-Length"),
    "identity transfer coding and a length, cut": (
        _response(f"HTTP/1.1 200 OK\nTransfer-Encoding: identity\nContent-Length: {len(PAYLOAD)}\n"),
        HALF,
        f"received {len(HALF)} of {len(PAYLOAD)} bytes",
    ),
    "a transfer coding http.client does not decode": (
        _response("HTTP/1.1 200 OK\nTransfer-Encoding: gzip, chunked\nConnection: close\n"),
        gzip.compress(PAYLOAD),
        "Transfer-Encoding 'gzip, chunked'",
    ),
    "brotli content coding": (
        _response("HTTP/1.1 200 OK\nContent-Encoding: br\nConnection: close\n"),
        PAYLOAD,
        "Content-Encoding 'br'",
    ),
    "two content codings": (
        _response("HTTP/1.1 200 OK\nContent-Encoding: deflate, gzip\nConnection: close\n"),
        gzip.compress(zlib.compress(PAYLOAD)),
        "Content-Encoding 'deflate, gzip'",
    ),
    "deflate cut short": (
        _response("HTTP/1.1 200 OK\nContent-Encoding: deflate\nConnection: close\n"),
        zlib.compress(PAYLOAD)[:50_000],
        "deflate-encoded body stops after 50000 bytes",
    ),
    "deflate with bytes after its stream": (
        _response("HTTP/1.1 200 OK\nContent-Encoding: deflate\nConnection: close\n"),
        zlib.compress(PAYLOAD) + b"trailing",
        "goes on after the end of its stream",
    ),
    "deflate that is not deflate": (
        _response("HTTP/1.1 200 OK\nContent-Encoding: deflate\nConnection: close\n"),
        b"\xff" * 1000,
        "cannot be decoded",
    ),
    "empty body with a zero length": (_response("HTTP/1.1 200 OK\nContent-Length: 0\n"), b"", "empty body"),
    "empty body ended by closing": (_response("HTTP/1.0 200 OK\n"), b"", "empty body"),
    "empty deflate stream": (
        _response("HTTP/1.1 200 OK\nContent-Encoding: deflate\nConnection: close\n"),
        zlib.compress(b""),
        "empty body",
    ),
}


@pytest.mark.parametrize("case", REFUSED)
def test_a_response_that_does_not_carry_the_whole_file_is_refused_naming_the_url(
    http_server: Any, tmp_path: Path, case: str
) -> None:
    head, body, reason = REFUSED[case]
    http_server.raw("data.zip", head + body)

    _refused(http_server, "data.zip", tmp_path, re.escape(reason))


SAVED = {
    "a list of equal lengths": _response(f"HTTP/1.1 200 OK\nContent-Length: {len(PAYLOAD)}, {len(PAYLOAD)}\n"),
    "equal lengths in two headers": _response(
        f"HTTP/1.1 200 OK\nContent-Length: {len(PAYLOAD)}\nContent-Length: {len(PAYLOAD)}\n"
    ),
    "identity transfer coding and a length": _response(
        f"HTTP/1.1 200 OK\nTransfer-Encoding: identity\nContent-Length: {len(PAYLOAD)}\n"
    ),
    "203 from a proxy": _response(f"HTTP/1.1 203 Non-Authoritative Information\nContent-Length: {len(PAYLOAD)}\n"),
}


@pytest.mark.parametrize("case", SAVED)
def test_a_whole_body_is_saved_without_the_bytes_sent_past_its_length(
    http_server: Any, tmp_path: Path, case: str
) -> None:
    http_server.raw("scene.bin", SAVED[case] + PAYLOAD + b"not part of the body")

    path = download_url(http_server.url("scene.bin"), tmp_path, progress=False)

    assert path.read_bytes() == PAYLOAD


@pytest.mark.parametrize("wbits", [zlib.MAX_WBITS, -zlib.MAX_WBITS], ids=["zlib-wrapped", "raw"])
@pytest.mark.parametrize("framing", ["length", "close", "chunked"])
def test_a_deflate_encoded_body_is_saved_decoded(http_server: Any, tmp_path: Path, wbits: int, framing: str) -> None:
    encoder = zlib.compressobj(wbits=wbits)
    (http_server.root / "scene.bin").write_bytes(encoder.compress(PAYLOAD) + encoder.flush())
    http_server.frame("scene.bin", framing, headers={"Content-Encoding": "deflate"})

    path = download_url(
        http_server.url("scene.bin"), tmp_path, md5=hashlib.md5(PAYLOAD).hexdigest(), progress=False
    )

    assert path.read_bytes() == PAYLOAD


def test_an_empty_file_is_saved_when_its_checksum_says_so(http_server: Any, tmp_path: Path) -> None:
    (http_server.root / "empty.txt").write_bytes(b"")

    path = download_url(http_server.url("empty.txt"), tmp_path, md5=hashlib.md5(b"").hexdigest(), progress=False)

    assert path.read_bytes() == b""


def test_a_gzip_encoded_body_cut_between_two_members_is_refused_when_the_server_says_its_length(
    http_server: Any, tmp_path: Path
) -> None:
    first = gzip.compress(PAYLOAD[:150_000], mtime=0)
    (http_server.root / "labels.csv.gz").write_bytes(first + gzip.compress(PAYLOAD[150_000:], mtime=0))
    http_server.frame("labels.csv.gz", "close", send=len(first), headers={"Content-Encoding": "gzip"}, ranges=True)

    _refused(http_server, "labels.csv.gz", tmp_path, f"ended after {len(first)} bytes.*holds more")
