"""The exceptions of geotorch.core: missing data, unreadable rasters, plugins, weights, labels, downloads, archives."""

from __future__ import annotations

from pathlib import Path

from geotorch.core.url_secrets import redacted


class DatasetNotFoundError(FileNotFoundError):
    """A dataset's files are not where it looked.

    The message names the folder searched and how to obtain the data, a URL without the values of its
    credentials (:func:`geotorch.core.url_secrets.redacted`).
    """

    def __init__(self, dataset: object, where: str | Path | list[str | Path] | None = None, hint: str = "") -> None:
        """Say where ``dataset`` looked and how to get the data.

        Args:
            dataset: the dataset's name, or the dataset itself (TorchGeo's ``DatasetNotFoundError(self)``):
                its class name is used, and its ``root`` or ``paths`` when ``where`` is None.
            where: the folders or files searched.
            hint: how to obtain the data (default: pass ``download=True`` or point at a folder that holds it).
        """
        if not isinstance(dataset, str):
            where = where if where is not None else getattr(dataset, "root", None) or getattr(dataset, "paths", [])
            dataset = type(dataset).__name__
        places = list(where) if isinstance(where, (list, tuple)) else [] if where is None else [where]
        listed = ", ".join(str(place) for place in places) or "(no paths given)"
        advice = hint or "pass download=True to fetch it, or point paths/root at a folder that holds it"
        super().__init__(redacted(f"{dataset}: no data found in {listed}; {advice}"))
        self.dataset = dataset
        self.where = [str(place) for place in places]


class RasterReadError(OSError):
    """A raster file could not be read (damaged tile, truncated or unreadable file).

    The message shows the URLs in it, and GDAL's quotes of them, without the values of their credentials
    (:func:`geotorch.core.url_secrets.redacted`): it names a remote file as given, and reaches logs.
    """

    def __init__(self, message: str) -> None:
        """Say which file could not be read and why.

        Args:
            message: the file, what could not be done and GDAL's reason; credentials in it are hidden.
        """
        super().__init__(redacted(message))


def gdal_reason(error: BaseException) -> str:
    """The text of a rasterio error with GDAL's own reasons, which a failed read keeps in its chain of causes.

    rasterio's "Read failed. See previous exception for details." says nothing of what failed;
    its causes hold GDAL's messages, from the last one (``IReadBlock failed``) back to the first
    (``HTTP response code: 503`` for a remote file).

    Args:
        error: the exception rasterio raised.

    Returns:
        Its text, then the text of each cause not already in it (8 at most), joined by ``": "``.
    """
    reasons: list[str] = []
    cause = error.__cause__
    while cause is not None and len(reasons) < 8:
        if str(cause) not in reasons and str(cause) not in str(error):
            reasons.append(str(cause))
        cause = cause.__cause__
    return ": ".join([str(error), *reasons])


def shown_cause(error: BaseException) -> BaseException | None:
    """``error``, as the cause of an error naming a remote file, or None where its chain quotes a credential.

    GDAL's errors quote a file's URL or query as given (``'/vsicurl/https://h/a.tif?X-Amz-Signature=5ec'
    not recognized``), and a traceback prints every cause after the error's own message: ``raise
    RasterReadError(...) from shown_cause(error)`` prints no cause then, the message already holding
    GDAL's reasons without the credentials (:func:`gdal_reason`, :func:`geotorch.core.url_secrets.redacted`).

    Args:
        error: the exception caught, looked at with its causes and contexts (9 in all; a longer chain is
            not shown).

    Returns:
        ``error``, or None where its text or a cause's holds a credential.
    """
    seen: BaseException | None = error
    for _ in range(9):
        if seen is None:
            return error
        if redacted(str(seen)) != str(seen):
            return None
        seen = seen.__cause__ or seen.__context__
    return None


class PluginError(RuntimeError):
    """A plugin registered something invalid (a duplicate name, an unknown hook)."""


class WeightsMismatchError(ValueError):
    """Pretrained weights do not fit the model they are loaded into.

    Raised by a model builder (``weights=...``) when the weights take another number of bands and may not be
    adapted (:attr:`weights_bands` and :attr:`model_bands` then say both counts), or, with ``strict=True``,
    when parameters are missing, unexpected or of another shape (the message names them).

    Attributes:
        weights: what the weights are, for messages (a registered name, a file path, ``"imagenet"``).
        weights_bands: input bands of the weights' first layer when the band count is the misfit, else None.
        model_bands: input bands of the model's first layer when the band count is the misfit, else None.
    """

    def __init__(
        self, message: str, weights: str, weights_bands: int | None = None, model_bands: int | None = None
    ) -> None:
        super().__init__(message)
        self.weights = weights
        self.weights_bands = weights_bands
        self.model_bands = model_bands

    def __reduce__(self) -> tuple[type[WeightsMismatchError], tuple[str, str, int | None, int | None]]:
        return type(self), (str(self), self.weights, self.weights_bands, self.model_bands)


class LabelValueError(ValueError):
    """A feature's label value is not an integer class id that int64 holds exactly.

    Attributes:
        position: the feature's position among the values checked (its FID once a dataset names the file).
        value: the offending value.
    """

    def __init__(self, position: int, value: object, reason: str) -> None:
        super().__init__(f"feature {position}: label value {value!r} {reason}")
        self.position = position
        self.value = value
        self.reason = reason

    def __reduce__(self) -> tuple[type[LabelValueError], tuple[int, object, str]]:
        return type(self), (self.position, self.value, self.reason)


class RGBBandsMissingError(ValueError):
    """A plot was asked for the red, green and blue bands of an image that lacks some of them.

    TorchGeo's name (``torchgeo.datasets.RGBBandsMissingError``), so code that catches it keeps working.

    Attributes:
        detail: what is missing, when the raiser says (empty otherwise).
    """

    def __init__(self, detail: str = "") -> None:
        message = "Dataset does not contain some of the RGB bands"
        super().__init__(f"{message}: {detail}" if detail else message)
        self.detail = detail

    def __reduce__(self) -> tuple[type[RGBBandsMissingError], tuple[str]]:
        return type(self), (self.detail,)


class ChecksumError(ValueError):
    """A file's checksum differs from the expected one: the download was damaged or the checksum is wrong.

    Attributes:
        path: The file whose checksum was checked.
        algorithm: ``"md5"`` or ``"sha256"``.
        expected: The checksum the caller asked for.
        actual: The checksum of the bytes received.
        kept: Whether the file is still on disk (a file the user placed by hand is never removed).
    """

    def __init__(self, path: str | Path, algorithm: str, expected: str, actual: str, kept: bool = False) -> None:
        fate = (
            "the file was kept: replace it with a complete copy"
            if kept
            else "the file was not kept. Retry the download"
        )
        super().__init__(
            f"{path}: {algorithm} checksum mismatch, expected {expected} but its bytes have {actual}; "
            f"{fate}; if it fails again, the expected checksum is outdated"
        )
        self.path = str(path)
        self.algorithm = algorithm
        self.expected = expected
        self.actual = actual
        self.kept = kept

    def __reduce__(self) -> tuple[type[ChecksumError], tuple[str, str, str, str, bool]]:
        return type(self), (self.path, self.algorithm, self.expected, self.actual, self.kept)


class DownloadError(OSError):
    """A URL could not be fetched completely (HTTP error, unreachable host, connection cut short).

    The message shows the URL without the values of its credentials (:func:`geotorch.core.url_secrets.redacted`).

    Attributes:
        url: The URL that failed, as given.
        reason: What went wrong.
    """

    def __init__(self, url: str, reason: str) -> None:
        # Messages reach logs: the URL is shown without its signature, token or password (url keeps them).
        super().__init__(f"{redacted(url)}: {reason}")
        self.url = url
        self.reason = reason

    def __reduce__(self) -> tuple[type[DownloadError], tuple[str, str]]:
        return type(self), (self.url, self.reason)


class DownloadCutError(DownloadError):
    """A download still cut short (or refused for a while) after its retries.

    Where the server named the file's version, the bytes received are kept beside the target under a hidden
    name, and the next download of the same URL to the same target asks only for the rest.
    """


class DamagedArchiveError(ValueError):
    """An archive failed to extract because it is damaged (cut short, altered, or no archive at all); it was removed.

    Attributes:
        path: The archive, now removed.
        damage: What is wrong with it (see :func:`geotorch.core.archive.archive_damage`).
    """

    def __init__(self, path: str | Path, damage: str) -> None:
        super().__init__(
            f"{path}: the archive is damaged ({damage}); it was removed, so that the next attempt downloads it again"
        )
        self.path = str(path)
        self.damage = damage

    def __reduce__(self) -> tuple[type[DamagedArchiveError], tuple[str, str]]:
        return type(self), (self.path, self.damage)


class BodyError(Exception):
    """A response that does not carry the whole file; the message says why, the caller names the URL."""
