"""The rule for NaN or infinite image pixels: they hold the fill (0 where it is itself non-finite), in batches too."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import torch
from torch import Tensor

from geotorch.core import Sample, stack_samples

#: The dtypes of image tensors whose memory numpy reads as it is (others, bfloat16 say, are converted to float32).
_NUMPY_FLOATS = (torch.float16, torch.float32, torch.float64)


def non_finite_pixels(pixels: np.ndarray) -> np.ndarray:
    """Which pixels hold a NaN or infinite value in any band.

    A float product declaring no nodata, an NDVI's undefined ratios, a NaN nodata value: a network spreads a
    non-finite value over every pixel its kernels reach from it, and blending then spreads it over the overlapping
    windows, so such pixels are given to the model as pixels without data, filled by :func:`finite_fills`. numpy,
    not torch: ``torch.isfinite`` took five to ten times as long a value on the CPU (one thread: 70 ms for a
    13 x 512 x 512 float32 window, numpy 6 ms).

    Args:
        pixels: ``(..., C, H, W)`` floating-point values, bands on the third axis from the end.

    Returns:
        ``(..., H, W)`` booleans, True where any band is NaN or infinite.
    """
    found: np.ndarray = ~np.isfinite(pixels).all(axis=-3)
    return found


def finite_fills(fills: float | Sequence[float], dtype: npt.DTypeLike) -> np.ndarray:
    """The values pixels without data hold in an image of ``dtype``: ``fills``, but 0 where one is NaN or infinite.

    A NaN nodata value (a float product's) would put back the NaN that :func:`non_finite_pixels` took out, and so
    would a fill past ``dtype``'s range (a float64 product's nodata, -1.8e308, is -inf in float32).

    Args:
        fills: one fill per band, or one for all.
        dtype: the image's dtype (``np.float32``).

    Returns:
        The fills in ``dtype``, of the shape of ``fills`` (0-d for one).
    """
    with np.errstate(over="ignore"):  # past the range is infinite, and 0 below: no warning of the cast
        held = np.asarray(fills, dtype)
    found: np.ndarray = np.where(np.isfinite(held), held, np.zeros((), held.dtype))
    return found


@dataclass(frozen=True)
class FiniteImageStack:
    """A collate function: :func:`~geotorch.core.stack_samples`, then non-finite image pixels set to ``fill``.

    A pixel any band of which is NaN or infinite (see :func:`non_finite_pixels`) gets ``fill`` in every band, or
    0 where ``fill`` is itself NaN or infinite in the image's dtype (:func:`finite_fills`), as
    :func:`~geotorch.trainers.predict_raster` gives such pixels to its model (its windows are read by the same two
    functions).
    :class:`~geotorch.trainers.GeoTIFFPredictionWriter` writes these pixels as nodata, and warns of them.

    Attributes:
        fill: the value of pixels without data (the dataset's ``fill_of("image")``).
    """

    fill: float

    def __call__(self, samples: Iterable[Sample]) -> Sample:
        """The batch of ``samples``; its ``image`` (``(B, C, H, W)`` or ``(B, T, C, H, W)``) changed in place."""
        batch = stack_samples(samples)
        image = batch.get("image")
        if isinstance(image, Tensor) and image.is_floating_point():
            pixels = (image if image.dtype in _NUMPY_FLOATS else image.float()).numpy(force=True)
            unknown = non_finite_pixels(pixels)
            if unknown.any():
                fill = float(finite_fills(self.fill, pixels.dtype))
                image.masked_fill_(torch.from_numpy(unknown).to(image.device).unsqueeze(-3), fill)
        return batch
