"""L-TAE, the Lightweight Temporal Attention Encoder: a series of per-step features to one feature vector.

Constructor names and defaults are TorchGeo 0.10.1's (``torchgeo.models.LTAE``); the attention is the published
one: Garnot & Landrieu 2020, "Lightweight Temporal Self-Attention for Classifying Satellite Images Time Series"
(https://arxiv.org/abs/2007.00586): one learnt query per head, keys projected from the steps, and the steps'
features split into one channel group per head as values, so each head outputs its own group's weighted mean.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import Tensor, nn

from geotorch.models.series import check_lengths, step_mask


def sinusoid_encoding(positions: Tensor, channels: int, period: float) -> Tensor:
    """Sine and cosine encodings of ``positions`` ``(..., T)``: ``(..., T, channels)`` float32.

    Channel pairs ``2i, 2i + 1`` hold ``sin`` and ``cos`` of ``position / period ** (2i / channels)``.
    """
    frequencies = period ** (-torch.arange(0, channels, 2, device=positions.device, dtype=torch.float32) / channels)
    angles = positions.to(torch.float32)[..., None] * frequencies
    encoding = torch.stack([angles.sin(), angles.cos()], dim=-1).flatten(-2)
    return encoding[..., :channels]


class LTAE(nn.Module):
    """Lightweight temporal attention over ``(B, T, in_channels)`` sequences, or over every pixel of a series.

    Each step is layer-normalised, projected to ``d_model`` channels (if ``d_model`` is given) and given a
    sinusoidal encoding of its position; each of ``n_head`` heads scores the steps with its learnt query against
    ``d_k``-channel keys and averages its ``d_model / n_head`` channels of the steps with those weights (a
    softmax over the valid steps: those beyond ``lengths`` get no weight, so padding changes nothing). The heads'
    outputs, concatenated, go through the MLP ``n_neurons`` (Linear, BatchNorm, ReLU), dropout and a layer norm:
    ``(B, n_neurons[-1])`` features, as TorchGeo's, or ``(B, num_classes)`` logits with ``num_classes``.

    Args:
        in_channels: channels of each step.
        n_head: attention heads.
        d_k: channels of the keys and queries.
        n_neurons: widths of the MLP after the attention; the first is ``d_model``.
        dropout: dropout of the attention weights and of the MLP's output.
        d_model: channels the steps are projected to first; None keeps ``in_channels``.
        T: period of the positional encoding, in the unit of the positions (days for dates).
        len_max_seq: the most steps a series may have.
        positions: the position of each step (day numbers, say) shared by every series, else their index.
        num_classes: if given, a linear layer from the features to this many outputs.

    Raises:
        ValueError: if ``n_neurons[0]`` is not ``d_model``, ``d_model`` is not a multiple of ``n_head``, or
            ``positions`` has more than ``len_max_seq`` entries.
    """

    def __init__(
        self,
        in_channels: int = 128,
        n_head: int = 16,
        d_k: int = 8,
        n_neurons: Sequence[int] = (256, 128),
        dropout: float = 0.2,
        d_model: int | None = 256,
        T: int = 1000,
        len_max_seq: int = 24,
        positions: Sequence[int] | None = None,
        num_classes: int | None = None,
    ) -> None:
        super().__init__()
        width = in_channels if d_model is None else d_model
        if n_neurons[0] != width:
            raise ValueError(f"n_neurons[0]={n_neurons[0]} must be d_model={width}, the attention's output width")
        if width % n_head:
            raise ValueError(f"d_model={width} must be a multiple of n_head={n_head}: each head takes a channel group")
        if positions is not None and len(positions) > len_max_seq:
            raise ValueError(f"positions has {len(positions)} steps, more than len_max_seq={len_max_seq}")
        self.in_channels = in_channels
        self.n_head = n_head
        self.d_k = d_k
        self.n_neurons = list(n_neurons)
        self.d_model = width
        self.T = T
        self.len_max_seq = len_max_seq
        self.positions = None if positions is None else list(positions)
        self.inlayernorm = nn.LayerNorm(in_channels)
        self.inconv = None if d_model is None else nn.Sequential(nn.Linear(in_channels, d_model), nn.LayerNorm(d_model))
        self.key = nn.Linear(width, n_head * d_k)
        self.query = nn.Parameter(torch.randn(n_head, d_k) * math.sqrt(2.0 / d_k))
        self.attention_dropout = nn.Dropout(dropout)
        layers: list[nn.Module] = []
        for width_in, width_out in zip(self.n_neurons[:-1], self.n_neurons[1:], strict=True):
            layers += [nn.Linear(width_in, width_out), nn.BatchNorm1d(width_out), nn.ReLU()]
        self.mlp = nn.Sequential(*layers)
        self.dropout = nn.Dropout(dropout)
        self.outlayernorm = nn.LayerNorm(self.n_neurons[-1])
        self.head = None if num_classes is None else nn.Linear(self.n_neurons[-1], num_classes)

    def forward(self, x: Tensor, lengths: Tensor | None = None, positions: Tensor | None = None) -> Tensor:
        """Features or logits of each sequence, or of each pixel of a series.

        Args:
            x: ``(B, T, in_channels)`` sequences, or ``(B, T, in_channels, H, W)`` series (every pixel encoded).
            lengths: valid steps per sample ``(B,)``; later steps are padding and get no attention.
            positions: ``(B, T)`` positions of each sample's steps (day numbers), overriding the constructor's.

        Returns:
            ``(B, D)`` for sequences, ``(B, D, H, W)`` for series; D is ``num_classes`` or ``n_neurons[-1]``.

        Raises:
            ValueError: if ``x`` is neither 3-D nor 5-D, has another channel count or more than ``len_max_seq``
                steps, or ``lengths`` / ``positions`` do not fit; in training, if it holds one sequence (one
                pixel) and ``n_neurons`` makes an MLP, whose BatchNorm1d needs two.
        """
        return self.forward_with_attention(x, lengths, positions)[0]

    def forward_with_attention(
        self, x: Tensor, lengths: Tensor | None = None, positions: Tensor | None = None
    ) -> tuple[Tensor, Tensor]:
        """:meth:`forward`'s output and the attention weights: ``(B, n_head, T)``, or ``(B, n_head, T, H, W)``.

        Padded steps have zero weight; each head's weights sum to one over the valid steps.
        """
        if x.ndim == 5:
            batch, steps, channels, height, width = x.shape
            if lengths is not None:
                # Checked as given: repeated per pixel, a message would show B x H x W counts.
                check_lengths(lengths, batch)
            pixels = x.permute(0, 3, 4, 1, 2).reshape(batch * height * width, steps, channels)
            repeat = height * width
            output, attention = self._encode(
                pixels,
                None if lengths is None else lengths.repeat_interleave(repeat),
                None if positions is None else positions.repeat_interleave(repeat, dim=0),
            )
            # Its width named, not -1: an empty batch (B = 0) has no elements to infer it from.
            output = output.reshape(batch, height, width, output.shape[-1]).permute(0, 3, 1, 2)
            attention = attention.reshape(batch, height, width, self.n_head, steps).permute(0, 3, 4, 1, 2)
            return output, attention
        if x.ndim != 3:
            raise ValueError(f"LTAE takes (B, T, C) sequences or (B, T, C, H, W) series; got shape {tuple(x.shape)}")
        return self._encode(x, lengths, positions)

    def _encode(self, x: Tensor, lengths: Tensor | None, positions: Tensor | None) -> tuple[Tensor, Tensor]:
        batch, steps, channels = x.shape
        if channels != self.in_channels:
            raise ValueError(f"LTAE has in_channels={self.in_channels} but the input has {channels} channels per step")
        if steps > self.len_max_seq:
            raise ValueError(f"the series has {steps} steps, more than len_max_seq={self.len_max_seq}; raise it")
        if batch == 1 and self.training and len(self.mlp):
            raise ValueError(
                f"LTAE in training takes at least 2 sequences per batch: its MLP n_neurons={self.n_neurons} "
                "normalises over the batch (BatchNorm1d); for a last batch of one, pass drop_last=True to the "
                "DataLoader, or n_neurons=[d_model] for no MLP"
            )
        padding = step_mask(lengths, batch, steps, x.device)
        steps_at = self._positions(positions, batch, steps, x.device)
        if padding is not None:
            # Padded steps get no attention, but 0 x NaN is NaN: a NaN there (a series padded with NaN, or
            # positions from a padded batch's time) would reach the output and the gradients.
            x = x.masked_fill(padding[:, :, None], 0.0)
            steps_at = steps_at.masked_fill(padding, 0)
        features = self.inlayernorm(x)
        if self.inconv is not None:
            features = self.inconv(features)
        group = self.d_model // self.n_head
        encoding = sinusoid_encoding(steps_at, group, self.T)
        features = features + encoding.repeat(1, 1, self.n_head).to(features.dtype)
        keys = self.key(features).view(batch, steps, self.n_head, self.d_k).transpose(1, 2)
        scores = (keys @ self.query.unsqueeze(-1)).squeeze(-1) / math.sqrt(self.d_k)
        if padding is not None:
            scores = scores.masked_fill(padding[:, None, :], float("-inf"))
        attention = self.attention_dropout(scores.softmax(dim=-1))
        values = features.view(batch, steps, self.n_head, group).transpose(1, 2)
        heads = (attention.unsqueeze(-1) * values).sum(dim=2).flatten(1)
        output: Tensor = self.outlayernorm(self.dropout(self.mlp(heads)))
        if self.head is not None:
            output = self.head(output)
        return output, attention

    def _positions(self, positions: Tensor | None, batch: int, steps: int, device: torch.device) -> Tensor:
        if positions is not None:
            if positions.shape != (batch, steps):
                raise ValueError(f"positions must be (B, T) = ({batch}, {steps}); got {tuple(positions.shape)}")
            return positions.to(device)
        if self.positions is not None:
            if len(self.positions) != steps:
                raise ValueError(f"the LTAE was given {len(self.positions)} positions but the series has {steps} steps")
            return torch.tensor(self.positions, device=device).expand(batch, steps)
        return torch.arange(steps, device=device).expand(batch, steps)
