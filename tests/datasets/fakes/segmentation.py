"""Fake segmentation benchmarks in their real layouts: LoveDA, DeepGlobe, Inria, LandCover.ai, ETCI 2021."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tests.datasets.fakes.dense import labels, rgb, write_raster

#: Pixels per side of the chips (LandCover.ai's orthophotos are 40 x 36).
SIZE = 16


def make_loveda(root: Path) -> Path:
    """Two chips per scene and split (rural chips numbered after urban ones, as in the real data); Test unlabelled."""
    for split in ("Train", "Val", "Test"):
        for scene, numbers in (("Urban", (10, 11)), ("Rural", (20, 21))):
            for number in numbers:
                write_raster(root / split / scene / "images_png" / f"{number}.png", rgb(SIZE))
                if split != "Test":
                    write_raster(root / split / scene / "masks_png" / f"{number}.png", labels(SIZE, range(8)))
    return root


# The class colours, each stripe off by a little as in the real PNGs, then red (not a class: unknown).
COLOURS = [(0, 255, 255), (255, 255, 0), (255, 0, 255), (0, 255, 0), (0, 0, 255), (255, 255, 255), (0, 0, 0),
           (255, 0, 0)]


def colour_mask() -> np.ndarray:
    """A (3, SIZE, SIZE) uint8 mask of two-row stripes of ``COLOURS``, channels nudged away from 0 and 255."""
    mask = np.zeros((3, SIZE, SIZE), "uint8")
    for stripe, colour in enumerate(COLOURS):
        nudged = [value - 3 if value else 4 for value in colour]
        mask[:, 2 * stripe: 2 * stripe + 2] = np.array(nudged, "uint8")[:, None, None]
    return mask


def make_deepglobe(root: Path) -> Path:
    """Two JPEG chips with colour-coded PNG masks in training_data, one in test_data."""
    for folder, ids in (("training_data", (119, 855)), ("test_data", (6399,))):
        for number in ids:
            write_raster(root / "data" / folder / "images" / f"{number}_sat.jpg", rgb(SIZE))
            write_raster(root / "data" / folder / "masks" / f"{number}_mask.png", colour_mask())
    return root


TRAIN_TOWNS = ("austin", "tyrol-w")
TEST_TOWNS = ("bellingham", "tyrol-e")


def make_inria(root: Path) -> Path:
    """Tiles 1-7 of two towns per folder: georeferenced RGB uint8 GeoTIFFs, train gt of 0 and 255."""
    data = root / "AerialImageDataset"
    for town in TRAIN_TOWNS:
        for number in range(1, 8):
            write_raster(data / "train" / "images" / f"{town}{number}.tif", rgb(SIZE), crs="EPSG:26914")
            gt = np.zeros((1, SIZE, SIZE), "uint8")
            gt[:, :4] = 255
            write_raster(data / "train" / "gt" / f"{town}{number}.tif", gt, crs="EPSG:26914")
    for town in TEST_TOWNS:
        for number in (1, 2):
            write_raster(data / "test" / "images" / f"{town}{number}.tif", rgb(SIZE), crs="EPSG:26914")
    return root


NAMES = ("M-33-20-D-c-4-2", "N-33-60-D-c-4-2")
# 40 x 36 px orthophotos hold 3 x 3 tiles of 16 px, of which tiles 0, 1, 3, 4 are complete.
SPLITS = {"train": [f"{NAMES[0]}_{k}" for k in (0, 1, 3)] + [f"{NAMES[1]}_0"],
          "val": [f"{NAMES[0]}_4"], "test": [f"{NAMES[1]}_{k}" for k in (1, 3, 4)]}


def make_landcoverai(root: Path) -> Path:
    """The extracted v1 zip: EPSG:2180 RGB orthophotos and masks (values 0-4) and the three split lists."""
    for name in NAMES:
        write_raster(root / "images" / f"{name}.tif", rgb((40, 36)), crs="EPSG:2180")
        write_raster(root / "masks" / f"{name}.tif", labels(40, range(5))[:, :, :36].copy(), crs="EPSG:2180")
    for split, names in SPLITS.items():
        (root / f"{split}.txt").write_text("".join(f"{name}\n" for name in names))
    (root / "split.py").write_text("# the publisher's chip-cutting script, never run by GeoTorch\n")
    return root


FOLDERS = {"train": "train", "val": "test", "test": "test_internal"}


def binary(rows: int) -> np.ndarray:
    """A (1, SIZE, SIZE) uint8 label: 255 in the first ``rows`` rows, 0 below."""
    label = np.zeros((1, SIZE, SIZE), "uint8")
    label[:, :rows] = 255
    return label


def make_etci(root: Path) -> Path:
    """Two regions of two chips per split folder; test_internal has no flood labels."""
    for split, folder in FOLDERS.items():
        for region in ("bangladesh_20170314t115609", "nebraska_20170309t002110"):
            tiles = root / folder / region / "tiles"
            for x in (0, 1):
                name = f"{region}_x-{x}_y-0"
                write_raster(tiles / "vv" / f"{name}_vv.png", rgb(SIZE))
                write_raster(tiles / "vh" / f"{name}_vh.png", rgb(SIZE))
                write_raster(tiles / "water_body_label" / f"{name}.png", binary(2))
                if split != "test":
                    write_raster(tiles / "flood_label" / f"{name}.png", binary(5))
    return root
