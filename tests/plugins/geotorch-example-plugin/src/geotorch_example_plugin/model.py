"""example_cnn: a two-layer CNN builder and a weight description for it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import torch
from torch import Tensor, nn

from geotorch.core import get_weight


@dataclass(frozen=True)
class ExampleWeights:
    """What pretrained weights for ``example_cnn`` are and what they expect.

    Attributes:
        arch: the model name the weights belong to.
        in_chans: input channels the weights expect.
        num_classes: output classes the weights predict.
        seed: seed of the stand-in parameters (a real plugin would have a URL).
        meta: free-form facts (sensor, licence, ...).
    """

    arch: str
    in_chans: int
    num_classes: int
    seed: int
    meta: dict[str, Any] = field(default_factory=dict)

    def state_dict(self) -> dict[str, Tensor]:
        """The parameters: deterministic stand-ins where a real plugin would download a file."""
        generator = torch.Generator().manual_seed(self.seed)
        shapes = _layers(self.in_chans, self.num_classes).state_dict()
        return {key: torch.randn(value.shape, generator=generator) for key, value in shapes.items()}


EXAMPLE_CNN_SEED0 = ExampleWeights("example_cnn", in_chans=3, num_classes=2, seed=0, meta={"sensor": "rgb"})


def _layers(in_chans: int, num_classes: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(in_chans, 8, 3, padding=1), nn.ReLU(), nn.Conv2d(8, num_classes, 1))


def example_cnn(in_chans: int = 3, num_classes: int = 2, weights: ExampleWeights | str | None = None) -> nn.Module:
    """Build a per-pixel classifier of two convolutions.

    Args:
        in_chans: input channels.
        num_classes: output classes.
        weights: an :class:`ExampleWeights` or the registered name of one.

    Returns:
        The model, with the weights loaded when given.

    Raises:
        TypeError: if ``weights`` is not (the name of) an :class:`ExampleWeights`.
        ValueError: if the weights expect other ``in_chans`` or ``num_classes``.
    """
    model = _layers(in_chans, num_classes)
    if weights is None:
        return model
    resolved = get_weight(weights) if isinstance(weights, str) else weights
    if not isinstance(resolved, ExampleWeights):
        raise TypeError(f"example_cnn: weights={weights!r} is not an ExampleWeights; see list_weights('example_cnn.*')")
    if (resolved.in_chans, resolved.num_classes) != (in_chans, num_classes):
        raise ValueError(
            f"example_cnn: weights expect in_chans={resolved.in_chans}, num_classes={resolved.num_classes}; "
            f"got in_chans={in_chans}, num_classes={num_classes}"
        )
    model.load_state_dict(resolved.state_dict())
    return model
