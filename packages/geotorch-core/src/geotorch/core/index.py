"""The spatiotemporal index of a dataset: its items' footprints, their boxes in its CRS, and the R-tree of them."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import rtree.index

from geotorch.core.bbox import format_time
from geotorch.core.url_secrets import redacted

if TYPE_CHECKING:
    from rasterio.crs import CRS


@dataclass(frozen=True, slots=True)
class Footprint:
    """Where one indexed item (usually a file) lies, in its own CRS.

    Attributes:
        crs: the item's native CRS.
        bounds: ``(minx, maxx, miny, maxy)`` in that CRS.
        mint: start of its time interval (POSIX seconds).
        maxt: end of its time interval.
        item: what the index returns for it (a file path, a record).
    """

    crs: CRS
    bounds: tuple[float, float, float, float]
    mint: float
    maxt: float
    item: Any

    def __repr__(self) -> str:
        """The footprint with its times as ISO dates in UTC (``open`` where unbounded)."""
        return (
            f"Footprint(crs={self.crs!r}, bounds={self.bounds!r}, mint={format_time(self.mint)}, "
            f"maxt={format_time(self.maxt)}, item={self.item!r})"
        )


def build_index(entries: Iterable[tuple[tuple[float, ...], Any]]) -> rtree.index.Index:
    """Bulk-load a 3-D (x, y, t) R-tree from ``(minx, maxx, miny, maxy, mint, maxt), item`` pairs.

    Raises:
        ValueError: if an entry's box is not a box (a minimum above its maximum,
            NaN, or infinite x or y), naming its item.
    """
    checked = []
    for number, (coordinates, item) in enumerate(entries):
        minx, maxx, miny, maxy, mint, maxt = coordinates
        if not (minx <= maxx and miny <= maxy and mint <= maxt) or not all(
            math.isfinite(value) for value in (minx, maxx, miny, maxy)
        ):
            raise ValueError(
                f"cannot index {item}: its box (minx, maxx, miny, maxy, mint, maxt) = "
                f"({minx}, {maxx}, {miny}, {maxy}, {format_time(mint)}, {format_time(maxt)}) is not a box; "
                "check the file's georeferencing and that it can be expressed in the dataset's CRS"
            )
        checked.append((number, (minx, maxx, miny, maxy, mint, maxt), item))
    return packed_index(checked)


def packed_index(entries: Sequence[tuple[int, tuple[float, ...], Any]]) -> rtree.index.Index:
    """A 3-D R-tree of ``(id, (minx, maxx, miny, maxy, mint, maxt), item)`` entries, packed in one pass.

    libspatialindex's bulk loading: inserting entries one by one takes some 100 times longer
    (40,000 grid cells of a split: 5 to 30 seconds against 0.2).
    """
    properties = rtree.index.Property(dimension=3)
    if not entries:
        # The bulk loader refuses an empty stream.
        return rtree.index.Index(interleaved=False, properties=properties)
    return rtree.index.Index(iter(entries), interleaved=False, properties=properties)


class UnexpressedFootprint(ValueError):
    """A footprint of which a dataset's CRS draws no place: the item is skipped where others are indexed.

    Attributes:
        item: what the index would return for it.
        reason: why, without the item.
    """

    def __init__(self, item: Any, reason: str) -> None:
        """Say that ``item`` cannot be indexed, and why (a URL without the values of its credentials)."""
        super().__init__(redacted(f"cannot index {item}: {reason}"))
        self.item = item
        self.reason = reason


def footprint_boxes(footprint: Footprint, crs: CRS, wrap: bool = True) -> list[tuple[float, float, float, float]]:
    """Boxes ``(minx, maxx, miny, maxy)`` covering ``footprint`` in ``crs`` (edges densified).

    One box, or two when the footprint crosses the antimeridian where ``crs``'s
    x coordinates jump (see :func:`geotorch.core.crs.transform_boxes`). With
    ``wrap``, longitudes past the antimeridian (a 0..360 grid) are indexed where
    they lie on the globe, within the canonical longitudes of a geographic ``crs``
    (-180 to 180 degrees), even when ``crs`` is the footprint's own.

    Raises:
        ValueError: if PROJ relates the footprint's CRS to ``crs`` by no operation (a local CRS), naming its item.
        UnexpressedFootprint: if ``crs`` draws no place of the footprint (a tile on the far side of the Earth
            from a geostationary view, a pole a polar CRS sends to infinity), naming its item.
    """
    from pyproj.exceptions import ProjError

    from geotorch.core.crs import crs_name, same_crs, transform_boxes, transformer

    if same_crs(footprint.crs, crs) and not (wrap and crs.is_geographic):
        return [footprint.bounds]
    minx, maxx, miny, maxy = footprint.bounds
    unexpressed = (
        f"its footprint {footprint.bounds} in {crs_name(footprint.crs)} cannot be expressed in {crs_name(crs)}"
    )
    try:
        # Two CRSs PROJ does not relate are the dataset's mistake, which no file of the other CRS escapes.
        transformer(footprint.crs, crs)
    except ProjError as error:
        raise ValueError(redacted(f"cannot index {footprint.item}: {unexpressed}: {error}")) from error
    try:
        boxes = transform_boxes(footprint.crs, crs, minx, miny, maxx, maxy, wrap=wrap)
    except ProjError as error:
        raise UnexpressedFootprint(footprint.item, f"{unexpressed}: {error}") from error
    if not all(math.isfinite(value) for box in boxes for value in box):
        raise UnexpressedFootprint(footprint.item, f"{unexpressed}: PROJ draws none of its places there")
    return [(left, right, bottom, top) for left, bottom, right, top in boxes]
