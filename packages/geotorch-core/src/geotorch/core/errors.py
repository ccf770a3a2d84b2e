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
