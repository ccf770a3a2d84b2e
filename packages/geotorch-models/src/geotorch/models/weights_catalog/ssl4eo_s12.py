"""SSL4EO-S12 (Wang et al. 2022), DeCUR, MAE and FG-MAE checkpoints: Sentinel-1 GRD and Sentinel-2 L1C.

The MoCo, DINO and DeCUR files are hosted by TorchGeo; the MAE and FG-MAE ViT encoders by their author on
Hugging Face (``wangyi111/SSL4EO-S12``, ``wangyi111/FGMAE``), at the revisions TorchGeo 0.10.1 pins.
"""

from __future__ import annotations

from dataclasses import replace

from geotorch.models.preprocessing import Preprocessing, mean_two_std
from geotorch.models.weights import Weights
from geotorch.models.weights_catalog.bands import (
    FROM_UINT8,
    SENTINEL1_GRD,
    SENTINEL1_GRD_DB,
    SENTINEL2_ALL,
    SENTINEL2_L1C_DN,
    SENTINEL2_RGB,
    SSL4EO_S12_S1_MEAN,
    SSL4EO_S12_S1_STD,
    SSL4EO_S12_S2_MEAN,
    SSL4EO_S12_S2_STD,
    SSL4EO_S12_SAR_UINT8,
    SSL4EO_S12_TOA_UINT8,
)

_SENTINEL2 = Weights(
    arch="",
    tag="",
    url="",
    in_chans=13,
    bands=SENTINEL2_ALL,
    sensor="sentinel2",
    product="L1C",
    resolution=10.0,
    dataset="SSL4EO-S12",
    license="CC-BY-4.0",
    publication="https://arxiv.org/abs/2211.07044",
    repo="https://github.com/zhu-xlab/SSL4EO-S12",
    preprocessing=SSL4EO_S12_TOA_UINT8,
)
# The publisher lists the RGB and Sentinel-1 ResNets in its README but publishes no script for them; their
# preprocessing is taken to be that of the dataset code every published script uses.
_SENTINEL2_RGB = replace(
    _SENTINEL2,
    in_chans=3,
    bands=SENTINEL2_RGB,
    notes="no RGB pretraining script is published: the input is taken to be B4, B3, B2 of the 8-bit L1C export the "
    "13-band scripts use (ssl4eo_dataset.py, --dtype uint8)",
)
_SENTINEL1 = replace(
    _SENTINEL2,
    in_chans=2,
    bands=SENTINEL1_GRD,
    sensor="sentinel1",
    product="GRD",
    preprocessing=SSL4EO_S12_SAR_UINT8,
    notes="no Sentinel-1 pretraining script is published: the input is taken to be ssl4eo_dataset.py's 8-bit "
    "export, which always stretches Sentinel-1 dB over mean +- 2 std",
)
_FGMAE_LMDB = (
    "https://github.com/zhu-xlab/FGMAE/blob/66ac3c5715d80cf3af2a8d466b28dbc7f85d3e92/src/pretrain_ssl/datasets/SSL4EO/"
    "ssl4eo_dataset_lmdb.py"
)
_DECUR_REPO = (
    "https://github.com/zhu-xlab/DeCUR/blob/b3fa020051824cb312814ddd0ee54d7270d8ca44/src/pretrain/datasets/SSL4EO/"
)
# DeCUR pretrained on SSL4EO-S12 with both modalities stretched over mean +- 2 std of each band and stored as
# 8-bit (the lmdb files made with --normalize --dtype uint8), then ToTensor.
_DECUR_SOURCE = f"{_DECUR_REPO}readme.md; {_DECUR_REPO}ssl4eo_dataset.py (normalize, S1/S2C_MEAN and _STD)"
_DECUR_MS = Preprocessing(
    steps=(mean_two_std(SSL4EO_S12_S2_MEAN, SSL4EO_S12_S2_STD), FROM_UINT8),
    input_values=SENTINEL2_L1C_DN,
    source=_DECUR_SOURCE,
)
_DECUR_SAR = Preprocessing(
    steps=(mean_two_std(SSL4EO_S12_S1_MEAN, SSL4EO_S12_S1_STD), FROM_UINT8),
    input_values=SENTINEL1_GRD_DB,
    source=_DECUR_SOURCE,
)
_DECUR = replace(
    _SENTINEL2,
    preprocessing=_DECUR_MS,
    license="Apache-2.0",
    publication="https://arxiv.org/abs/2309.05300",
    repo="https://github.com/zhu-xlab/DeCUR",
    ssl_method="decur",
)
_HF = "https://hf.co/torchgeo"

# The MAE and FG-MAE encoders (decoder removed, ``*_enc.pth``) use timm's ViT key names: TorchGeo loads them into
# timm's ViT as they are, allowing only the final norm and the head to be missing or extra.
_MAE_REVISIONS = {
    "mae": "https://huggingface.co/wangyi111/SSL4EO-S12/resolve/75c72195d35201dc1fb210818993518c25da566b",
    "fgmae": "https://huggingface.co/wangyi111/FGMAE/resolve/24dd3077d7a99ecd454eaec7adb83d045d7fa122",
}
_MAE_PAPERS = {
    "mae": ("https://arxiv.org/abs/2211.07044", "https://github.com/zhu-xlab/SSL4EO-S12", "CC-BY-4.0"),
    # The FGMAE README states its licence as Apache-2.0 (it builds on Meta's MAE); no separate weights licence.
    "fgmae": ("https://arxiv.org/abs/2310.18653", "https://github.com/zhu-xlab/FGMAE", "Apache-2.0"),
}
_VIT_FILE_SIZES = {
    "vit_small_patch16_224": "vits16",
    "vit_base_patch16_224": "vitb16",
    "vit_large_patch16_224": "vitl16",
}
_NO_CHECKSUM = (
    "none recorded: the file name carries no hash suffix (TorchGeo loads these files unverified) and the file's "
    "SHA-256 (its Git LFS object id at the pinned revision, shown on its Hugging Face page) is not recorded yet"
)
#: SHA-256 of the MAE/FG-MAE files by file name (Git LFS object ids at the pinned revisions); an entry is
#: registered once its file is listed here.
_MAE_SHA256: dict[str, str] = {}


def _mae_notes(sensor: str, method: str) -> str:
    """What a user of the ``method`` encoder for ``sensor`` must know about its input beyond the transforms."""
    notes = ["encoder only: the MAE decoder is not included"]
    if sensor == "sentinel1":
        notes.append(
            f"FG-MAE's Sentinel-1 pretraining ({_FGMAE_LMDB}, float32 SAR) first clips each patch to its own 1st and "
            "99th percentiles, which fixed transforms cannot repeat; SSL4EO-S12's MAE Sentinel-1 script is not "
            "published"
        )
    elif method == "fgmae":
        notes.append(
            "FG-MAE's 13-band pretraining reads an 8-bit lmdb (251k_ms.lmdb) whose making is not published; it is "
            "taken to be SSL4EO-S12's 8-bit L1C export"
        )
    return "; ".join(notes)


def _mae(arch: str, sensor: str, method: str) -> Weights:
    """One SSL4EO-S12 MAE or FG-MAE encoder: ``sensor`` is ``sentinel2`` (13 bands) or ``sentinel1`` (2)."""
    base = _SENTINEL2 if sensor == "sentinel2" else _SENTINEL1
    filename = f"B{base.in_chans}_{_VIT_FILE_SIZES[arch]}_{method}_ep99_enc.pth"
    publication, repo, license_ = _MAE_PAPERS[method]
    sha256 = _MAE_SHA256.get(filename)
    return replace(
        base,
        arch=arch,
        tag=f"{'sentinel2_all' if sensor == 'sentinel2' else 'sentinel1_grd'}_{method}",
        ssl_method=method,
        url=f"{_MAE_REVISIONS[method]}/{filename}",
        publication=publication,
        repo=repo,
        license=license_,
        sha256=sha256,
        checksum_source="Git LFS object id of the file on its Hugging Face repository" if sha256 else _NO_CHECKSUM,
        notes=_mae_notes(sensor, method),
    )


#: The twelve MAE and FG-MAE encoders for ViT-S/B/L/16 (TorchGeo's ``ViT*16_Weights.SENTINEL*_*MAE``). Only
#: those with a known SHA-256 are registered: GeoTorch refuses to load a file it cannot verify.
MAE_WEIGHTS = tuple(
    _mae(arch, sensor, method)
    for arch in _VIT_FILE_SIZES
    for sensor in ("sentinel2", "sentinel1")
    for method in ("mae", "fgmae")
)

WEIGHTS = (
    replace(
        _SENTINEL2,
        arch="resnet18",
        tag="sentinel2_all_moco",
        ssl_method="moco",
        url=f"{_HF}/resnet18_sentinel2_all_moco/resolve/5b8cddc9a14f3844350b7f40b85bcd32aed75918/"
        "resnet18_sentinel2_all_moco-59bfdff9.pth",
    ),
    replace(
        _SENTINEL2_RGB,
        arch="resnet18",
        tag="sentinel2_rgb_moco",
        ssl_method="moco",
        url=f"{_HF}/resnet18_sentinel2_rgb_moco/resolve/e1c032e7785fd0625224cdb6699aa138bb304eec/"
        "resnet18_sentinel2_rgb_moco-e3a335e3.pth",
    ),
    replace(
        _SENTINEL2,
        arch="resnet50",
        tag="sentinel2_all_moco",
        ssl_method="moco",
        url=f"{_HF}/resnet50_sentinel2_all_moco/resolve/da4f3c9dbe09272eb902f3b37f46635fa4726879/"
        "resnet50_sentinel2_all_moco-df8b932e.pth",
    ),
    replace(
        _SENTINEL2,
        arch="resnet50",
        tag="sentinel2_all_dino",
        ssl_method="dino",
        url=f"{_HF}/resnet50_sentinel2_all_dino/resolve/d7f14bf5530d70ac69d763e58e77e44dbecfec7c/"
        "resnet50_sentinel2_all_dino-d6c330e9.pth",
    ),
    replace(
        _SENTINEL2_RGB,
        arch="resnet50",
        tag="sentinel2_rgb_moco",
        ssl_method="moco",
        url=f"{_HF}/resnet50_sentinel2_rgb_moco/resolve/efd9723b59a88e9dc1420dc1e96afb25b0630a3c/"
        "resnet50_sentinel2_rgb_moco-2b57ba8b.pth",
    ),
    replace(
        _DECUR,
        arch="resnet50",
        tag="sentinel2_all_decur",
        url="https://huggingface.co/torchgeo/decur/resolve/eba7ae5945d482a4319be046d34b552db5dd9950/"
        "rn50_ssl4eo-s12_ms_decur_ep100-fc6b09ff.pth",
    ),
    replace(
        _SENTINEL1,
        arch="resnet50",
        tag="sentinel1_grd_moco",
        ssl_method="moco",
        url=f"{_HF}/resnet50_sentinel1_all_moco/resolve/e79862c667853c10a709bdd77ea8ffbad0e0f1cf/"
        "resnet50_sentinel1_all_moco-906e4356.pth",
    ),
    replace(
        _DECUR,
        in_chans=2,
        bands=SENTINEL1_GRD,
        sensor="sentinel1",
        product="GRD",
        preprocessing=_DECUR_SAR,
        arch="resnet50",
        tag="sentinel1_grd_decur",
        url="https://huggingface.co/torchgeo/decur/resolve/9328eeb90c686a88b30f8526ed757b4bc0f12027/"
        "rn50_ssl4eo-s12_sar_decur_ep100-f0e69ba2.pth",
    ),
    replace(
        _SENTINEL2,
        arch="vit_small_patch16_224",
        tag="sentinel2_all_dino",
        ssl_method="dino",
        url=f"{_HF}/vit_small_patch16_224_sentinel2_all_dino/resolve/5b41dd418a79de47ac9f5be3e035405a83818a62/"
        "vit_small_patch16_224_sentinel2_all_dino-36bcc127.pth",
        sha256="36bcc1273227252faf98e1d9f32c35166d3612d30dc0c15812c29bed6da9a7d5",
        checksum_source="Git LFS object id of the file on its Hugging Face repository",
    ),
    replace(
        _SENTINEL2,
        arch="vit_small_patch16_224",
        tag="sentinel2_all_moco",
        ssl_method="moco",
        url=f"{_HF}/vit_small_patch16_224_sentinel2_all_moco/resolve/1cb683f6c14739634cdfaaceb076529adf898c74/"
        "vit_small_patch16_224_sentinel2_all_moco-67c9032d.pth",
    ),
    *(weights for weights in MAE_WEIGHTS if weights.sha256 is not None),
)
