"""Fake classification benchmarks in real layouts: EuroSAT, UC Merced, RESISC45, PatternNet, So2Sat, BigEarthNet."""

from __future__ import annotations

import json
from pathlib import Path

import h5py
import numpy as np

from geotorch.datasets import RESISC45, EuroSAT, PatternNet, UCMerced
from tests.datasets.fakes.benchmark import random_chip, write_chip, write_class_folders, write_split_file

#: Pixels per side of the EuroSAT, UC Merced, RESISC45 and PatternNet chips.
SIZE = 16


def make_eurosat(root: Path, prefix: str = "eurosat") -> Path:
    """Three 13-band uint16 chips per class (``<Class>_<n>.tif``); split files list ``.jpg`` names, as the real do."""
    names = [(name, f"{name}_{n}.tif") for name in EuroSAT.classes for n in (1, 2, 3)]
    write_class_folders(root, EuroSAT.images_folder, names, bands=13, size=SIZE, dtype="uint16", georeferenced=True)
    for split, n in (("train", 1), ("val", 2), ("test", 3)):
        write_split_file(root / f"{prefix}-{split}.txt", [f"{name}_{n}.jpg" for name in EuroSAT.classes])
    return root


def make_ucmerced(root: Path) -> Path:
    """``UCMerced_LandUse/Images/<class>/<class><NN>.tif``, uint8 RGB; one chip is 16 x 12 like the odd real ones."""
    names = [(name, f"{name}{n:02d}.tif") for name in UCMerced.classes[:3] for n in range(3)]
    write_class_folders(root, UCMerced.images_folder, names, bands=3, size=SIZE, dtype="uint8")
    odd = random_chip(np.random.default_rng(1), 3, SIZE, "uint8")[:, :12, :]
    write_chip(root / UCMerced.images_folder / "airplane" / "airplane00.tif", odd)
    for split, n in (("train", 0), ("val", 1), ("test", 2)):
        write_split_file(root / f"uc_merced-{split}.txt", [f"{name}{n:02d}.tif" for name in UCMerced.classes[:3]])
    return root


def make_resisc45(root: Path) -> Path:
    """``NWPU-RESISC45/<class>/<class>_<NNN>.jpg`` RGB JPEGs and the three split files."""
    names = [(name, f"{name}_{n:03d}.jpg") for name in RESISC45.classes[:3] for n in (1, 2, 3)]
    write_class_folders(root, RESISC45.images_folder, names, bands=3, size=SIZE, dtype="uint8")
    for split, n in (("train", 1), ("val", 2), ("test", 3)):
        write_split_file(root / f"resisc45-{split}.txt", [f"{name}_{n:03d}.jpg" for name in RESISC45.classes[:3]])
    return root


def make_patternnet(root: Path) -> Path:
    """``PatternNet/images/<class>/<name>.jpg`` RGB JPEGs; no split files exist."""
    names = [(name, f"{name}{n:03d}.jpg") for name in PatternNet.classes[:3] for n in (1, 2, 3)]
    write_class_folders(root, PatternNet.images_folder, names, bands=3, size=SIZE, dtype="uint8")
    return root


CHIPS = 4


def write_so2sat(path: Path, chips: int = CHIPS) -> Path:
    """An HDF5 split: sen1 (N, 32, 32, 8), sen2 (N, 32, 32, 10) float64, one-hot label (N, 17); chip i is class i."""
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    with h5py.File(path, "w") as file:
        file["sen1"] = rng.normal(0, 0.5, (chips, 32, 32, 8))
        # Band b of chip i is (b + 1) / 100 + i: easy to tell which band and chip a pixel came from.
        file["sen2"] = np.arange(1, 11)[None, None, None, :] / 100 + np.arange(chips)[:, None, None, None] \
            + np.zeros((chips, 32, 32, 10))
        file["label"] = np.eye(17)[np.arange(chips)]
    return path


# Pixels per side of each S2 band at its native resolution (10, 20, 60 m) in a 1.2 km patch.
S2_SIZES = {"B02": 120, "B03": 120, "B04": 120, "B08": 120, "B05": 60, "B06": 60, "B07": 60, "B8A": 60,
            "B11": 60, "B12": 60, "B01": 20, "B09": 20}
PATCHES = [
    ("S2A_MSIL2A_20170613T101031_0_45", "S1B_IW_GRDH_1SDV_20170613T165043_33UUP_0_45",
     ["Coniferous forest", "Mixed forest", "Transitional woodland/shrub"]),
    ("S2A_MSIL2A_20170613T101031_0_46", "S1B_IW_GRDH_1SDV_20170613T165043_33UUP_0_46",
     ["Continuous urban fabric", "Airports", "Sea and ocean"]),
    ("S2B_MSIL2A_20180525T94031_11_70", "S1A_IW_GRDH_1SDV_20180525T163845_34VER_11_70", ["Water bodies"]),
]


def make_bigearthnet(root: Path) -> Path:
    """Three S2 (uint16, 12 bands) and S1 (float32 VH, VV) patch folders, label JSONs, and the split files."""
    rng = np.random.default_rng(0)
    for s2, s1, labels in PATCHES:
        for band, size in S2_SIZES.items():
            chip = rng.integers(1, 3000, (1, size, size)).astype("uint16")
            write_chip(root / "BigEarthNet-v1.0" / s2 / f"{s2}_{band}.tif", chip, georeferenced=True)
        for band in ("VH", "VV"):
            chip = rng.normal(-15, 3, (1, 120, 120)).astype("float32")
            write_chip(root / "BigEarthNet-S1-v1.0" / s1 / f"{s1}_{band}.tif", chip, georeferenced=True)
        (root / "BigEarthNet-v1.0" / s2 / f"{s2}_labels_metadata.json").write_text(json.dumps(
            {"labels": labels, "tile_source": s2, "acquisition_date": "2017-06-13 10:10:31"}))
        (root / "BigEarthNet-S1-v1.0" / s1 / f"{s1}_labels_metadata.json").write_text(json.dumps(
            {"labels": labels, "corresponding_s2_patch": s2}))
    for split, chosen in (("train", PATCHES[:2]), ("val", PATCHES[2:]), ("test", PATCHES[2:])):
        write_split_file(root / f"bigearthnet-{split}.csv", [f"{s2},{s1}" for s2, s1, _ in chosen])
    return root
