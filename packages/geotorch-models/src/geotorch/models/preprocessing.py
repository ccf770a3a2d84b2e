"""The arithmetic between a product's raw pixel values and what a pretrained checkpoint was trained on."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, overload

import torch
from torch import Tensor, nn


@dataclass(frozen=True)
class Rescale:
    r"""One step a publisher applied to pixel values, written as the publisher wrote it.

    A value :math:`x` of band :math:`b` becomes :math:`y = (x - offset_b) / divisor_b`; ``y`` is then clipped
    to :attr:`clip` when it is set, and becomes :math:`\lfloor y \cdot integer\_max \rfloor` when
    :attr:`integer_max` is set: the unsigned integer the publisher stored (``integer_max=255`` for an 8-bit
    image made from values scaled to [0, 1]). Every tuple holds one value for all bands or one per band.

    Attributes:
        offset: subtracted first (a range minimum, ``mean - 2 std``, or 0), in the units of the step's input.
        divisor: divides next (a range width, 10000 for Sentinel-2 reflectance, 255 for 8-bit values).
        clip: the range ``y`` is clipped to, or None.
        integer_max: the factor before truncating to an integer, when the publisher stored integers, or None.
    """

    offset: tuple[float, ...] = (0.0,)
    divisor: tuple[float, ...] = (1.0,)
    clip: tuple[float, float] | None = None
    integer_max: int | None = None


def stretch(low: tuple[float, ...], high: tuple[float, ...], integer_max: int | None = 255) -> Rescale:
    """The common ``low``..``high`` to 0..1 stretch, clipped and (by default) stored as 8-bit integers.

    Args:
        low: the value of each band that maps to 0.
        high: the value of each band that maps to 1 (``integer_max`` once stored).
        integer_max: see :attr:`Rescale.integer_max`; None keeps the clipped floats.

    Returns:
        ``Rescale(offset=low, divisor=high - low, clip=(0, 1), integer_max=integer_max)``.

    Raises:
        ValueError: if ``low`` and ``high`` differ in length, or a band's ``high`` is not above its ``low``.
    """
    if len(low) != len(high) or any(top <= bottom for bottom, top in zip(low, high, strict=True)):
        raise ValueError(f"stretch needs one high above each low, got low={low} and high={high}")
    width = tuple(top - bottom for bottom, top in zip(low, high, strict=True))
    return Rescale(offset=low, divisor=width, clip=(0.0, 1.0), integer_max=integer_max)


def mean_two_std(mean: tuple[float, ...], std: tuple[float, ...]) -> Rescale:
    """The zhu-xlab stretch (SSL4EO-S12, DeCUR, FG-MAE): ``mean - 2 std``..``mean + 2 std`` to 8-bit integers.

    Args:
        mean: each band's mean in the input's units.
        std: each band's standard deviation.

    Returns:
        :func:`stretch` between ``mean - 2 std`` and ``mean + 2 std``, computed as the publishers compute it.
    """
    low = tuple(m - 2 * s for m, s in zip(mean, std, strict=True))
    high = tuple(m + 2 * s for m, s in zip(mean, std, strict=True))
    return stretch(low, high)


@dataclass(frozen=True)
class Preprocessing:
    r"""What a checkpoint's input went through, from a named product's raw values to the model.

    The :attr:`steps` run in order (each a :class:`Rescale`), then :math:`(y - mean_b) / std_b`.

    Attributes:
        steps: the publisher's rescaling steps, in order.
        mean: subtracted after the steps (e.g. ImageNet means for RGB models), 0 when unused.
        std: divides last, 1 when unused.
        input_values: the raw values the steps start from: product, bands' units, scale factors.
        source: where the publisher states these numbers.
        input_max: the largest value :attr:`input_values` can hold, one for all bands or one per band (255 for an
            8-bit image, 65535 for 16-bit DN, a physical bound for reflectance or kelvin); a larger value means another
            product was given (16-bit reflectance DN for an 8-bit true-colour image, Level-1 DN for top-of-atmosphere
            reflectance) and is refused. Empty: no bound.
    """

    steps: tuple[Rescale, ...] = ()
    mean: tuple[float, ...] = (0.0,)
    std: tuple[float, ...] = (1.0,)
    input_values: str = ""
    source: str = ""
    input_max: tuple[float, ...] = ()

    def per_band(self) -> dict[str, tuple[float, ...]]:
        """Every per-band tuple by name (``step0.offset``, ``step0.divisor``, ..., ``mean``, ``std``, ``input_max``)."""
        values: dict[str, tuple[float, ...]] = {}
        for index, step in enumerate(self.steps):
            values[f"step{index}.offset"] = step.offset
            values[f"step{index}.divisor"] = step.divisor
        values["mean"] = self.mean
        values["std"] = self.std
        if self.input_max:
            values["input_max"] = self.input_max
        return values

    def module(self) -> Preprocess:
        """An ``nn.Module`` that applies this preprocessing to ``(C, H, W)`` or ``(B, C, H, W)`` tensors."""
        return Preprocess(self)


class Preprocess(nn.Module):
    """Applies a :class:`Preprocessing` to image tensors whose channel axis is third from last."""

    def __init__(self, preprocessing: Preprocessing) -> None:
        """Keep the numbers; they become tensors on the image's device when applied.

        Args:
            preprocessing: the arithmetic to apply.
        """
        super().__init__()
        self.preprocessing = preprocessing

    @overload
    def forward(self, image: Tensor) -> Tensor: ...

    @overload
    def forward(self, image: Mapping[str, Any]) -> dict[str, Any]: ...

    def forward(self, image: Tensor | Mapping[str, Any]) -> Tensor | dict[str, Any]:
        """Return the preprocessed ``image``, or a sample dict with its ``"image"`` preprocessed.

        A sample dict is what datasets hand their ``transforms=`` (TorchGeo's ``Dataset(transforms=
        weights.transforms)``): its other keys (mask, bounds, crs, ...) are kept as they are.

        Args:
            image: raw values of ``input_values``, ``(C, H, W)`` or ``(B, C, H, W)``, any real dtype; or a sample
                dict holding such an ``"image"``.

        Returns:
            float32, the shape of ``image``; or a new dict with the float32 image.

        Raises:
            ValueError: if a per-band number list does not match the image's band count, or a band holds a value
                above :attr:`Preprocessing.input_max` (the message names the band, the value and the input expected).
            KeyError: if a sample dict holds no ``"image"``.
        """
        if isinstance(image, Mapping):
            if "image" not in image:
                raise KeyError(f"weights' transforms: the sample has no 'image' to preprocess (keys: {list(image)})")
            return {**image, "image": self.preprocess(image["image"])}
        return self.preprocess(image)

    def preprocess(self, image: Tensor) -> Tensor:
        """The preprocessed ``(C, H, W)`` or ``(B, C, H, W)`` ``image``, float32 (see :meth:`forward`)."""
        bands = image.shape[-3]
        for name, numbers in self.preprocessing.per_band().items():
            if len(numbers) not in (1, bands):
                raise ValueError(f"preprocessing has {len(numbers)} {name} values but the image has {bands} bands")
        # Publishers computed in float64 (numpy's default) before truncating to integers; float32 can move a
        # value that lands exactly on an integer to the level below. MPS has no float64.
        dtype = torch.float32 if image.device.type == "mps" else torch.float64

        def column(numbers: tuple[float, ...]) -> Tensor:
            return torch.tensor(numbers, dtype=dtype, device=image.device).view(-1, 1, 1)

        values = image.to(dtype)
        if self.preprocessing.input_max:
            self._refuse_values_above_input_max(values)
        for step in self.preprocessing.steps:
            values = (values - column(step.offset)) / column(step.divisor)
            if step.clip is not None:
                values = values.clamp(*step.clip)
            if step.integer_max is not None:
                values = torch.floor(values * step.integer_max)
        normalized = (values - column(self.preprocessing.mean)) / column(self.preprocessing.std)
        return normalized.to(torch.float32)

    def _refuse_values_above_input_max(self, values: Tensor) -> None:
        """Raise if a band of ``values`` (channel axis third from last) holds more than the input can."""
        bands = values.shape[-3]
        per_band = values.movedim(-3, 0).reshape(bands, -1)
        if per_band.shape[1] == 0:
            return
        peaks = per_band.nan_to_num(nan=-torch.inf).amax(dim=1)
        limits = torch.tensor(self.preprocessing.input_max, dtype=values.dtype, device=values.device).expand(bands)
        above = (peaks > limits).nonzero()
        if above.numel():
            band = int(above[0, 0])
            raise ValueError(
                f"band {band} of the image holds {float(peaks[band]):g}, above {float(limits[band]):g}, the largest "
                f"value of the input these weights take: {self.preprocessing.input_values}"
            )
