"""The headers GDAL is configured to send with its HTTP requests, for our own requests to the same servers.

A private server is read by GDAL with the headers of ``GDAL_HTTP_HEADERS`` (lines ``Name: value``, split
at CR and LF where it holds a CRLF, else at commas outside double quotes; a bare LF left in a line, which
curl sends as it is, ends a line for the server too) and ``GDAL_HTTP_HEADER_FILE`` (one a line), and with
``GDAL_HTTP_USERPWD`` (basic authentication sent with every request, ``GDAL_HTTP_AUTH`` unset or ``BASIC``;
the method the server asks for in its ``401`` challenge, ``ANY``: Digest or Basic, ``ANYSAFE`` and ``DIGEST``:
Digest) or ``GDAL_HTTP_BEARER`` (``GDAL_HTTP_AUTH=BEARER``). The HEAD and probe requests GeoTorch makes of the same
files send them too, through :data:`OPENER`, which drops them, and any ``Authorization`` or ``Cookie``,
from a request redirected to another host (a private API redirecting to a presigned storage URL): as
curl does, credentials stay with the host they were given for. A request without an ``Authorization``
header carries the login of its host's entry in the netrc file GDAL's curl reads (``GDAL_HTTP_NETRC``,
on unless ``NO``; ``GDAL_HTTP_NETRC_FILE``, else ``~/.netrc``), as basic authentication, as curl sends it;
the login of a URL's user part (``https://user:password@host/...``) wins over it.
"""

from __future__ import annotations

import base64
import netrc
import re
import urllib.parse
import urllib.request
import weakref
from collections.abc import Callable
from http.client import HTTPMessage
from pathlib import Path
from typing import IO, TypeAlias

import rasterio.env

#: Headers that carry credentials, dropped on a redirect to another host whether configured or not.
_CREDENTIALS = ("Authorization", "Proxy-Authorization", "Cookie")
#: The ``GDAL_HTTP_AUTH`` methods under which curl answers a server's challenge of each scheme with
#: ``GDAL_HTTP_USERPWD``.
CHALLENGE_ANSWERED = {"basic": frozenset({"ANY"}), "digest": frozenset({"ANY", "ANYSAFE", "DIGEST"})}
#: Requests redirected to another host than the one the credentials were given for: no challenge is answered.
_ELSEWHERE: weakref.WeakSet[urllib.request.Request] = weakref.WeakSet()


def _config(name: str) -> str | None:
    """GDAL's configuration option ``name`` (set in GDAL or the environment), as text."""
    value = rasterio.env.get_gdal_config(name, normalize=False)
    return None if value is None else str(value)


def header_lines() -> list[str]:
    """The ``Name: value`` lines of ``GDAL_HTTP_HEADERS``, as GDAL splits them (see the module)."""
    given = _config("GDAL_HTTP_HEADERS")
    if not given:
        return []
    comma = given.find(",")
    # Lines, or one header whose value holds commas ("Accept: text/plain, application/json"), are split at CR/LF.
    whole = "\r\n" in given or (comma >= 0 and ":" not in given[comma:])
    tokens = [given] if whole else _split_outside_quotes(given)
    return [line.strip() for token in tokens for line in re.split(r"[\r\n]+", token) if line.strip()]


def _split_outside_quotes(text: str) -> list[str]:
    """``text`` split at commas outside double quotes, the quotes dropped (``a: "b, c", d: e`` -> 2 lines)."""
    parts: list[str] = []
    current: list[str] = []
    quoted = False
    for character in text:
        if character == '"':
            quoted = not quoted
        elif character == "," and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(character)
    return [*parts, "".join(current)]


def gdal_headers() -> dict[str, str]:
    """The headers GDAL's configuration adds to every HTTP request (see the module), by name.

    Returns:
        ``{"Authorization": "Bearer ...", ...}``; empty when none is configured.

    Raises:
        ValueError: if ``GDAL_HTTP_BEARER`` holds a line break inside it, naming it (not the token); if the file
            ``GDAL_HTTP_HEADER_FILE`` names cannot be read, naming it.
    """
    lines = header_lines()
    header_file = _config("GDAL_HTTP_HEADER_FILE")
    if header_file:
        lines += _header_file_lines(header_file)
    headers = {name.strip(): value.strip() for name, _, value in (line.partition(":") for line in lines) if value}
    scheme = _auth_method()
    userpwd, bearer = _config("GDAL_HTTP_USERPWD"), _config("GDAL_HTTP_BEARER")
    if userpwd and scheme == "BASIC":
        headers["Authorization"] = "Basic " + base64.b64encode(userpwd.encode()).decode()
    elif bearer and scheme == "BEARER":
        headers["Authorization"] = f"Bearer {_one_line('GDAL_HTTP_BEARER', bearer)}"
    return headers


def _one_line(option: str, value: str) -> str:
    """``value`` of GDAL's ``option`` without the spaces and line breaks around it, as curl's request carries it.

    A token read whole from a file keeps its last line break (``Path(...).read_text()``); curl's header ends there.

    Raises:
        ValueError: if a line break is left inside it, naming the option, not the value (a credential).
    """
    stripped = value.strip()
    if "\r" in stripped or "\n" in stripped:
        raise ValueError(f"{option} holds a line break inside it: give the token on one line")
    return stripped


def _header_file_lines(header_file: str) -> list[str]:
    """The lines of the file ``GDAL_HTTP_HEADER_FILE`` names.

    Raises:
        ValueError: if it cannot be read, naming the option, the file and why (a configuration fault, not the
            server's: no request is retried for it).
    """
    path = Path(header_file).expanduser()
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise ValueError(
            f"GDAL_HTTP_HEADER_FILE names {path}, which cannot be read ({error.strerror or error}): give the file "
            "of the headers GDAL sends with its HTTP requests, one 'Name: value' a line, or unset it"
        ) from None


def _auth_method() -> str:
    """``GDAL_HTTP_AUTH``, upper case (``BASIC`` when unset)."""
    return (_config("GDAL_HTTP_AUTH") or "BASIC").strip().upper()


def netrc_authorization(url: str) -> str | None:
    """``Basic ...`` of the login the netrc file GDAL's curl reads gives ``url``'s host, or None (see the module)."""
    if (_config("GDAL_HTTP_NETRC") or "YES").strip().upper() in ("NO", "FALSE", "OFF", "0"):
        return None
    path = Path(_config("GDAL_HTTP_NETRC_FILE") or "~/.netrc").expanduser()
    host = urllib.parse.urlsplit(url).hostname
    if host is None or not path.is_file():
        return None
    try:
        entry = netrc.netrc(path).authenticators(host)
    except (netrc.NetrcParseError, OSError, UnicodeDecodeError):
        # curl skips a file it cannot parse as well.
        return None
    if entry is None:
        return None
    login, _, password = entry
    return "Basic " + base64.b64encode(f"{login}:{password}".encode()).decode()


class _UrlLogin(urllib.request.BaseHandler):
    """Sends the login of a URL's user part (``https://user:password@host/...``) as curl does: Basic, to that host.

    urllib would take ``user:password@host`` for the host name and fail to resolve it.
    """

    handler_order = 400  # before _NetrcLogin: the URL's login wins over the netrc file's, as in curl

    def http_request(self, request: urllib.request.Request) -> urllib.request.Request:
        parts = urllib.parse.urlsplit(request.full_url)
        if parts.username is None:
            return request
        user, password = urllib.parse.unquote(parts.username), urllib.parse.unquote(parts.password or "")
        request.full_url = urllib.parse.urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))
        if not request.has_header("Authorization"):
            login = base64.b64encode(f"{user}:{password}".encode()).decode()
            # Unredirected: a redirect to another host does not carry it.
            request.add_unredirected_header("Authorization", f"Basic {login}")
        return request

    https_request = http_request


class _NetrcLogin(urllib.request.BaseHandler):
    """Adds the netrc login of each request's host (redirects included) where no Authorization is set."""

    def http_request(self, request: urllib.request.Request) -> urllib.request.Request:
        if not request.has_header("Authorization"):
            login = netrc_authorization(request.full_url)
            if login is not None:
                # Unredirected: a redirect's request gets its own host's login, if any, not this one.
                request.add_unredirected_header("Authorization", login)
        return request

    https_request = http_request


class _CredentialsStayWithTheirHost(urllib.request.HTTPRedirectHandler):
    """Follows redirects, without the configured headers and credentials when the host changes."""

    def redirect_request(
        self, req: urllib.request.Request, fp: IO[bytes], code: int, msg: str, headers: HTTPMessage, newurl: str
    ) -> urllib.request.Request | None:
        redirected = super().redirect_request(req, fp, code, msg, headers, newurl)
        if redirected is not None and (req in _ELSEWHERE or _origin(redirected.full_url) != _origin(req.full_url)):
            for name in (*gdal_headers(), *_CREDENTIALS):
                redirected.remove_header(name.capitalize())
            _ELSEWHERE.add(redirected)
        return redirected


class _UserPassword(urllib.request.HTTPPasswordMgr):
    """``GDAL_HTTP_USERPWD`` (``user:password``), for whichever realm a server's challenge names."""

    def find_user_password(self, realm: str | None, authuri: str) -> tuple[str | None, str | None]:
        given = _config("GDAL_HTTP_USERPWD")
        if not given:
            return None, None
        user, _, password = given.partition(":")
        return user, password


#: A stdlib handler's answer to a ``401``: the response of the request sent again with credentials, or None.
_Answer: TypeAlias = Callable[[urllib.request.Request, IO[bytes], int, str, HTTPMessage], IO[bytes] | None]


def _answered(
    scheme: str, answer: _Answer, req: urllib.request.Request, fp: IO[bytes], code: int, msg: str, headers: HTTPMessage
) -> IO[bytes] | None:
    """``answer``'s response to a ``401`` challenge of ``scheme``, or None (the 401 stands).

    None where ``GDAL_HTTP_AUTH`` does not let curl answer ``scheme`` (see the module), where ``req`` was
    redirected to another host, or where the challenge is of no scheme urllib answers (NTLM, Negotiate).
    """
    if _auth_method() not in CHALLENGE_ANSWERED[scheme] or req in _ELSEWHERE:
        return None
    try:
        return answer(req, fp, code, msg, headers)
    except ValueError:
        return None


class _AnsweredBasic(urllib.request.HTTPBasicAuthHandler):
    """Answers a ``401`` Basic challenge where ``GDAL_HTTP_AUTH`` lets curl answer it (see the module)."""

    def http_error_401(
        self, req: urllib.request.Request, fp: IO[bytes], code: int, msg: str, headers: HTTPMessage
    ) -> IO[bytes] | None:
        return _answered("basic", super().http_error_401, req, fp, code, msg, headers)


class _AnsweredDigest(urllib.request.HTTPDigestAuthHandler):
    """Answers a ``401`` Digest challenge where ``GDAL_HTTP_AUTH`` lets curl answer it (see the module)."""

    def http_error_401(
        self, req: urllib.request.Request, fp: IO[bytes], code: int, msg: str, headers: HTTPMessage
    ) -> IO[bytes] | None:
        return _answered("digest", super().http_error_401, req, fp, code, msg, headers)


def _origin(url: str) -> tuple[str, str]:
    parts = urllib.parse.urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


#: An opener whose redirects to another host carry no credentials (see the module).
OPENER = urllib.request.build_opener(
    _CredentialsStayWithTheirHost(),
    _UrlLogin(),
    _NetrcLogin(),
    _AnsweredBasic(_UserPassword()),
    _AnsweredDigest(_UserPassword()),
)
