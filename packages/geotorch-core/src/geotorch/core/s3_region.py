"""Where S3 sends requests for a bucket: its endpoint from the environment, and the region that holds it.

S3 refuses a request signed for another region than the bucket's (``400 AuthorizationHeaderMalformed``)
or sent to another region's endpoint (``301 PermanentRedirect``). GDAL follows the region S3 names in
such an answer; the listing client does not, so the region is asked the way the AWS SDKs ask it: an
unsigned ``HEAD`` of the bucket, which S3 answers (200, 301, 400 or 403 alike) with the bucket's region
in the ``x-amz-bucket-region`` header.
"""

from __future__ import annotations

import os
import urllib.error
import urllib.parse
import urllib.request

#: The region S3 assumes when none is configured.
DEFAULT_REGION = "us-east-1"
_TRUE = ("1", "true", "yes", "on")


def s3_endpoint() -> tuple[str | None, bool | None]:
    """The S3 endpoint URL the environment names, and whether buckets are addressed as host names there.

    The SDKs' ``AWS_ENDPOINT_URL_S3`` or ``AWS_ENDPOINT_URL``, else GDAL's ``AWS_S3_ENDPOINT`` with
    ``AWS_HTTPS`` (and ``AWS_VIRTUAL_HOSTING`` for the addressing).

    Returns:
        The endpoint (``http://127.0.0.1:9000``), None for AWS's own; and True (``bucket.host``), False
        (``host/bucket``) or None where the environment does not say.
    """
    endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
    if endpoint or not os.environ.get("AWS_S3_ENDPOINT"):
        return endpoint or None, None
    secure = os.environ.get("AWS_HTTPS", "YES").strip().upper() not in ("NO", "FALSE", "OFF", "0")
    hosting = os.environ.get("AWS_VIRTUAL_HOSTING")
    virtual = None if not hosting else hosting.strip().lower() in _TRUE
    return f"{'https' if secure else 'http'}://{os.environ['AWS_S3_ENDPOINT']}", virtual


def configured_region() -> str:
    """The region requests are signed for by default: ``$AWS_REGION``, else ``$AWS_DEFAULT_REGION``, else us-east-1."""
    return os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or DEFAULT_REGION


def bucket_region(bucket: str, timeout_s: float) -> str | None:
    """The region S3 says holds ``bucket``, from an unsigned HEAD of it (see the module).

    Args:
        bucket: the bucket's name.
        timeout_s: seconds to wait for the answer.

    Returns:
        The region (``eu-west-1``), or None when the answer names none or there is no answer.
    """
    endpoint, virtual = s3_endpoint()
    if endpoint is None:
        url = f"https://{bucket}.s3.amazonaws.com"
    elif virtual:
        parts = urllib.parse.urlsplit(endpoint)
        url = f"{parts.scheme}://{bucket}.{parts.netloc}{parts.path.rstrip('/')}"
    else:
        url = f"{endpoint.rstrip('/')}/{urllib.parse.quote(bucket)}"
    request = urllib.request.Request(url, method="HEAD")
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            region = response.headers.get("x-amz-bucket-region")
    except urllib.error.HTTPError as answer:
        with answer:
            region = answer.headers.get("x-amz-bucket-region")
    except (urllib.error.URLError, OSError, ValueError):
        return None
    return region.strip() or None if region else None
