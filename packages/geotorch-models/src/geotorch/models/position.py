"""Fixed sine-cosine codes of positions and wavelengths, as used by MAE-style transformers."""

from __future__ import annotations

import torch
from torch import Tensor


def sincos_embedding(dim: int, positions: Tensor) -> Tensor:
    """Sine-cosine embedding of 1-D ``positions``: ``(M,)`` -> ``(M, dim)``, sines first."""
    frequencies = 1.0 / 10000 ** (torch.arange(dim // 2, dtype=torch.float32, device=positions.device) / (dim / 2))
    angles = positions.reshape(-1, 1).float() * frequencies
    return torch.cat([angles.sin(), angles.cos()], dim=1)


def grid_embedding(dim: int, rows: int, cols: int | None = None, spacing: float = 1.0) -> Tensor:
    """2-D sine-cosine embedding of a ``rows`` x ``cols`` grid (column code, then row code): ``(rows * cols, dim)``.

    Args:
        dim: the embedding size.
        rows: the grid's rows.
        cols: the grid's columns; ``rows`` when None (a square grid).
        spacing: the distance between neighbouring positions (Scale-MAE's unitless ``res``).

    Returns:
        One code per position, row by row (the order of flattened patch tokens).
    """
    across = rows if cols is None else cols
    row_positions = torch.arange(rows, dtype=torch.float32) * spacing
    col_positions = torch.arange(across, dtype=torch.float32) * spacing
    row_grid, col_grid = torch.meshgrid(row_positions, col_positions, indexing="ij")
    return torch.cat([sincos_embedding(dim // 2, col_grid), sincos_embedding(dim // 2, row_grid)], dim=1)
