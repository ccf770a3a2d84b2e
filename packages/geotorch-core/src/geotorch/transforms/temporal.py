"""Rearranging a time series' axes: ``B x T x C x H x W`` to ``B x (T*C) x H x W`` and back, with einops."""

from __future__ import annotations

from collections.abc import Mapping
from numbers import Integral
from typing import Any, overload

from einops import EinopsError, rearrange
from einops.layers.torch import Rearrange as EinopsRearrange
from kornia.augmentation._3d.geometric.base import GeometricAugmentationBase3D
from torch import Tensor


class Rearrange(GeometricAugmentationBase3D):
    """Rearrange the axes of an image with an einops pattern, e.g. to stack a time series' steps as bands.

    Models without a time axis take a series with its steps stacked as
    bands, ``B x (T*C) x H x W``, step by step (all bands of the first step,
    then all of the second, ...); time-series models take
    ``B x T x C x H x W``. The einops pattern says which::

        Rearrange("b t c h w -> b (t c) h w")        # steps stacked as bands
        Rearrange("b (t c) h w -> b t c h w", c=4)   # back to a series of 4-band steps

    A round trip gives back the exact values. The pattern is applied as
    written, so its left side has one axis per dimension of the image:

    - called on a tensor, it rearranges the tensor (of any dtype);
    - called on a sample dict, it rearranges ``sample["image"]`` and passes
      every other key through, so ``Rearrange("t c h w -> (t c) h w")``
      is a dataset transform for ``T x C x H x W`` time-series samples;
    - in GeoTorch's :class:`~geotorch.transforms.AugmentationSequential` it
      rearranges the image only (masks and boxes have no time-by-band
      layout to change), and augmentations after it see the new layout. The
      container works on batches, a single sample being a batch of one, so
      patterns there start with the batch axis (``"b t c h w -> ..."``).
    - in kornia's ``AugmentationSequential`` it works as TorchGeo's does, on
      ``B x T x C x H x W`` images.

    Args:
        *args: the einops pattern, as :func:`einops.rearrange` takes it after the tensor.
        **kwargs: the lengths of axes the pattern cannot infer, such as ``c=4`` when splitting ``(t c)``.

    Raises:
        TypeError: if an axis length is not an integer (a bool or ``4.0`` included).
        ValueError: if ``args`` is not one pattern string of the form ``"... -> ..."``, einops refuses the
            pattern with these axis lengths (unbalanced parentheses, an axis on one side only, a length of an
            axis the pattern lacks), or an axis length is below 1.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if len(args) != 1 or not isinstance(args[0], str) or "->" not in args[0]:
            raise ValueError(f"Rearrange takes one einops pattern such as 'b t c h w -> b (t c) h w', got {args!r}")
        shown = _call(args[0], kwargs)
        for name, length in kwargs.items():
            if isinstance(length, bool) or not isinstance(length, Integral):
                raise TypeError(f"{shown}: the length of axis {name!r} must be an integer")
            if length < 1:
                raise ValueError(f"{shown}: the length of axis {name!r} must be at least 1")
        try:
            # einops' layer checks the pattern and lengths when made; its function only when first applied.
            EinopsRearrange(args[0], **kwargs)
        except EinopsError as error:
            reason = str(error).splitlines()[-1].strip()
            raise ValueError(f"{shown} is not an einops rearrangement: {reason}") from error
        # p=1: a layout change applies to every image, never a random draw.
        super().__init__(p=1)
        self.flags = {"args": args, "kwargs": kwargs}

    @property
    def pattern(self) -> str:
        """The einops pattern, ``"<input axes> -> <output axes>"``."""
        pattern: str = self.flags["args"][0]
        return pattern

    @overload
    def forward(self, input: Tensor, params: dict[str, Tensor] | None = None, **kwargs: Any) -> Tensor: ...

    @overload
    def forward(
        self, input: Mapping[str, Any], params: dict[str, Tensor] | None = None, **kwargs: Any
    ) -> dict[str, Any]: ...

    def forward(
        self, input: Tensor | Mapping[str, Any], params: dict[str, Tensor] | None = None, **kwargs: Any
    ) -> Tensor | dict[str, Any]:
        """Rearrange a tensor, or the image of a sample dict.

        Args:
            input: a tensor with one dimension per input axis of the pattern, or a dict holding such an ``image``.
            params: kornia's parameters, given when a kornia container calls this module.
            **kwargs: kornia's arguments, given when a kornia container calls this module.

        Returns:
            The rearranged tensor, or a new dict with the rearranged image and every other key as it was.

        Raises:
            KeyError: if a sample dict has no ``image``.
            ValueError: if the image does not fit the pattern.
        """
        if isinstance(input, Mapping):
            if "image" not in input:
                raise KeyError(f"Rearrange({self.pattern!r}): the sample has no 'image'; its keys are {list(input)}")
            return {**input, "image": self.rearrange(input["image"])}
        if params is None and not kwargs:
            return self.rearrange(input)
        # Called by a kornia container, which also needs kornia's bookkeeping (the transformation matrix).
        output: Tensor = super().forward(input, params, **kwargs)
        return output

    def rearrange(self, image: Tensor) -> Tensor:
        """Rearrange one tensor by the pattern.

        Args:
            image: a tensor with one dimension per input axis of the pattern.

        Returns:
            The rearranged tensor, a view of ``image`` where einops can make one.

        Raises:
            ValueError: if ``image`` does not fit the pattern, naming its shape.
        """
        try:
            return rearrange(image, *self.flags["args"], **self.flags["kwargs"])
        except EinopsError as error:
            raise ValueError(
                f"{_call(self.pattern, self.flags['kwargs'])} cannot rearrange an image of shape {tuple(image.shape)}: "
                f"{str(error).splitlines()[-1].strip()}"
            ) from error

    def apply_transform(
        self, input: Tensor, params: dict[str, Tensor], flags: dict[str, Any], transform: Tensor | None = None
    ) -> Tensor:
        """Rearrange ``input``, as kornia's containers call it."""
        return self.rearrange(input)

    def compute_transformation(self, input: Tensor, params: dict[str, Tensor], flags: dict[str, Any]) -> Tensor:
        """The identity: rearranging axes moves no pixel within its ``H x W`` plane."""
        identity: Tensor = self.identity_matrix(input)
        return identity


def _call(pattern: str, lengths: Mapping[str, Any]) -> str:
    """How a Rearrange of ``pattern`` and axis ``lengths`` is written, for messages: ``Rearrange('...', c=4)``."""
    return f"Rearrange({', '.join([repr(pattern), *(f'{name}={length!r}' for name, length in lengths.items())])})"
