"""How tasks build the registered models their ``model`` argument names, weights included.

A task names a model registered (by any plugin) with the task's kind as its ``task`` metadata
(``segmentation``, ``change_detection``, ``object_detection``, ``instance_segmentation``). It builds it
with :func:`geotorch.core.get_model`, passing its own arguments (``weights``, ``backbone``,
``in_channels``, ``num_classes``, and task-specific ones such as ``num_filters``) under the builder's
keyword names, which the registration's metadata gives:

- ``arguments``: task argument -> builder keyword, listing every task argument the builder takes (a
  registration without it takes ``weights``, ``backbone``, ``in_channels`` and ``num_classes`` under
  those names);
- ``backbone_prefix``: put before the backbone's timm name (smp's ``tu-``);
- ``aliases``: other names the task accepts for the model (``unet++``).

Weights are loaded by the builder (geotorch-models resolves every form of ``weights=``); a task only
restates a band-count misfit in its own terms (``in_channels``).
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from geotorch.core import WeightsMismatchError, WeightsSpec, get_entry, get_model, list_models

#: The task arguments a registered model takes when its registration does not say.
DEFAULT_ARGUMENTS = ("weights", "backbone", "in_channels", "num_classes")


def find_model(model: str, task: str) -> str | None:
    """The registered name of ``model`` among the models of ``task`` (any case, or one of their aliases)."""
    wanted = model.lower()
    for name in list_models(task=task):
        aliases = get_entry("model", name).metadata.get("aliases", ())
        if wanted == name.lower() or wanted in [alias.lower() for alias in aliases]:
            return name
    return None


def model_choices(task: str) -> list[str]:
    """The names a task of kind ``task`` accepts, in alphabetical order, each followed by its aliases."""
    choices: list[str] = []
    for name in sorted(list_models(task=task), key=str.lower):
        choices += [name.lower(), *get_entry("model", name).metadata.get("aliases", ())]
    return choices


def build_model(name: str, model: str, weights: WeightsSpec, **arguments: Any) -> nn.Module:
    """Build the registered model ``name`` with a task's arguments, as the module docstring describes.

    Args:
        name: the registered name (:func:`find_model`).
        model: the name the task was given, for messages.
        weights: the task's ``weights`` (any form geotorch-models resolves).
        **arguments: the task's other arguments; those the model does not take are left out.

    Returns:
        The model, with its weights.

    Raises:
        ValueError: if weights are given to a model that takes none.
        geotorch.core.WeightsMismatchError: if the weights do not fit; for another band count the message
            says which ``in_channels`` they take.
    """
    metadata = get_entry("model", name).metadata
    takes: dict[str, str] = metadata.get("arguments") or {argument: argument for argument in DEFAULT_ARGUMENTS}
    if weights is not None and weights is not False and "weights" not in takes:
        raise ValueError(f"model={model!r} has no pretrained weights; got weights={weights!r}")
    if "backbone" in arguments:
        arguments["backbone"] = metadata.get("backbone_prefix", "") + str(arguments["backbone"]).removeprefix("tu-")
    keywords = {takes[argument]: value for argument, value in arguments.items() if argument in takes}
    if weights is not None and "weights" in takes:
        keywords[takes["weights"]] = weights
    return build(name, **keywords)


def build(name: str, **keywords: Any) -> nn.Module:
    """:func:`geotorch.core.get_model`, a band-count misfit of the weights restated in a task's terms.

    Raises:
        geotorch.core.WeightsMismatchError: if the weights do not fit the model.
    """
    try:
        network: nn.Module = get_model(name, **keywords)
    except WeightsMismatchError as error:
        if error.weights_bands is None:
            raise
        raise WeightsMismatchError(
            f"weights {error.weights!r} take {error.weights_bands} bands but the task has in_channels="
            f"{error.model_bands}; set in_channels: {error.weights_bands}, choose weights trained on "
            f"{error.model_bands} bands, or start without weights",
            error.weights,
            error.weights_bands,
            error.model_bands,
        ) from error
    return network


def encoder_of(network: nn.Module) -> nn.Module | None:
    """The part ``freeze_backbone`` freezes: the network's ``encoder``, else its ``backbone``, else None."""
    for part in ("encoder", "backbone"):
        found = getattr(network, part, None)
        if isinstance(found, nn.Module):
            return found
    return None


def decoder_of(network: nn.Module) -> nn.Module | None:
    """The part ``freeze_decoder`` freezes: the network's ``decoder``, or None."""
    found = getattr(network, "decoder", None)
    return found if isinstance(found, nn.Module) else None


def freeze_parts(network: nn.Module, model: str, owner: str, backbone: bool, decoder: bool) -> None:
    """Freeze the network's encoder (``freeze_backbone``) and its decoder (``freeze_decoder``), as asked.

    A network without the part asked for (the FCN has no decoder, a plugin's model may have neither) is refused
    rather than trained whole while the task says the part is frozen.

    Args:
        network: the task's network.
        model: the task's ``model`` argument, for messages.
        owner: the task's name, for messages.
        backbone: whether to freeze :func:`encoder_of` the network.
        decoder: whether to freeze :func:`decoder_of` the network.

    Raises:
        ValueError: if a part asked for is not there, naming the argument, the model and the parts it has.
    """
    for flag, asked, part, what in (
        ("freeze_backbone", backbone, encoder_of(network), "encoder or backbone"),
        ("freeze_decoder", decoder, decoder_of(network), "decoder"),
    ):
        if not asked:
            continue
        if part is None:
            parts = ", ".join(name for name, _ in network.named_children()) or "none"
            raise ValueError(
                f"{owner}: {flag}=True but model={model!r} has no {what} to freeze (its parts: {parts}); "
                f"leave {flag} False, or choose a model that has one"
            )
        freeze(part)


def freeze(module: nn.Module | None) -> None:
    """Stop ``module``'s parameters from training (nothing for None)."""
    if module is None:
        return
    for parameter in module.parameters():
        parameter.requires_grad = False


def input_dtype_of(model: nn.Module) -> torch.dtype:
    """The dtype a model takes its input in: that of its first floating-point parameter or buffer (float32 if none).

    A model made ``.double()`` or ``.bfloat16()``, or trained in a true half precision, takes float64 or bfloat16
    input; its first layer refuses another floating-point dtype and every integer one.
    """
    for tensor in (*model.parameters(), *model.buffers()):
        if tensor.is_floating_point():
            return tensor.dtype
    return torch.float32
