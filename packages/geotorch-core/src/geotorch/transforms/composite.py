"""Temporal compositing: one image from a time series, the per-pixel median or mean of its clear observations."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from numbers import Integral, Real
from typing import Any, Literal, overload

import torch
from torch import Tensor, nn

from geotorch.core.timeseries import LENGTH_KEY

_REDUCTIONS = ("median", "mean")


class TemporalComposite(nn.Module):
    """Composite a time series into one image: per pixel, the median or mean of its clear observations.

    This is the per-pixel temporal composite (the "cloud-free median
    composite") that users otherwise build by hand: for every pixel and
    band, the steps where the pixel is missing or masked are left out and
    the remaining values are reduced over time. A ``T x C x H x W`` series
    becomes a ``C x H x W`` image, a ``B x T x C x H x W`` batch of series a
    ``B x C x H x W`` batch of images.

    An observation is left out when

    - its value is NaN, or equals ``nodata`` (band by band);
    - its pixel is masked at that step (all bands), by a per-step mask held
      under ``mask_key`` in the sample or in band ``mask_band`` of the image
      (a quality band such as Sentinel-2's scene classification or Landsat's
      ``QA_PIXEL`` stacked with the others). A mask value marks the pixel
      when it is one of ``mask_values`` or has one of ``mask_bits`` set; with
      neither, every non-zero value does (a boolean or 0/1 cloud mask).

    ``"median"`` gives the middle value of the clear observations, the mean
    of the two middle ones for an even count (as :func:`numpy.nanmedian`);
    ``"mean"`` their average (as :func:`numpy.nanmean`). A pixel with no
    clear observation in a band gets ``nodata``, or NaN when ``nodata`` is
    ``None``.

    The composite is floating point: a floating-point image keeps its dtype,
    an integer image of up to 16 bits gives float32 and a wider one float64.
    A float16 or bfloat16 image is reduced in float32 and the composite
    rounded to its dtype once, so that sums of its steps do not overflow.
    A ``mask_band`` is dropped from the composite (``C - 1`` bands).

    Called on a sample dict, it composites ``sample["image"]``, removes
    ``sample[mask_key]`` (which describes steps that no longer exist) and
    passes every other key through, the steps' ``time`` and a single-date
    ``mask`` included. In a batch of series padded to one length by
    :func:`~geotorch.core.stack_samples`, the batch's ``length`` (int64
    ``B``, each series' number of real steps) leaves out the padded steps;
    it is removed too. Called on a tensor, it composites the tensor
    (``mask_key`` and ``length`` then do not apply). It changes the number of
    steps, so it is not one of :class:`~geotorch.transforms.AugmentationSequential`'s
    augmentations: apply it before them (as a dataset's transform) or after.

    Args:
        reduce: ``"median"`` or ``"mean"``.
        nodata: the value of missing observations in the image, and the value of composite pixels
            without a clear observation; ``None`` leaves out NaN values only and gives NaN to those pixels.
        mask_key: the sample key of a per-step mask: ``T x H x W`` or ``T x 1 x H x W`` beside a
            ``T x C x H x W`` image, ``B x T x H x W`` or ``B x T x 1 x H x W`` beside a batch; any dtype.
        mask_band: the index of the image band holding a per-step mask, instead of ``mask_key``.
        mask_values: the mask values that mark a pixel, e.g. ``(3, 8, 9, 10)`` for Sentinel-2 SCL's cloud
            shadow, cloud and cirrus classes (NaN marks a floating-point mask's NaN).
        mask_bits: the mask bits (0 is the lowest) that mark a pixel, e.g. ``(1, 2, 3, 4)`` for Landsat
            Collection 2 ``QA_PIXEL``'s dilated cloud, cirrus, cloud and cloud shadow flags.

    Raises:
        TypeError: if ``mask_band`` or a bit of ``mask_bits`` is not an integer (a bool included),
            ``nodata`` or one of ``mask_values`` is not a real number, or ``mask_values`` or
            ``mask_bits`` is not a sequence.
        ValueError: if ``reduce`` is neither ``"median"`` nor ``"mean"``, both ``mask_key`` and
            ``mask_band`` are given, ``mask_values`` or ``mask_bits`` are given without either, or a
            bit is outside 0 to 62.

    Examples:
        >>> import torch
        >>> series = torch.tensor([1.0, 7.0, 3.0, 0.0]).view(4, 1, 1, 1).expand(4, 2, 3, 3)
        >>> clouds = torch.tensor([False, True, False, False]).view(4, 1, 1).expand(4, 3, 3)
        >>> composite = TemporalComposite("median", nodata=0.0, mask_key="clouds")
        >>> composite({"image": series, "clouds": clouds})["image"][:, 0, 0]
        tensor([2., 2.])
    """

    def __init__(
        self,
        reduce: Literal["median", "mean"] = "median",
        nodata: float | None = None,
        mask_key: str | None = None,
        mask_band: int | None = None,
        mask_values: Sequence[float] | None = None,
        mask_bits: Sequence[int] | None = None,
    ) -> None:
        super().__init__()
        if reduce not in _REDUCTIONS:
            raise ValueError(f"reduce={reduce!r} must be one of {_REDUCTIONS}")
        if mask_key is not None and mask_band is not None:
            raise ValueError(f"give mask_key={mask_key!r} or mask_band={mask_band}, not both")
        if mask_key is None and mask_band is None and (mask_values is not None or mask_bits is not None):
            raise ValueError("mask_values and mask_bits say which mask values mark a pixel: give mask_key or mask_band")
        for name, values in (("mask_values", mask_values), ("mask_bits", mask_bits)):
            if values is not None and (isinstance(values, (str, bytes)) or not isinstance(values, Sequence)):
                raise TypeError(f"{name}={values!r} must be a sequence of numbers, such as (3, 8, 9, 10)")
        for name, value in [("nodata", nodata), *(("mask_values", value) for value in mask_values or ())]:
            if value is not None and (isinstance(value, bool) or not isinstance(value, Real)):
                raise TypeError(f"{name}: {value!r} must be a real number")
        whole = [("mask_band", mask_band)] if mask_band is not None else []
        for name, number in whole + [("mask_bits", bit) for bit in mask_bits or ()]:
            if isinstance(number, bool) or not isinstance(number, Integral):
                raise TypeError(f"{name}: {number!r} must be an integer (a band index or bit number)")
        bad_bits = [bit for bit in mask_bits or () if not 0 <= bit <= 62]
        if bad_bits:
            raise ValueError(f"mask_bits={list(mask_bits or ())}: bits {bad_bits} are outside 0 to 62")
        self.reduce = reduce
        self.nodata = None if nodata is None else float(nodata)
        self.mask_key = mask_key
        self.mask_band = None if mask_band is None else int(mask_band)
        self.mask_values = None if mask_values is None else tuple(float(value) for value in mask_values)
        self.mask_bits = None if mask_bits is None else tuple(int(bit) for bit in mask_bits)

    def extra_repr(self) -> str:
        """The arguments this composite was made with, for its ``repr``."""
        arguments = {
            "reduce": self.reduce,
            "nodata": self.nodata,
            "mask_key": self.mask_key,
            "mask_band": self.mask_band,
            "mask_values": self.mask_values,
            "mask_bits": self.mask_bits,
        }
        return ", ".join(f"{name}={value!r}" for name, value in arguments.items() if value is not None)

    @overload
    def forward(self, sample: Tensor) -> Tensor: ...

    @overload
    def forward(self, sample: Mapping[str, Any]) -> dict[str, Any]: ...

    def forward(self, sample: Tensor | Mapping[str, Any]) -> Tensor | dict[str, Any]:
        """Composite a series, a batch of series, or the image of a sample dict.

        Args:
            sample: a ``T x C x H x W`` or ``B x T x C x H x W`` image, or a dict holding one as ``image``
                (and the mask under ``mask_key``, if given, and a batch's ``length``, if padded).

        Returns:
            The ``C x H x W`` or ``B x C x H x W`` composite, or a new dict holding it as ``image``.

        Raises:
            KeyError: if the sample has no ``image``, or no ``mask_key``.
            TypeError: if the image is complex.
            ValueError: if the image is not 4-D or 5-D or has no step, is floating point and cannot hold
                ``nodata``, ``mask_band`` is beyond its bands, or the mask or ``length`` does not fit the
                image; each names the shapes.
        """
        if isinstance(sample, Tensor):
            if self.mask_key is not None:
                raise ValueError(
                    f"TemporalComposite(mask_key={self.mask_key!r}) takes a sample dict that holds the mask, "
                    f"got a tensor of shape {tuple(sample.shape)}"
                )
            return self.composite(sample)
        missing = [key for key in ("image", self.mask_key) if key is not None and key not in sample]
        if missing:
            raise KeyError(f"TemporalComposite: the sample has no {missing}; its keys are {list(sample)}")
        mask = None if self.mask_key is None else sample[self.mask_key]
        image = sample["image"]
        # Only a batch of series is padded: a lone series has all its steps.
        lengths = sample.get(LENGTH_KEY) if isinstance(image, Tensor) and image.ndim == 5 else None
        result = {key: value for key, value in sample.items() if key != self.mask_key}
        if lengths is not None:
            del result[LENGTH_KEY]
        result["image"] = self.composite(image, mask, lengths)
        return result

    def composite(self, image: Tensor, mask: Tensor | None = None, lengths: Tensor | None = None) -> Tensor:
        """Composite a ``T x C x H x W`` series or a ``B x T x C x H x W`` batch of series.

        Args:
            image: the series, of any real dtype.
            mask: the per-step mask (see ``mask_key``), or ``None``.
            lengths: the number of real steps of each series of a padded batch, ``B``; ``None``: all are.

        Returns:
            The ``C x H x W`` or ``B x C x H x W`` composite (``C - 1`` bands with ``mask_band``).

        Raises:
            TypeError: if the image is complex.
            ValueError: if the image is not 4-D or 5-D or has no step, is floating point and cannot hold
                ``nodata``, ``mask_band`` is beyond its bands, or the mask or ``lengths`` do not fit the image.
        """
        if image.ndim not in (4, 5) or image.shape[-4] == 0:
            raise ValueError(
                "TemporalComposite: the image must be T x C x H x W (one series) or B x T x C x H x W "
                f"(a batch of series) with T >= 1, got shape {tuple(image.shape)}"
            )
        if image.is_complex():
            raise TypeError(
                f"TemporalComposite: the image is {image.dtype}; composites are of real values: "
                f"composite the amplitude (image.abs()) or the real and imaginary parts"
            )
        if (
            self.nodata is not None
            and image.is_floating_point()
            and math.isfinite(self.nodata)
            and abs(self.nodata) > torch.finfo(image.dtype).max
        ):
            raise ValueError(
                f"TemporalComposite: nodata={self.nodata} is beyond the range of the {image.dtype} image "
                f"(largest {torch.finfo(image.dtype).max:g}), which cannot hold it; composite the series in float32"
            )
        single = image.ndim == 4
        series = image.unsqueeze(0) if single else image
        masked = torch.zeros(series.shape[:2] + series.shape[3:], dtype=torch.bool, device=image.device)
        if mask is not None:
            masked |= self._marked(_mask_steps(mask, image, self.mask_key or "mask", single))
        if self.mask_band is not None:
            band = _band_index(self.mask_band, image)
            masked |= self._marked(series[:, :, band])
            series = torch.cat([series[:, :, :band], series[:, :, band + 1 :]], dim=2)
        if lengths is not None:
            steps = torch.arange(series.shape[1], device=image.device)
            masked |= (steps >= _series_lengths(lengths, image)[:, None]).view(*series.shape[:2], 1, 1)
        composite = self._reduce(series, masked)
        return composite.squeeze(0) if single else composite

    def _marked(self, mask: Tensor) -> Tensor:
        """Where a ``B x T x H x W`` mask marks a pixel as unusable."""
        if self.mask_values is None and self.mask_bits is None:
            return mask != 0
        marked = torch.zeros(mask.shape, dtype=torch.bool, device=mask.device)
        if self.mask_values is not None:
            values = torch.tensor(self.mask_values, dtype=torch.float64, device=mask.device)
            marked |= torch.isin(mask.to(torch.float64), values)
            if values.isnan().any() and mask.is_floating_point():
                # (NaN equals nothing, itself included.)
                marked |= mask.isnan()
        if self.mask_bits is not None:
            bits = sum(1 << bit for bit in self.mask_bits)
            marked |= (mask.to(torch.int64) & bits) != 0
        return marked

    def _reduce(self, series: Tensor, masked: Tensor) -> Tensor:
        """Reduce a ``B x T x C x H x W`` series over ``T``, leaving out missing and masked observations."""
        if series.is_floating_point():
            dtype = series.dtype
        else:
            dtype = torch.float32 if series.dtype.itemsize <= 2 else torch.float64
        # Half-precision values are summed in float32: the sum of twelve float16 steps of 8000, or of the
        # two middle steps of 40000 of a median, is past float16's largest value (65504).
        working = torch.float32 if dtype.itemsize < 4 else dtype
        values = series.to(working)
        clear = ~values.isnan() & ~masked.unsqueeze(2)
        if self.nodata is not None:
            # Integer pixels are compared as numbers (uint8 against 300 wraps to 44); floating-point ones in
            # their own dtype, in which the file's nodata was rounded as they were.
            clear &= (series if series.is_floating_point() else values) != self.nodata
        count = clear.sum(dim=1)
        if self.reduce == "mean":
            reduced = values.where(clear, 0).sum(dim=1) / count.clamp(min=1)
        else:
            # NaN sorts last, so the clear values of each pixel come first, in order.
            ordered = values.where(clear, torch.nan).sort(dim=1).values
            lower = ((count - 1).clamp(min=0) // 2).unsqueeze(1)
            upper = (count // 2).clamp(max=series.shape[1] - 1).unsqueeze(1)
            reduced = (ordered.gather(1, lower) + ordered.gather(1, upper)).squeeze(1) / 2
        fill = torch.nan if self.nodata is None else self.nodata
        return reduced.to(dtype).where(count > 0, torch.tensor(fill, dtype=dtype, device=series.device))


def _mask_steps(mask: Any, image: Tensor, key: str, single: bool) -> Tensor:
    """A per-step mask in ``B x T x H x W`` form, refusing one that does not fit the image."""
    steps = image.shape[:-3] + image.shape[-2:]
    layouts = "T x H x W or T x 1 x H x W" if single else "B x T x H x W or B x T x 1 x H x W"
    if not isinstance(mask, Tensor):
        raise ValueError(f"TemporalComposite: sample[{key!r}] must be a tensor ({layouts}), got {type(mask).__name__}")
    squeezed = mask.squeeze(-3) if mask.ndim == image.ndim and mask.shape[-3] == 1 else mask
    if squeezed.shape != steps:
        raise ValueError(
            f"TemporalComposite: sample[{key!r}] has shape {tuple(mask.shape)} and sample['image'] "
            f"{tuple(image.shape)}; the mask must be {layouts}, with the image's steps, height and width"
        )
    return squeezed.unsqueeze(0) if single else squeezed


def _series_lengths(lengths: Any, image: Tensor) -> Tensor:
    """A padded batch's ``length``, refusing one that does not fit the batch of series."""
    batch, steps = image.shape[:2]
    if (
        not isinstance(lengths, Tensor)
        or lengths.is_floating_point()
        or lengths.is_complex()
        or lengths.shape != (batch,)
        or ((lengths < 0) | (lengths > steps)).any()
    ):
        shown = f"{lengths.tolist()}" if isinstance(lengths, Tensor) else type(lengths).__name__
        raise ValueError(
            f"TemporalComposite: sample[{LENGTH_KEY!r}] is {shown} beside sample['image'] {tuple(image.shape)}; "
            f"it must hold {batch} whole numbers of steps from 0 to {steps}, one per series"
        )
    return lengths.to(image.device)


def _band_index(band: int, image: Tensor) -> int:
    """``band`` as an index into the image's bands, refusing one beyond them."""
    bands = image.shape[-3]
    if not -bands <= band < bands:
        raise ValueError(
            f"TemporalComposite: mask_band={band} is beyond the bands of the image, shape {tuple(image.shape)}; "
            f"band indices run from 0 to {bands - 1}"
        )
    return band % bands
