"""Scale-MAE (Reed et al. 2023): a ViT whose position embedding scales with the ground sample distance."""

from __future__ import annotations

import math
from functools import partial
from typing import Any

import torch
from timm.models.vision_transformer import VisionTransformer
from torch import Tensor, nn

from geotorch.core import WeightsSpec
from geotorch.models.loading import checked_in_chans, load_pretrained, resolve_weights
from geotorch.models.position import grid_embedding


class ScaleMAE(VisionTransformer):
    """A timm ViT whose position embedding is a sine-cosine code of patch positions times ``res``.

    ``res`` is a unitless scale, not metres per pixel: the publisher's code (bair-climate-initiative/scale-mae)
    multiplies each patch's row and column by it, computes it in pretraining as ``base_resolution`` times the
    crop's rescaling ratio, and evaluates with ``eval_base_resolution * reference_size / image_size`` (1.0 x 512 /
    224 = 2.29 for 224 px images of 512 px crops). Images of coarser pixels than the reference take a larger
    ``res``; a GSD in metres (10 for Sentinel-2) puts patches far outside the positions the model was trained on.

    Args:
        res: the size of the input's pixels relative to the reference grid (1.0: the reference; unitless).
        **kwargs: passed to :class:`timm.models.vision_transformer.VisionTransformer`.

    Raises:
        ValueError: if ``res`` is not a positive finite number (0 would give every patch the same position),
            here or when ``res`` set later is used; if ``in_chans`` is below 1.
        TypeError: if ``in_chans`` is not a whole number.
    """

    def __init__(self, res: float = 1.0, **kwargs: Any) -> None:
        if "in_chans" in kwargs:
            kwargs["in_chans"] = checked_in_chans(kwargs["in_chans"])
        super().__init__(**kwargs)
        self.res = _checked_res(res)
        if self.pos_embed is not None:
            self.pos_embed.requires_grad = False

    def _pos_embed(self, x: Tensor) -> Tensor:
        """Add the class token and the resolution-scaled position code to the patch tokens.

        Args:
            x: ``(B, N, D)`` tokens of the model's ``img_size`` grid, or ``(B, rows, cols, D)`` with
                ``dynamic_img_size=True``.

        Returns:
            ``(B, 1 + N, D)`` tokens, each patch coded by its own row and column (rectangular grids too).
        """
        if x.ndim == 4:
            rows, cols = x.shape[1], x.shape[2]
            x = x.reshape(x.shape[0], rows * cols, x.shape[3])
        else:
            rows, cols = self.patch_embed.grid_size
        code = grid_embedding(self.embed_dim, rows, cols, spacing=_checked_res(self.res)).to(x)
        tokens = x + code
        if self.cls_token is not None:
            tokens = torch.cat([self.cls_token.expand(x.shape[0], -1, -1), tokens], dim=1)
        result: Tensor = self.pos_drop(tokens)
        return result


def _checked_res(res: float) -> float:
    """``res`` as a float (numpy and 0-d tensor values taken), refused unless a positive finite number."""
    try:
        value = float(res)
    except (TypeError, ValueError):
        value = math.nan
    if not math.isfinite(value) or value <= 0:
        raise ValueError(
            f"ScaleMAE: res={res} must be a positive number, the size of the images' pixels relative to the reference "
            "(with 0 every patch would take the same position)"
        )
    return value


def scalemae_large_patch16(
    weights: WeightsSpec = None, res: float = 1.0, strict: bool = True, **kwargs: Any
) -> ScaleMAE:
    """Scale-MAE with a ViT-L/16 encoder (1024-wide, 24 blocks, 16 heads).

    Args:
        weights: registered ``scalemae_large_patch16`` weights, or a checkpoint file.
        res: the size of the input's pixels relative to the reference grid (unitless; see :class:`ScaleMAE`).
        strict: whether parameters that do not fit are an error (True) or left out with a warning.
        **kwargs: passed to :class:`ScaleMAE` (``img_size``, ``num_classes``, ``in_chans``, ...).

    Returns:
        The model.
    """
    resolved = resolve_weights(weights, "scalemae_large_patch16")
    model = ScaleMAE(
        res=res,
        **{
            "patch_size": 16,
            "embed_dim": 1024,
            "depth": 24,
            "num_heads": 16,
            "mlp_ratio": 4,
            "qkv_bias": True,
            "norm_layer": partial(nn.LayerNorm, eps=1e-6),
            **kwargs,
        },
    )
    if resolved is not None:
        load_pretrained(model, resolved, strict=strict)
    return model
