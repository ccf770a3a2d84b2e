"""TorchGeo's weights enums (``ResNet50_Weights.SENTINEL2_ALL_MOCO``), generated from the registered weights.

The registry stays the one source of truth: each enum holds, when first imported, every weight registered
(``register_weights``, ours or a plugin's) for its architecture. A member is named after the registered tag in
capitals (``resnet50.sentinel2_all_moco`` -> ``SENTINEL2_ALL_MOCO``); the few TorchGeo spells otherwise are in
:data:`MEMBER_NAMES`, and the tag's own spelling stays an alias. Each enum keeps TorchGeo 0.10.1's name.
"""

from __future__ import annotations

import re
from enum import Enum, EnumType
from pathlib import Path
from typing import Any, cast

import torch
from torch import Tensor

from geotorch.core import get_weight, list_weights
from geotorch.models.weights import Weights

#: Registered weights whose TorchGeo member is not their tag in capitals.
MEMBER_NAMES = {
    "resnet50.sentinel1_grd_moco": "SENTINEL1_ALL_MOCO",
    "resnet50.sentinel1_grd_decur": "SENTINEL1_ALL_DECUR",
    "scalemae_large_patch16.fmow_rgb_scalemae": "FMOW_RGB",
}

#: TorchGeo's enum-name spelling of a weight: ``ResNet50_Weights.SENTINEL2_ALL_MOCO``.
_ENUM_NAME = re.compile(r"(\w+_Weights)\.(\w+)")

#: Every generated enum by architecture, filled as the module's enums are made.
_BY_ARCH: dict[str, type[WeightsEnum]] = {}


class WeightsEnumType(EnumType):
    """The metaclass of weights enums: a missing member is an error that lists the members there are."""

    def __getattr__(cls, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        members = list(cls.__members__)
        raise AttributeError(
            f"{cls.__name__} has no member {name!r}: GeoTorch registers no such weights for this model "
            f"(members: {members}); `geotorch weights` lists every registered weight"
        )


class WeightsEnum(Enum, metaclass=WeightsEnumType):
    """Registered weights of one architecture as enum members, as TorchGeo's (torchvision's) ``WeightsEnum``.

    ``member.value`` is the registered weights object (a :class:`geotorch.models.Weights` for ours);
    ``url``, ``transforms`` and ``meta`` read it, ``get_state_dict`` loads it. Members pass as ``weights=`` to
    every builder and task.
    """

    @property
    def url(self) -> str:
        """The checkpoint's address."""
        url: str = self.value.url
        return url

    @property
    def transforms(self) -> Any:
        """The preprocessing as an ``nn.Module``."""
        return self.value.transforms

    @property
    def meta(self) -> dict[str, Any]:
        """Every fact of the weights as a plain dict."""
        return dict(self.value.meta)

    def get_state_dict(
        self,
        progress: bool = True,
        check_hash: bool = True,
        *,
        weights_only: bool = True,
        model_dir: str | Path | None = None,
        map_location: str | torch.device = "cpu",
    ) -> dict[str, Tensor]:
        """The parameters, cached or downloaded, verified (see :meth:`geotorch.models.Weights.get_state_dict`).

        Args:
            progress: whether to show a progress bar while downloading.
            check_hash: whether a cached copy is verified before it is used (a download always is).
            weights_only: must be True: checkpoints are read only with ``torch.load(weights_only=True)``.
            model_dir: a folder to keep the file in instead of the caches.
            map_location: where to put the tensors.

        Raises:
            ValueError: if ``weights_only`` is False.
        """
        weights = self.value
        if isinstance(weights, Weights):
            return weights.get_state_dict(
                progress, check_hash, weights_only=weights_only, model_dir=model_dir, map_location=map_location
            )
        if not weights_only:
            raise ValueError(f"{self!r}: weights_only=False refused; GeoTorch loads only tensors")
        state: dict[str, Tensor] = weights.get_state_dict(progress=progress)
        return state

    def __repr__(self) -> str:
        return f"{type(self).__name__}.{self.name}"


def member_name(name: str) -> str:
    """The enum member of the registered weights ``name``: TorchGeo's where :data:`MEMBER_NAMES` says, else the tag."""
    return MEMBER_NAMES.get(name) or tag_member(name)


def tag_member(name: str) -> str:
    """The registered tag of ``name`` (``arch.tag``) in capitals, as an identifier."""
    return re.sub(r"\W", "_", name.partition(".")[2]).upper()


def weights_enum(enum_name: str, arch: str) -> type[WeightsEnum]:
    """Make the enum ``enum_name`` of every weight registered for the model ``arch``, in registry order.

    Args:
        enum_name: TorchGeo's name of the enum (``ResNet50_Weights``).
        arch: the registered model builder (``resnet50``).

    Returns:
        The enum; empty when no weights are registered for ``arch``.
    """
    members: dict[str, Any] = {}
    for name in list_weights(arch=arch):
        weights = get_weight(name)
        members.setdefault(member_name(name), weights)
        members.setdefault(tag_member(name), weights)
    # The functional API, which type checkers do not model for subclasses with members given at run time.
    enum: type[WeightsEnum] = cast(Any, WeightsEnum)(enum_name, members, module=__name__, qualname=enum_name)
    _BY_ARCH[arch] = enum
    return enum


def model_weights_enum(arch: str) -> type[WeightsEnum]:
    """The weights enum of the registered model ``arch`` (TorchGeo's ``get_model_weights``).

    Raises:
        KeyError: if TorchGeo has no weights enum for that model; the message lists those there are.
    """
    try:
        return _BY_ARCH[arch]
    except KeyError:
        raise KeyError(f"no weights enum for the model {arch!r}; there are enums for {sorted(_BY_ARCH)}") from None


def enum_member(text: str) -> WeightsEnum | None:
    """The member ``text`` names in TorchGeo's spelling (``"ResNet50_Weights.SENTINEL2_ALL_MOCO"``), else None.

    Raises:
        AttributeError: if the enum exists and lacks the member; the message lists its members.
    """
    match = _ENUM_NAME.fullmatch(text)
    enums = {enum.__name__: enum for enum in _BY_ARCH.values()}
    if match is None or match[1] not in enums:
        return None
    member: WeightsEnum = getattr(enums[match[1]], match[2])
    return member


ResNet18_Weights = weights_enum("ResNet18_Weights", "resnet18")
ResNet50_Weights = weights_enum("ResNet50_Weights", "resnet50")
ResNet152_Weights = weights_enum("ResNet152_Weights", "resnet152")
ViTSmall16_Weights = weights_enum("ViTSmall16_Weights", "vit_small_patch16_224")
ViTBase16_Weights = weights_enum("ViTBase16_Weights", "vit_base_patch16_224")
ViTLarge16_Weights = weights_enum("ViTLarge16_Weights", "vit_large_patch16_224")
Swin_V2_T_Weights = weights_enum("Swin_V2_T_Weights", "swin_v2_t")
Swin_V2_B_Weights = weights_enum("Swin_V2_B_Weights", "swin_v2_b")
DOFABase16_Weights = weights_enum("DOFABase16_Weights", "dofa_base_patch16_224")
DOFALarge16_Weights = weights_enum("DOFALarge16_Weights", "dofa_large_patch16_224")
ScaleMAELarge16_Weights = weights_enum("ScaleMAELarge16_Weights", "scalemae_large_patch16")
