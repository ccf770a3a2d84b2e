"""Fixed sine-cosine codes of positions and wavelengths, as used by MAE-style transformers."""

from __future__ import annotations

import torch
from torch import Tensor


def sincos_embedding(dim: int, positions: Tensor) -> Tensor:
    """Sine-cosine embedding of 1-D ``positions``: ``(M,)`` -> ``(M, dim)``, sines first."""
    frequencies = 1.0 / 10000 ** (torch.arange(dim // 2, dtype=torch.float32, device=positions.device) / (dim / 2))
    angles = positions.reshape(-1, 1).float() * frequencies
    return torch.cat([angles.sin(), angles.cos()], dim=1)


def grid_embedding(dim: int, side: int, spacing: float = 1.0) -> Tensor:
    """2-D sine-cosine embedding of a ``side`` x ``side`` grid (column code, then row code): ``(side**2, dim)``."""
    coordinates = torch.arange(side, dtype=torch.float32) * spacing
    rows, cols = torch.meshgrid(coordinates, coordinates, indexing="ij")
    return torch.cat([sincos_embedding(dim // 2, cols), sincos_embedding(dim // 2, rows)], dim=1)
