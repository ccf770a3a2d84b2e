"""TorchGeo's model API (``torchgeo.models.get_model`` and friends) over the registry of geotorch.core.

Every name here asks the registry, so a plugin's models and weights are found exactly as ours are.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from geotorch.core import Weights, get_entry
from geotorch.core import get_weight as _get_weight
from geotorch.core import list_models as _list_models

if TYPE_CHECKING:
    from geotorch.models.weights_enums import WeightsEnum


def list_models() -> list[str]:
    """The names of every registered model builder, sorted (ours and every plugin's)."""
    return _list_models()


def get_model(name: str, *args: Any, **kwargs: Any) -> Any:
    """Build the model registered as ``name``, passing the builder every argument (TorchGeo's signature).

    Args:
        name: a registered model name (see :func:`list_models`).
        *args: the builder's positional arguments (GeoTorch's builders take ``weights`` first).
        **kwargs: the builder's keyword arguments (``weights``, ``in_chans``, ``num_classes``, ...).

    Returns:
        The built model, usually a ``torch.nn.Module``.

    Raises:
        KeyError: if no model has that name; the message lists the known ones.
    """
    builder = get_entry("model", name).load()
    return builder(*args, **kwargs)


def get_weight(name: str) -> Weights | WeightsEnum:
    """The weights ``name`` names: a weights enum member in TorchGeo's spelling, else a registered weight.

    Args:
        name: ``"ResNet50_Weights.SENTINEL2_ALL_MOCO"`` (TorchGeo's spelling: the enum member is returned) or
            a registered name such as ``"resnet50.sentinel2_all_moco"`` (the registered object is returned;
            ``geotorch weights`` lists them).

    Raises:
        AttributeError: if the enum exists but has no such member; the message lists its members.
        KeyError: if no weights have that name; the message lists the known ones.
    """
    # The enums are generated from every registered weight: imported only when weights are asked for.
    from geotorch.models.weights_enums import enum_member

    return enum_member(name) or _get_weight(name)


def get_model_weights(name: str | Callable[..., Any]) -> type[WeightsEnum]:
    """The weights enum of a registered model (``ResNet50_Weights`` for ``"resnet50"``), TorchGeo's signature.

    The enum is generated from the registry, so its members are every weight registered for the model,
    ours and every plugin's.

    Args:
        name: a registered model name, or the builder itself.

    Returns:
        The model's weights enum.

    Raises:
        KeyError: if ``name`` is not a registered model (or builder), or the model has no weights enum; the
            message lists the known ones.
    """
    from geotorch.models.weights_enums import model_weights_enum

    model = name if isinstance(name, str) else _registered_name(name)
    get_entry("model", model)
    return model_weights_enum(model)


def _registered_name(builder: Callable[..., Any]) -> str:
    """The registered name of a builder function, found without importing any other builder."""
    path = f"{getattr(builder, '__module__', '')}:{getattr(builder, '__qualname__', '')}"
    for model in _list_models():
        target = get_entry("model", model).target
        if target is builder or target == path:
            return model
    raise KeyError(f"{builder!r} is not a registered model builder; registered models: {_list_models()}")
