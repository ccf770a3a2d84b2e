"""Weights that are not registered: a checkpoint file, and timm's ImageNet weights (Hugging Face cache first).

Both satisfy :class:`geotorch.core.Weights`, so :func:`geotorch.models.load_pretrained` loads them by the
same rules as published weights. Neither states its input bands (``bands`` is empty): a ``bands=[...]``
selection by name is impossible, and a checkpoint file is adapted to another band count only when asked.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import Tensor

from geotorch.models.hub import load_checkpoint


@dataclass(frozen=True)
class CheckpointFile:
    """A checkpoint file as weights: a plain ``state_dict``, a wrapped one, a Lightning ``.ckpt`` or a safetensors file.

    Attributes:
        path: the file.
        arch: the architecture of the model it is loaded into (files do not say theirs).
        in_chans: None: a file does not state its band count (its first layer does).
        bands: empty: a file does not name its bands.
        sensor: None.
        product: None.
    """

    path: Path
    arch: str = ""
    in_chans: int | None = None
    bands: tuple[str, ...] = ()
    sensor: str | None = None
    product: str | None = None

    @property
    def name(self) -> str:
        """The file's path, for messages."""
        return str(self.path)

    @property
    def meta(self) -> dict[str, Any]:
        """The facts known of the file: its path and the architecture it is loaded into."""
        return {"path": str(self.path), "model": self.arch}

    def get_state_dict(self, progress: bool = True) -> dict[str, Tensor]:
        """The parameters in the file, read with ``torch.load(..., weights_only=True)`` or ``safetensors``.

        Raises:
            FileNotFoundError: if the file does not exist.
            geotorch.models.UnsafeCheckpointError: if reading it could run code.
            ValueError: if it holds no state dict.
        """
        if not self.path.is_file():
            raise FileNotFoundError(f"weights={str(self.path)!r}: no such checkpoint file")
        return load_checkpoint(self.path)


@dataclass(frozen=True)
class ImageNetWeights:
    """timm's ImageNet weights of ``arch`` (TorchGeo's ``weights=True``), from the Hugging Face cache or downloaded.

    A file already in the Hugging Face cache (``HF_HOME``, ``HF_HUB_CACHE``) is read without touching the
    network; otherwise timm's pretrained mechanism (``timm.create_model(arch, pretrained=True)``) downloads it
    into that cache, unless ``HF_HUB_OFFLINE`` is set.

    Attributes:
        arch: the timm architecture (``resnet50``).
        in_chans: 3 (RGB).
        bands: empty: the RGB bands are matched by position.
        sensor: None.
        product: None.
    """

    arch: str
    in_chans: int | None = 3
    bands: tuple[str, ...] = ()
    sensor: str | None = None
    product: str | None = None

    @property
    def name(self) -> str:
        """``imagenet``, for messages."""
        return "imagenet"

    @property
    def meta(self) -> dict[str, Any]:
        """The facts known of the weights: the architecture and the dataset."""
        return {"model": self.arch, "dataset": "ImageNet", "in_chans": self.in_chans}

    def get_state_dict(self, progress: bool = True) -> dict[str, Tensor]:
        """The ImageNet parameters of :attr:`arch`, from the Hugging Face cache, else downloaded by timm.

        Raises:
            ValueError: if they are neither cached nor downloadable (offline), saying in one line how to get them.
        """
        import timm
        from huggingface_hub import try_to_load_from_cache

        config: Any = timm.create_model(self.arch, pretrained=False).pretrained_cfg
        repo = config.get("hf_hub_id")
        found: Any = None
        if repo:
            for filename in ("model.safetensors", "pytorch_model.bin"):
                found = try_to_load_from_cache(repo, filename)
                if isinstance(found, str):
                    break
        if not isinstance(found, str):
            return self.download(repo)
        if found.endswith(".safetensors"):
            from safetensors.torch import load_file

            return dict(load_file(found))
        state: dict[str, Tensor] = torch.load(found, map_location="cpu", weights_only=True)
        return state

    def download(self, repo: str | None) -> dict[str, Tensor]:
        """The ImageNet parameters of :attr:`arch` downloaded by timm into the Hugging Face cache.

        Args:
            repo: the Hugging Face repository timm names for :attr:`arch`, for messages.

        Raises:
            ValueError: if ``HF_HUB_OFFLINE`` is set or the download fails; one line saying how to get the file.
        """
        import timm
        from huggingface_hub import constants

        missing = (
            f"weights='imagenet': no ImageNet weights of {self.arch!r} ({repo or 'no Hugging Face id'}) in the "
            f"Hugging Face cache {constants.HF_HUB_CACHE}"
        )
        how = (
            f"run `python -c \"import timm; timm.create_model('{self.arch}', pretrained=True)\"` once online to "
            "cache them, or pass a registered weight name (`geotorch weights`), a checkpoint file, or weights=None"
        )
        if constants.HF_HUB_OFFLINE:
            raise ValueError(f"{missing}, and HF_HUB_OFFLINE is set: {how}")
        try:
            network = timm.create_model(self.arch, pretrained=True)
        except (OSError, RuntimeError, ValueError) as error:
            raise ValueError(f"{missing}, and downloading them failed ({type(error).__name__}): {how}") from error
        return dict(network.state_dict())
