"""The band counts of a raster dataset's files: each must hold the bands a sample reads."""

from __future__ import annotations

from geotorch.core.remote import Location
from geotorch.core.url_secrets import redacted


def check_band_count(
    owner: str, path: Location | str, count: int, first: tuple[Location | str, int] | None, needed: int | None
) -> tuple[Location | str, int]:
    """Refuse a file lacking a band read, or whose band count differs from the first file's.

    A sample's channels must mean the same whatever file it is read from: without a band selection
    a file of more bands than the first would lose the extra ones silently, one of fewer would fail
    only when a window met it, and a time series' steps would not stack as ``(T, C, H, W)``.

    Args:
        owner: the dataset's class name, for messages.
        path: the file.
        count: its number of bands.
        first: the first file checked and its count (None for the first file).
        needed: the highest band read (1-based) when the dataset selects bands by name (``all_bands``),
            so that files may hold more; None when every band of the files is read, so that counts must match.

    Returns:
        The first file and its count (``(path, count)`` when ``first`` is None).

    Raises:
        ValueError: naming the file and its count, and the first file or the bands needed.
    """
    if needed is not None and count < needed:
        raise ValueError(
            f"{owner}: {redacted(str(path))} has {count} band(s) but the bands selected need {needed}; every file "
            f"of the dataset needs the selected bands: choose bands=... that all files have"
        )
    if first is None:
        return path, count
    if needed is None and count != first[1]:
        raise ValueError(
            f"{owner}: {redacted(str(path))} has {count} band(s) but {redacted(str(first[0]))} has {first[1]}; "
            "every file of the dataset needs the same bands so that a sample's channels (and a time series' steps, "
            "(T, C, H, W)) mean the same whatever file they come from: give paths=... holding one product, or declare "
            "all_bands and choose bands=..."
        )
    return first
