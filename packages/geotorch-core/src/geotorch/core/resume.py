"""Which version of a file the bytes of a partial download belong to, kept beside it so another process resumes it.

A download of a file whose server names its version (a strong ``ETag``, else a ``Last-Modified`` date at
least a second older than the response's ``Date``, RFC 9110 section 8.8.2.2) is resumed with
``Range: bytes=<received>-`` and ``If-Range: <that version>``: the server sends the rest of that version,
or, if the file changed, the whole new one. Where the server names no version, nothing tells two versions
apart, so the download starts again from its first byte instead.

The version of a partial file ``.<name>.part-<8 hex>`` is written, as JSON, to ``.<name>.resume-<8 hex>``
beside it, through a locked temporary file renamed into place, so it is never read half-written. It is only
written for a body saved as sent (no content coding decoded on the way), whose saved bytes are then the bytes
a range of the file counts. The record names the URL by :func:`source_key`, a digest, never by the URL
itself: a presigned URL's signature or a token in its query would otherwise stay on disk, readable, as
long as the partial file does.
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import os
import secrets
import urllib.parse
from collections.abc import Callable
from dataclasses import asdict, dataclass
from email.message import Message
from pathlib import Path

from geotorch.core.partial import lock_new_file, version_file

# Query parameters of presigned URLs besides the X-Amz-* and X-Goog-* ones (CloudFront, S3 signature v2).
_SIGNING_PARAMETERS = frozenset({"signature", "expires", "key-pair-id", "policy", "awsaccesskeyid"})
# The fields of an Azure shared access signature (service and account SAS, user delegation keys).
_SAS_PARAMETERS = frozenset(
    {"sv", "ss", "srt", "sp", "se", "st", "spr", "sip", "sr", "sig", "si", "sdd", "ses", "skoid", "sktid"}
    | {"skt", "ske", "sks", "skv", "saoid", "suoid", "scid", "rscc", "rscd", "rsce", "rscl", "rsct"}
)


@dataclass(frozen=True)
class Version:
    """The version of a file a body belongs to, as the response that started it said.

    Attributes:
        source: The :func:`source_key` of the URL the download asked for (before redirects).
        etag: The response's ETag, as sent (quotes included), or None.
        last_modified: The response's Last-Modified date when it is a strong validator, else None.
        length: The file's length in bytes as sent, when the response said it.
        coding: The response's Content-Encoding, lower-case ("" for none).
    """

    source: str
    etag: str | None
    last_modified: str | None
    length: int | None
    coding: str

    @classmethod
    def of(cls, url: str, headers: Message, length: int | None) -> Version:
        """The version a response's headers name.

        Args:
            url: The URL asked for.
            headers: The headers of the response (200) that starts the body.
            length: The file's length, when known (the response's Content-Length).
        """
        etag = headers.get("ETag")
        etag = None if etag is None else etag.strip()
        return cls(source_key(url), etag, _strong_date(headers), length, _coding(headers))

    @property
    def validator(self) -> str | None:
        """What to send as ``If-Range``: the ETag unless it is weak, else a strong date; None if neither."""
        if self.etag is not None:
            # A weak ETag may not be sent in If-Range, and a date neither once there is an ETag (RFC 9110, 13.1.5).
            return None if self.etag.startswith("W/") else self.etag
        return self.last_modified

    def differs(self, headers: Message) -> str | None:
        """How the headers of a ``206`` answering a resumption show another version than this one; None if not.

        A server that honours If-Range never sends such a 206; one that ignores it would splice two versions.
        """
        etag, modified = headers.get("ETag"), headers.get("Last-Modified")
        if self.etag is not None and etag is not None and etag.strip() != self.etag:
            return f"its ETag {etag.strip()} is not the {self.etag} of the bytes received"
        known = self.etag is None and self.last_modified is not None and modified is not None
        if known and modified is not None and modified.strip() != self.last_modified:
            return f"its Last-Modified {modified.strip()} is not the {self.last_modified} of the bytes received"
        if _coding(headers) != self.coding:
            return f"its Content-Encoding {_coding(headers)!r} is not the {self.coding!r} of the bytes received"
        return None


def _coding(headers: Message) -> str:
    return ", ".join(value.strip().lower() for value in headers.get_all("Content-Encoding", []) if value.strip())


def _strong_date(headers: Message) -> str | None:
    """The Last-Modified date, when the Date header shows it a second or more in the past (a strong validator)."""
    modified, date = headers.get("Last-Modified"), headers.get("Date")
    if modified is None or date is None:
        return None
    try:
        age = (email.utils.parsedate_to_datetime(date) - email.utils.parsedate_to_datetime(modified)).total_seconds()
    except (TypeError, ValueError):
        return None
    return modified.strip() if age >= 1 else None


def write_version(partial: Path, version: Version | None) -> None:
    """Keep ``version`` beside ``partial``, replacing what was kept (atomically); None removes it.

    Raises:
        OSError: If the file cannot be written.
    """
    final = version_file(partial)
    if version is None:
        final.unlink(missing_ok=True)
        return
    stem = final.name.rpartition(".resume-")[0]
    path, stream = lock_new_file(lambda: partial.with_name(f"{stem}.resume-{secrets.token_hex(4)}"))
    try:
        with stream:
            stream.write(json.dumps(asdict(version)).encode())
            stream.flush()
            os.fsync(stream.fileno())
            os.replace(path, final)
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def read_version(partial: Path, url: str) -> Version | None:
    """The version kept beside ``partial`` if it is one of ``url`` that a server can be asked to resume.

    Returns:
        None when nothing is kept, it cannot be read, is of another URL (another :func:`source_key`: a
        record written before keys were used, holding the URL itself, is one), or names no validator.
    """
    try:
        fields = json.loads(version_file(partial).read_bytes())
        version = Version(**fields)
    except (OSError, ValueError, TypeError):
        return None
    texts = (version.source, version.coding, version.etag or "", version.last_modified or "")
    if not all(isinstance(text, str) for text in texts) or not isinstance(version.length, (int, type(None))):
        return None
    return version if version.source == source_key(url) and version.validator is not None else None


def source_key(url: str) -> str:
    """An opaque key of the file ``url`` asks for: the same for the same URL or the same one signed again.

    A presigned S3, GCS or CloudFront URL, or an Azure URL with a shared access signature, changes at each
    signing (signature, date, expiry) while naming the same object: such URLs are keyed without their
    signing parameters (as GDAL tells them apart). Any other URL is keyed whole. The key is a SHA-256
    digest, so it holds no credential of the URL (a signature, a token in the query); the version check
    (``If-Range``) still guards against another version of the file.

    Args:
        url: The URL a download asks for.

    Returns:
        64 lower-case hexadecimal digits.
    """
    parts = urllib.parse.urlsplit(url)
    query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    names = {name.lower() for name, _ in query}
    signing: Callable[[str], bool]
    if {"x-amz-signature", "x-goog-signature"} & names or {"signature", "expires"} <= names:
        signing = _presigning
    elif {"sig", "sv"} <= names:
        signing = _SAS_PARAMETERS.__contains__
    else:
        return hashlib.sha256(url.encode()).hexdigest()
    rest = sorted((name, value) for name, value in query if not signing(name.lower()))
    unsigned = json.dumps(["signed", parts.scheme.lower(), parts.netloc.lower(), parts.path, rest])
    return hashlib.sha256(unsigned.encode()).hexdigest()


def _presigning(name: str) -> bool:
    """Whether the lower-case query parameter ``name`` is one a presigned S3, GCS or CloudFront URL is signed by."""
    return name.startswith(("x-amz-", "x-goog-")) or name in _SIGNING_PARAMETERS
