"""Fitting pretrained first layers to another number or choice of input bands, by one documented rule.

The rule, for a first convolution (or patch embedding) whose pretrained kernel ``W`` has ``S`` input
channels, used with ``T`` input bands:

1. If the target band names are given (``bands=[...]``), each target band takes the kernel slice of the
   pretrained band of the same name, in any spelling of it (:mod:`geotorch.models.band_names`: ``B01`` is
   ``B1``); a name the weights do not have is an error.
2. Otherwise target band ``i`` takes the kernel slice of pretrained band ``i mod S``: fewer bands keep the
   first ``T`` slices, more bands repeat the pretrained ones cyclically; and a single band (``T = 1``: grey,
   panchromatic, one SAR polarisation) takes the sum of all ``S`` slices instead.
3. The slices (not the sum) are multiplied by ``S / T``, so that an input whose bands all have the same
   value gives (up to the cyclic remainder) the same response as before; the sum gives a single band
   exactly the response the pretrained model gives that band repeated ``S`` times.

This is the rule of segmentation-models-pytorch (``patch_first_conv``) and, for one band, of timm
(``adapt_input_conv``), for any source band count. Nothing is ever left randomly initialised, and every
adaptation is announced with a :class:`BandAdaptationWarning`.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

from torch import Tensor

from geotorch.models.band_names import match_bands
from geotorch.models.errors import BandAdaptationWarning


def adapt_input_weight(
    weight: Tensor,
    in_chans: int,
    source_bands: Sequence[str] = (),
    bands: Sequence[str] | None = None,
    *,
    sensor: str | None = None,
    product: str | None = None,
) -> Tensor:
    """Adapt a first-layer kernel to ``in_chans`` input bands by the module's rule.

    Args:
        weight: the pretrained kernel, input channels on axis 1 (``(out, S, kh, kw)`` or ``(out, S)``).
        in_chans: the number of bands the model will receive.
        source_bands: the names of the pretrained bands, in order.
        bands: the names of the bands the model will receive, to select pretrained slices by name.
        sensor: the sensor of ``source_bands`` (:attr:`Weights.sensor <geotorch.models.Weights.sensor>`),
            which decides how Landsat names match.
        product: their input product (:attr:`Weights.product <geotorch.models.Weights.product>`), likewise.

    Returns:
        The adapted kernel with ``in_chans`` input channels (``weight`` itself when nothing changes); for one
        band without ``bands``, the sum of the pretrained slices.

    Raises:
        ValueError: if ``bands`` does not have ``in_chans`` names, or names a band the weights lack, or one
            that could be either of two of them.
    """
    source = weight.shape[1]
    if bands is not None:
        if len(bands) != in_chans:
            raise ValueError(f"bands lists {len(bands)} names but in_chans is {in_chans}")
        bands = match_bands(bands, source_bands, sensor, product)
        unknown = [band for band in bands if band not in source_bands]
        if unknown:
            raise ValueError(
                f"bands {unknown} are not among the pretrained bands {list(source_bands)}; "
                "leave bands=None to adapt by position instead"
            )
        index = [list(source_bands).index(band) for band in bands]
    elif in_chans == 1 and source > 1:
        return weight.sum(dim=1, keepdim=True)
    else:
        index = [channel % source for channel in range(in_chans)]
    if index == list(range(source)):
        return weight
    return weight[:, index] * (source / in_chans)


def announce(name: str, source: int, in_chans: int, by_name: bool) -> None:
    """Warn that the weights ``name`` with ``source`` bands were adapted to ``in_chans`` bands."""
    if by_name:
        how = f"by band name, scaled by {source}/{in_chans}"
    elif in_chans == 1:
        how = "as the sum of the pretrained bands' kernels"
    else:
        how = f"by position (band i takes pretrained band i mod S), scaled by {source}/{in_chans}"
    warnings.warn(
        f"{name}: first layer adapted from {source} to {in_chans} bands {how}",
        BandAdaptationWarning,
        stacklevel=3,
    )
