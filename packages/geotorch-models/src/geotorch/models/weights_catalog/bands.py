"""Band lists and preprocessing numbers shared by several publishers' checkpoints."""

from __future__ import annotations

from geotorch.models.preprocessing import Preprocessing, Rescale, mean_two_std

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

#: ToTensor's step: stored 8-bit integers back to [0, 1].
FROM_UINT8 = Rescale(divisor=(255.0,))
#: The largest value of an 8-bit image: an input above it is another product (16-bit DN, say).
UINT8_MAX = (255.0,)

_SSL4EO_S12 = "https://github.com/zhu-xlab/SSL4EO-S12/blob/1dc0c8310ca8c2bf4c6f8d67f168eab568a10a9d/src/benchmark/"
_SSL4EO_S12_DATASET = f"{_SSL4EO_S12}pretrain_ssl/datasets/SSL4EO/ssl4eo_dataset.py"

# Sentinel-1 band statistics of SSL4EO-S12 (its 50k-patch subset), dB, in SENTINEL1_GRD's order.
SSL4EO_S12_S1_MEAN = (-12.54847273, -20.19237134)
SSL4EO_S12_S1_STD = (5.25697717, 5.91150917)
# Sentinel-2 L1C band statistics of SSL4EO-S12 (its 50k-patch subset), DN, in SENTINEL2_ALL's order.
SSL4EO_S12_S2_MEAN = (
    1605.57504906,
    1390.78157673,
    1314.8729939,
    1363.52445545,
    1549.44374991,
    2091.74883118,
    2371.7172463,
    2299.90463006,
    2560.29504086,
    830.06605044,
    22.10351321,
    2177.07172323,
    1524.06546312,
)
SSL4EO_S12_S2_STD = (
    786.78685367,
    850.34818441,
    875.06484736,
    1138.84957046,
    1122.17775652,
    1161.59187054,
    1274.39184232,
    1248.42891965,
    1345.52684884,
    577.31607053,
    51.15431158,
    1336.09932639,
    1136.53823676,
)

SENTINEL2_L1C_DN = (
    "Sentinel-2 L1C top-of-atmosphere reflectance DN (reflectance x 10000) of the named bands, as SAFE products "
    "of processing baseline < 04.00 and Google Earth Engine's COPERNICUS/S2_HARMONIZED hold them; products of "
    "baseline 04.00 and later (from 25 January 2022) add 1000 (RADIO_ADD_OFFSET -1000), to subtract first"
)
SENTINEL1_GRD_DB = (
    "Sentinel-1 GRD backscatter sigma0 in dB (VV, VH), as Google Earth Engine's COPERNICUS/S1_GRD holds it"
)

#: SSL4EO-S12's pretraining input: L1C DN / 10000 stored as 8-bit (``--dtype uint8``), then ToTensor. The
#: publisher's cast wraps DN above 10000 around; the intended saturation at 255 is used instead.
SSL4EO_S12_TOA_UINT8 = Preprocessing(
    steps=(Rescale(divisor=(10000.0,), clip=(0.0, 1.0), integer_max=255), FROM_UINT8),
    input_values=SENTINEL2_L1C_DN,
    source=f"{_SSL4EO_S12_DATASET} (get_array: img / 10000 * 255 as uint8); the pretraining scripts' --dtype uint8 "
    f"(e.g. {_SSL4EO_S12}pretrain_ssl/scripts/pretrain/srun_train_moco_rn50_s2c.sh); cvtorchvision ToTensor (/255)",
)
#: SSL4EO-S12's Sentinel-1 input: dB stretched over mean +- 2 std of each band, stored as 8-bit, then ToTensor.
SSL4EO_S12_SAR_UINT8 = Preprocessing(
    steps=(mean_two_std(SSL4EO_S12_S1_MEAN, SSL4EO_S12_S1_STD), FROM_UINT8),
    input_values=SENTINEL1_GRD_DB,
    source=f"{_SSL4EO_S12_DATASET} (normalize: mean +- 2 std to uint8, applied to s1 when dtype is uint8)",
)
