"""A fully convolutional baseline: five 3x3 convolutions at full resolution, then a 1x1 classifier."""

from __future__ import annotations

from torch import Tensor, nn


class FCN(nn.Module):
    """Five same-padded 3x3 convolutions with leaky ReLUs, keeping the input's size, then per-pixel logits.

    Args:
        in_channels: the number of input bands.
        classes: the number of output channels.
        num_filters: the channels of every hidden layer.
    """

    def __init__(self, in_channels: int, classes: int, num_filters: int = 64) -> None:
        super().__init__()
        layers: list[nn.Module] = []
        for index in range(5):
            layers += [nn.Conv2d(in_channels if index == 0 else num_filters, num_filters, 3, padding=1), nn.LeakyReLU()]
        self.backbone = nn.Sequential(*layers)
        self.last = nn.Conv2d(num_filters, classes, 1)

    def forward(self, x: Tensor) -> Tensor:
        """Return ``(B, classes, H, W)`` logits for ``(B, in_channels, H, W)`` images."""
        result: Tensor = self.last(self.backbone(x))
        return result
