"""TorchGeo 0.10's spatial patch samplers, RandomPatchSampler and GriddedPatchSampler, over GeoTorch's samplers.

TorchGeo 0.10 added them beside ``RandomGeoSampler`` and ``GridGeoSampler`` with keyword-only arguments
and a seed-like ``generator``; here they are those samplers with TorchGeo's signatures. They yield
:class:`~geotorch.core.BoundingBox` queries, which every GeoTorch dataset indexes with, where TorchGeo
yields ``(x slice, y slice)`` pairs.
"""

from __future__ import annotations

import numpy as np
import torch

from geotorch.core.geo import GeoDataset
from geotorch.samplers.areas import Roi
from geotorch.samplers.constants import Units
from geotorch.samplers.single import GridGeoSampler, RandomGeoSampler
from geotorch.samplers.utils import Size

Seed = (
    int
    | torch.Generator
    | np.random.Generator
    | np.random.BitGenerator
    | np.random.SeedSequence
    | np.random.RandomState
)
"""What ``generator=`` takes: a seed, a torch generator, or any of numpy's random sources."""


def torch_generator(generator: Seed | None) -> torch.Generator | None:
    """A torch generator seeded from ``generator`` (None stays None: torch's default generator).

    Args:
        generator: a seed, a torch generator (returned as is), or a numpy random source (one seed is drawn).

    Returns:
        The torch generator to draw from.

    Raises:
        TypeError: for anything else.
    """
    if generator is None or isinstance(generator, torch.Generator):
        return generator
    if isinstance(generator, bool) or not isinstance(
        generator, int | np.random.Generator | np.random.BitGenerator | np.random.SeedSequence | np.random.RandomState
    ):
        raise TypeError(f"generator={generator!r}; give a seed (int), a torch.Generator or a numpy random generator")
    if isinstance(generator, int):
        return torch.Generator().manual_seed(generator)
    if isinstance(generator, np.random.RandomState):
        seed = int(generator.randint(2**31))
    else:
        seed = int(np.random.default_rng(generator).integers(2**62))
    return torch.Generator().manual_seed(seed)


class RandomPatchSampler(RandomGeoSampler):
    """Patches of a fixed size at random places, for training: :class:`RandomGeoSampler` with TorchGeo 0.10's signature.

    Args:
        dataset: the dataset to sample.
        size: patch size, one number or ``(height, width)``, in ``units``.
        length: patches per pass (default: the area inside the roi divided by the area of a patch).
        roi: a BoundingBox, Polygon or MultiPolygon in the dataset's CRS (default: the whole dataset).
        units: :attr:`Units.PIXELS` or :attr:`Units.CRS`: what ``size`` counts.
        generator: a seed, a torch generator or a numpy random source (default: torch's default generator).

    Raises:
        TypeError: if ``generator`` is none of the above.
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
        super().__init__(dataset, size, length, roi, units, torch_generator(generator))


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
        super().__init__(dataset, size, stride, roi, units)
