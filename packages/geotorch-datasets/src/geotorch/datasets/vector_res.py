"""The default pixel size of the rasterized vector products: about 1 m, in degrees or in a projected CRS's units."""

from __future__ import annotations

from geotorch.core import CRSLike, as_crs

#: TorchGeo's default ``res`` of EuroCrops and CanadianBuildingFootprints: 0.00001 degrees, about 1 m.
DEGREE_RES = 0.00001


def about_one_metre(
    crs: CRSLike | None, res: float | tuple[float, float], owner: str
) -> float | tuple[float, float]:
    """``res``, or where it is the default :data:`DEGREE_RES` and ``crs`` is projected, 1 m in ``crs`` units.

    The default is about 1 m in degrees (the files' EPSG:4326); taken as is in a projected CRS it
    would be 0.00001 m (10 micrometres) pixels, a 256-pixel sample covering 2.6 mm.

    Args:
        crs: the CRS of samples (None: the files' EPSG:4326).
        res: the pixel size given (or defaulted).
        owner: the dataset's class name, for messages.

    Returns:
        The pixel size in ``crs`` units.

    Raises:
        ValueError: if ``crs`` is not a CRS (see :func:`geotorch.core.as_crs`), naming it.
    """
    if crs is None:
        return res
    target = as_crs(crs, owner)
    if res != DEGREE_RES:
        return res
    if target.is_geographic:
        return res
    factor: float = target.units_factor[1]
    return 1.0 / factor
