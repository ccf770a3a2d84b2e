"""Weights that are not registered: a checkpoint file, and timm's ImageNet weights (Hugging Face cache first).

Both satisfy :class:`geotorch.core.Weights`, so :func:`geotorch.models.load_pretrained` loads them by the
same rules as published weights. Neither states its input bands (``bands`` is empty): a ``bands=[...]``
selection by name is impossible, and a checkpoint file is adapted to another band count only when asked.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from torch import Tensor

from geotorch.models.hub import load_checkpoint
from geotorch.models.huggingface import HubFile, cached_hub_file, download_hub_file, hf_cache_dir, hf_offline

#: The files of a timm repository on the Hugging Face Hub that hold its weights, in the order timm reads them.
_HUB_FILENAMES = ("model.safetensors", "pytorch_model.bin")


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

    A file already in the Hugging Face cache is read without touching the network; otherwise it is downloaded
    into that cache from the architecture's Hugging Face repository (timm's ``hf_hub_id``), unless
    ``HF_HUB_OFFLINE`` is set. ``HF_HOME``, ``HF_HUB_CACHE``, ``HF_HUB_OFFLINE`` and ``HF_ENDPOINT`` are read at
    each call (:mod:`geotorch.models.huggingface`), so settings made after ``import geotorch.models`` count.

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
        """The ImageNet parameters of :attr:`arch`, from the Hugging Face cache, else downloaded into it.

        Raises:
            ValueError: if they are neither cached nor downloadable (offline), saying in one line how to get them.
        """
        import timm

        config: Any = timm.create_model(self.arch, pretrained=False).pretrained_cfg
        repo = config.get("hf_hub_id")
        for filename in _HUB_FILENAMES if repo else ():
            found = cached_hub_file(HubFile(repo, filename, "main"))
            if found is not None:
                return load_checkpoint(found)
        return self.download(repo)

    def download(self, repo: str | None) -> dict[str, Tensor]:
        """The ImageNet parameters of :attr:`arch` downloaded into the Hugging Face cache.

        The file of the Hugging Face repository ``repo`` (``model.safetensors``, else ``pytorch_model.bin``) is
        fetched with ``huggingface_hub``; an architecture without a repository is built by timm's pretrained
        mechanism (``timm.create_model(arch, pretrained=True)``).

        Args:
            repo: the Hugging Face repository timm names for :attr:`arch`, or None.

        Raises:
            ValueError: if ``HF_HUB_OFFLINE`` is set or the download fails; one line saying how to get the file.
        """
        import timm

        missing = (
            f"weights='imagenet': no ImageNet weights of {self.arch!r} ({repo or 'no Hugging Face id'}) in the "
            f"Hugging Face cache {hf_cache_dir()}"
        )
        how = (
            f"run `python -c \"import timm; timm.create_model('{self.arch}', pretrained=True)\"` once online to "
            "cache them, or pass a registered weight name (`geotorch weights`), a checkpoint file, or weights=None"
        )
        if hf_offline():
            raise ValueError(f"{missing}, and HF_HUB_OFFLINE is set: {how}")
        if not repo:
            try:
                return dict(timm.create_model(self.arch, pretrained=True).state_dict())
            except (OSError, RuntimeError, ValueError) as error:
                raise ValueError(f"{missing}, and downloading them failed ({type(error).__name__}): {how}") from error
        failures = []
        for filename in _HUB_FILENAMES:
            try:
                return load_checkpoint(download_hub_file(HubFile(repo, filename, "main")))
            except OSError as error:
                failures.append(f"{filename}: {error}")
        raise ValueError(f"{missing}, and downloading them failed ({'; '.join(failures)}): {how}")
