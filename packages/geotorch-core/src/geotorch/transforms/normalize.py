"""Per-band normalisation of images: mean and standard deviation, minimum and maximum, percentiles."""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor

from geotorch.transforms.base import BandValues, MultispectralAugmentationBase2D, as_band_values


class Normalize(MultispectralAugmentationBase2D):
    r"""Standardise each band: :math:`\frac{x - mean}{std}`.

    Args:
        mean: the mean of every band, or one mean for all bands.
        std: the standard deviation of every band, or one for all bands.

    Raises:
        ValueError: if a value is NaN or infinite, a standard deviation is not positive, or ``mean`` and ``std``
            give different band counts.
    """

    def __init__(self, mean: BandValues, std: BandValues) -> None:
        super().__init__(p=1)
        mean_values = as_band_values("mean", mean)
        std_values = as_band_values("std", std)
        if (std_values <= 0).any():
            raise ValueError(f"std must be positive for every band, got {std_values.tolist()}")
        if mean_values.numel() != std_values.numel() and 1 not in (mean_values.numel(), std_values.numel()):
            raise ValueError(f"mean has {mean_values.numel()} values and std {std_values.numel()}; give one per band")
        self.flags = {"mean": mean_values, "std": std_values}

    def apply_transform(
        self, input: Tensor, params: dict[str, Tensor], flags: dict[str, Any], transform: Tensor | None = None
    ) -> Tensor:
        """Standardise ``input`` band by band."""
        mean = self.band_values("mean", flags["mean"], input)
        std = self.band_values("std", flags["std"], input)
        return (input - mean) / std


class MinMaxNormalize(MultispectralAugmentationBase2D):
    r"""Stretch each band from its given range to [0, 1]: :math:`\frac{x - min}{max - min}`.

    Dataset-wide percentiles computed once (say the 2nd and 98th) are given here as ``mins`` and ``maxs``,
    with ``clip=True``; :class:`PercentileNormalize` computes them for each image instead.

    Args:
        mins: the minimum of every band, or one minimum for all bands.
        maxs: the maximum of every band, or one maximum for all bands.
        clip: whether to clip values outside the range to 0 and 1.

    Raises:
        ValueError: if a value is NaN or infinite, or a maximum is not greater than its minimum.
    """

    def __init__(self, mins: BandValues, maxs: BandValues, clip: bool = False) -> None:
        super().__init__(p=1)
        min_values = as_band_values("mins", mins)
        max_values = as_band_values("maxs", maxs)
        if min_values.numel() != max_values.numel() and 1 not in (min_values.numel(), max_values.numel()):
            raise ValueError(f"mins has {min_values.numel()} values and maxs {max_values.numel()}; give one per band")
        if (max_values <= min_values).any():
            raise ValueError(
                f"every maximum must be greater than its minimum, got mins {min_values.tolist()} "
                f"and maxs {max_values.tolist()}"
            )
        self.flags = {"mins": min_values, "maxs": max_values, "clip": clip}

    def apply_transform(
        self, input: Tensor, params: dict[str, Tensor], flags: dict[str, Any], transform: Tensor | None = None
    ) -> Tensor:
        """Stretch ``input`` band by band."""
        low = self.band_values("mins", flags["mins"], input)
        high = self.band_values("maxs", flags["maxs"], input)
        return _stretch(input, low, high - low, flags["clip"])


class PercentileNormalize(MultispectralAugmentationBase2D):
    r"""Stretch each band of each image from its own ``low`` to ``high`` percentile to [0, 1].

    Percentiles interpolate linearly between pixel values, as ``numpy.percentile`` does by default.
    NaN pixels (nodata of a float image) are left out of the percentiles, as ``numpy.nanpercentile``
    leaves them, and stay NaN; a band of NaN alone stays NaN. A band with one value throughout maps
    to 0. For percentiles computed once over a dataset, use :class:`MinMaxNormalize` with ``clip=True``.

    Args:
        low: the percentile, in [0, 100], that maps to 0.
        high: the percentile, in [0, 100], that maps to 1.
        clip: whether to clip values outside the percentile range to 0 and 1.

    Raises:
        ValueError: unless ``0 <= low < high <= 100``.
    """

    def __init__(self, low: float = 2.0, high: float = 98.0, clip: bool = True) -> None:
        super().__init__(p=1)
        if not 0 <= low < high <= 100:
            raise ValueError(f"percentiles must satisfy 0 <= low < high <= 100, got low={low} and high={high}")
        self.flags = {"low": low, "high": high, "clip": clip}

    def apply_transform(
        self, input: Tensor, params: dict[str, Tensor], flags: dict[str, Any], transform: Tensor | None = None
    ) -> Tensor:
        """Stretch ``input`` image by image and band by band."""
        # Sorting rather than torch.quantile, which refuses inputs of more than 2**24 values. NaN sorts last:
        # the first `counts` pixels of each band are its values.
        flat = input.flatten(2)
        pixels = flat.sort(dim=-1).values
        counts = (~torch.isnan(flat)).sum(dim=-1, keepdim=True)
        low = _percentile(pixels, counts, flags["low"])
        high = _percentile(pixels, counts, flags["high"])
        # A band with one value has a zero range: floor it so that the band maps to 0 instead of NaN.
        span = (high - low).clamp_min(torch.finfo(input.dtype).eps)
        return _stretch(input, low, span, flags["clip"])


def _percentile(pixels: Tensor, counts: Tensor, q: float) -> Tensor:
    """The ``q`` percentile of ``B x C x N`` sorted pixels, of which the first ``counts`` (``B x C x 1``) count.

    Returns:
        A ``B x C x 1 x 1`` tensor, NaN for a band without a pixel that counts.
    """
    last = (counts - 1).clamp_min(0)
    position = q / 100 * last.to(torch.float64)
    below = position.floor().to(torch.int64)
    above = torch.minimum(below + 1, last)
    fraction = (position - below).to(pixels.dtype)
    value = pixels.gather(-1, below) * (1 - fraction) + pixels.gather(-1, above) * fraction
    return value.where(counts > 0, torch.nan)[..., None]


def _stretch(input: Tensor, low: Tensor, span: Tensor, clip: bool) -> Tensor:
    """Map ``low`` to 0 and ``low + span`` to 1, clipping to [0, 1] if asked."""
    stretched = (input - low) / span
    return stretched.clamp(0, 1) if clip else stretched
