"""Pretrained weight descriptions: where a checkpoint lives, how to check it, what input it expects."""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import asdict, dataclass, field
from pathlib import PurePosixPath
from typing import Any

from torch import Tensor

from geotorch.models.preprocessing import Preprocess, Preprocessing

#: The torchvision convention: a checkpoint's file name ends in ``-<first hex digits of its sha256>.<ext>``.
_HASH_SUFFIX = re.compile(r"-([0-9a-f]{8,64})\.[A-Za-z0-9]+$")


@dataclass(frozen=True)
class Weights:
    """One published checkpoint: its address, checksum, expected input and provenance.

    The registered name is ``f"{arch}.{tag}"`` (``resnet50.sentinel2_all_moco``), the architecture being the
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
        return PurePosixPath(urllib.parse.unquote(urllib.parse.urlsplit(self.url).path)).name

    @property
    def hash_prefix(self) -> str | None:
        """The leading hex digits of the file's SHA-256 carried in its file name, if any."""
        match = _HASH_SUFFIX.search(self.filename)
        return match.group(1) if match else None

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

    def get_state_dict(self, progress: bool = True) -> dict[str, Tensor]:
        """Download (once, into the cache), verify and load the checkpoint.

        Args:
            progress: whether to show a progress bar while downloading.

        Returns:
            The state dict, loaded with ``torch.load(..., weights_only=True)``.
        """
        from geotorch.models.hub import load_state_dict

        return load_state_dict(self, progress=progress)
