"""TorchGeo 0.10's spatial patch samplers, RandomPatchSampler and GriddedPatchSampler, over GeoTorch's samplers.

TorchGeo 0.10 added them beside ``RandomGeoSampler`` and ``GridGeoSampler`` with keyword-only arguments
and a seed-like ``generator``; here they are those samplers with TorchGeo's signatures. They yield
:class:`~geotorch.core.BoundingBox` queries, which every GeoTorch dataset indexes with, where TorchGeo
yields ``(x slice, y slice)`` pairs.
"""

from __future__ import annotations

from geotorch.core.geo import GeoDataset
from geotorch.samplers.areas import Roi
from geotorch.samplers.constants import Units
from geotorch.samplers.seeds import Seed
from geotorch.samplers.single import GridGeoSampler, RandomGeoSampler
from geotorch.samplers.utils import Size


class RandomPatchSampler(RandomGeoSampler):
    """Patches of a fixed size at random places, for training: :class:`RandomGeoSampler` with TorchGeo 0.10's signature.

    Args:
        dataset: the dataset to sample.
        size: patch size, one number or ``(height, width)``, in ``units``.
        length: patches per pass (default: the area inside the roi divided by the area of a patch).
        roi: a BoundingBox, Polygon or MultiPolygon in the dataset's CRS (default: the whole dataset).
        units: :attr:`Units.PIXELS` or :attr:`Units.CRS`: what ``size`` counts.
        generator: a seed (an int, or a list of ints), a torch generator or a numpy random source
            (default: torch's default generator).

    Raises:
        TypeError: if ``generator`` is none of the above.
        ValueError: if ``generator`` is a negative seed.
        ValueError: as :class:`RandomGeoSampler`.
    """

    def __init__(
        self,
        dataset: GeoDataset,
        *,
        size: Size,
        length: int | None = None,
        roi: Roi | None = None,
        units: Units = Units.PIXELS,
        generator: Seed | None = None,
    ) -> None:
        super().__init__(dataset, size, length, roi, units=units, generator=generator)


class GriddedPatchSampler(GridGeoSampler):
    """Windows on a regular grid, for inference and evaluation: :class:`GridGeoSampler` with TorchGeo 0.10's signature.

    Args:
        dataset: the dataset to cover.
        size: window size, one number or ``(height, width)``, in ``units``.
        stride: distance between windows (default: ``size``), in ``units``.
        roi: a BoundingBox, Polygon or MultiPolygon in the dataset's CRS (default: the whole dataset).
        units: :attr:`Units.PIXELS` or :attr:`Units.CRS`: what ``size`` and ``stride`` count.

    Raises:
        ValueError: as :class:`GridGeoSampler`.
    """

    def __init__(
        self,
        dataset: GeoDataset,
        *,
        size: Size,
        stride: Size | None = None,
        roi: Roi | None = None,
        units: Units = Units.PIXELS,
    ) -> None:
        super().__init__(dataset, size, stride, roi, units=units)
