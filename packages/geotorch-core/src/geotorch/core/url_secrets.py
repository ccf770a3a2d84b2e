"""URLs as messages may show them: without the signatures, tokens and passwords they may carry."""

from __future__ import annotations

import urllib.parse

# Query parameters that are credentials (lower-case): presigned S3/GCS/CloudFront URLs, Azure shared access
# signatures, OAuth and API tokens.
_SECRET_PARAMETERS = frozenset(
    {"x-amz-signature", "x-amz-credential", "x-amz-security-token", "x-goog-signature", "x-goog-credential"}
    | {"signature", "policy", "key-pair-id", "awsaccesskeyid", "sig", "token", "access_token", "api_key", "apikey"}
    | {"key", "password", "secret", "client_secret", "code"}
)
_HIDDEN = "..."


def redacted(url: str) -> str:
    """``url`` with the values of its credential query parameters and its password replaced by ``...``.

    ``https://h/a.tif?X-Amz-Date=20260101&X-Amz-Signature=5ec`` becomes
    ``https://h/a.tif?X-Amz-Date=20260101&X-Amz-Signature=...``. Anything else (host, path, other
    parameters, their order and spelling) is kept, so the message still tells which file and which
    signing failed.

    Args:
        url: Any URL, or any text (returned as is when it holds neither).

    Returns:
        The URL as a message may show it.
    """
    parts = urllib.parse.urlsplit(url)
    netloc = parts.netloc
    if parts.password is not None:
        user_info, _, host = netloc.rpartition("@")
        netloc = f"{user_info.partition(':')[0]}:{_HIDDEN}@{host}"
    fields = parts.query.split("&") if parts.query else []
    shown = [
        f"{name}={_HIDDEN}" if sep and urllib.parse.unquote_plus(name).lower() in _SECRET_PARAMETERS else field
        for field in fields
        for name, sep, _ in [field.partition("=")]
    ]
    return parts._replace(netloc=netloc, query="&".join(shown)).geturl()
