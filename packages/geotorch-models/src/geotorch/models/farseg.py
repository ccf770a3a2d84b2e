"""FarSeg (Zheng et al. 2020): foreground-aware relation network for imbalanced high-resolution segmentation."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import timm
import torch.nn.functional as F
from torch import Tensor, nn

from geotorch.core import WeightsSpec
from geotorch.models.loading import load_pretrained, resolve_weights


def _conv_bn_relu(in_channels: int, out_channels: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, 3, padding=1, bias=False),
        nn.BatchNorm2d(out_channels),
        nn.ReLU(inplace=True),
    )


class FeaturePyramid(nn.Module):
    """Lateral 1x1 convolutions, a top-down pathway of upsampled sums, and 3x3 output convolutions."""

    def __init__(self, in_channels: Sequence[int], out_channels: int) -> None:
        """Build one lateral and one output convolution per level.

        Args:
            in_channels: channels of the backbone levels, shallowest first.
            out_channels: channels of every pyramid level.
        """
        super().__init__()
        self.lateral = nn.ModuleList(nn.Conv2d(c, out_channels, 1) for c in in_channels)
        self.output = nn.ModuleList(nn.Conv2d(out_channels, out_channels, 3, padding=1) for _ in in_channels)

    def forward(self, features: Sequence[Tensor]) -> list[Tensor]:
        """The pyramid levels, shallowest first."""
        laterals = [conv(x) for conv, x in zip(self.lateral, features, strict=True)]
        for index in range(len(laterals) - 1, 0, -1):
            laterals[index - 1] = laterals[index - 1] + F.interpolate(
                laterals[index], size=laterals[index - 1].shape[-2:], mode="nearest"
            )
        return [conv(x) for conv, x in zip(self.output, laterals, strict=True)]


class ForegroundSceneRelation(nn.Module):
    """Re-weights every pyramid level by its relation to a scene embedding of the deepest features."""

    def __init__(self, scene_channels: int, channels: int, levels: int) -> None:
        """Build the scene encoder and, per level, a content and a re-encoding projection.

        Args:
            scene_channels: channels of the deepest backbone feature map.
            channels: channels of the pyramid levels.
            levels: the number of pyramid levels.
        """
        super().__init__()
        self.scene = nn.Sequential(nn.Conv2d(scene_channels, channels, 1), nn.ReLU(inplace=True),
                                   nn.Conv2d(channels, channels, 1))
        self.content = nn.ModuleList(_conv_1x1(channels) for _ in range(levels))
        self.reencode = nn.ModuleList(_conv_1x1(channels) for _ in range(levels))

    def forward(self, deepest: Tensor, levels: Sequence[Tensor]) -> list[Tensor]:
        """Each level multiplied by the sigmoid of its per-pixel similarity to the scene embedding."""
        scene = self.scene(F.adaptive_avg_pool2d(deepest, 1))
        related = []
        for content, reencode, level in zip(self.content, self.reencode, levels, strict=True):
            relation = (content(level) * scene).sum(dim=1, keepdim=True).sigmoid()
            related.append(relation * reencode(level))
        return related


def _conv_1x1(channels: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(channels, channels, 1, bias=False), nn.BatchNorm2d(channels), nn.ReLU(inplace=True))


class LightweightDecoder(nn.Module):
    """Brings every level to the finest one's resolution with conv+2x-upsampling steps, sums, classifies."""

    def __init__(self, channels: int, hidden: int, classes: int, levels: int) -> None:
        """Build ``i`` upsampling steps (at least one conv) for level ``i``.

        Args:
            channels: channels of the pyramid levels.
            hidden: channels inside the decoder.
            classes: the number of output channels.
            levels: the number of pyramid levels.
        """
        super().__init__()
        self.branches = nn.ModuleList(
            nn.Sequential(*[_conv_bn_relu(channels if step == 0 else hidden, hidden) for step in range(max(level, 1))])
            for level in range(levels)
        )
        self.classifier = nn.Conv2d(hidden, classes, 1)

    def forward(self, levels: Sequence[Tensor], size: tuple[int, int]) -> Tensor:
        """Logits at ``size`` pixels."""
        finest = levels[0].shape[-2:]
        total = sum(F.interpolate(branch(x), size=finest, mode="bilinear", align_corners=False)
                    for branch, x in zip(self.branches, levels, strict=True))
        return F.interpolate(self.classifier(total), size=size, mode="bilinear", align_corners=False)


class FarSeg(nn.Module):
    """FarSeg: a ResNet, a feature pyramid, foreground-scene relations and a light-weight decoder.

    Args:
        backbone: a timm ResNet-like name (``resnet50`` by default).
        classes: the number of output channels.
        backbone_weights: TorchGeo's name for ``weights``; give one of the two.
        in_channels: the number of input bands.
        weights: weights for the backbone (any form of :mod:`geotorch.models.loading`: registered weights of
            its architecture, a checkpoint file, ImageNet).
        bands: names of the input bands, to pick pretrained first-layer slices by name.
        channels: channels of the feature pyramid.
        decoder_channels: channels inside the decoder.
        adapt: whether weights for other bands may be adapted (as :func:`geotorch.models.load_pretrained`).
        strict: whether parameters that do not fit are an error (True) or left out with a warning.

    Raises:
        ValueError: if both ``weights`` and ``backbone_weights`` are given.
    """

    def __init__(
        self,
        backbone: str = "resnet50",
        classes: int = 16,
        backbone_weights: WeightsSpec = None,
        in_channels: int = 3,
        weights: WeightsSpec = None,
        bands: Sequence[str] | None = None,
        channels: int = 256,
        decoder_channels: int = 128,
        adapt: bool | None = None,
        strict: bool = True,
    ) -> None:
        super().__init__()
        if backbone_weights is not None and weights is not None:
            raise ValueError("FarSeg: give weights or backbone_weights (TorchGeo's name for them), not both")
        resolved = resolve_weights(weights if backbone_weights is None else backbone_weights, backbone)
        self.backbone = timm.create_model(
            backbone, features_only=True, out_indices=(1, 2, 3, 4), pretrained=False, in_chans=in_channels
        )
        if resolved is not None:
            load_pretrained(self.backbone, resolved, bands, adapt, strict=strict)
        info: Any = self.backbone.feature_info
        stage_channels: list[int] = info.channels()
        self.pyramid = FeaturePyramid(stage_channels, channels)
        self.relation = ForegroundSceneRelation(stage_channels[-1], channels, len(stage_channels))
        self.decoder = LightweightDecoder(channels, decoder_channels, classes, len(stage_channels))

    def forward(self, x: Tensor) -> Tensor:
        """Return ``(B, classes, H, W)`` logits for ``(B, in_channels, H, W)`` images."""
        features = self.backbone(x)
        levels = self.relation(features[-1], self.pyramid(features))
        result: Tensor = self.decoder(levels, x.shape[-2:])
        return result
