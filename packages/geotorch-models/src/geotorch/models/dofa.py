"""DOFA (Xiong et al. 2024): a ViT whose patch embedding is generated from the bands' central wavelengths.

Parameter names follow the published checkpoints, so they load as they are.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any, cast

import torch
import torch.nn.functional as F
from timm.models.vision_transformer import Block
from torch import Tensor, nn

from geotorch.core import WeightsSpec
from geotorch.models.loading import load_pretrained, resolve_weights
from geotorch.models.position import grid_embedding, sincos_embedding

#: The longest central wavelength DOFA is given, in micrometres: the thermal infrared bands of Earth observation end
#: below it (Landsat's 12.0, MODIS's 14.2, IASI's 15.5 um), while nanometres (400 to 2500 for the visible to the
#: shortwave infrared) and radar wavelengths in micrometres or millimetres (C band: 55,500 um, 55.5 mm) lie above.
LONGEST_WAVELENGTH = 16.0

#: What DOFA's publishers give each band of a C-band SAR (Sentinel-1's VV and VH): the 5.405 GHz of its frequency,
#: written in the wavelength's place (https://github.com/zhu-xlab/DOFA, its demo's ``wavelengths = [5.405, 5.405]``).
SAR_WAVELENGTH = 5.405


class TransformerWeightGenerator(nn.Module):
    """Turns wavelength embeddings into the kernel and bias of the patch embedding with a small transformer."""

    def __init__(self, input_dim: int, output_dim: int, embed_dim: int, num_heads: int = 4, tokens: int = 128) -> None:
        """Build the encoder, the learned weight and bias tokens, and the output projections.

        Args:
            input_dim: the size of a wavelength embedding.
            output_dim: the size of one band's generated kernel (``kernel_size**2 * embed_dim``).
            embed_dim: the size of the generated bias.
            num_heads: attention heads of the encoder.
            tokens: the number of learned weight tokens.
        """
        super().__init__()
        layer = nn.TransformerEncoderLayer(input_dim, num_heads, activation="gelu", dropout=0.0)
        self.transformer_encoder = nn.TransformerEncoder(layer, num_layers=1, enable_nested_tensor=False)
        self.fc_weight = nn.Linear(input_dim, output_dim)
        self.fc_bias = nn.Linear(input_dim, embed_dim)
        self.weight_tokens = nn.Parameter(torch.randn(tokens, input_dim) * 0.02)
        self.bias_token = nn.Parameter(torch.randn(1, input_dim) * 0.02)

    def forward(self, waves: Tensor) -> tuple[Tensor, Tensor]:
        """Return ``(bands, output_dim)`` kernels and the ``(embed_dim,)`` bias for ``(bands, input_dim)`` waves."""
        sequence = torch.cat([self.weight_tokens, waves, self.bias_token], dim=0)
        encoded = self.transformer_encoder(sequence)
        tokens = self.weight_tokens.shape[0]
        return self.fc_weight(encoded[tokens:-1] + waves), self.fc_bias(encoded[-1])


class FCResLayer(nn.Module):
    """``x + relu(w2(relu(w1(x))))``."""

    def __init__(self, size: int = 128) -> None:
        """Build the two linear layers of width ``size``."""
        super().__init__()
        self.w1 = nn.Linear(size, size)
        self.w2 = nn.Linear(size, size)

    def forward(self, x: Tensor) -> Tensor:
        """Apply the residual block."""
        result: Tensor = x + F.relu(self.w2(F.relu(self.w1(x))))
        return result


class DOFAEmbedding(nn.Module):
    """Patch embedding whose convolution kernel is generated from the input bands' wavelengths."""

    #: The generated kernel and bias are scaled down by this factor, as in the published model.
    scaler = 0.01

    def __init__(self, dynamic_embed_dim: int = 128, kernel_size: int = 16, embed_dim: int = 1024) -> None:
        """Build the wavelength encoder and the weight generator.

        Args:
            dynamic_embed_dim: the size of a wavelength embedding.
            kernel_size: the patch size (kernel size and stride).
            embed_dim: the size of a patch token.
        """
        super().__init__()
        self.dynamic_embed_dim = dynamic_embed_dim
        self.kernel_size = kernel_size
        self.embed_dim = embed_dim
        self.weight_generator = TransformerWeightGenerator(
            dynamic_embed_dim, kernel_size * kernel_size * embed_dim, embed_dim
        )
        self.fclayer = FCResLayer(dynamic_embed_dim)
        for module in [*self.weight_generator.modules(), *self.fclayer.modules()]:
            if isinstance(module, nn.Linear):
                nn.init.xavier_uniform_(module.weight)
                nn.init.constant_(module.bias, 0.01)

    def forward(self, x: Tensor, wavelengths: Tensor) -> Tensor:
        """Embed ``(B, C, H, W)`` images whose bands have ``wavelengths`` (micrometres) into ``(B, N, D)`` tokens.

        The wavelength code is computed in float32 and then given in the layers' own dtype, so a model cast to
        bfloat16, float16 or float64 runs in it.
        """
        code = sincos_embedding(self.dynamic_embed_dim, wavelengths * 1000).to(self.fclayer.w1.weight.dtype)
        waves = self.fclayer(code)
        weight, bias = self.weight_generator(waves)
        kernel = weight.view(-1, self.kernel_size, self.kernel_size, self.embed_dim).permute(3, 0, 1, 2)
        patches = F.conv2d(x, kernel * self.scaler, bias * self.scaler, stride=self.kernel_size, padding=1)
        return patches.flatten(2).transpose(1, 2)


#: LayerNorm with the epsilon of the published model.
_layer_norm = partial(nn.LayerNorm, eps=1e-6)


class DOFA(nn.Module):
    """Dynamic One-For-All: a ViT for any bands, given each band's central wavelength in micrometres.

    Optical and thermal bands take their central wavelength (0.665 for Sentinel-2's red, 10.9 for Landsat's band
    10). SAR bands take :data:`SAR_WAVELENGTH`, 5.405, as DOFA's publishers give Sentinel-1's VV and VH (the C
    band's 5.405 GHz in the wavelength's place), not their radar wavelength (5.55 cm, 55,500 um), which is refused.

    Args:
        img_size: the input image size.
        patch_size: the patch size.
        drop_rate: dropout before the classifier.
        embed_dim: the token size.
        depth: the number of transformer blocks.
        num_heads: attention heads per block.
        dynamic_embed_dim: the size of a wavelength embedding.
        num_classes: classifier outputs; 0 returns the pooled features.
        global_pool: average the patch tokens (else take the class token).
        mlp_ratio: hidden size of the blocks' MLP relative to ``embed_dim``.
        norm_layer: builds the normalisation layers from a width (default: ``LayerNorm`` with eps 1e-6).
    """

    def __init__(
        self,
        img_size: int = 224,
        patch_size: int = 16,
        drop_rate: float = 0.0,
        embed_dim: int = 1024,
        depth: int = 24,
        num_heads: int = 16,
        dynamic_embed_dim: int = 128,
        num_classes: int = 45,
        global_pool: bool = True,
        mlp_ratio: float = 4.0,
        norm_layer: Callable[[int], nn.Module] | None = None,
    ) -> None:
        super().__init__()
        norm = _layer_norm if norm_layer is None else norm_layer
        self.img_size = img_size
        self.patch_embed = DOFAEmbedding(dynamic_embed_dim, patch_size, embed_dim)
        side = _patches_across(img_size, patch_size)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, embed_dim))
        fixed = torch.cat([torch.zeros(1, embed_dim), grid_embedding(embed_dim, side)]).unsqueeze(0)
        self.pos_embed = nn.Parameter(fixed, requires_grad=False)
        self.blocks = nn.ModuleList(
            Block(embed_dim, num_heads, mlp_ratio, qkv_bias=True, norm_layer=cast(type[nn.Module], norm))
            for _ in range(depth)
        )
        self.global_pool = global_pool
        self.norm_name = "fc_norm" if global_pool else "norm"
        self.add_module(self.norm_name, norm(embed_dim))
        self.head_drop = nn.Dropout(drop_rate)
        self.head = nn.Linear(embed_dim, num_classes) if num_classes > 0 else nn.Identity()

    def forward_features(self, x: Tensor, wavelengths: Sequence[float] | Tensor) -> Tensor:
        """Pooled ``(B, embed_dim)`` features of ``(B, C, H, W)`` images with ``C`` band wavelengths.

        Raises:
            ValueError: if the number of wavelengths is not the number of bands, or one is no positive finite
                number, or one is above :data:`LONGEST_WAVELENGTH` micrometres (nanometres given), or the images
                are not ``img_size`` x ``img_size`` pixels (the position code is made for that grid).
        """
        self._check_size(x)
        waves = torch.as_tensor(wavelengths, dtype=torch.float32, device=x.device).reshape(-1)
        if waves.numel() != x.shape[1]:
            raise ValueError(f"got {waves.numel()} wavelengths for {x.shape[1]} bands; give one per band (micrometres)")
        check_wavelengths(waves)
        tokens = self.patch_embed(x, waves) + self.pos_embed[:, 1:]
        cls = (self.cls_token + self.pos_embed[:, :1]).expand(x.shape[0], -1, -1)
        tokens = torch.cat([cls, tokens], dim=1)
        for block in self.blocks:
            tokens = block(tokens)
        norm = getattr(self, self.norm_name)
        pooled: Tensor = norm(tokens[:, 1:].mean(dim=1)) if self.global_pool else norm(tokens)[:, 0]
        return pooled

    def _check_size(self, x: Tensor) -> None:
        """Refuse images whose patch grid is not the one the position code was made for.

        Another grid would take another patch's position, silently: one of as many patches in other rows and
        columns, or fewer patches, which broadcast over the code.
        """
        grid = [_patches_across(side, self.patch_embed.kernel_size) for side in x.shape[-2:]]
        built = _patches_across(self.img_size, self.patch_embed.kernel_size)
        if grid != [built, built]:
            height, width = x.shape[-2:]
            raise ValueError(
                f"DOFA was built for {self.img_size} x {self.img_size} px images (img_size={self.img_size}), got "
                f"{height} x {width}: build it with img_size={height} for square images of that size (pretrained "
                f"position codes are resampled), or crop or resize the images to {self.img_size} px"
            )

    def forward(self, x: Tensor, wavelengths: Sequence[float] | Tensor) -> Tensor:
        """Class logits (or features when ``num_classes=0``) of ``x`` whose bands have ``wavelengths``."""
        result: Tensor = self.head(self.head_drop(self.forward_features(x, wavelengths)))
        return result


def _patches_across(pixels: int, patch_size: int) -> int:
    """Patches across ``pixels`` of DOFA's patch embedding (stride ``patch_size``, padded by 1 on each side)."""
    return (pixels + 2 - patch_size) // patch_size + 1


def check_wavelengths(waves: Tensor) -> None:
    """Refuse central wavelengths that are not micrometres of a real band.

    Args:
        waves: ``(C,)`` wavelengths, one per band.

    Raises:
        ValueError: if one is not a positive finite number, or is above :data:`LONGEST_WAVELENGTH`
            (nanometres, or a radar wavelength, which DOFA would embed as other wavelengths without a word).
    """
    given = [round(float(wave), 6) for wave in waves]
    if not bool(torch.isfinite(waves).all()) or bool((waves <= 0).any()):
        raise ValueError(f"DOFA: wavelengths {given} must be positive numbers, each band's central wavelength in "
                         "micrometres")
    if bool((waves > LONGEST_WAVELENGTH).any()):
        raise ValueError(
            f"DOFA: wavelengths {given} are above {LONGEST_WAVELENGTH:g}; DOFA takes each band's central "
            f"wavelength in micrometres (0.665 for Sentinel-2's red, 10.9 for thermal infrared): nanometres? "
            f"divide them by 1000; SAR bands take {SAR_WAVELENGTH} (DOFA's value for Sentinel-1's C-band VV and VH), "
            "not their radar wavelength"
        )


def _dofa(arch: str, weights: WeightsSpec, strict: bool, size: dict[str, int], kwargs: dict[str, Any]) -> DOFA:
    resolved = resolve_weights(weights, arch)
    model = DOFA(**{**kwargs, **size})
    if resolved is not None:
        load_pretrained(model, resolved, strict=strict)
    return model


def dofa_small_patch16_224(weights: WeightsSpec = None, strict: bool = True, **kwargs: Any) -> DOFA:
    """DOFA with a ViT-S/16 (384-wide, 12 blocks, 6 heads); ``kwargs`` go to :class:`DOFA`.

    ``weights`` takes any form of :mod:`geotorch.models.loading`; ``strict`` says whether parameters that do
    not fit are an error (True) or left out with a warning.
    """
    return _dofa("dofa_small_patch16_224", weights, strict, {"embed_dim": 384, "depth": 12, "num_heads": 6}, kwargs)


def dofa_base_patch16_224(weights: WeightsSpec = None, strict: bool = True, **kwargs: Any) -> DOFA:
    """DOFA with a ViT-B/16 (768-wide, 12 blocks, 12 heads); ``kwargs`` go to :class:`DOFA`.

    ``weights`` takes any form of :mod:`geotorch.models.loading`; ``strict`` says whether parameters that do
    not fit are an error (True) or left out with a warning.
    """
    return _dofa("dofa_base_patch16_224", weights, strict, {"embed_dim": 768, "depth": 12, "num_heads": 12}, kwargs)


def dofa_large_patch16_224(weights: WeightsSpec = None, strict: bool = True, **kwargs: Any) -> DOFA:
    """DOFA with a ViT-L/16 (1024-wide, 24 blocks, 16 heads); ``kwargs`` go to :class:`DOFA`.

    ``weights`` takes any form of :mod:`geotorch.models.loading`; ``strict`` says whether parameters that do
    not fit are an error (True) or left out with a warning.
    """
    return _dofa("dofa_large_patch16_224", weights, strict, {"embed_dim": 1024, "depth": 24, "num_heads": 16}, kwargs)
