"""Fake change-detection benchmarks in their real layouts: LEVIR-CD, OSCD."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from geotorch.datasets import OSCD
from tests.datasets.fakes.dense import rgb, write_raster

#: Pixels per side of the images.
SIZE = 16


COUNTS = {"train": 3, "val": 1, "test": 2}


def make_levircd(root: Path, splits: dict[str, int] = COUNTS) -> Path:
    """RGB PNG pairs named <split>_<n>.png in A/ and B/, change labels of 0 and 255 in label/."""
    for split, count in splits.items():
        for number in range(1, count + 1):
            name = f"{split}_{number}.png"
            write_raster(root / "A" / name, rgb(SIZE))
            write_raster(root / "B" / name, rgb(SIZE))
            change = np.zeros((1, SIZE, SIZE), "uint8")
            change[:, :number] = 255
            write_raster(root / "label" / name, change)
    return root


CITIES = {"Train": ("abudhabi", "beihai"), "Test": ("brasilia",)}
PREFIX = "Onera Satellite Change Detection dataset - "


def make_oscd(root: Path) -> Path:
    """uint16 single-band GeoTIFFs B01..B12, B8A per date (imgs_<1|2>_rect), dates.txt, and 0/255 change PNGs."""
    for split, cities in CITIES.items():
        for city in cities:
            for date in (1, 2):
                for band in OSCD.all_bands:
                    path = root / f"{PREFIX}Images" / city / f"imgs_{date}_rect" / f"{band}.tif"
                    write_raster(path, rgb(SIZE, bands=1, dtype="uint16"), crs="EPSG:32640")
            (root / f"{PREFIX}Images" / city / "dates.txt").write_text("date_1: 20160112\ndate_2: 20180327\n")
            change = np.zeros((1, SIZE, SIZE), "uint8")
            change[:, :3] = 255
            write_raster(root / f"{PREFIX}{split} Labels" / city / "cm" / "cm.png", change)
    return root
