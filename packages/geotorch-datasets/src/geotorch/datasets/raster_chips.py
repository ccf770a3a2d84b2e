"""Reading benchmark chips (GeoTIFF, PNG, JPEG) into tensors, georeferenced or not."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import rasterio
import torch
from rasterio.errors import NotGeoreferencedWarning
from torch import Tensor


def read_array(path: Path, indexes: Sequence[int] | None = None) -> np.ndarray:
    """The bands ``indexes`` (1-based; all when None) of the chip at ``path`` as a ``(C, H, W)`` array.

    PNG and JPEG chips carry no georeferencing; the warning rasterio gives for them says nothing here.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotGeoreferencedWarning)
        with rasterio.open(path) as source:
            return np.asarray(source.read(None if indexes is None else list(indexes)))


def read_image(path: Path, indexes: Sequence[int] | None = None) -> Tensor:
    """The bands ``indexes`` (1-based; all when None) of the chip at ``path`` as float32 ``(C, H, W)``."""
    return torch.from_numpy(read_array(path, indexes).astype(np.float32))


def read_bands(paths: Sequence[Path]) -> Tensor:
    """Single-band files (one per band, same grid) stacked in order into a float32 ``(C, H, W)`` image."""
    return torch.cat([read_image(path, [1]) for path in paths])


def read_label(path: Path, band: int = 1) -> np.ndarray:
    """One band of a label chip as an ``(H, W)`` array of its stored values."""
    return np.asarray(read_array(path, [band])[0])


def read_binary(path: Path) -> Tensor:
    """A change or building label stored as 0 / 255 (any non-zero value is the positive class) as int64 0 / 1."""
    return torch.from_numpy((read_label(path) > 0).astype(np.int64))
