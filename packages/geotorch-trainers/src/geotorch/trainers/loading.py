"""A task's ``weights`` argument made into parameters: a registered name, a checkpoint file, ImageNet, or none."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import torch
from torch import Tensor, nn

#: Prefixes a checkpoint's keys may carry in front of the backbone's own names: a Lightning task's
#: ``model.``, smp's ``encoder.`` and its timm wrapper's ``model.``, a classifier's ``backbone.``.
KEY_PREFIXES = ("model.encoder.model.", "model.encoder.", "model.backbone.", "encoder.model.", "encoder.",
                "backbone.", "model.")

#: What the weights are: ``none``, ``imagenet``, a checkpoint ``file``, or a ``registered`` name.
WeightsKind = Literal["none", "imagenet", "file", "registered"]

#: The spellings of ImageNet weights, TorchGeo's ``weights=True`` and the seed's ``"imagenet"`` among them.
IMAGENET = ("imagenet", "imagenet1k", "true")


def weights_kind(weights: str | bool | None) -> WeightsKind:
    """Say which of the four kinds ``weights`` is.

    A string naming an existing file, or ending in ``.pth``, ``.pt``, ``.ckpt`` or
    ``.safetensors``, is a checkpoint; any other string is a registered weight name.
    """
    if weights is None or weights is False:
        return "none"
    if weights is True or str(weights).lower() in IMAGENET:
        return "imagenet"
    if Path(str(weights)).expanduser().is_file() or str(weights).endswith((".pth", ".pt", ".ckpt", ".safetensors")):
        return "file"
    return "registered"


def imagenet_state_dict(arch: str) -> dict[str, Tensor]:
    """ImageNet weights of the timm architecture ``arch``, read from the local Hugging Face cache only.

    GeoTorch never downloads ImageNet weights during training: they must already be in the cache
    (``timm.create_model(arch, pretrained=True)`` run once online puts them there).

    Raises:
        ValueError: if the weights are not in the cache, saying how to get them or what to use instead.
    """
    import timm
    from huggingface_hub import try_to_load_from_cache

    config: Any = timm.create_model(arch, pretrained=False).pretrained_cfg
    repo = config.get("hf_hub_id")
    found: Any = None
    if repo:
        for filename in ("model.safetensors", "pytorch_model.bin"):
            found = try_to_load_from_cache(repo, filename)
            if isinstance(found, str):
                break
    if not isinstance(found, str):
        raise ValueError(
            f"weights='imagenet': no ImageNet weights of {arch!r} in the local cache ({repo or 'no Hugging Face id'}), "
            "and GeoTorch does not download them while training. Run "
            f"`python -c \"import timm; timm.create_model('{arch}', pretrained=True)\"` once with internet access, "
            "or pass a registered weight name (`geotorch weights` lists them), a checkpoint file, or weights=None"
        )
    if found.endswith(".safetensors"):
        from safetensors.torch import load_file

        return dict(load_file(found))
    state: dict[str, Tensor] = torch.load(found, map_location="cpu", weights_only=True)
    return state


def checkpoint_state_dict(path: str | Path) -> dict[str, Tensor]:
    """The state dict in the checkpoint file ``path`` (a Lightning ``.ckpt`` or a plain ``state_dict``).

    Raises:
        FileNotFoundError: if ``path`` does not exist.
    """
    file = Path(path).expanduser()
    if not file.is_file():
        raise FileNotFoundError(f"weights={str(path)!r}: no such checkpoint file")
    from geotorch.models.hub import load_checkpoint

    return load_checkpoint(file)


def load_backbone(backbone: nn.Module, state: dict[str, Tensor], source: str, adapt: bool) -> None:
    """Load ``state`` into ``backbone``, stripping the usual prefixes and leaving classifier heads out.

    Args:
        backbone: the module that takes the weights (an encoder or a timm backbone).
        state: the parameters.
        source: what they are, for messages (``"imagenet"``, a file name).
        adapt: adapt a first layer made for another band count by :mod:`geotorch.models.adapt`'s rule
            (ImageNet weights); when False such a checkpoint is refused.

    Raises:
        ValueError: if the first layer takes another number of bands and ``adapt`` is False, or if
            no parameter of ``state`` fits ``backbone``.
    """
    from geotorch.models.adapt import adapt_input_weight
    from geotorch.models.loading import first_layer_key

    own = backbone.state_dict()
    renamed = {_strip(name, own): value for name, value in state.items()}
    fitting = {name: value for name, value in renamed.items() if name in own}
    key = first_layer_key(backbone)
    if key is not None and key in fitting and fitting[key].shape[1] != own[key].shape[1]:
        bands, wanted = fitting[key].shape[1], own[key].shape[1]
        if not adapt:
            raise ValueError(
                f"weights {source!r} take {bands} bands but the task has in_channels={wanted}; set in_channels: "
                f"{bands}, choose weights trained on {wanted} bands, or start without weights"
            )
        fitting[key] = adapt_input_weight(fitting[key], wanted)
    fitting = {name: value for name, value in fitting.items() if value.shape == own[name].shape}
    if not fitting:
        raise ValueError(f"weights {source!r}: none of their parameters fits {type(backbone).__name__}")
    nn.Module.load_state_dict(backbone, fitting, strict=False)


def _strip(name: str, own: dict[str, Tensor]) -> str:
    """``name`` without the first prefix whose removal makes it one of ``own``'s keys."""
    if name in own:
        return name
    for prefix in KEY_PREFIXES:
        if name.startswith(prefix) and name[len(prefix):] in own:
            return name[len(prefix):]
    return name


def freeze(module: nn.Module) -> None:
    """Stop ``module``'s parameters from training."""
    for parameter in module.parameters():
        parameter.requires_grad = False
