"""SSL4EO-S12 MAE / FG-MAE encoders: their timm key layout loads, and an unverifiable file is never fetched."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from pathlib import Path

import pytest
import timm
import torch
from torch import Tensor

from geotorch.models import BandAdaptationWarning, Weights
from geotorch.models.backbones import vit_small_patch16_224
from geotorch.models.weights import download_weights
from geotorch.models.weights_catalog.ssl4eo_s12 import MAE_WEIGHTS

#: The parameters of an MAE encoder saved without its decoder: timm's ViT names, and no classifier head.
ENCODER_PREFIXES = ("cls_token", "pos_embed", "patch_embed.", "blocks.", "norm.")


def _entry(name: str) -> Weights:
    return next(weights for weights in MAE_WEIGHTS if weights.name == name)


def _encoder_checkpoint(in_chans: int, keep_norm: bool = True) -> tuple[torch.nn.Module, dict[str, Tensor]]:
    """A ViT-S/16 at 224 px and its state dict in the ``*_enc.pth`` layout (no head, optionally no final norm)."""
    torch.manual_seed(3)
    model = timm.create_model("vit_small_patch16_224", in_chans=in_chans, num_classes=0).eval()
    state = {name: tensor for name, tensor in model.state_dict().items() if name.startswith(ENCODER_PREFIXES)}
    if not keep_norm:
        state = {name: tensor for name, tensor in state.items() if not name.startswith("norm.")}
    assert state["pos_embed"].shape == (1, 197, 384)
    assert state["patch_embed.proj.weight"].shape == (384, in_chans, 16, 16)
    assert not any(name.startswith("head.") for name in state)
    return model, state


def _serve(state: dict[str, Tensor], entry: Weights, http_server, tmp_path: Path) -> Weights:
    """Put ``state`` on the local server under the entry's own file name; the entry, pointed there, with its hash."""
    staging = tmp_path / entry.filename
    torch.save(state, staging)
    digest = hashlib.sha256(staging.read_bytes()).hexdigest()
    staging.rename(http_server.root / entry.filename)
    return replace(entry, url=http_server.url(entry.filename), sha256=digest)


def _image(bands: int) -> Tensor:
    return torch.randn(2, bands, 224, 224, generator=torch.Generator().manual_seed(0))


@pytest.mark.parametrize(
    "name", ["vit_small_patch16_224.sentinel1_grd_mae", "vit_small_patch16_224.sentinel2_all_fgmae"]
)
def test_an_encoder_checkpoint_loads_into_the_builder_exactly(name, http_server, tmp_path) -> None:
    entry = _entry(name)
    assert entry.in_chans is not None
    saving, state = _encoder_checkpoint(entry.in_chans)
    served = _serve(state, entry, http_server, tmp_path)
    loaded = vit_small_patch16_224(weights=served, num_classes=0).eval()
    own = loaded.state_dict()
    assert set(state) == set(own), "the encoder layout is timm's, key for key: no renaming needed"
    with torch.no_grad():
        torch.testing.assert_close(loaded(_image(entry.in_chans)), saving(_image(entry.in_chans)), rtol=0, atol=0)
    assert http_server.hits(entry.filename) == 1


def test_an_encoder_checkpoint_loads_under_a_new_head_and_without_its_final_norm(http_server, tmp_path) -> None:
    entry = _entry("vit_small_patch16_224.sentinel1_grd_fgmae")
    _, state = _encoder_checkpoint(2, keep_norm=False)
    served = _serve(state, entry, http_server, tmp_path)
    model = vit_small_patch16_224(weights=served, num_classes=10).eval()
    for name, tensor in state.items():
        torch.testing.assert_close(model.state_dict()[name], tensor, rtol=0, atol=0)
    with torch.no_grad():
        assert model(_image(2)).shape == (2, 10)


def test_an_encoder_checkpoint_adapts_to_a_smaller_image_and_other_bands(http_server, tmp_path) -> None:
    entry = _entry("vit_small_patch16_224.sentinel2_all_mae")
    _, state = _encoder_checkpoint(13)
    served = _serve(state, entry, http_server, tmp_path)
    with pytest.warns(BandAdaptationWarning, match="13 to 3 bands by band name"):
        model = vit_small_patch16_224(weights=served, bands=("B4", "B3", "B2"), img_size=64, num_classes=0).eval()
    assert model.state_dict()["pos_embed"].shape == (1, 17, 384)
    torch.testing.assert_close(
        model.state_dict()["patch_embed.proj.weight"], state["patch_embed.proj.weight"][:, [3, 2, 1]] * (13 / 3)
    )
    torch.testing.assert_close(
        model.state_dict()["blocks.0.attn.qkv.weight"], state["blocks.0.attn.qkv.weight"], rtol=0, atol=0
    )


@pytest.mark.parametrize(
    "entry", [weights for weights in MAE_WEIGHTS if weights.sha256 is None][:2], ids=lambda weights: weights.name
)
def test_an_entry_without_a_checksum_is_refused_before_any_download(entry, tmp_path) -> None:
    with pytest.raises(ValueError, match="refusing an unverifiable file"):
        download_weights(entry, tmp_path)
    assert not any(tmp_path.iterdir())
