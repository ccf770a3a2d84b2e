"""rasterio's log records and pyogrio's warnings without the credentials of the URLs that GDAL's words in them quote."""

from __future__ import annotations

import logging
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

from geotorch.core.url_secrets import redacted

#: The loggers of rasterio's modules (``logging.getLogger(__name__)`` in each), rasterio 1.3-1.4: GDAL's errors
#: reach ``rasterio._err`` and ``rasterio._env`` (INFO, and DEBUG with ``CPL_DEBUG``) as GDAL words them, URL and
#: query included, and ``rasterio._base`` logs each dataset opened by its name (DEBUG). A logger's filters see only
#: the records made on it, not those of the loggers below it, so each gets the filter.
RASTERIO_LOGGERS = (
    "rasterio",
    "rasterio._base",
    "rasterio._env",
    "rasterio._err",
    "rasterio._features",
    "rasterio._filepath",
    "rasterio._io",
    "rasterio._transform",
    "rasterio._vsiopener",
    "rasterio._warp",
    "rasterio.crs",
    "rasterio.env",
    "rasterio.features",
    "rasterio.io",
    "rasterio.mask",
    "rasterio.merge",
    "rasterio.plot",
    "rasterio.session",
    "rasterio.shutil",
    "rasterio.stack",
)


class RedactingFilter(logging.Filter):
    """Rewrites a record's message as :func:`~geotorch.core.redacted` shows it; drops no record.

    Only a record whose message or exception quotes a credential changes: its ``msg`` becomes the message,
    redacted, and its ``args`` empty; an exception's traceback (``exc_info``, as ``logger.exception`` gives it)
    becomes ``exc_text``, formatted as :class:`logging.Formatter` formats it and redacted, and ``exc_info`` None,
    so that every handler (and ``caplog``) shows the redacted text, and none renders the exception itself.
    Level, logger name and source line are kept.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact ``record`` in place.

        Returns:
            True: the record is always passed on.
        """
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            # Arguments that do not fit the format: logging reports that itself when a handler formats it.
            return True
        shown = redacted(message)
        if shown != message:
            record.msg, record.args = shown, ()
        # A formatter formats the exception once and keeps it on the record (exc_text): left to it unless redacted.
        text = record.exc_text or (_FORMATTER.formatException(record.exc_info) if record.exc_info else "")
        if redacted(text) != text:
            record.exc_text, record.exc_info = redacted(text), None
        return True


#: Formats an exception's traceback as every handler's default formatter does.
_FORMATTER = logging.Formatter()


#: The one filter given to the loggers (giving it twice is a no-op: ``Logger.addFilter`` keeps one of each).
REDACTING_FILTER = RedactingFilter()


def redact_rasterio_logs() -> None:
    """Give :data:`REDACTING_FILTER` to rasterio's loggers, those named in :data:`RASTERIO_LOGGERS` and any other.

    Called when :mod:`geotorch.core.remote` is imported, which every GeoTorch module reading rasters imports (the
    lazy ``geotorch.core`` package imports nothing itself). A logger made before its rasterio module is the one
    that module gets. Other libraries' loggers, and the levels and handlers of all, are left as they are.
    """
    names = {*RASTERIO_LOGGERS, *(name for name in logging.Logger.manager.loggerDict if name.startswith("rasterio."))}
    for name in sorted(names):
        logging.getLogger(name).addFilter(REDACTING_FILTER)


@contextmanager
def redacted_warnings() -> Iterator[None]:
    """Warnings issued in the block, passed on as it ends (or raises) with their text as ``redacted`` shows it.

    pyogrio issues GDAL's warnings as ``RuntimeWarning``, worded as GDAL words them, URL and query included
    (``HTTP response code on https://h/a.geojson?X-Amz-Signature=5ec: 0`` where the server cannot be reached).
    Each warning keeps its category, file, line and module, and meets the filters in force outside the block
    (``error`` raises it then, redacted; ``ignore`` drops it); one that quotes no credential is passed on as is.
    (The block's own filter resets every registry of warnings already shown, as any change of the filters does:
    under ``default`` a warning passed on is shown each time.)
    """
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield
    finally:
        for warning in caught:
            text = str(warning.message)
            shown = redacted(text)
            warnings.warn_explicit(
                warning.message if shown == text else warning.category(shown),
                warning.category,
                warning.filename,
                warning.lineno,
                module=_module_of(warning.filename),
                source=warning.source,
            )


def _module_of(filename: str) -> str | None:
    """The name of the imported module of ``filename`` (filters name modules), or None (``warn_explicit`` guesses)."""
    modules = list(sys.modules.items())
    return next((name for name, module in modules if getattr(module, "__file__", None) == filename), None)
