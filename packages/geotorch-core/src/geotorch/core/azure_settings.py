"""Settings of obstore's Azure client from what GDAL users set: the account, anonymous access, a connection string.

GDAL reads an Azure container with ``AZURE_STORAGE_CONNECTION_STRING`` (the string the portal's "Access keys" and
"Shared access signature" pages give, Azurite's too), ``AZURE_STORAGE_ACCOUNT`` and ``AZURE_NO_SIGN_REQUEST``;
obstore reads none of them, so listings of ``az://`` prefixes get their equivalents here. obstore's own variables
(``AZURE_STORAGE_ACCOUNT_NAME``, ``AZURE_STORAGE_ACCOUNT_KEY``, ``AZURE_STORAGE_ENDPOINT``...) win where set.
"""

from __future__ import annotations

import os
import urllib.parse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from obstore.store import AzureConfig, ClientConfig

#: obstore's own variables of each setting a connection string gives: where one is set, obstore's value is used.
OBSTORE_VARIABLES = {
    "account_name": ("AZURE_STORAGE_ACCOUNT_NAME",),
    "account_key": ("AZURE_STORAGE_ACCOUNT_KEY", "AZURE_STORAGE_ACCESS_KEY", "AZURE_STORAGE_MASTER_KEY"),
    "sas_key": ("AZURE_STORAGE_SAS_KEY", "AZURE_STORAGE_SAS_TOKEN"),
    "endpoint": ("AZURE_STORAGE_ENDPOINT", "AZURE_ENDPOINT"),
}


def azure_settings(client: ClientConfig) -> AzureConfig:
    """The settings of obstore's Azure client that GDAL's variables alone give (obstore's own win where set).

    ``AZURE_STORAGE_CONNECTION_STRING``: account, key or shared access signature, and endpoint
    (:func:`connection_settings`; GDAL then ignores ``AZURE_STORAGE_ACCOUNT``, and so does this);
    ``AZURE_STORAGE_ACCOUNT``: the storage account (``account_name``); ``AZURE_NO_SIGN_REQUEST``: anonymous
    access (``skip_signature``). HTTP is allowed in ``client`` for an ``http://`` endpoint (a connection string's,
    or obstore's ``AZURE_STORAGE_ENDPOINT``, as for S3's).

    Args:
        client: obstore's client options, given ``allow_http`` where the endpoint is ``http://``.

    Returns:
        The settings, none of which obstore's own variables set.
    """
    found: dict[str, str] = {}
    account = os.environ.get("AZURE_STORAGE_ACCOUNT", "").strip()
    if account:
        found["account_name"] = account
    found.update(connection_settings(os.environ.get("AZURE_STORAGE_CONNECTION_STRING", "")))
    settings: AzureConfig = {}
    for name, value in found.items():
        if not any(os.environ.get(variable) for variable in OBSTORE_VARIABLES[name]):
            settings[name] = value  # type: ignore[literal-required]
    endpoint = next((os.environ[name] for name in OBSTORE_VARIABLES["endpoint"] if os.environ.get(name)), None)
    if (endpoint or settings.get("endpoint", "")).lower().startswith("http://"):  # a scheme in any case (RFC 3986)
        client["allow_http"] = True
    if os.environ.get("AZURE_NO_SIGN_REQUEST", "").strip().lower() in ("1", "true", "yes", "on"):
        settings["skip_signature"] = True
    return settings


def connection_settings(text: str) -> dict[str, str]:
    """The settings of obstore's Azure client an Azure connection string gives, read as GDAL reads it.

    ``DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=...;EndpointSuffix=core.windows.net`` gives
    ``account_name``, ``account_key`` and the endpoint ``https://acct.blob.core.windows.net``; a ``BlobEndpoint``
    (Azurite's ``http://127.0.0.1:10000/devstoreaccount1``) is the endpoint as given, and where no ``AccountName``
    is given (the portal's SAS connection string) the account is its host's first label before ``.blob.``, else
    its path's first segment; ``SharedAccessSignature`` gives ``sas_key``. Names are read in any case; fields
    without a value, and others (``QueueEndpoint``...), are left out.

    Args:
        text: ``name=value`` fields separated by ``;`` (values may hold ``=``), or an empty text.

    Returns:
        The settings it gives (none for an empty text).
    """
    fields: dict[str, str] = {}
    for field in text.split(";"):
        name, _, value = field.partition("=")
        if value.strip():
            fields[name.strip().lower()] = value.strip()
    endpoint = fields.get("blobendpoint", "").rstrip("/")
    if not endpoint and "accountname" in fields:
        protocol = fields.get("defaultendpointsprotocol", "https")
        suffix = fields.get("endpointsuffix", "core.windows.net")
        endpoint = f"{protocol}://{fields['accountname']}.blob.{suffix}"
    settings = {"endpoint": endpoint} if endpoint else {}
    account = fields.get("accountname") or _account_of(endpoint)
    if account:
        settings["account_name"] = account
    if "accountkey" in fields:
        settings["account_key"] = fields["accountkey"]
    if "sharedaccesssignature" in fields:
        settings["sas_key"] = fields["sharedaccesssignature"].lstrip("?")
    return settings


def _account_of(endpoint: str) -> str | None:
    """The storage account a blob endpoint names (``https://acct.blob.core.windows.net``, ``http://h:1/acct``)."""
    parts = urllib.parse.urlsplit(endpoint)
    host = parts.hostname or ""
    if ".blob." in host:
        return host.split(".", 1)[0]
    segment = parts.path.strip("/").split("/", 1)[0]
    return segment or None
