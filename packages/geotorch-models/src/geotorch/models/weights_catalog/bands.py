"""Band lists and preprocessing numbers shared by several publishers' checkpoints."""

from __future__ import annotations

from geotorch.models.weights import Preprocessing

# Sentinel-2 MSI Level-1C, the 13 bands in ESA's order (SSL4EO-S12's layout).
SENTINEL2_ALL = ("B1", "B2", "B3", "B4", "B5", "B6", "B7", "B8", "B8A", "B9", "B10", "B11", "B12")
SENTINEL2_RGB = ("B4", "B3", "B2")
# Central wavelengths in micrometres of SENTINEL2_ALL (Sentinel-2A MSI), for wavelength-conditioned models.
SENTINEL2_WAVELENGTHS = (0.443, 0.490, 0.560, 0.665, 0.705, 0.740, 0.783, 0.842, 0.865, 0.945, 1.375, 1.610, 2.190)

SENTINEL1_GRD = ("VV", "VH")

# Google Earth Engine's Landsat Collection 2 band names, as SSL4EO-L exported them.
LANDSAT_TM_TOA = ("B1", "B2", "B3", "B4", "B5", "B6", "B7")
LANDSAT_ETM_TOA = ("B1", "B2", "B3", "B4", "B5", "B6_VCID_1", "B6_VCID_2", "B7", "B8")
LANDSAT_ETM_SR = ("SR_B1", "SR_B2", "SR_B3", "SR_B4", "SR_B5", "SR_B7")
LANDSAT_OLI_TIRS_TOA = ("B1", "B2", "B3", "B4", "B5", "B6", "B7", "B8", "B9", "B10", "B11")
LANDSAT_OLI_SR = ("SR_B1", "SR_B2", "SR_B3", "SR_B4", "SR_B5", "SR_B6", "SR_B7")

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)

SSL4EO_S12_TOA_10K = Preprocessing(
    divisor=(10000.0,),
    source="https://github.com/zhu-xlab/SSL4EO-S12/blob/d2868adfada65e40910bfcedfc49bc3b20df2248/src/benchmark/"
    "transfer_classification/linear_BE_moco.py#L167",
)
SSL4EO_S12_SAR = Preprocessing(
    offset=(-12.59, -20.26),
    divisor=(5.26, 5.91),
    source="https://github.com/zhu-xlab/DeCUR/blob/f190e9a3895ef645c005c8c2fce287ffa5a937e3/src/"
    "transfer_classification_BE/linear_BE_resnet.py#L286",
)
UINT8 = Preprocessing(divisor=(255.0,), source="8-bit images scaled to [0, 1]")
UINT8_IMAGENET = Preprocessing(
    divisor=(255.0,),
    mean=IMAGENET_MEAN,
    std=IMAGENET_STD,
    source="8-bit RGB scaled to [0, 1], then ImageNet mean and std",
)
