"""Exceptions GeoTorch raises for problems a user can fix."""

from __future__ import annotations

from pathlib import Path


class DatasetNotFoundError(FileNotFoundError):
    """A dataset's files are not where it looked.

    The message names the folder searched and how to obtain the data.
    """

    def __init__(self, dataset: str, where: str | Path | list[str | Path], hint: str = "") -> None:
        places = where if isinstance(where, list) else [where]
        listed = ", ".join(str(place) for place in places) or "(no paths given)"
        advice = hint or "pass download=True to fetch it, or point paths/root at a folder that holds it"
        super().__init__(f"{dataset}: no data found in {listed}; {advice}")
        self.dataset = dataset
        self.where = [str(place) for place in places]


class RasterReadError(OSError):
    """A raster file could not be read (damaged tile, truncated or unreadable file)."""


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
