"""Streaming a URL's body into a partial file, tried again from the bytes received after a transient failure.

A body cut short (a connection reset, fewer bytes than announced, a chunked body without its last chunk, a
stall past the timeout) or a transient status (:data:`geotorch.core.retry.TRANSIENT_STATUSES`) is tried
again as :class:`geotorch.core.retry.Retry` says. Where the server named the file's version
(:class:`geotorch.core.resume.Version`), the next attempt asks for the bytes not yet received
(``Range: bytes=<received>-``, ``If-Range: <version>``) and appends them; otherwise it starts again from the
first byte. Two versions of a file are never spliced: a ``200`` to a resumption (ranges ignored, or the file
changed) replaces the bytes received; a ``206`` of another start, length, ETag or coding is refused and the
file fetched whole again without ranges; a ``416`` is taken for a whole file only when it gives the length
already received.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import re
import urllib.error
import urllib.parse
import urllib.request
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from email.message import Message
from typing import Any, BinaryIO

from tqdm import tqdm

from geotorch.core.errors import BodyError, DownloadCutError, DownloadError
from geotorch.core.http_body import ContentDecoder, announced_length, confirm_length, content_decoder
from geotorch.core.resume import Version
from geotorch.core.retry import TRANSIENT_STATUSES, Retry
from geotorch.core.url_secrets import redacted

_CHUNK_BYTES = 1 << 20
# Some hosts refuse urllib's default "Python-urllib/x.y" agent.
_USER_AGENT = "geotorch (+https://github.com/geotorch/geotorch)"
#: Headers of every download request. Identity asks for the bytes as published, which checksums are computed over.
HEADERS = {"User-Agent": _USER_AGENT, "Accept-Encoding": "identity"}
_CONTENT_RANGE = re.compile(r"bytes\s+(?P<first>[0-9]+)-(?P<last>[0-9]+)/(?P<total>[0-9]+|\*)", re.IGNORECASE)
_UNSATISFIED = re.compile(r"bytes\s+\*/(?P<total>[0-9]+)", re.IGNORECASE)


def split_login(url: str) -> tuple[str, str | None]:
    """``url`` without the login it may carry (``https://user:password@host/...``), and that login as a header.

    Args:
        url: An http(s) URL.

    Returns:
        The URL without its user information, and ``Basic <base64 of user:password>`` (percent-decoded, as
        curl sends it) or None when it has none.
    """
    parts = urllib.parse.urlsplit(url)
    if parts.username is None:
        return url, None
    login = f"{urllib.parse.unquote(parts.username)}:{urllib.parse.unquote(parts.password or '')}"
    host = parts.netloc.rpartition("@")[2]
    return parts._replace(netloc=host).geturl(), "Basic " + base64.b64encode(login.encode()).decode()


def new_hasher(algorithm: str) -> hashlib._Hash:
    """A hasher for ``algorithm`` (``"md5"``, ``"sha256"``) that works on FIPS-mode systems too."""
    # Checksums here guard integrity, not security; the flag keeps md5 usable on FIPS-mode systems.
    return hashlib.new(algorithm, usedforsecurity=False)


@dataclass(frozen=True)
class Body:
    """What :func:`fetch` received.

    Attributes:
        url: The URL that answered last, after redirects.
        size: The saved file's length, in bytes.
        whole: Whether the body's framing or content coding, or the server asked again, shows it whole.
        checksums: The saved file's checksums, by algorithm.
        resumed_at: The byte of the body as sent at which it was first resumed (its bytes before it came from
            an earlier response, or an earlier process); None for a body of one response.
    """

    url: str
    size: int
    whole: bool
    checksums: dict[str, str]
    resumed_at: int | None = None


class _Cut(Exception):
    """A transient failure: the download may be tried again, from the bytes received."""

    def __init__(self, reason: str, retry_after: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason.removesuffix("; retry")
        self.retry_after = retry_after


class _Shorter(Exception):
    """A 206 carried fewer bytes than asked, all of them (RFC 9110 allows it): the rest is asked at once."""


class _Sink:
    """The partial file, the checksums of its bytes, and the decoder of the body they come from."""

    def __init__(self, out: BinaryIO, algorithms: Iterable[str]) -> None:
        self.out = out
        self.algorithms = tuple(algorithms)
        self.hashers = {name: new_hasher(name) for name in self.algorithms}
        self.decoder: ContentDecoder | None = None
        self.sent = 0  # bytes of the body as sent, which ranges count
        self.size = 0  # bytes of the file, as saved
        self.resumed_at: int | None = None  # where bytes of another response were first followed on

    def begin(self, decoder: ContentDecoder) -> None:
        """Start the file again from its first byte, saved through ``decoder``."""
        if self.sent or self.out.tell():
            self.out.seek(0)
            self.out.truncate()
        self.hashers = {name: new_hasher(name) for name in self.algorithms}
        self.decoder, self.sent, self.size, self.resumed_at = decoder, 0, 0, None

    def replay(self, decoder: ContentDecoder, read: bool) -> None:
        """Take the bytes already in the file (saved as sent through ``decoder``) as received.

        Args:
            decoder: The decoder of the body they come from, which follows them again.
            read: Whether to read them (for the checksums, or for a decoder that follows a stream's structure).
        """
        self.decoder = decoder
        self.out.seek(0)
        if read:
            while chunk := self.out.read(_CHUNK_BYTES):
                for piece in decoder.decode(chunk):
                    for hasher in self.hashers.values():
                        hasher.update(piece)
        self.sent = self.size = self.out.seek(0, 2)
        self.resumed_at = self.sent

    def write(self, chunk: bytes) -> None:
        assert self.decoder is not None
        self.sent += len(chunk)
        for piece in self.decoder.decode(chunk):
            self.out.write(piece)
            for hasher in self.hashers.values():
                hasher.update(piece)
            self.size += len(piece)


def fetch(
    url: str,
    out: BinaryIO,
    label: str,
    algorithms: Iterable[str],
    *,
    retry: Retry,
    progress: bool,
    kept: Version | None,
    keep: Callable[[Version | None], None],
    confirm: bool,
    login: str | None = None,
) -> Body:
    """Stream ``url``'s body into ``out``, decoded as :func:`geotorch.core.http_body.content_decoder` says.

    Args:
        url: The http(s) URL, without a login (see :func:`split_login`).
        out: The partial file, open for reading and writing; it holds the bytes of version ``kept``, or is
            emptied first.
        label: The file's name, for the progress bar and the content coding.
        algorithms: The checksums to compute over the saved bytes.
        retry: When to try again after a transient failure.
        progress: Whether to show a progress bar on stderr.
        kept: The version the bytes already in ``out`` belong to (an abandoned partial file), or None.
        keep: Called with each new version the bytes belong to, to keep it beside the partial file (None:
            the bytes cannot be resumed by another process).
        confirm: Whether to ask the server the length of a body whose end is not marked (no checksum given).
        login: The ``Authorization`` header to send to ``url``'s server; never sent on to a redirect's.

    Returns:
        What was received.

    Raises:
        DownloadError: If the server refuses the file, cannot be reached, or sends a response that does not
            carry it. :class:`geotorch.core.errors.DownloadCutError` if it still fails after the retries
            (the message says how many bytes arrived).
    """
    sink = _Sink(out, algorithms)
    if kept is None:
        out.seek(0)
        out.truncate()
    else:
        sink.replay(content_decoder(_coded(kept.coding), label), read=bool(sink.hashers or kept.coding))
    with tqdm(
        total=None if kept is None else kept.length,
        initial=sink.sent,
        desc=label,
        unit="B",
        unit_scale=True,
        unit_divisor=1024,
        disable=not progress,
    ) as bar:
        transfer = _Transfer(url, label, sink, retry, kept, keep, confirm, bar, login)
        return transfer.run()


def _coded(coding: str) -> Message:
    headers = Message()
    if coding:
        headers["Content-Encoding"] = coding
    return headers


class _Transfer:
    """The attempts of one download (see :func:`fetch`)."""

    def __init__(
        self,
        url: str,
        label: str,
        sink: _Sink,
        retry: Retry,
        version: Version | None,
        keep: Callable[[Version | None], None],
        confirm: bool,
        bar: Any,
        login: str | None,
    ) -> None:
        self.url, self.label, self.sink, self.retry = url, label, sink, retry
        self.version, self.keep, self.confirm, self.bar = version, keep, confirm, bar
        self.login = login
        self.ranges = True  # cleared when the server answers a range with other bytes than asked

    def run(self) -> Body:
        failures = attempts = 0
        furthest = self.sink.sent
        while True:
            attempts += 1
            try:
                return self._attempt()
            except _Shorter:
                # Not a failure: each such answer brings at least a byte, so this ends with the file.
                attempts -= 1
                continue
            except _Cut as cut:
                if self.sink.sent > furthest:
                    furthest, failures = self.sink.sent, 0
                failures += 1
                if failures > self.retry.attempts:
                    tries = "once" if attempts == 1 else f"{attempts} times"
                    raise DownloadCutError(self.url, f"{cut.reason}; tried {tries}") from None
                delay, left = self.retry.delay(failures, cut.retry_after), self.retry.attempts - failures + 1
                # Said as curl and GDAL say it: a silent server would otherwise keep the caller minutes without a word.
                warnings.warn(
                    f"download_url: {redacted(self.url)}: {cut.reason}; trying again in {delay:g} s "
                    f"({left} more {'try' if left == 1 else 'tries'} unless one brings more bytes)",
                    stacklevel=5,
                )
                self.retry.sleep(delay)

    def _attempt(self) -> Body:
        offset = self.sink.sent
        headers = dict(HEADERS)
        validator = None if self.version is None else self.version.validator
        ranged = bool(offset) and validator is not None and self.ranges
        if ranged:
            headers |= {"Range": f"bytes={offset}-", "If-Range": str(validator)}
        try:
            request = urllib.request.Request(self.url, headers=headers)
            if self.login is not None:
                # Unredirected: a login stays with the server it was given for, as curl keeps it.
                request.add_unredirected_header("Authorization", self.login)
            response = urllib.request.urlopen(request, timeout=self.retry.timeout_s)
        except urllib.error.HTTPError as err:
            err.close()
            if err.code == 416 and ranged:
                return self._unsatisfiable(err.headers)
            reason = f"the server answered HTTP {err.code} {err.reason}"
            if err.code in TRANSIENT_STATUSES:
                raise _Cut(reason, err.headers.get("Retry-After")) from None
            raise DownloadError(self.url, reason) from err
        except urllib.error.URLError as err:
            if isinstance(err.reason, (TimeoutError, ConnectionResetError, ConnectionAbortedError)):
                raise _Cut(f"the connection failed ({err.reason!r})") from None
            raise DownloadError(self.url, f"could not connect ({err.reason}); check the URL and your network") from err
        except (http.client.HTTPException, OSError) as err:
            raise _Cut(f"the connection failed ({err!r})") from None
        with response:
            try:
                if ranged and response.status == 206:
                    return self._resumed(response)
                return self._whole(response)
            except BodyError as err:
                raise DownloadError(self.url, str(err)) from None

    def _whole(self, response: http.client.HTTPResponse) -> Body:
        """Take a response carrying the whole file, replacing any bytes received before."""
        announced = announced_length(response)
        decoder = content_decoder(response.headers, self.label)
        self.sink.begin(decoder)
        self.version = Version.of(self.url, response.headers, announced)
        self.keep(self.version if decoder.as_sent and self.version.validator is not None else None)
        self.bar.reset(total=announced)
        self._stream(response, announced)
        if announced is not None and self.sink.sent != announced:
            raise _Cut(f"received {self.sink.sent} of {announced} bytes announced; the connection was cut")
        whole = self._finish() or announced is not None or bool(response.chunked)
        return self._body(response.url, whole or self._confirmed(response.url))

    def _resumed(self, response: http.client.HTTPResponse) -> Body:
        """Take a 206 answering a request for the bytes from ``sink.sent`` on, if it carries them."""
        assert self.version is not None
        offset = self.sink.sent
        value = (response.headers.get("Content-Range") or "").strip()
        match = _CONTENT_RANGE.fullmatch(value)
        total = None if match is None or match["total"] == "*" else int(match["total"])
        fault = None
        if match is None or int(match["first"]) != offset:
            fault = f"it answered a request for the bytes from {offset} on with Content-Range {value!r}"
        elif self.version.length is not None and total is not None and total != self.version.length:
            fault = f"its Content-Range {value!r} gives another length than the {self.version.length} bytes announced"
        else:
            fault = self.version.differs(response.headers)
        if fault is not None:
            # Never splice: the next attempt fetches the file whole again, without ranges.
            self.ranges = False
            raise _Cut(f"refused the server's 206 Partial Content: {fault}")
        assert match is not None
        if self.sink.resumed_at is None:
            self.sink.resumed_at = offset
        last = int(match["last"])
        self.bar.total = total
        self.bar.refresh()
        self._stream(response, last + 1 - offset)
        if self.sink.sent == last + 1 and total is not None and self.sink.sent < total:
            raise _Shorter
        expected = last + 1 if total is None else total
        if self.sink.sent != expected:
            raise _Cut(f"received {self.sink.sent} of {expected} bytes; the connection was cut")
        whole = total is not None or self._finish()
        return self._body(response.url, whole or self._confirmed(response.url))

    def _unsatisfiable(self, headers: Message) -> Body:
        """Take a 416 to a resumption: the bytes received are the whole file if it gives their length."""
        match = _UNSATISFIED.fullmatch((headers.get("Content-Range") or "").strip())
        if match is not None and int(match["total"]) == self.sink.sent:
            return self._body(self.url, True)
        self.ranges = False
        value = headers.get("Content-Range")
        raise _Cut(
            f"the server answered a request for the bytes from {self.sink.sent} on with 416 Range Not Satisfiable "
            f"and Content-Range {value!r}, not the length received"
        )

    def _stream(self, response: http.client.HTTPResponse, left: int | None) -> None:
        # Reading stops at the announced length: what a server sends past it is not the body.
        while left != 0:
            try:
                chunk = response.read(_CHUNK_BYTES if left is None else min(left, _CHUNK_BYTES))
            except (http.client.HTTPException, OSError) as err:
                # http.client raises IncompleteRead for a chunked body that ends before its last chunk; the
                # bytes of that read which did arrive are kept, so that a resumption need not ask them again.
                if isinstance(err, http.client.IncompleteRead) and err.partial:
                    self.sink.write(err.partial)
                raise _Cut(f"the connection failed after {self.sink.sent} bytes ({err!r})") from None
            if not chunk:
                return
            self.sink.write(chunk)
            self.bar.update(len(chunk))
            if left is not None:
                left -= len(chunk)

    def _finish(self) -> bool:
        assert self.sink.decoder is not None
        try:
            return self.sink.decoder.finish()
        except BodyError as err:
            raise _Cut(str(err)) from None

    def _confirmed(self, url: str) -> bool:
        """Whether the server says the body, whose end was not marked, is whole (asked only without a checksum)."""
        if not self.confirm:
            return False
        try:
            return confirm_length(url, self.sink.sent, HEADERS, self.retry.timeout_s)
        except BodyError as err:
            raise _Cut(str(err)) from None

    def _body(self, url: str, whole: bool) -> Body:
        self.sink.out.flush()
        checksums = {name: hasher.hexdigest() for name, hasher in self.sink.hashers.items()}
        return Body(url, self.sink.size, whole, checksums, self.sink.resumed_at)
