"""Random intensity augmentations for images with any number of bands."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from torch import Tensor

from geotorch.transforms.base import MultispectralAugmentationBase2D, as_band_values


class RandomGrayscale(MultispectralAugmentationBase2D):
    """Replace every band of randomly chosen images with the average of all their bands.

    Unlike kornia's RGB-only ``RandomGrayscale``, it takes any number of bands.
    The image keeps its band count: each band holds the (weighted) average.

    Args:
        weights: the weight of each band in the average; ``None`` weighs all bands equally.
        p: the probability that an image is turned grey.
        same_on_batch: whether to turn the whole batch grey or not, rather than image by image.
        keepdim: whether a ``C x H x W`` image comes back as ``C x H x W`` rather than ``1 x C x H x W``.

    Raises:
        ValueError: if a weight is negative, NaN or infinite, or all weights are zero.
    """

    def __init__(
        self,
        weights: Sequence[float] | Tensor | None = None,
        p: float = 0.1,
        same_on_batch: bool = False,
        keepdim: bool = False,
    ) -> None:
        super().__init__(p=p, same_on_batch=same_on_batch, keepdim=keepdim)
        band_weights = None if weights is None else as_band_values("weights", weights)
        if band_weights is not None and ((band_weights < 0).any() or band_weights.sum() <= 0):
            raise ValueError(f"weights must be non-negative and not all zero, got {band_weights.tolist()}")
        self.flags = {"weights": band_weights}

    def apply_transform(
        self, input: Tensor, params: dict[str, Tensor], flags: dict[str, Any], transform: Tensor | None = None
    ) -> Tensor:
        """Replace every band of ``input`` with the average of its bands.

        Raises:
            ValueError: if there are several weights, but not one per band.
        """
        if flags["weights"] is None:
            gray = input.mean(dim=1, keepdim=True)
        else:
            weights = self.band_values("weights", flags["weights"], input)
            gray = (input * weights).sum(dim=1, keepdim=True) / weights.sum()
        return gray.expand_as(input).contiguous()
