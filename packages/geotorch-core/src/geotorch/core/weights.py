"""What pretrained weights must offer, whoever publishes them, for any model builder and task to load them."""

from __future__ import annotations

import enum
import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from torch import Tensor


@runtime_checkable
class Weights(Protocol):
    """One pretrained checkpoint as a model builder loads it: its parameters and the input they expect.

    ``geotorch.models.Weights`` satisfies it, and so does any plugin's object with these attributes, so a
    plugin's weights are loaded by every builder and task (``weights=...``) exactly as ours are. Registered
    weights (``register_weights``) are found by :func:`geotorch.core.get_weight`.
    """

    @property
    def name(self) -> str:
        """The registered name, ``arch.tag`` (``resnet50.sentinel2_all_moco``)."""

    @property
    def arch(self) -> str:
        """The name of the registered model builder whose model the parameters fit (``resnet50``)."""

    @property
    def in_chans(self) -> int | None:
        """The number of input bands of the first layer, or None for spectrum-agnostic models."""

    @property
    def bands(self) -> Sequence[str]:
        """The names of the input bands in order, empty when unknown; ``bands=[...]`` is matched against them."""

    @property
    def sensor(self) -> str | None:
        """The sensor of the pretraining images (``sentinel2``), or None; it decides how band names match."""

    @property
    def product(self) -> str | None:
        """The input product the weights start from (``L2A``, ``SR``), or None."""

    @property
    def meta(self) -> Mapping[str, Any]:
        """Every fact as a plain mapping (TorchGeo's ``weights.meta``): what listings show."""

    def get_state_dict(self, progress: bool = True) -> dict[str, Tensor]:
        """The parameters, name -> tensor, downloaded and verified as needed.

        Args:
            progress: whether to show a progress bar while downloading.
        """


#: Every form a ``weights=`` argument takes: a registered weight name, a :class:`Weights` (or an enum member
#: holding one), a checkpoint file, ImageNet (``True``, ``"imagenet"``), or None / False for no weights.
WeightsSpec = Weights | enum.Enum | str | os.PathLike[str] | bool | None
