"""Whether samples lie at one place: the check of the collate functions that join them pixel by pixel."""

from __future__ import annotations

import math
from collections.abc import Sequence

from rasterio.crs import CRS

from geotorch.core.bbox import BoundingBox
from geotorch.core.crs import same_crs
from geotorch.core.sample import Sample

#: Spatial bounds may differ by this share of their extent (float rounding of one query), no more.
_TOLERANCE = 1e-9


def check_same_place(samples: Sequence[Sample], owner: str) -> None:
    """Refuse samples whose ``crs`` or spatial ``bounds`` differ from the first sample's.

    Samples without a ``crs`` or ``bounds`` (or holding other types there) are not compared on it.
    Times are not compared: series read over different dates of one place join (see
    :func:`~geotorch.core.concat_samples`).

    Args:
        samples: the samples to join.
        owner: the function joining them, for the message.

    Raises:
        ValueError: naming both samples' bounds and CRSs, if a sample lies elsewhere or in another CRS.
    """
    if not samples:
        return
    first = samples[0]
    for position, sample in enumerate(samples[1:], start=1):
        crs, first_crs = sample.get("crs"), first.get("crs")
        bounds, first_bounds = sample.get("bounds"), first.get("bounds")
        other_crs = isinstance(crs, CRS) and isinstance(first_crs, CRS) and not same_crs(crs, first_crs)
        elsewhere = (
            isinstance(bounds, BoundingBox) and isinstance(first_bounds, BoundingBox) and _apart(bounds, first_bounds)
        )
        if other_crs or elsewhere:
            raise ValueError(
                f"{owner}: sample {position} lies at {_where(bounds, crs)}, sample 0 at "
                f"{_where(first_bounds, first_crs)}; {owner} joins samples of one place pixel by pixel: read them "
                "with one query, as IntersectionDataset and UnionDataset do, or batch samples of different places "
                "with stack_samples"
            )


def _apart(bounds: BoundingBox, other: BoundingBox) -> bool:
    """Whether two boxes differ in x or y by more than float rounding."""
    extent = max(bounds.maxx - bounds.minx, bounds.maxy - bounds.miny, other.maxx - other.minx, 0.0)
    return any(
        not math.isclose(a, b, rel_tol=_TOLERANCE, abs_tol=_TOLERANCE * extent)
        for a, b in zip(tuple(bounds)[:4], tuple(other)[:4], strict=True)
    )


def _where(bounds: object, crs: object) -> str:
    """``x minx..maxx, y miny..maxy in <CRS>``, for messages."""
    place = "no bounds"
    if isinstance(bounds, BoundingBox):
        place = f"x {bounds.minx}..{bounds.maxx}, y {bounds.miny}..{bounds.maxy}"
    return f"{place} in {crs.to_string() if isinstance(crs, CRS) else crs}"
