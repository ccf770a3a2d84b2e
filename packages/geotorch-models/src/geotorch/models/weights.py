"""Pretrained weight descriptions: where a checkpoint lives, how to check it, what input it expects."""

from __future__ import annotations

import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch import Tensor

from geotorch.models.hub import download_checkpoint, hash_prefix, load_checkpoint, url_filename
from geotorch.models.preprocessing import Preprocess, Preprocessing


@dataclass(frozen=True)
class Weights:
    """One published checkpoint: its address, checksum, expected input and provenance.

    It satisfies :class:`geotorch.core.Weights`, the protocol every builder and task loads. The registered
    name is ``f"{arch}.{tag}"`` (``resnet50.sentinel2_all_moco``), the architecture being the
    name of the GeoTorch model builder that loads it.

    Attributes:
        arch: name of the registered model builder the checkpoint fits (``resnet50``).
        tag: what distinguishes it among that architecture's weights (``sentinel2_all_moco``).
        url: https address of the checkpoint (a ``state_dict`` saved with ``torch.save``).
        in_chans: number of input bands, or None for spectrum-agnostic models (DOFA) that take any bands.
        bands: names of the input bands, in order (empty for spectrum-agnostic models).
        sensor: the sensor of the pretraining images (``sentinel2``, ``landsat8``, ``naip``, ...).
        dataset: the pretraining dataset.
        license: licence of the weights (SPDX identifier where one exists).
        publication: the paper that describes the weights.
        repo: the code that produced them.
        preprocessing: the publisher's arithmetic from the raw values of :attr:`product` (as
            ``preprocessing.input_values`` describes them) to the model's input.
        ssl_method: the (self-)supervised method (``moco``, ``dino``, ``mae``, ...), or None.
        resolution: ground sample distance of the pretraining images in metres, or None when it varies.
        product: the input product the preprocessing starts from (``L1C``, ``L2A``, ``TCI``, ``TOA``, ``SR``,
            ``GRD``, ``L1``), or None when any 8-bit image will do.
        img_size: the image size the model was trained at.
        sha256: the full SHA-256 of the file, when the publisher states it; otherwise the URL's hash suffix
            is what is verified (see :attr:`hash_prefix`).
        checksum_source: where the checksum was taken from, in words.
        wavelengths: central wavelength of every band in micrometres, for models that use them.
        notes: anything else a user should know (deviations, conventions).
    """

    arch: str
    tag: str
    url: str
    in_chans: int | None
    bands: tuple[str, ...]
    sensor: str
    dataset: str
    license: str
    publication: str
    repo: str
    preprocessing: Preprocessing = field(default_factory=Preprocessing)
    ssl_method: str | None = None
    resolution: float | None = None
    product: str | None = None
    img_size: int = 224
    sha256: str | None = None
    checksum_source: str = "torchvision-style hash suffix of the file name (first hex digits of its SHA-256)"
    wavelengths: tuple[float, ...] = ()
    notes: str = ""

    @property
    def name(self) -> str:
        """The registered name, ``arch.tag``."""
        return f"{self.arch}.{self.tag}"

    @property
    def filename(self) -> str:
        """The file name of the checkpoint, from its URL."""
        return url_filename(self.url)

    @property
    def hash_prefix(self) -> str | None:
        """The leading hex digits of the file's SHA-256 carried in its file name, if any."""
        return hash_prefix(self.filename)

    @property
    def transforms(self) -> Preprocess:
        """The preprocessing as an ``nn.Module`` (TorchGeo's ``weights.transforms``)."""
        return self.preprocessing.module()

    @property
    def meta(self) -> dict[str, Any]:
        """Every fact as a plain dict (TorchGeo's ``weights.meta``), ``model`` being the architecture."""
        facts = asdict(self)
        facts["model"] = self.arch
        facts["bands"] = list(self.bands)
        facts["wavelengths"] = list(self.wavelengths)
        return facts

    def registry_metadata(self) -> dict[str, Any]:
        """The facts ``list_weights(**metadata)`` filters on: arch, in_chans, bands, sensor, dataset, ..."""
        return {
            "arch": self.arch,
            "in_chans": self.in_chans,
            "bands": list(self.bands),
            "sensor": self.sensor,
            "dataset": self.dataset,
            "ssl_method": self.ssl_method,
            "resolution": self.resolution,
            "product": self.product,
            "license": self.license,
            "publication": self.publication,
        }

    def get_state_dict(
        self,
        progress: bool = True,
        check_hash: bool = True,
        *,
        weights_only: bool = True,
        model_dir: str | Path | None = None,
        map_location: str | torch.device = "cpu",
    ) -> dict[str, Tensor]:
        """Find (in torch.hub's or Hugging Face's cache) or download, verify and load the checkpoint.

        The keywords are those TorchGeo passes to ``torch.hub.load_state_dict_from_url``; see
        :func:`geotorch.models.hub.download_checkpoint` for where the file is looked for and kept.

        Args:
            progress: whether to show a progress bar while downloading.
            check_hash: whether a cached copy is verified before it is used (a download always is): its SHA-256
                must equal :attr:`sha256`, else start with the hash suffix of its file name, as torch.hub checks.
            weights_only: must be True: GeoTorch reads checkpoints only with ``torch.load(weights_only=True)``.
            model_dir: a folder to keep the file in instead of the caches.
            map_location: where to put the tensors.

        Returns:
            The state dict.

        Raises:
            ValueError: if ``weights_only`` is False.
            geotorch.core.ChecksumError: if a downloaded file does not match.
            geotorch.core.DownloadError: if no cache holds the file and it cannot be fetched; the message says
                where to put it.
        """
        if not weights_only:
            raise ValueError(
                f"{self.name}: weights_only=False refused; GeoTorch reads checkpoints only with "
                "torch.load(weights_only=True), which cannot run code"
            )
        return load_state_dict(self, model_dir, progress, check_hash, map_location)


def download_weights(
    weights: Weights, root: str | Path | None = None, progress: bool = True, check_hash: bool = True
) -> Path:
    """The file of ``weights``: a cached copy, else downloaded once and verified.

    The file's SHA-256 must equal :attr:`Weights.sha256`, else start with the hash suffix of its file name
    (torchvision's convention). See :func:`geotorch.models.hub.download_checkpoint` for the caches looked in
    (torch.hub's checkpoint folder, the Hugging Face cache for ``hf.co`` files) and for what a killed or
    concurrent download leaves.

    Args:
        weights: the checkpoint to fetch.
        root: a folder to keep it in instead of the caches.
        progress: whether to show a progress bar.
        check_hash: whether a cached copy is verified before it is used (a download always is).

    Returns:
        The path of the file.

    Raises:
        ValueError: if ``weights`` carries neither a SHA-256 nor a hash suffix in its file name.
        geotorch.core.ChecksumError: if the received file does not match; it is not kept.
        geotorch.core.DownloadError: if no cache holds the file and it cannot be fetched; the message says
            where to put it.
    """
    return download_checkpoint(weights.url, weights.sha256, root, progress, what=weights.name, check_hash=check_hash)


def load_state_dict(
    weights: Weights,
    root: str | Path | None = None,
    progress: bool = True,
    check_hash: bool = True,
    map_location: str | torch.device = "cpu",
) -> dict[str, Tensor]:
    """Find or download, verify and read the state dict of ``weights``.

    A cached copy taken unverified (``check_hash=False``) that cannot be read (cut short, overwritten) is
    verified after all, with a warning naming it: a damaged copy is replaced by a verified download.

    Args:
        weights: the checkpoint to load.
        root: a folder to keep it in instead of the caches.
        progress: whether to show a progress bar while downloading.
        check_hash: whether a cached copy is verified before it is used (a download always is).
        map_location: where to put the tensors.

    Returns:
        The state dict.

    Raises:
        ValueError: if the verified file cannot be read, naming it.
    """
    path = download_weights(weights, root, progress, check_hash)
    try:
        return load_checkpoint(path, map_location)
    except ValueError as error:
        if check_hash:
            raise
        warnings.warn(
            f"{weights.name}: {error}; it was taken unverified (check_hash=False): downloading it again, verified",
            stacklevel=3,
        )
    return load_checkpoint(download_weights(weights, root, progress, check_hash=True), map_location)


def timm_overlay(weights: Weights, root: str | Path | None = None, progress: bool = True) -> dict[str, object]:
    """A ``pretrained_cfg_overlay`` that makes :func:`timm.create_model` load GeoTorch weights.

    ``timm.create_model(weights.arch, pretrained=True, pretrained_cfg_overlay=timm_overlay(weights),
    in_chans=weights.in_chans)`` downloads and verifies the file through GeoTorch's cache, then lets timm
    load it (timm too reads with ``weights_only=True``). With another ``in_chans``, timm adapts the first
    layer by its own rule (``timm.models.adapt_input_conv``), not by :mod:`geotorch.models.adapt`'s.

    Args:
        weights: weights for a timm architecture (``weights.arch`` is a timm model name).
        root: a folder to keep it in instead of the caches.
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
