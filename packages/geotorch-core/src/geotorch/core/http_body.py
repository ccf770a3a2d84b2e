"""Telling a whole HTTP response body from one cut short, mislabelled or sent in a coding it cannot be saved in.

A download is saved only when its body is known to be whole. What makes it known, in order:

- its framing: as many bytes as its one Content-Length, or a chunked body that ends with its last chunk
  (http.client raises ``IncompleteRead`` otherwise);
- its content coding: a deflate stream that runs to its end (a gzip stream cut inside a member is refused,
  but one that ends may be one member of several, so it is not taken as whole on that sign alone);
- for a body that only ends when the server closes the connection, the server's own word, asked with a
  second request for the bytes past the end (:func:`confirm_length`); where the server does not say,
  :func:`geotorch.core.download.download_url` checks the structure of an archive.

What cannot be saved is refused rather than guessed at: a status other than 200 (a ``206 Partial Content``
to a request for the whole file, ``204 No Content``...), several or malformed Content-Length values
(RFC 9112, section 6.3), a transfer coding other than chunked, and a content coding other than gzip and
deflate (gzip bodies of ``.gz`` files are saved as sent, others and deflate bodies decoded: see
:func:`content_decoder`).
"""

from __future__ import annotations

import http.client
import re
import urllib.error
import urllib.request
import zlib
from collections.abc import Iterator
from email.message import Message
from typing import Protocol

from geotorch.core.errors import BodyError

_OUTPUT_BYTES = 1 << 20
_GZIP_CODINGS = ("gzip", "x-gzip")
#: Names of files that are gzip streams themselves: a gzip-encoded body of such a name is the file as sent.
_GZIP_SUFFIXES = (".gz", ".tgz", ".gzip")
_GZIP_WBITS = 16 + zlib.MAX_WBITS  # zlib's setting for a gzip header and trailer around the deflate data
_DIGITS = re.compile(r"[0-9]+")
_CONTENT_RANGE = re.compile(r"bytes\s+(?:(?P<first>[0-9]+)-[0-9]+|\*)/(?P<total>[0-9]+|\*)", re.IGNORECASE)
# 203 is a 200 that a proxy transformed: the body is still the whole representation.
_WHOLE_FILE_STATUSES = (200, 203)


def announced_length(response: http.client.HTTPResponse) -> int | None:
    """The length a response announces for its body, after checking that the body is the whole file.

    Args:
        response: A response to a plain GET (no Range), headers read, body not yet.

    Returns:
        The Content-Length, or None for a chunked body or one that ends when the connection closes.

    Raises:
        BodyError: If the status is not 200 (or 203), the Content-Length values are malformed or differ,
            or the transfer coding is one http.client does not decode (anything but chunked).
    """
    if response.status not in _WHOLE_FILE_STATUSES:
        raise BodyError(
            f"the server answered HTTP {response.status} {response.reason} to a request for the whole file, "
            "not 200 OK; retry, and if it persists the URL does not serve the file"
        )
    codings = [coding for coding in _tokens(response.headers, "Transfer-Encoding") if coding != "identity"]
    # http.client decodes chunked only when it is the whole header's value; it must agree with the codings.
    if codings != (["chunked"] if response.chunked else []):
        raise BodyError(
            f"the server sent the body with Transfer-Encoding {', '.join(codings)!r}, which cannot be decoded here"
        )
    # With chunked framing, any Content-Length is not the body's (RFC 9112, section 6.3).
    return None if response.chunked else content_length(response.headers)


def content_length(headers: Message) -> int | None:
    """The one Content-Length of ``headers``, or None if they have none.

    A list of equal values (``100, 100``, in one header or several) is that value, as RFC 9110 (section 8.6)
    allows.

    Raises:
        BodyError: If a value is not a decimal number or the values differ.
    """
    values = [value.strip() for header in headers.get_all("Content-Length", []) for value in header.split(",")]
    if not values:
        return None
    if not all(_DIGITS.fullmatch(value) for value in values):
        raise BodyError(f"the response has a malformed Content-Length {', '.join(values)!r}; retry")
    if len({int(value) for value in values}) > 1:
        raise BodyError(f"the response has several Content-Length values that differ ({', '.join(values)}); retry")
    return int(values[0])


def _tokens(headers: Message, name: str) -> list[str]:
    """The comma-separated values of every ``name`` header, stripped and lower-cased."""
    tokens = (token.strip().lower() for header in headers.get_all(name, []) for token in header.split(","))
    return [token for token in tokens if token]


class ContentDecoder(Protocol):
    """Turns a body's bytes, as sent, into the file's bytes, and says whether its coding shows the body whole.

    Attributes:
        as_sent: Whether the file's bytes are the body's bytes as sent (nothing is decoded), so that a range
            of the body is the same range of the file.
    """

    as_sent: bool

    def decode(self, chunk: bytes) -> Iterator[bytes]:
        """The file's bytes that ``chunk``, the next bytes of the body as sent, gives (a MiB at most each)."""
        ...

    def finish(self) -> bool:
        """Whether the coding shows that the body ended where it should (False: it cannot tell).

        Raises:
            BodyError: If the coding shows that the body was cut short.
        """
        ...


def content_decoder(headers: Message, name: str = "") -> ContentDecoder:
    """How to save a body sent with the Content-Encoding in ``headers`` as the file ``name``.

    A gzip body of a file named as gzip (``.gz``, ``.tgz``, ``.gzip``) is saved as sent: servers label
    ``.gz`` files so, and their checksums are those of the ``.gz`` file. A gzip body of any other name is
    decoded, as a browser or ``curl --compressed`` does: an object stored gzip-encoded (S3's
    ``Content-Encoding: gzip`` metadata on a ``.geojson`` or ``.csv``, served so whatever is asked) is
    the file it encodes. A deflate body (zlib-wrapped as RFC 9110 says, or raw as some servers send it) is
    decoded: only the file it encodes has a meaning. Identity bodies are saved as sent.

    Args:
        headers: the response's headers.
        name: the name the body is saved under.

    Raises:
        BodyError: For any other coding (br, zstd, compress...) or several codings, which cannot be decoded here.
    """
    codings = [coding for coding in _tokens(headers, "Content-Encoding") if coding != "identity"]
    if not codings:
        return _Identity()
    if len(codings) == 1 and codings[0] in _GZIP_CODINGS:
        return _GzipAsSent() if name.lower().endswith(_GZIP_SUFFIXES) else _GzipDecoded()
    if codings == ["deflate"]:
        return _Deflate()
    raise BodyError(
        f"the server sent the body with Content-Encoding {', '.join(codings)!r} although identity was asked for, "
        "and it cannot be decoded here; nothing was saved"
    )


class _Identity:
    as_sent = True

    def decode(self, chunk: bytes) -> Iterator[bytes]:
        yield chunk

    def finish(self) -> bool:
        return False


class _GzipAsSent:
    """Follows a gzip-encoded body as it arrives, to tell a body cut short from a complete one; saves it as sent."""

    as_sent = True

    def __init__(self) -> None:
        self._decoder = zlib.decompressobj(_GZIP_WBITS)
        self._readable = True
        self._sent = 0

    def decode(self, chunk: bytes) -> Iterator[bytes]:
        self._sent += len(chunk)
        data = chunk
        while data and self._readable:
            if self._decoder.eof:
                # A gzip body may hold several members, one after the other.
                self._decoder = zlib.decompressobj(_GZIP_WBITS)
            try:
                # The decoded bytes are dropped: only the stream's structure matters here.
                self._decoder.decompress(data, _OUTPUT_BYTES)
            except zlib.error:
                # Not gzip after all, or padding after the last member: nothing to judge by, as for identity.
                self._readable = False
            data = self._decoder.unconsumed_tail or self._decoder.unused_data
        yield chunk

    def finish(self) -> bool:
        if self._readable and not self._decoder.eof:
            raise BodyError(f"the gzip-encoded body stops after {self._sent} bytes, inside its stream; retry")
        # A body of several members may be cut between two: a member that ends is no sign of the last one.
        return False


class _GzipDecoded:
    """Decodes a gzip-encoded body of one member or several, which must run to the end of its last member.

    Zero bytes after the last member (padding some writers add) are dropped, as gzip itself drops them.
    """

    as_sent = False

    def __init__(self) -> None:
        self._decoder = zlib.decompressobj(_GZIP_WBITS)
        self._members = 0  # members decoded to their end
        self._zeros = True  # whether every byte the current member's decoder has had is zero
        self._sent = 0

    def decode(self, chunk: bytes) -> Iterator[bytes]:
        self._sent += len(chunk)
        data = chunk
        while data:
            if self._decoder.eof:
                self._decoder, self._zeros = zlib.decompressobj(_GZIP_WBITS), True
                self._members += 1
            self._zeros = self._zeros and not any(data)
            if self._members and self._zeros:
                # Padding after the last member: not a member, nothing to decode.
                return
            try:
                # At most a MiB at a time, so that a small body cannot expand into all of memory.
                yield self._decoder.decompress(data, _OUTPUT_BYTES)
            except zlib.error as err:
                raise BodyError(f"the gzip-encoded body cannot be decoded ({err}); retry") from err
            data = self._decoder.unconsumed_tail or self._decoder.unused_data

    def finish(self) -> bool:
        if not self._decoder.eof and not (self._members and self._zeros):
            raise BodyError(f"the gzip-encoded body stops after {self._sent} bytes, inside its stream; retry")
        # A body of several members may be cut between two: a member that ends is no sign of the last one.
        return False


class _Deflate:
    """Decodes a deflate-encoded body, zlib-wrapped or raw, which must run to the end of its stream."""

    as_sent = False

    def __init__(self) -> None:
        self._head = b""
        self._decoder: zlib._Decompress | None = None
        self._sent = 0

    def decode(self, chunk: bytes) -> Iterator[bytes]:
        self._sent += len(chunk)
        if self._decoder is None:
            # Two bytes tell a zlib header from raw deflate data.
            self._head += chunk
            if len(self._head) < 2:
                return
            zlib_wrapped = self._head[0] & 0x0F == 8 and int.from_bytes(self._head[:2], "big") % 31 == 0
            self._decoder = zlib.decompressobj(zlib.MAX_WBITS if zlib_wrapped else -zlib.MAX_WBITS)
            chunk, self._head = self._head, b""
        data = chunk
        while data:
            if self._decoder.eof:
                raise BodyError("the deflate-encoded body goes on after the end of its stream; retry")
            try:
                # At most a MiB at a time, so that a small body cannot expand into all of memory.
                yield self._decoder.decompress(data, _OUTPUT_BYTES)
            except zlib.error as err:
                raise BodyError(f"the deflate-encoded body cannot be decoded ({err}); retry") from err
            data = self._decoder.unconsumed_tail or self._decoder.unused_data

    def finish(self) -> bool:
        if self._decoder is None or not self._decoder.eof:
            raise BodyError(f"the deflate-encoded body stops after {self._sent} bytes, inside its stream; retry")
        return True


def confirm_length(url: str, size: int, headers: dict[str, str], timeout_s: float) -> bool:
    """Ask the server whether its body for ``url`` is ``size`` bytes long: the body's end was not marked.

    The question is a GET for the bytes from ``size`` on (``Range: bytes=<size>-``): a server with ranges
    answers ``416`` with ``Content-Range: bytes */<length>``, or ``206`` with the bytes that are missing; one
    without may answer ``200`` with a Content-Length. No body is read.

    Args:
        url: The URL whose body was received (after redirects).
        size: How many bytes of it were received.
        headers: Headers to send too (User-Agent, Accept-Encoding).
        timeout_s: How long to wait for the server, in seconds.

    Returns:
        True if the server says the length is ``size``; False if it does not say (no range support and no
        Content-Length, an error status, a failed connection).

    Raises:
        BodyError: If the server says its body is longer or shorter, or answers the range incoherently.
    """
    request = urllib.request.Request(url, headers={**headers, "Range": f"bytes={size}-"})
    try:
        response = urllib.request.urlopen(request, timeout=timeout_s)
    except urllib.error.HTTPError as err:
        with err:
            total = _range_total(err.headers.get("Content-Range")) if err.code == 416 else None
        return total is not None and _same_length(size, total)
    except (urllib.error.URLError, http.client.HTTPException, OSError):
        return False
    with response:
        if response.status == 206:
            value = response.headers.get("Content-Range")
            match = None if value is None else _CONTENT_RANGE.fullmatch(value.strip())
            if match is None or match["first"] is None or int(match["first"]) != size:
                raise BodyError(f"asked for the bytes from {size} on, the server answered with Content-Range {value!r}")
            raise BodyError(
                f"the body ended after {size} bytes, when the server closed the connection, but the server holds "
                "more: the connection was cut; retry"
            )
        if response.status in _WHOLE_FILE_STATUSES:
            try:
                total = content_length(response.headers)
            except BodyError:
                return False
            return total is not None and _same_length(size, total)
    return False


def _range_total(value: str | None) -> int | None:
    """The full length in a Content-Range value (``bytes */1234``), or None if it has none."""
    match = None if value is None else _CONTENT_RANGE.fullmatch(value.strip())
    return None if match is None or match["total"] == "*" else int(match["total"])


def _same_length(size: int, total: int) -> bool:
    if total != size:
        raise BodyError(
            f"the body ended after {size} bytes, when the server closed the connection, but the server says it "
            f"holds {total}: the connection was cut, or the file changed meanwhile; retry"
        )
    return True
