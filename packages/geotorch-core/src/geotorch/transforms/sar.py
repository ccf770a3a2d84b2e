"""Speckle filters for synthetic aperture radar (SAR) intensity images."""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor

from geotorch.transforms.base import MultispectralAugmentationBase2D

_EPSILON = 1e-8
"""Added to the gain's denominator so that a flat window of zeros gives its mean, not NaN."""


def local_mean(image: Tensor, window_size: int) -> Tensor:
    """The mean of each band over the ``window_size`` square around every pixel of a ``B x C x H x W`` image.

    Edges are reflected (mirrored without repeating the edge pixel); an image too small to reflect a
    whole half window repeats its edge pixels instead.

    Args:
        image: the image, floating point.
        window_size: the side of the window in pixels, odd.

    Returns:
        The local means, ``B x C x H x W``.
    """
    half = window_size // 2
    mode = "reflect" if half < min(image.shape[-2:]) else "replicate"
    padded = F.pad(image, (half, half, half, half), mode=mode)
    return F.avg_pool2d(padded, window_size, stride=1)


def lee_filter(image: Tensor, window_size: int = 7, num_looks: float = 1.0) -> Tensor:
    r"""Reduce the speckle of a ``B x C x H x W`` SAR intensity image with Lee's filter (Lee 1980).

    Speckle is multiplicative, :math:`x = s \cdot v`, with unit-mean noise of variance
    :math:`\sigma_v^2 = 1 / L` for ``L`` looks. Over each window, with local mean :math:`\mu` and variance
    :math:`\sigma_x^2`, the signal's variance is :math:`\sigma_s^2 = \max(\sigma_x^2 - \sigma_v^2 \mu^2, 0)`
    and the estimate is :math:`\hat{s} = \mu + k (x - \mu)` with
    :math:`k = \sigma_s^2 / (\sigma_s^2 + \sigma_v^2 \mu^2)`: the local mean in flat areas, the pixel
    itself at edges and bright targets.

    Args:
        image: SAR intensities (not amplitudes, not decibels), non-negative, floating point.
        window_size: the side of the statistics window in pixels, a positive odd number.
        num_looks: the equivalent number of looks of the image (1 for single-look intensity).

    NaN pixels (nodata) are left out of every window's statistics and stay NaN, so that a pixel
    without data does not blank the window around it; a pixel whose window holds no other data
    keeps its value.

    Returns:
        The filtered image, same shape and dtype.

    Raises:
        ValueError: if ``window_size`` is not a positive odd number or ``num_looks`` is not positive.
    """
    _check_arguments(window_size, num_looks)
    working = image.to(torch.promote_types(image.dtype, torch.float32))
    valid = ~torch.isnan(working)
    data = working.where(valid, 0.0)
    # The windows' means over their valid pixels: sums over the window divided by the valid pixels' count
    # (local_mean's window sizes cancel). The count is 1 where every pixel has data.
    count = local_mean(valid.to(working.dtype), window_size)
    mean = local_mean(data, window_size) / count
    variance = (local_mean(data * data, window_size) / count - mean * mean).clamp(min=0)
    noise = 1.0 / num_looks
    speckle = noise * mean * mean
    signal = (variance - speckle).clamp(min=0)
    gain = signal / (signal + speckle + _EPSILON)
    return (mean + gain * (working - mean)).where(valid, working).to(image.dtype)


def _check_arguments(window_size: int, num_looks: float) -> None:
    if isinstance(window_size, bool) or not isinstance(window_size, int) or window_size < 1 or window_size % 2 == 0:
        raise ValueError(f"LeeFilter: window_size={window_size!r}; it must be a positive odd number of pixels")
    if not num_looks > 0:
        raise ValueError(f"LeeFilter: num_looks={num_looks!r}; it must be positive (1 for single-look intensity)")


class LeeFilter(MultispectralAugmentationBase2D):
    """Lee's adaptive speckle filter for SAR intensity images, as a kornia augmentation (see :func:`lee_filter`).

    Each band of a ``B x C x H x W`` image is filtered on its own; masks and boxes are untouched.

    Args:
        window_size: the side of the statistics window in pixels, a positive odd number.
        num_looks: the equivalent number of looks of the image (1 for single-look intensity, about 5 for
            Sentinel-1 GRD high resolution).
        p: the probability of filtering each image.
        same_on_batch: filter all images of a batch or none.
        keepdim: keep the input's shape instead of returning a batch.

    Raises:
        ValueError: if ``window_size`` is not a positive odd number or ``num_looks`` is not positive.
    """

    def __init__(
        self,
        window_size: int = 7,
        num_looks: float = 1.0,
        p: float = 1.0,
        same_on_batch: bool = False,
        keepdim: bool = False,
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch, keepdim=keepdim)
        _check_arguments(window_size, num_looks)
        self.flags = {"window_size": window_size, "num_looks": num_looks}

    def apply_transform(
        self, input: Tensor, params: dict[str, Tensor], flags: dict[str, Any], transform: Tensor | None = None
    ) -> Tensor:
        """Filter ``input``, a ``B x C x H x W`` image."""
        return lee_filter(input, int(flags["window_size"]), float(flags["num_looks"]))
