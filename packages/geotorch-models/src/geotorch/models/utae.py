"""U-TAE: a U-Net whose encoder is shared over time and whose skips are collapsed by temporal attention.

The architecture of Garnot & Landrieu 2021, "Panoptic Segmentation of Satellite Image Time Series with
Convolutional Temporal Attention Networks" (ICCV, https://arxiv.org/abs/2107.07933), semantic segmentation
branch: every date goes through the same convolutional encoder; an :class:`~geotorch.models.LTAE` attends over the
dates at the lowest resolution, pixel by pixel; its attention masks, upsampled bilinearly, collapse the skip
features of every level over time (one channel group per head); a convolutional decoder gives per-pixel logits.
Defaults are the paper's (its ``out_conv=[32, 20]`` is ``out_conv=(32,), num_classes=20`` here).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import torch
from torch import Tensor, nn
from torch.nn import functional

from geotorch.models.ltae import LTAE
from geotorch.models.series import check_series, step_mask

#: How the skip features are collapsed over time.
AGGREGATIONS = ("att_group", "att_mean", "mean")
#: Padding modes of the 3x3 convolutions (torch's).
PaddingMode = Literal["zeros", "reflect", "replicate", "circular"]
#: Normalisations of the encoder (applied to each date on its own but for ``batch``).
ENCODER_NORMS = ("group", "batch", "instance")


def _norm(kind: str, channels: int) -> nn.Module:
    if kind == "group":
        return nn.GroupNorm(4 if channels % 4 == 0 else 1, channels)
    if kind == "instance":
        return nn.InstanceNorm2d(channels)
    return nn.BatchNorm2d(channels)


def _conv(channels_in: int, channels_out: int, norm: str, padding_mode: PaddingMode) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(channels_in, channels_out, 3, padding=1, padding_mode=padding_mode),
        _norm(norm, channels_out),
        nn.ReLU(),
    )


class _ResidualConvs(nn.Module):
    """Two 3x3 convolutions, the second added to the first's output."""

    def __init__(self, channels_in: int, channels_out: int, norm: str, padding_mode: PaddingMode) -> None:
        super().__init__()
        self.first = _conv(channels_in, channels_out, norm, padding_mode)
        self.second = _conv(channels_out, channels_out, norm, padding_mode)

    def forward(self, x: Tensor) -> Tensor:
        features: Tensor = self.first(x)
        refined: Tensor = self.second(features)
        return features + refined


class _Down(nn.Module):
    """A strided convolution halving the image (by default), then :class:`_ResidualConvs`."""

    def __init__(
        self,
        channels_in: int,
        channels_out: int,
        kernel: int,
        stride: int,
        padding: int,
        norm: str,
        padding_mode: PaddingMode,
    ) -> None:
        super().__init__()
        self.down = nn.Sequential(
            nn.Conv2d(channels_in, channels_in, kernel, stride, padding, padding_mode=padding_mode),
            _norm(norm, channels_in),
            nn.ReLU(),
        )
        self.convs = _ResidualConvs(channels_in, channels_out, norm, padding_mode)

    def forward(self, x: Tensor) -> Tensor:
        result: Tensor = self.convs(self.down(x))
        return result


class _Up(nn.Module):
    """A transposed convolution doubling the image, the skip features beside it, then :class:`_ResidualConvs`."""

    def __init__(
        self,
        channels_in: int,
        channels_out: int,
        channels_skip: int,
        kernel: int,
        stride: int,
        padding: int,
        padding_mode: PaddingMode,
    ) -> None:
        super().__init__()
        self.up = nn.Sequential(
            nn.ConvTranspose2d(channels_in, channels_out, kernel, stride, padding),
            nn.BatchNorm2d(channels_out),
            nn.ReLU(),
        )
        self.skip = nn.Sequential(nn.Conv2d(channels_skip, channels_skip, 1), nn.BatchNorm2d(channels_skip), nn.ReLU())
        self.convs = _ResidualConvs(channels_out + channels_skip, channels_out, "batch", padding_mode)

    def forward(self, x: Tensor, skip: Tensor) -> Tensor:
        result: Tensor = self.convs(torch.cat([self.up(x), self.skip(skip)], dim=1))
        return result


def _dated(features: Tensor, real: Tensor | None) -> Tensor:
    """Features of the real steps ``(R, C, h, w)`` spread over all ``(B x T, C, h, w)``, zeros at padded ones.

    ``real`` is the ``(B x T,)`` bool mask of real steps (R of them), None when every step is real.
    """
    if real is None:
        return features
    return features.new_zeros((real.shape[0], *features.shape[1:])).index_put((real,), features)


class UTAE(nn.Module):
    """U-TAE semantic segmentation of ``(B, T, C, H, W)`` series into ``(B, num_classes, H, W)`` logits.

    Steps beyond ``lengths`` (padding) are not encoded and get no attention, so they change nothing, the
    batch statistics of ``encoder_norm="batch"`` included. An empty batch (B = 0) gives an empty output. With
    the default strided convolutions (kernel 4, stride 2, padding 1) each level halves the image: H and W must
    be multiples of ``2 ** (len(encoder_widths) - 1)`` (8 by default).

    Args:
        input_dim: channels per time step.
        num_classes: output channels.
        encoder_widths: channels of each encoder level, full resolution first.
        decoder_widths: channels of each decoder level, as many as ``encoder_widths``.
        out_conv: widths of the 3x3 convolutions between the decoder and the final layer.
        str_conv_k: kernel of the strided (down) and transposed (up) convolutions.
        str_conv_s: their stride.
        str_conv_p: their padding.
        agg_mode: ``att_group`` (each head's upsampled attention weighs its channel group of the skips),
            ``att_mean`` (the heads' mean attention weighs every channel) or ``mean`` (the valid steps' mean).
        encoder_norm: ``group`` (4 groups), ``batch`` or ``instance``; ``group`` and ``instance`` normalise each
            date on its own.
        n_head: heads of the L-TAE; every encoder width must be a multiple of it for ``att_group``.
        d_model: channels of the L-TAE's attention.
        d_k: channels of its keys and queries.
        dropout: dropout of the L-TAE.
        T: period of the positional encoding, in the unit of the positions (days).
        len_max_seq: the most steps a series may have.
        padding_mode: padding of the 3x3 convolutions (``reflect``, ``zeros``, ...).

    Raises:
        ValueError: for mismatched widths, an unknown ``agg_mode`` or ``encoder_norm``, or widths that are not
            multiples of ``n_head`` with ``att_group``.
    """

    def __init__(
        self,
        input_dim: int,
        num_classes: int = 20,
        encoder_widths: Sequence[int] = (64, 64, 64, 128),
        decoder_widths: Sequence[int] = (32, 32, 64, 128),
        out_conv: Sequence[int] = (32,),
        str_conv_k: int = 4,
        str_conv_s: int = 2,
        str_conv_p: int = 1,
        agg_mode: Literal["att_group", "att_mean", "mean"] = "att_group",
        encoder_norm: Literal["group", "batch", "instance"] = "group",
        n_head: int = 16,
        d_model: int = 256,
        d_k: int = 4,
        dropout: float = 0.2,
        T: int = 1000,
        len_max_seq: int = 366,
        padding_mode: PaddingMode = "reflect",
    ) -> None:
        super().__init__()
        if len(encoder_widths) != len(decoder_widths) or not encoder_widths:
            raise ValueError(
                f"encoder_widths {list(encoder_widths)} and decoder_widths {list(decoder_widths)} must "
                "give one width per level, as many of each"
            )
        if agg_mode not in AGGREGATIONS:
            raise ValueError(f"agg_mode={agg_mode!r} must be one of {', '.join(AGGREGATIONS)}")
        if encoder_norm not in ENCODER_NORMS:
            raise ValueError(f"encoder_norm={encoder_norm!r} must be one of {', '.join(ENCODER_NORMS)}")
        if agg_mode == "att_group" and any(width % n_head for width in encoder_widths[:-1]):
            raise ValueError(
                f"with agg_mode='att_group' every skip width {list(encoder_widths[:-1])} must be a "
                f"multiple of n_head={n_head}"
            )
        self.input_dim = input_dim
        self.num_classes = num_classes
        self.agg_mode = agg_mode
        self.n_head = n_head
        self.strided = (str_conv_k, str_conv_s, str_conv_p)
        self.in_conv = _ResidualConvs(input_dim, encoder_widths[0], encoder_norm, padding_mode)
        self.down_blocks = nn.ModuleList(
            _Down(encoder_widths[level], encoder_widths[level + 1], *self.strided, encoder_norm, padding_mode)
            for level in range(len(encoder_widths) - 1)
        )
        self.temporal_encoder = LTAE(
            in_channels=encoder_widths[-1],
            n_head=n_head,
            d_k=d_k,
            n_neurons=(d_model, decoder_widths[-1]),
            dropout=dropout,
            d_model=d_model,
            T=T,
            len_max_seq=len_max_seq,
        )
        self.up_blocks = nn.ModuleList(
            _Up(decoder_widths[level + 1], decoder_widths[level], encoder_widths[level], *self.strided, padding_mode)
            for level in range(len(encoder_widths) - 1)
        )
        widths = [decoder_widths[0], *out_conv]
        self.out_conv = nn.Sequential(
            *(_conv(widths[index], widths[index + 1], "batch", padding_mode) for index in range(len(out_conv))),
            nn.Conv2d(widths[-1], num_classes, 3, padding=1, padding_mode=padding_mode),
        )

    def forward(self, input_tensor: Tensor, lengths: Tensor | None = None, positions: Tensor | None = None) -> Tensor:
        """Per-pixel logits ``(B, num_classes, H, W)``.

        Args:
            input_tensor: ``(B, T, C, H, W)`` float series.
            lengths: valid steps per sample ``(B,)``; later steps are padding and are ignored.
            positions: ``(B, T)`` position of each step (day numbers), else the steps' indices.

        Raises:
            ValueError: if the input is not 5-D, its image size does not fit the levels, or ``lengths`` /
                ``positions`` do not fit.
        """
        check_series(input_tensor, "UTAE")
        batch, steps, _, height, width = input_tensor.shape
        self._check_size(height, width)
        padding = step_mask(lengths, batch, steps, input_tensor.device)
        dates = input_tensor.flatten(0, 1)
        # Only the real steps are encoded: with encoder_norm='batch' padded ones entered the batch statistics
        # (a short series' zeros shifted every date's normalisation and the running stats), and a series
        # padded with NaN reached the output through 0 x NaN. Padded steps' features are zeros, of no weight.
        real = None if padding is None else ~padding.flatten()
        features = self.in_conv(dates if real is None else dates[real])
        skips = [_dated(features, real)]
        for down in self.down_blocks:
            features = down(features)
            skips.append(_dated(features, real))
        lowest = skips[-1].reshape(batch, steps, *features.shape[1:])
        output, attention = self.temporal_encoder.forward_with_attention(lowest, lengths, positions)
        for level in reversed(range(len(self.up_blocks))):
            skip = self._collapse(skips[level].reshape(batch, steps, *skips[level].shape[1:]), attention, padding)
            output = self.up_blocks[level](output, skip)
        logits: Tensor = self.out_conv(output)
        return logits

    def _collapse(self, skip: Tensor, attention: Tensor, padding: Tensor | None) -> Tensor:
        """Skip features ``(B, T, C, h, w)`` collapsed over T into ``(B, C, h, w)`` (see ``agg_mode``)."""
        batch, steps, channels, height, width = skip.shape
        if self.agg_mode == "mean":
            valid = torch.ones(batch, steps, device=skip.device) if padding is None else (~padding).float()
            weights = valid / valid.sum(dim=1, keepdim=True)
            return (skip * weights[:, :, None, None, None]).sum(dim=1)
        heads = attention.shape[1]
        # (B, heads, T, h', w') -> upsampled (B, heads, T, h, w), padded steps keep their zero weight.
        upsampled = functional.interpolate(
            attention.flatten(1, 2), size=(height, width), mode="bilinear", align_corners=False
        ).reshape(batch, heads, steps, height, width)
        if self.agg_mode == "att_mean":
            return (skip * upsampled.mean(dim=1).unsqueeze(2)).sum(dim=1)
        grouped = skip.reshape(batch, steps, heads, channels // heads, height, width)
        return (grouped * upsampled.transpose(1, 2).unsqueeze(3)).sum(dim=1).flatten(1, 2)

    def _check_size(self, height: int, width: int) -> None:
        kernel, stride, padding = self.strided
        levels = len(self.down_blocks)
        for original, name in ((height, "height"), (width, "width")):
            size = original
            for _ in range(levels):
                smaller = (size + 2 * padding - kernel) // stride + 1
                if smaller < 1 or (smaller - 1) * stride - 2 * padding + kernel != size:
                    raise ValueError(
                        f"UTAE cannot bring an image {name} of {original} pixels down its {levels} strided levels "
                        f"and back; with the default strided convolutions, use multiples of {stride**levels}"
                    )
                size = smaller
