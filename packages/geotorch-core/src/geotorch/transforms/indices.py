"""Spectral indices, appended to an image as one more band."""

from __future__ import annotations

from numbers import Integral
from typing import Any

import torch
from torch import Tensor

from geotorch.transforms.base import MultispectralAugmentationBase2D

_EPSILON = 1e-10
"""Added to every index's denominator so that bands summing to zero give 0, not NaN or inf."""


class _AppendIndex(MultispectralAugmentationBase2D):
    """Compute an index from some bands of ``B x C x H x W`` images and append it as band ``C``.

    Subclasses name their bands in ``band_names`` (in the order their
    constructor takes them) and combine them in ``compute_index``.
    """

    band_names: tuple[str, ...]

    def __init__(self, *indices: int) -> None:
        # p=1: an index is a derived band that every image gets, never a random draw.
        super().__init__(p=1)
        for name, index in zip(self.band_names, indices, strict=True):
            if isinstance(index, bool) or not isinstance(index, Integral):
                raise TypeError(
                    f"{type(self).__name__}: {name}={index!r} must be a whole number, the band's position from 0"
                )
            if index < 0:
                raise ValueError(f"{type(self).__name__}: {name}={index}; band indices count from 0")
        self.flags = {name: int(index) for name, index in zip(self.band_names, indices, strict=True)}
        repeated = [name for name, index in self.flags.items() if list(self.flags.values()).count(index) > 1]
        if repeated:
            named = " and ".join(f"{name}={self.flags[name]}" for name in repeated)
            raise ValueError(
                f"{type(self).__name__}: {named} name the same band, against which the index would be the same "
                "number at every pixel; give each its own band"
            )

    def compute_index(self, *bands: Tensor) -> Tensor:
        """Combine ``B x H x W`` bands, in ``band_names`` order, into the ``B x H x W`` index."""
        raise NotImplementedError

    def apply_transform(
        self, input: Tensor, params: dict[str, Tensor], flags: dict[str, Any], transform: Tensor | None = None
    ) -> Tensor:
        """Append the index to ``input`` as its last band.

        Raises:
            ValueError: if a band index is beyond the image's bands.
        """
        bands = input.shape[1]
        for name in self.band_names:
            if flags[name] >= bands:
                raise ValueError(
                    f"{type(self).__name__}: {name}={flags[name]} is beyond the bands of the image, shape "
                    f"{tuple(input.shape)}; band indices run from 0 to {bands - 1}"
                )
        # At least float32: the epsilon vanishes in float16, where 0 / 0 would give NaN.
        working = torch.promote_types(input.dtype, torch.float32)
        index = self.compute_index(*(input[:, flags[name]].to(working) for name in self.band_names))
        return torch.cat([input, index.unsqueeze(1).to(input.dtype)], dim=1)


class AppendNormalizedDifferenceIndex(_AppendIndex):
    r"""Append the normalized difference of two bands, :math:`\frac{A - B}{A + B}`.

    Args:
        index_a: the band index of :math:`A`.
        index_b: the band index of :math:`B`.

    Raises:
        TypeError: if a band index is not a whole number (a float, a bool, text).
        ValueError: if a band index is negative or two of them are the same band.
    """

    band_names = ("index_a", "index_b")

    def __init__(self, index_a: int, index_b: int) -> None:
        super().__init__(index_a, index_b)

    def compute_index(self, *bands: Tensor) -> Tensor:
        """Compute :math:`(A - B) / (A + B)`, with an epsilon in the denominator."""
        band_a, band_b = bands
        return (band_a - band_b) / (band_a + band_b + _EPSILON)


class AppendTriBandNormalizedDifferenceIndex(_AppendIndex):
    r"""Append the normalized difference of one band and two others, :math:`\frac{A - (B + C)}{A + B + C}`.

    Args:
        index_a: the band index of :math:`A`.
        index_b: the band index of :math:`B`.
        index_c: the band index of :math:`C`.

    Raises:
        TypeError: if a band index is not a whole number (a float, a bool, text).
        ValueError: if a band index is negative or two of them are the same band.
    """

    band_names = ("index_a", "index_b", "index_c")

    def __init__(self, index_a: int, index_b: int, index_c: int) -> None:
        super().__init__(index_a, index_b, index_c)

    def compute_index(self, *bands: Tensor) -> Tensor:
        """Compute :math:`(A - (B + C)) / (A + B + C)`, with an epsilon in the denominator."""
        band_a, band_b, band_c = bands
        return (band_a - (band_b + band_c)) / (band_a + band_b + band_c + _EPSILON)


class AppendNDVI(AppendNormalizedDifferenceIndex):
    r"""Append the Normalized Difference Vegetation Index, :math:`\frac{NIR - Red}{NIR + Red}`.

    Args:
        index_nir: the band index of near infrared.
        index_red: the band index of red.
    """

    band_names = ("index_nir", "index_red")

    def __init__(self, index_nir: int, index_red: int) -> None:
        super().__init__(index_nir, index_red)


class AppendNDWI(AppendNormalizedDifferenceIndex):
    r"""Append the Normalized Difference Water Index, :math:`\frac{Green - NIR}{Green + NIR}`.

    Args:
        index_green: the band index of green.
        index_nir: the band index of near infrared.
    """

    band_names = ("index_green", "index_nir")

    def __init__(self, index_green: int, index_nir: int) -> None:
        super().__init__(index_green, index_nir)


class AppendNDBI(AppendNormalizedDifferenceIndex):
    r"""Append the Normalized Difference Built-up Index, :math:`\frac{SWIR - NIR}{SWIR + NIR}`.

    Args:
        index_swir: the band index of short-wave infrared.
        index_nir: the band index of near infrared.
    """

    band_names = ("index_swir", "index_nir")

    def __init__(self, index_swir: int, index_nir: int) -> None:
        super().__init__(index_swir, index_nir)


class AppendNBR(AppendNormalizedDifferenceIndex):
    r"""Append the Normalized Burn Ratio, :math:`\frac{NIR - SWIR}{NIR + SWIR}`.

    Args:
        index_nir: the band index of near infrared.
        index_swir: the band index of short-wave infrared.
    """

    band_names = ("index_nir", "index_swir")

    def __init__(self, index_nir: int, index_swir: int) -> None:
        super().__init__(index_nir, index_swir)


class AppendNDSI(AppendNormalizedDifferenceIndex):
    r"""Append the Normalized Difference Snow Index, :math:`\frac{Green - SWIR}{Green + SWIR}`.

    Args:
        index_green: the band index of green.
        index_swir: the band index of short-wave infrared.
    """

    band_names = ("index_green", "index_swir")

    def __init__(self, index_green: int, index_swir: int) -> None:
        super().__init__(index_green, index_swir)


class AppendNDRE(AppendNormalizedDifferenceIndex):
    r"""Append the Normalized Difference Red Edge index, :math:`\frac{NIR - VRE1}{NIR + VRE1}`.

    Args:
        index_nir: the band index of near infrared.
        index_vre1: the band index of the first vegetation red edge band.
    """

    band_names = ("index_nir", "index_vre1")

    def __init__(self, index_nir: int, index_vre1: int) -> None:
        super().__init__(index_nir, index_vre1)


class AppendGNDVI(AppendNormalizedDifferenceIndex):
    r"""Append the Green Normalized Difference Vegetation Index, :math:`\frac{NIR - Green}{NIR + Green}`.

    Args:
        index_nir: the band index of near infrared.
        index_green: the band index of green.
    """

    band_names = ("index_nir", "index_green")

    def __init__(self, index_nir: int, index_green: int) -> None:
        super().__init__(index_nir, index_green)


class AppendBNDVI(AppendNormalizedDifferenceIndex):
    r"""Append the Blue Normalized Difference Vegetation Index, :math:`\frac{NIR - Blue}{NIR + Blue}`.

    Args:
        index_nir: the band index of near infrared.
        index_blue: the band index of blue.
    """

    band_names = ("index_nir", "index_blue")

    def __init__(self, index_nir: int, index_blue: int) -> None:
        super().__init__(index_nir, index_blue)


class AppendMNDWI(AppendNormalizedDifferenceIndex):
    r"""Append the Modified Normalized Difference Water Index (Xu 2006), :math:`\frac{Green - SWIR}{Green + SWIR}`.

    Args:
        index_green: the band index of green.
        index_swir: the band index of short-wave infrared.
    """

    band_names = ("index_green", "index_swir")

    def __init__(self, index_green: int, index_swir: int) -> None:
        super().__init__(index_green, index_swir)


class AppendSWI(AppendNormalizedDifferenceIndex):
    r"""Append the Standardized Water-level Index, :math:`\frac{VRE1 - SWIR2}{VRE1 + SWIR2}`.

    Args:
        index_vre1: the band index of the first vegetation red edge band.
        index_swir2: the band index of the second short-wave infrared band.
    """

    band_names = ("index_vre1", "index_swir2")

    def __init__(self, index_vre1: int, index_swir2: int) -> None:
        super().__init__(index_vre1, index_swir2)


class AppendGBNDVI(AppendTriBandNormalizedDifferenceIndex):
    r"""Append the Green-Blue NDVI, :math:`\frac{NIR - (Green + Blue)}{NIR + Green + Blue}`.

    Args:
        index_nir: the band index of near infrared.
        index_green: the band index of green.
        index_blue: the band index of blue.
    """

    band_names = ("index_nir", "index_green", "index_blue")

    def __init__(self, index_nir: int, index_green: int, index_blue: int) -> None:
        super().__init__(index_nir, index_green, index_blue)


class AppendGRNDVI(AppendTriBandNormalizedDifferenceIndex):
    r"""Append the Green-Red NDVI, :math:`\frac{NIR - (Green + Red)}{NIR + Green + Red}`.

    Args:
        index_nir: the band index of near infrared.
        index_green: the band index of green.
        index_red: the band index of red.
    """

    band_names = ("index_nir", "index_green", "index_red")

    def __init__(self, index_nir: int, index_green: int, index_red: int) -> None:
        super().__init__(index_nir, index_green, index_red)


class AppendRBNDVI(AppendTriBandNormalizedDifferenceIndex):
    r"""Append the Red-Blue NDVI, :math:`\frac{NIR - (Red + Blue)}{NIR + Red + Blue}`.

    Args:
        index_nir: the band index of near infrared.
        index_red: the band index of red.
        index_blue: the band index of blue.
    """

    band_names = ("index_nir", "index_red", "index_blue")

    def __init__(self, index_nir: int, index_red: int, index_blue: int) -> None:
        super().__init__(index_nir, index_red, index_blue)


class AppendSAVI(_AppendIndex):
    r"""Append the Soil-Adjusted Vegetation Index (Huete 1988), :math:`\frac{1.5 (NIR - Red)}{NIR + Red + 0.5}`.

    The soil brightness factor is 0.5 and the bands are reflectances in ``[0, 1]``.

    Args:
        index_nir: the band index of near infrared.
        index_red: the band index of red.
    """

    band_names = ("index_nir", "index_red")

    def __init__(self, index_nir: int, index_red: int) -> None:
        super().__init__(index_nir, index_red)

    def compute_index(self, *bands: Tensor) -> Tensor:
        """Compute :math:`1.5 (NIR - Red) / (NIR + Red + 0.5)`, with an epsilon in the denominator."""
        nir, red = bands
        return 1.5 * (nir - red) / (nir + red + 0.5 + _EPSILON)


class AppendEVI(_AppendIndex):
    r"""Append the Enhanced Vegetation Index (Huete et al. 2002), :math:`\frac{2.5 (NIR - R)}{NIR + 6 R - 7.5 B + 1}`.

    The coefficients are MODIS's (gain 2.5, aerosol terms 6 and 7.5, canopy background 1); the bands are
    reflectances in ``[0, 1]``.

    Args:
        index_nir: the band index of near infrared.
        index_red: the band index of red.
        index_blue: the band index of blue.
    """

    band_names = ("index_nir", "index_red", "index_blue")

    def __init__(self, index_nir: int, index_red: int, index_blue: int) -> None:
        super().__init__(index_nir, index_red, index_blue)

    def compute_index(self, *bands: Tensor) -> Tensor:
        """Compute :math:`2.5 (NIR - Red) / (NIR + 6 Red - 7.5 Blue + 1)`, with an epsilon in the denominator."""
        nir, red, blue = bands
        return 2.5 * (nir - red) / (nir + 6 * red - 7.5 * blue + 1 + _EPSILON)
