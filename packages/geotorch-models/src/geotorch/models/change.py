"""Fully convolutional siamese networks for change detection (Daudt et al. 2018): FC-Siam-diff and FC-Siam-conc."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any

import timm
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from geotorch.core import WeightsSpec
from geotorch.models.loading import checked_in_chans, load_pretrained, resolve_weights


def _conv_block(in_channels: int, out_channels: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, 3, padding=1, bias=False),
        nn.BatchNorm2d(out_channels),
        nn.ReLU(inplace=True),
    )


class UNetDecoder(nn.Module):
    """Upsamples the deepest feature map step by step, merging each shallower one (U-Net's expanding path)."""

    def __init__(self, encoder_channels: Sequence[int], decoder_channels: Sequence[int]) -> None:
        """Build one merge block per skip connection.

        Args:
            encoder_channels: channels of the encoder's feature maps, shallowest first.
            decoder_channels: channels after each merge, deepest first; as many as ``encoder_channels``.
        """
        super().__init__()
        skips = [*reversed(encoder_channels[:-1]), 0]
        inputs = [encoder_channels[-1], *decoder_channels[:-1]]
        self.blocks = nn.ModuleList(
            nn.Sequential(_conv_block(incoming + skip, out), _conv_block(out, out))
            for incoming, skip, out in zip(inputs, skips, decoder_channels, strict=True)
        )

    def forward(self, features: Sequence[Tensor], size: tuple[int, int]) -> Tensor:
        """Decode ``features`` (shallowest first) to a map of ``size`` pixels."""
        x = features[-1]
        skips = list(reversed(features[:-1]))
        for index, block in enumerate(self.blocks):
            target = skips[index].shape[-2:] if index < len(skips) else size
            x = F.interpolate(x, size=target, mode="nearest")
            if index < len(skips):
                x = torch.cat([x, skips[index]], dim=1)
            x = block(x)
        return x


class _FCSiam(nn.Module, ABC):
    """A shared timm encoder applied to both dates, its features fused, then a U-Net decoder."""

    def __init__(
        self,
        encoder_name: str = "resnet18",
        in_channels: int = 3,
        classes: int = 1,
        weights: WeightsSpec = None,
        bands: Sequence[str] | None = None,
        decoder_channels: Sequence[int] = (256, 128, 64, 32, 16),
        adapt: bool | None = None,
        strict: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__()
        in_channels = _band_count(type(self).__name__, in_channels, kwargs.pop("in_chans", None))
        resolved = resolve_weights(weights, encoder_name)
        self.encoder = timm.create_model(
            encoder_name, features_only=True, pretrained=False, in_chans=in_channels, **kwargs
        )
        if resolved is not None:
            load_pretrained(self.encoder, resolved, bands, adapt, strict=strict)
        info: Any = self.encoder.feature_info
        channels = [self.fused_channels(c) for c in info.channels()]
        depth = len(channels)
        self.decoder = UNetDecoder(channels, list(decoder_channels)[:depth])
        self.head = nn.Conv2d(list(decoder_channels)[depth - 1], classes, 3, padding=1)

    @abstractmethod
    def fused_channels(self, channels: int) -> int:
        """The channels of the fusion of two feature maps with ``channels`` channels each."""

    @abstractmethod
    def fuse(self, before: Tensor, after: Tensor) -> Tensor:
        """Merge the two dates' feature maps of one level."""

    def forward(self, x: Tensor) -> Tensor:
        """Predict change logits ``(B, classes, H, W)`` from a ``(B, 2, C, H, W)`` pair of images.

        Raises:
            ValueError: if ``x`` is not a pair of images along axis 1.
        """
        if x.ndim != 5 or x.shape[1] != 2:
            raise ValueError(f"expected a (B, 2, C, H, W) pair of images, got shape {tuple(x.shape)}")
        before, after = self.encoder(x[:, 0]), self.encoder(x[:, 1])
        fused = [self.fuse(a, b) for a, b in zip(before, after, strict=True)]
        result: Tensor = self.head(self.decoder(fused, x.shape[-2:]))
        return result


def _band_count(name: str, in_channels: object, in_chans: object) -> int:
    """The band count of each image: ``in_channels``, or GeoTorch's ``in_chans`` (as every other builder takes).

    Raises:
        ValueError: if both are given and disagree (``in_channels`` other than its default 3), or the count is
            below 1.
        TypeError: if the count is not a whole number.
    """
    if in_chans is None:
        return checked_in_chans(in_channels, "in_channels")
    count = checked_in_chans(in_chans)
    if in_channels != 3 and in_channels != count:
        raise ValueError(f"{name}: in_chans={count} and in_channels={in_channels} disagree; give one of them")
    return count


class FCSiamDiff(_FCSiam):
    """FC-Siam-diff: the skip connections carry the absolute difference of the two dates' features.

    Args:
        encoder_name: the timm encoder (``resnet18`` by default).
        in_channels: the number of bands of each image (``in_chans=``, GeoTorch's name, is taken too).
        classes: the number of output channels.
        weights: weights for the encoder (any form of :mod:`geotorch.models.loading`: registered weights of
            its architecture, a checkpoint file, ImageNet).
        bands: names of the input bands, to pick pretrained first-layer slices by name.
        decoder_channels: channels of the decoder blocks, deepest first.
        adapt: whether weights for other bands may be adapted (as :func:`geotorch.models.load_pretrained`).
        strict: whether parameters that do not fit are an error (True) or left out with a warning.
        **kwargs: passed to :func:`timm.create_model`.
    """

    def fused_channels(self, channels: int) -> int:
        """Differences keep the channel count."""
        return channels

    def fuse(self, before: Tensor, after: Tensor) -> Tensor:
        """``|after - before|``."""
        return (after - before).abs()


class FCSiamConc(_FCSiam):
    """FC-Siam-conc: the skip connections carry both dates' features, concatenated.

    Args:
        encoder_name: the timm encoder (``resnet18`` by default).
        in_channels: the number of bands of each image (``in_chans=``, GeoTorch's name, is taken too).
        classes: the number of output channels.
        weights: weights for the encoder (any form of :mod:`geotorch.models.loading`: registered weights of
            its architecture, a checkpoint file, ImageNet).
        bands: names of the input bands, to pick pretrained first-layer slices by name.
        decoder_channels: channels of the decoder blocks, deepest first.
        adapt: whether weights for other bands may be adapted (as :func:`geotorch.models.load_pretrained`).
        strict: whether parameters that do not fit are an error (True) or left out with a warning.
        **kwargs: passed to :func:`timm.create_model`.
    """

    def fused_channels(self, channels: int) -> int:
        """Concatenation doubles the channel count."""
        return 2 * channels

    def fuse(self, before: Tensor, after: Tensor) -> Tensor:
        """``[before, after]`` along channels."""
        return torch.cat([before, after], dim=1)
