"""Checkpoints pretrained on fMoW's very-high-resolution RGB images: GASSL and Scale-MAE, hosted by TorchGeo."""

from __future__ import annotations

from geotorch.models.weights import Weights
from geotorch.models.weights_catalog.bands import UINT8_IMAGENET

WEIGHTS = (
    Weights(
        arch="resnet50",
        tag="fmow_rgb_gassl",
        url="https://hf.co/torchgeo/resnet50_fmow_rgb_gassl/resolve/fe8a91026cf9104f1e884316b8e8772d7af9052c/"
        "resnet50_fmow_rgb_gassl-da43d987.pth",
        in_chans=3,
        bands=("R", "G", "B"),
        sensor="worldview",
        dataset="fMoW",
        license="unspecified",
        publication="https://arxiv.org/abs/2011.09980",
        repo="https://github.com/sustainlab-group/geography-aware-ssl",
        ssl_method="gassl",
        preprocessing=UINT8_IMAGENET,
        notes="fMoW images come from several Maxar satellites at varying resolution; the publisher states no licence",
    ),
    Weights(
        arch="scalemae_large_patch16",
        tag="fmow_rgb_scalemae",
        url="https://hf.co/torchgeo/vit_large_patch16_224_fmow_rgb_scalemae/resolve/"
        "9dc7f569424baeb780698352cf6e87638c882123/vit_large_patch16_224_fmow_rgb_scalemae-98ed9821.pth",
        in_chans=3,
        bands=("R", "G", "B"),
        sensor="worldview",
        dataset="fMoW",
        license="CC-BY-NC-4.0",
        publication="https://arxiv.org/abs/2212.14532",
        repo="https://github.com/bair-climate-initiative/scale-mae",
        ssl_method="scalemae",
        preprocessing=UINT8_IMAGENET,
        notes="positional embeddings depend on the ground sample distance: pass res= (metres) to the builder",
    ),
)
