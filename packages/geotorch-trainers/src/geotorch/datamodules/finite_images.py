"""Batches whose images hold no NaN or infinite pixel: those pixels hold the dataset's fill, as predict_raster's."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import torch
from torch import Tensor

from geotorch.core import Sample, stack_samples


@dataclass(frozen=True)
class FiniteImageStack:
    """A collate function: :func:`~geotorch.core.stack_samples`, then non-finite image pixels set to ``fill``.

    A pixel any band of which is NaN or infinite (a float product declaring no nodata, an NDVI's
    undefined ratios; a NaN nodata value) gets ``fill`` in every band, or 0 where ``fill`` is itself
    NaN or infinite, as :func:`~geotorch.trainers.predict_raster` gives such pixels to its model: a
    network spreads a non-finite value over every pixel its kernels reach from it, and blending then
    spreads it over the overlapping windows. :class:`~geotorch.trainers.GeoTIFFPredictionWriter`
    writes these pixels as nodata, and warns of them.

    Attributes:
        fill: the value of pixels without data (the dataset's ``fill_of("image")``).
    """

    fill: float

    def __call__(self, samples: Iterable[Sample]) -> Sample:
        """The batch of ``samples``; its ``image`` (``(B, C, H, W)`` or ``(B, T, C, H, W)``) changed in place."""
        batch = stack_samples(samples)
        image = batch.get("image")
        if isinstance(image, Tensor) and image.is_floating_point():
            unknown = ~torch.isfinite(image).all(dim=-3, keepdim=True)
            if unknown.any():
                image.masked_fill_(unknown, self.fill if math.isfinite(self.fill) else 0.0)
        return batch
