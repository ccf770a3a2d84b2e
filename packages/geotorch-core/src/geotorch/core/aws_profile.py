"""The AWS profile in the shared credentials and config files (``~/.aws``), read as the AWS SDKs and GDAL read it.

GDAL signs its S3 reads with the keys of ``~/.aws/credentials`` and the region of ``~/.aws/config``
when the environment gives none; obstore, which lists prefixes, reads the environment only. The
profile's settings are therefore read here for the listing client, so that a bucket GDAL reads is
also listed (rather than credentials being sought from the EC2 instance metadata service).

A profile may name no keys but a way to get them: a role to assume (``role_arn`` with ``source_profile``
or ``web_identity_token_file``), IAM Identity Center (``sso_session``, ``sso_start_url``) or a program
(``credential_process``). GDAL follows roles and SSO itself; the listing client gets such credentials
through boto3, which follows all of them (:func:`profile_credentials`), and without boto3 such a profile
is refused, naming it.
"""

from __future__ import annotations

import configparser
import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from obstore.auth.boto3 import Boto3CredentialProvider
    from obstore.store import S3Config

#: Settings of a profile that gets its keys from elsewhere than the files, in the order the SDKs try them.
INDIRECT_SETTINGS = ("role_arn", "sso_session", "sso_start_url", "credential_process", "web_identity_token_file")


def profile_name() -> str:
    """The profile used: ``$AWS_DEFAULT_PROFILE``, else ``$AWS_PROFILE``, else ``default``.

    The legacy variable wins where both are set, as GDAL and botocore (the AWS CLI, boto3) take them.
    """
    return os.environ.get("AWS_DEFAULT_PROFILE") or os.environ.get("AWS_PROFILE") or "default"


def _profile_variable() -> str:
    """The environment variable that names the profile used."""
    return "AWS_DEFAULT_PROFILE" if os.environ.get("AWS_DEFAULT_PROFILE") else "AWS_PROFILE"


def credentials_file() -> Path:
    """``$AWS_SHARED_CREDENTIALS_FILE``, else GDAL's ``$CPL_AWS_CREDENTIALS_FILE``, else ``~/.aws/credentials``."""
    given = os.environ.get("AWS_SHARED_CREDENTIALS_FILE") or os.environ.get("CPL_AWS_CREDENTIALS_FILE")
    return Path(given).expanduser() if given else Path.home() / ".aws" / "credentials"


def config_file() -> Path:
    """``$AWS_CONFIG_FILE``, else ``~/.aws/config``."""
    given = os.environ.get("AWS_CONFIG_FILE")
    return Path(given).expanduser() if given else Path.home() / ".aws" / "config"


def profile_settings() -> S3Config:
    """The obstore S3 settings the profile gives: keys, session token and region, where it sets them.

    Keys come from the credentials file's ``[name]`` section, else the config file's ``[profile name]``
    (``[default]`` for the default profile); the region from the config file. Settings already in the
    environment are left out (the SDKs let the environment win). A missing or unreadable file gives nothing.

    Returns:
        The settings the profile sets and the environment does not.

    Raises:
        ValueError: if ``$AWS_DEFAULT_PROFILE`` or ``$AWS_PROFILE`` names a profile neither file has, naming
            it and the files.
    """
    name = profile_name()
    credentials = _section(credentials_file(), name)
    config = _section(config_file(), name if name == "default" else f"profile {name}")
    if credentials is None and config is None:
        if name != "default":
            variable = _profile_variable()
            raise ValueError(
                f"{variable}={name!r}: no such profile in {credentials_file()} or {config_file()}; "
                f"name a profile of those files, or unset {variable}"
            )
        return {}
    settings: S3Config = {}
    keys = credentials if credentials and credentials.get("aws_access_key_id") else config or {}
    if not os.environ.get("AWS_ACCESS_KEY_ID") and keys.get("aws_access_key_id"):
        settings["access_key_id"] = keys["aws_access_key_id"]
        settings["secret_access_key"] = keys.get("aws_secret_access_key", "")
        if keys.get("aws_session_token"):
            settings["session_token"] = keys["aws_session_token"]
    region = (config or {}).get("region")
    if region and not (os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")):
        settings["region"] = region
    return settings


def profile_credentials() -> Boto3CredentialProvider | None:
    """Credentials of a profile that names a way to get keys (see the module) but no keys, for obstore.

    Returns:
        A provider of the profile's credentials as boto3 gets them (assuming the role, reading the SSO
        token's cache, running the program), refreshed as they expire; None if the profile names keys,
        or no way to get them.

    Raises:
        ValueError: naming the profile and its setting, if boto3 is not installed or cannot get credentials
            from the profile (an SSO login expired, a source profile missing...).
    """
    name = profile_name()
    config = _section(config_file(), name if name == "default" else f"profile {name}") or {}
    credentials = _section(credentials_file(), name) or {}
    way = next((key for key in INDIRECT_SETTINGS if config.get(key) or credentials.get(key)), None)
    if way is None or credentials.get("aws_access_key_id") or config.get("aws_access_key_id"):
        return None
    setting = f"{way} = {config.get(way) or credentials.get(way)}"
    try:
        import boto3
        import botocore.exceptions
        from obstore.auth.boto3 import Boto3CredentialProvider
    except ImportError:
        raise ValueError(
            f"AWS profile {name!r} gets its keys through '{setting}', which GDAL follows but listing a prefix "
            "(obstore) follows through boto3 alone, which is not installed: pip install boto3, or export the "
            f"keys (eval \"$(aws configure export-credentials --profile {name} --format env)\")"
        ) from None
    try:
        return Boto3CredentialProvider(boto3.Session(profile_name=name))
    except (botocore.exceptions.BotoCoreError, ValueError) as error:
        raise ValueError(
            f"AWS profile {name!r} gets its keys through '{setting}', and boto3 got none: {error}"
        ) from error


def _section(path: Path, section: str) -> dict[str, str] | None:
    """The settings of ``section`` of the INI file ``path``; None if it has none or cannot be read."""
    parser = configparser.RawConfigParser()
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, OSError, UnicodeDecodeError):
        return None
    return {key: value.strip() for key, value in parser.items(section)} if parser.has_section(section) else None
