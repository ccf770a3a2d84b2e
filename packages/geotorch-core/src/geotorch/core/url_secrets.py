"""Text as messages may show it: URLs without the signatures, tokens and passwords they may carry."""

from __future__ import annotations

import re
import urllib.parse

# Query parameters that are credentials (lower-case): presigned S3/GCS/CloudFront URLs, Azure shared access
# signatures, OAuth and API tokens.
_SECRET_PARAMETERS = frozenset(
    {"x-amz-signature", "x-amz-credential", "x-amz-security-token", "x-goog-signature", "x-goog-credential"}
    | {"signature", "policy", "key-pair-id", "awsaccesskeyid", "sig", "token", "access_token", "api_key", "apikey"}
    | {"key", "password", "secret", "client_secret", "code"}
)
_HIDDEN = "..."
# A query parameter wherever it stands (a URL, or GDAL's "a.tif?X-Amz-Signature=5ec, band 1"): its value ends at
# the next parameter, a space or quote, or punctuation followed by one ("...=5ec: HTTP 404", "...=5ec, band 1").
_PARAMETER = re.compile(r"""([?&])([^=&#\s'"<>?]+)=((?:[^&#\s'"<>,;:)\]]|[,;:)\]](?=[^&#\s'"<>]))*)""")
# The user information of a URL: "scheme://user:password@host".
_PASSWORD = re.compile(r"""(\b[A-Za-z][A-Za-z0-9+.-]*://[^/?#@\s'"<>:]*):[^/?#\s'"<>]*@""")


def redacted(text: str) -> str:
    """``text`` with the values of credential query parameters and URL passwords in it replaced by ``...``.

    ``https://h/a.tif?X-Amz-Date=20260101&X-Amz-Signature=5ec`` becomes
    ``https://h/a.tif?X-Amz-Date=20260101&X-Amz-Signature=...``, ``https://me:pw@h/a.tif`` becomes
    ``https://me:...@h/a.tif``, wherever they stand in the text: a URL, a GDAL virtual path
    (``/vsicurl/https://...``) or a message quoting either (GDAL's ``'a.tif?X-Amz-Signature=5ec, band 1'``).
    Anything else (scheme, host, path, other parameters, their order and spelling) is kept, so the message
    still tells which file and which signing failed. Applying it twice gives the same text.

    Args:
        text: A URL, a path, or any message naming them (returned as is when it holds no credential).

    Returns:
        The text as a message may show it.
    """
    shown = _PASSWORD.sub(rf"\1:{_HIDDEN}@", text)
    return _PARAMETER.sub(_hidden_parameter, shown)


def _hidden_parameter(match: re.Match[str]) -> str:
    """A query parameter as :func:`redacted` shows it: its value hidden when its name is a credential's."""
    start, name, _ = match.groups()
    secret = urllib.parse.unquote_plus(name).lower() in _SECRET_PARAMETERS
    return f"{start}{name}={_HIDDEN}" if secret else match.group(0)
