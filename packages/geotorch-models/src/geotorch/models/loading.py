"""Putting a checkpoint into a model: names resolved, first layer adapted, head left out, misfits named."""

from __future__ import annotations

import math
from collections.abc import Sequence
from enum import Enum

from torch import Tensor, nn

from geotorch.models.adapt import adapt_input_weight, announce
from geotorch.models.band_names import match_bands
from geotorch.models.weights import Weights

#: Parameters a backbone checkpoint may lack, or carry without the model having them: classifier heads and
#: the final norm that feature extractors drop.
HEAD_PREFIXES = ("fc.", "head.", "norm.", "fc_norm.", "classifier.")

WeightsLike = Weights | str | Enum


def resolve_weights(weights: WeightsLike | None, arch: str | None = None) -> Weights | None:
    """Turn a registered name (``"resnet50.sentinel2_all_moco"``), enum member or :class:`Weights` into weights.

    Args:
        weights: what the user passed, or None.
        arch: the builder's architecture; the weights must be for it.

    Returns:
        The weights, or None when ``weights`` is None.

    Raises:
        KeyError: if no weights are registered under that name.
        TypeError: if ``weights`` is of another type.
        ValueError: if the weights are for another architecture.
    """
    if weights is None:
        return None
    if isinstance(weights, Enum):
        weights = weights.value
    if isinstance(weights, str):
        from geotorch.core import get_weight

        weights = get_weight(weights)
    if not isinstance(weights, Weights):
        raise TypeError(f"weights must be a registered name or a geotorch.models.Weights, got {weights!r}")
    if arch is not None and weights.arch != arch:
        raise ValueError(f"weights {weights.name!r} are for {weights.arch!r}, not {arch!r}")
    return weights


def default_in_chans(weights: Weights | None, in_chans: int | None, bands: Sequence[str] | None) -> int:
    """The band count to build with: ``in_chans``, else ``len(bands)``, else the weights' own, else 3 (RGB)."""
    if in_chans is not None:
        return in_chans
    if bands is not None:
        return len(bands)
    if weights is not None and weights.in_chans is not None:
        return weights.in_chans
    return 3


def first_layer_key(module: nn.Module) -> str | None:
    """The state-dict key of the first convolution's kernel (a CNN's stem, a ViT's patch embedding)."""
    for name, layer in module.named_modules():
        if isinstance(layer, nn.Conv2d):
            return f"{name}.weight"
    return None


def load_pretrained(
    module: nn.Module,
    weights: Weights,
    bands: Sequence[str] | None = None,
    adapt: bool = True,
    progress: bool = True,
) -> None:
    """Load ``weights`` into ``module``, adapting the first layer by :mod:`geotorch.models.adapt`'s rule.

    Classifier heads (and a ViT's final norm) may be missing on either side; any other missing, unexpected
    or misshapen parameter is an error.

    Args:
        module: the freshly built model (or encoder).
        weights: the checkpoint to load.
        bands: names of the bands the model will receive, to select pretrained slices by name; any spelling of
            a pretrained band names it (:mod:`geotorch.models.band_names`), so a dataset's ``all_bands`` in
            the weights' order loads the first layer unchanged.
        adapt: whether a band count or order differing from the weights' may be adapted.
        progress: whether to show a download progress bar.

    Raises:
        ValueError: if the bands differ and ``adapt`` is False, a band could be either of two pretrained
            ones, or the checkpoint does not fit the model.
    """
    if bands is not None:
        bands = match_bands(bands, weights.bands, weights.sensor, weights.product)
    state = weights.get_state_dict(progress=progress)
    own = module.state_dict()
    key = first_layer_key(module)
    if key is not None and key in state and key in own:
        source, target = state[key].shape[1], own[key].shape[1]
        if source != target or (bands is not None and tuple(bands) != weights.bands):
            if not adapt:
                raise ValueError(
                    f"{weights.name} was trained on {source} bands {list(weights.bands)}, the model takes "
                    f"{target}; build it with in_chans={source}, or allow adapt=True"
                )
            state[key] = adapt_input_weight(state[key], target, weights.bands, bands)
            announce(weights.name, source, target, bands is not None)
    if "pos_embed" in state and "pos_embed" in own and state["pos_embed"].shape != own["pos_embed"].shape:
        state["pos_embed"] = resample_pos_embed(state["pos_embed"], own["pos_embed"].shape[1])
    for name in [name for name in state if name.startswith(HEAD_PREFIXES)]:
        if name not in own or own[name].shape != state[name].shape:
            del state[name]
    misshapen = [f"{name} {tuple(state[name].shape)} vs {tuple(own[name].shape)}" for name in state
                 if name in own and state[name].shape != own[name].shape]
    if misshapen:
        raise ValueError(f"{weights.name} does not fit {type(module).__name__}: shapes differ for {misshapen[:5]}")
    # Some encoders (smp's ResNets) override load_state_dict and drop its report; the base method keeps it.
    result = nn.Module.load_state_dict(module, state, strict=False)
    missing = [name for name in result.missing_keys if not name.startswith(HEAD_PREFIXES)]
    unexpected = [name for name in result.unexpected_keys if not name.startswith(HEAD_PREFIXES)]
    if missing or unexpected:
        raise ValueError(
            f"{weights.name} does not fit {type(module).__name__}: missing {missing[:5]}, unexpected {unexpected[:5]} "
            f"(is the model built as {weights.arch!r}?)"
        )


def resample_pos_embed(pos_embed: Tensor, tokens: int) -> Tensor:
    """Interpolate a ViT's ``(1, 1 + N, D)`` position embedding to ``tokens`` tokens (class token kept)."""
    from timm.layers.pos_embed import resample_abs_pos_embed

    side = math.isqrt(tokens - 1)
    resampled: Tensor = resample_abs_pos_embed(pos_embed, new_size=[side, side], num_prefix_tokens=1)
    return resampled
