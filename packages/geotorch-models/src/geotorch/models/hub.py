"""The weights cache: download checkpoints once, verify their hash, load them without running code."""

from __future__ import annotations

import pickle
from pathlib import Path

import torch
from torch import Tensor

from geotorch.core import download_url
from geotorch.core.cache import cache_home
from geotorch.models.weights import Weights


class UnsafeCheckpointError(ValueError):
    """A checkpoint holds something other than tensors and plain containers, so loading it could run code."""


def weights_dir() -> Path:
    """The folder downloaded checkpoints are kept in."""
    return cache_home() / "weights"


def download_weights(weights: Weights, root: str | Path | None = None, progress: bool = True) -> Path:
    """Fetch ``weights`` into the cache unless a verified copy is already there.

    The file's SHA-256 must equal :attr:`Weights.sha256`, else start with the hash suffix of its file name
    (torchvision's convention). :func:`geotorch.core.download_url` checks it as the bytes arrive, into a
    locked partial file that gets the final name only once it matches: a download killed at any point
    (SIGKILL included) leaves only that partial file, which the next download of the same weights removes,
    while one still being written by another process is left alone. A cached file that no longer matches
    is removed and downloaded again.

    Args:
        weights: the checkpoint to fetch.
        root: the folder to keep it in (:func:`weights_dir` when None).
        progress: whether to show a progress bar.

    Returns:
        The path of the verified file.

    Raises:
        ValueError: if ``weights`` carries neither a SHA-256 nor a hash suffix in its file name.
        geotorch.core.ChecksumError: if the received file does not match; it is not kept.
        geotorch.core.DownloadError: if the URL cannot be fetched.
    """
    folder = Path(root) if root is not None else weights_dir()
    if weights.sha256 is not None:
        return download_url(weights.url, folder, weights.filename, sha256=weights.sha256, progress=progress)
    prefix = weights.hash_prefix
    if prefix is None:
        raise ValueError(
            f"{weights.name}: no sha256 and no hash suffix in {weights.filename!r}; refusing an unverifiable file"
        )
    return download_url(weights.url, folder, weights.filename, progress=progress, sha256_prefix=prefix)


def load_checkpoint(path: str | Path) -> dict[str, Tensor]:
    """Read a state dict saved with ``torch.save``, refusing anything that would need code to unpickle.

    A checkpoint that wraps its state dict under ``state_dict`` or ``model`` is unwrapped.

    Args:
        path: the checkpoint file.

    Returns:
        The parameter name -> tensor mapping.

    Raises:
        UnsafeCheckpointError: if the file holds objects ``torch.load(..., weights_only=True)`` refuses.
        ValueError: if the file is not a readable checkpoint or holds no state dict.
    """
    try:
        content = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as error:
        raise UnsafeCheckpointError(
            f"{path}: refused, it holds objects other than tensors and plain containers, and unpickling them "
            "could run code; GeoTorch loads weights only with torch.load(weights_only=True)"
        ) from error
    except (RuntimeError, EOFError, OSError) as error:
        raise ValueError(f"{path}: not a readable PyTorch checkpoint ({error})") from error
    if isinstance(content, dict):
        for key in ("state_dict", "model"):
            if isinstance(content.get(key), dict):
                content = content[key]
                break
    if not isinstance(content, dict) or not all(isinstance(value, Tensor) for value in content.values()):
        raise ValueError(f"{path}: holds no state dict (a mapping of parameter names to tensors)")
    return {str(key): value for key, value in content.items()}


def load_state_dict(weights: Weights, root: str | Path | None = None, progress: bool = True) -> dict[str, Tensor]:
    """Download (if needed), verify and read the state dict of ``weights``.

    Args:
        weights: the checkpoint to load.
        root: the cache folder (:func:`weights_dir` when None).
        progress: whether to show a progress bar while downloading.

    Returns:
        The state dict.
    """
    return load_checkpoint(download_weights(weights, root, progress))


def timm_overlay(weights: Weights, root: str | Path | None = None, progress: bool = True) -> dict[str, object]:
    """A ``pretrained_cfg_overlay`` that makes :func:`timm.create_model` load GeoTorch weights.

    ``timm.create_model(weights.arch, pretrained=True, pretrained_cfg_overlay=timm_overlay(weights),
    in_chans=weights.in_chans)`` downloads and verifies the file through GeoTorch's cache, then lets timm
    load it (timm too reads with ``weights_only=True``). With another ``in_chans``, timm adapts the first
    layer by its own rule (``timm.models.adapt_input_conv``), not by :mod:`geotorch.models.adapt`'s.

    Args:
        weights: weights for a timm architecture (``weights.arch`` is a timm model name).
        root: the cache folder (:func:`weights_dir` when None).
        progress: whether to show a download progress bar.

    Returns:
        The overlay: the local file, its band count and no classifier.
    """
    path = download_weights(weights, root, progress)
    return {
        "file": str(path),
        "input_size": (weights.in_chans or 3, weights.img_size, weights.img_size),
        "num_classes": 0,
    }
