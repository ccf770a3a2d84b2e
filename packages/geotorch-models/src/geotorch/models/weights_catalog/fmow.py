"""Checkpoints pretrained on fMoW's very-high-resolution RGB images: GASSL and Scale-MAE, hosted by TorchGeo."""

from __future__ import annotations

from geotorch.models.preprocessing import Preprocessing
from geotorch.models.weights import Weights
from geotorch.models.weights_catalog.bands import FROM_UINT8, IMAGENET_MEAN, IMAGENET_STD, UINT8_MAX

_FMOW_RGB = "8-bit red, green, blue of fMoW-RGB (Maxar) or other very-high-resolution RGB"
_GASSL = Preprocessing(
    steps=(FROM_UINT8,),
    mean=IMAGENET_MEAN,
    std=IMAGENET_STD,
    input_values=_FMOW_RGB,
    input_max=UINT8_MAX,
    source="https://github.com/sustainlab-group/geography-aware-ssl/blob/main/moco_fmow/main_moco_geo%2Btp.py#L287 "
    "(ToTensor, then ImageNet mean and std)",
)
_SCALE_MAE = Preprocessing(
    steps=(FROM_UINT8,),
    mean=IMAGENET_MEAN,
    std=IMAGENET_STD,
    input_values=_FMOW_RGB,
    input_max=UINT8_MAX,
    source="https://github.com/bair-climate-initiative/scale-mae/blob/1117537eb179ffa99c50b2db8b577819adde995b/mae/"
    "config/fmow.yaml (pretraining mean and std: ImageNet's, after ToTensor)",
)

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
        preprocessing=_GASSL,
        notes="fMoW images come from several Maxar satellites at varying resolution; the publisher states no licence",
    ),
    Weights(
        arch="scalemae_large_patch16",
        tag="fmow_rgb_scalemae",
        # The checkpoint TorchGeo 0.10.1's ScaleMAELarge16_Weights.FMOW_RGB points at (scale_mae.py).
        url="https://hf.co/isaaccorley/vit_large_patch16_224_fmow_rgb_scalemae/resolve/"
        "75650aaca720ef9c6638d16f5b4375f0022c56c9/vit_large_patch16_224_fmow_rgb_scalemae-386989c9.pth",
        in_chans=3,
        bands=("R", "G", "B"),
        sensor="worldview",
        dataset="fMoW",
        license="CC-BY-NC-4.0",
        publication="https://arxiv.org/abs/2212.14532",
        repo="https://github.com/bair-climate-initiative/scale-mae",
        ssl_method="scalemae",
        preprocessing=_SCALE_MAE,
        notes="positional embeddings depend on the ground sample distance: pass res= to the builder, the size of "
        "the images' pixels relative to the reference grid (unitless, 1.0 the reference; not metres: see ScaleMAE)",
    ),
)
