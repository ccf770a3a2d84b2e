"""The base of GeoTorch's intensity transforms: kornia modules for images with any number of bands."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from kornia.augmentation import IntensityAugmentationBase2D
from torch import Tensor

BandValues = float | Sequence[float] | Tensor
"""One value for every band, or one value per band."""


class MultispectralAugmentationBase2D(IntensityAugmentationBase2D):
    """An intensity augmentation for ``B x C x H x W`` images with any number of bands ``C``.

    It is a kornia ``IntensityAugmentationBase2D``, so it runs inside kornia's
    and GeoTorch's ``AugmentationSequential`` and leaves masks and boxes
    untouched. It differs in its errors: an image that is not floating point is
    a ``ValueError`` naming the image's dtype and shape (kornia raises a
    ``TypeError`` that names neither), and per-band arguments are checked
    against the image's band count.
    """

    def transform_tensor(self, input: Tensor, *, shape: Tensor | None = None, match_channel: bool = True) -> Tensor:
        """Bring the input to ``B x C x H x W``, refusing images that are not floating point.

        Args:
            input: an ``H x W``, ``C x H x W`` or ``B x C x H x W`` tensor.
            shape: the image's shape when ``input`` is a mask, as kornia passes it.
            match_channel: whether a mask must have the image's channels, as kornia passes it.

        Returns:
            The input in ``B x C x H x W`` form.

        Raises:
            ValueError: if the image is not floating point.
        """
        if shape is None and not input.is_floating_point():
            raise ValueError(
                f"{type(self).__name__}: image has dtype {input.dtype} and shape {tuple(input.shape)}; "
                "it must be floating point, convert it with image.float()"
            )
        return super().transform_tensor(input, shape=shape, match_channel=match_channel)

    def band_values(self, name: str, values: Tensor, input: Tensor) -> Tensor:
        """Shape per-band values to broadcast over a ``B x C x H x W`` image.

        Args:
            name: the argument the values came from, for the error message.
            values: one value, or one value per band, as a 1-D tensor.
            input: the image the values apply to.

        Returns:
            The values on the image's device and dtype, shaped ``1 x C x 1 x 1`` (or ``1 x 1 x 1 x 1``).

        Raises:
            ValueError: if there is neither one value nor one per band.
        """
        bands = input.shape[1]
        if values.numel() not in (1, bands):
            raise ValueError(
                f"{type(self).__name__}: {name} has {values.numel()} values but the image, shape "
                f"{tuple(input.shape)}, has {bands} bands; give one value per band or a single value"
            )
        return values.to(device=input.device, dtype=input.dtype).view(1, -1, 1, 1)


def as_band_values(name: str, values: BandValues) -> Tensor:
    """Turn a per-band argument into a 1-D float64 tensor.

    Args:
        name: the argument's name, for the error message.
        values: one value, or one value per band.

    Returns:
        The values as a 1-D tensor.

    Raises:
        ValueError: if ``values`` is empty, has more than one dimension, or holds NaN or an infinity
            (statistics computed over nodata NaN pixels would turn every pixel NaN, or 0).
    """
    tensor = torch.as_tensor(values, dtype=torch.float64)
    if tensor.ndim > 1 or tensor.numel() == 0:
        raise ValueError(f"{name} must be one value or one value per band, got shape {tuple(tensor.shape)}")
    if not torch.isfinite(tensor).all():
        raise ValueError(
            f"{name}={tensor.flatten().tolist()} must be finite numbers; a NaN (statistics computed over nodata "
            "NaN pixels?) would make every pixel NaN, an infinity every pixel 0 or NaN"
        )
    return tensor.flatten()
